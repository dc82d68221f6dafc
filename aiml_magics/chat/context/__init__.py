"""Notebook context for a request: `@name` mentions and `--context` parts, as labelled blocks.

The kernel side of "the model sees the notebook". Everything here takes plain data (a
namespace dict, input history, notebook cells, the last exception), so it knows no IPython;
the magic gathers those from the shell and calls `build_context`.
"""

from __future__ import annotations

from .describe import describe, describer, register_describer, unregister_describer
from .errors import ContextError

__all__ = [
    "ContextError",
    "describe",
    "describer",
    "register_describer",
    "unregister_describer",
]
