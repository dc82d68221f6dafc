"""The top floor: `%%aiml` and `%aiml`, split by feature.

`cell` (the magics class), `options` and `rules` (the options and which go together),
`frontend` (where a cell's output goes, chosen once per cell), `compare` and `batch`
(`%%aiml --compare`, `--over` and `aiml_magics.batch`), `registry` and `handlers` (the `%aiml`
subcommands: declared, then run), `completion`, `inputs`, `codeblocks` and `usage` (how both
magics show a usage error).

Importing the package is cheap; `AimlMagics` loads IPython's magics on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["AimlMagics"]

if TYPE_CHECKING:
    from .cell import AimlMagics


def __getattr__(name: str) -> Any:
    if name == "AimlMagics":
        from .cell import AimlMagics

        return AimlMagics
    raise AttributeError(f"module 'aiml_magics.magics' has no attribute {name!r}")
