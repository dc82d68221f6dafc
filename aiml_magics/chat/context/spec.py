"""`--context SPEC`: which parts of the notebook go along, e.g. `cells=5,errors`.

Parts: `cells` (every cell above; the budget trims the oldest first), `cells=N` (the N
newest), `outputs` (the text outputs of those cells; of the cells `cells` would take when
given alone), `errors` (the last exception and its traceback), `vars` (a one-line list of
the user's variables). `none` (or an empty spec) attaches nothing, so a cell can turn a
session default (`%config AimlMagics.context`) off. Parts combine with commas.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .errors import ContextError

PARTS = ("cells", "outputs", "errors", "vars")
USAGE = "cells, cells=N, outputs, errors, vars or none, joined by commas (e.g. cells=5,errors)"


@dataclass(frozen=True)
class ContextSpec:
    """A parsed spec. `cell_count` None with `cells` set means every cell above."""

    cells: bool = False
    cell_count: int | None = None
    outputs: bool = False
    errors: bool = False
    vars: bool = False

    def __bool__(self) -> bool:
        return self.cells or self.outputs or self.errors or self.vars

    def __str__(self) -> str:
        """The canonical spec text (what provenance records)."""
        parts = []
        if self.cells:
            parts.append("cells" if self.cell_count is None else f"cells={self.cell_count}")
        parts += [name for name in PARTS[1:] if getattr(self, name)]
        return ",".join(parts) or "none"


def parse_spec(text: str | None) -> ContextSpec:
    """Parse `cells=5,errors`; a `ContextError` names a bad part and lists the good ones."""
    found: dict[str, object] = {}
    for item in (text or "").replace(" ", "").split(","):
        if not item or item == "none":
            continue
        name, has_value, value = item.partition("=")
        if name not in PARTS:
            close = difflib.get_close_matches(name, PARTS, 1)
            maybe = f" Did you mean {close[0]}?" if close else ""
            raise ContextError(f"--context: unknown part {item!r}.{maybe} Parts: {USAGE}.")
        if has_value and name != "cells":
            raise ContextError(f"--context: {name} takes no value (got {item!r}). Parts: {USAGE}.")
        found[name] = _count(value) if has_value else None
    return ContextSpec(
        cells="cells" in found,
        cell_count=found.get("cells"),  # type: ignore[arg-type]
        outputs="outputs" in found,
        errors="errors" in found,
        vars="vars" in found,
    )


def _count(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise ContextError(f"--context: cells=N needs a whole number of at least 1, got {value!r}")
    return int(value)
