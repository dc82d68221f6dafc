"""Notebook context for a request: `@name` mentions and `--context` parts, as labelled blocks.

The kernel side of "the model sees the notebook". Everything here takes plain data (a
namespace dict, input history, notebook cells, the last exception), so it knows no IPython;
the magic gathers those (`NotebookState.from_shell`) and calls `build_context`.

Names load on first use: `aiml_magics.describer` must not cost the builder's imports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "AttachedContext": "attached",
    "ContextPart": "attached",
    "DEFAULT_BUDGET": "builder",
    "NotebookState": "builder",
    "build_context": "builder",
    "describe": "dispatch",
    "describer": "registry",
    "register_describer": "registry",
    "unregister_describer": "registry",
    "ContextError": "errors",
    "find_mentions": "mentions",
    "unescape": "mentions",
    "NOTEBOOK_KEY": "notebook",
    "ContextSpec": "spec",
    "parse_spec": "spec",
}
__all__ = [
    "DEFAULT_BUDGET",
    "NOTEBOOK_KEY",
    "AttachedContext",
    "ContextError",
    "ContextPart",
    "ContextSpec",
    "NotebookState",
    "build_context",
    "describe",
    "describer",
    "find_mentions",
    "parse_spec",
    "register_describer",
    "unescape",
    "unregister_describer",
]

if TYPE_CHECKING:
    from .attached import AttachedContext, ContextPart
    from .builder import DEFAULT_BUDGET, NotebookState, build_context
    from .dispatch import describe
    from .errors import ContextError
    from .mentions import find_mentions, unescape
    from .notebook import NOTEBOOK_KEY
    from .registry import describer, register_describer, unregister_describer
    from .spec import ContextSpec, parse_spec


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
