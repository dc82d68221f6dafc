"""The notebook's side of the context: cells, their outputs, the last error, the variables.

Cells come from one of two plain sources, whichever the caller has:
- IPython's input history (terminal IPython, VS Code, nbclient, Notebook 7): a list indexed
  by execution count, entry 0 unused, as `shell.history_manager.input_hist_raw`, *without*
  the running cell; outputs from `Out` (execution count -> value).
- The notebook's cells, sent by the project's JupyterLab extension in the execute request's
  metadata under `NOTEBOOK_KEY` (beside `deletedCells`), for cells that start with `%%aiml`:
  every cell of the notebook in notebook order, top first, and the index of the running
  one (the cells above it are `cells[:index]`)::

      {"aimlNotebook": {
          "cells": [
              {"id": "...",
               "cell_type": "code" | "markdown" | "raw",
               "source": "x = 1"  (a string, or a list of strings as in nbformat),
               "outputs": [text-only nbformat outputs]}   (code cells; optional)
          ],
          "index": 7}}

  Of the outputs only text is read: `stream` text, `text/plain` of `execute_result` and
  `display_data`, and `error` (`ename`, `evalue`, and `traceback` when given). Images and
  HTML are ignored, so the extension leaves them out. A payload without a valid `index` is
  ignored (the input history is used instead): cells below the running one must never go.

`%%aiml`/`%aiml` cells are left out: the chat already carries them as turns.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .attached import ContextPart, code_language
from .builtin import exception_text
from .dispatch import describe
from .redact import is_secret_name
from .registry import cut, type_name
from .tracebacks import SOURCE_LIMIT, failing_cell_source, private_paths_removed

NOTEBOOK_KEY = "aimlNotebook"
CELL_LIMIT = 8000  # characters of one cell's source or outputs before the budget applies
OUTPUT_LIMIT = 2000  # characters of one output
VARS_SHOWN = 200
IPYTHON_NAMES = frozenset({"In", "Out", "exit", "quit", "get_ipython"})
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_SHAPED_PACKAGES = ("pandas", "numpy", "polars", "torch", "xarray")


@dataclass(frozen=True)
class NotebookCell:
    """One cell above the running one: its label, kind, source, text outputs, error."""

    label: str
    kind: str  # "code", "markdown" or "raw"
    source: str
    outputs: tuple[str, ...] = ()
    error: str = ""  # the traceback text of an error output, if the cell failed


def is_aiml_cell(source: str) -> bool:
    return source.lstrip().startswith(("%%aiml", "%aiml"))


def cells_from_history(
    inputs: Sequence[str], outputs: Mapping[int, Any] | None = None
) -> list[NotebookCell]:
    """Cells from IPython's input history (index = execution count), oldest first."""
    cells = []
    for count, source in enumerate(inputs):
        if count == 0 or not isinstance(source, str) or not source.strip():
            continue
        if is_aiml_cell(source):
            continue
        shown = ()
        if outputs and count in outputs:
            shown = (describe(outputs[count], OUTPUT_LIMIT),)
        cells.append(NotebookCell(f"In [{count}]", "code", source.rstrip(), shown))
    return cells


def cells_above(payload: Any) -> list[Any] | None:
    """The cells above the running one in the extension's payload, or None if malformed."""
    if not isinstance(payload, dict):
        return None
    cells, index = payload.get("cells"), payload.get("index")
    if not isinstance(cells, list) or type(index) is not int or not 0 <= index <= len(cells):
        return None
    return cells[:index]


def cells_from_payload(entries: Sequence[Any]) -> list[NotebookCell]:
    """Cells from the extension's entries above the running cell; malformed ones skipped."""
    cells = []
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            continue
        kind = entry.get("cell_type") if entry.get("cell_type") in ("markdown", "raw") else "code"
        source = _joined(entry.get("source"))
        if not source.strip() or (kind == "code" and is_aiml_cell(source)):
            continue
        count = entry.get("execution_count")
        label = f"In [{count}]" if kind == "code" and isinstance(count, int) else f"cell {position}"
        if kind == "markdown":
            label = f"Markdown cell {position}"
        outputs = entry.get("outputs") if isinstance(entry.get("outputs"), list) else []
        texts = tuple(t for t in (output_text(o) for o in outputs) if t)
        error = next((_traceback(o) for o in outputs if _is_error(o)), "")
        cells.append(NotebookCell(label, kind, source.rstrip(), texts, error))
    return cells


def _joined(text: Any) -> str:
    if isinstance(text, list):
        return "".join(t for t in text if isinstance(t, str))
    return text if isinstance(text, str) else ""


def _is_error(output: Any) -> bool:
    return isinstance(output, dict) and output.get("output_type") == "error"


def _traceback(output: dict) -> str:
    lines = output.get("traceback")
    text = "\n".join(t for t in lines if isinstance(t, str)) if isinstance(lines, list) else ""
    head = f"{_joined(output.get('ename'))}: {_joined(output.get('evalue'))}"
    return cut(private_paths_removed(_ANSI.sub("", text)) or head, CELL_LIMIT)


def output_text(output: Any) -> str:
    """The text of one nbformat output: stream text, text/plain, or an error's one line."""
    if not isinstance(output, dict):
        return ""
    kind = output.get("output_type")
    if kind == "stream":
        text = _joined(output.get("text"))
    elif kind in ("execute_result", "display_data"):
        data = output.get("data")
        text = _joined(data.get("text/plain")) if isinstance(data, dict) else ""
    elif kind == "error":
        text = f"{_joined(output.get('ename'))}: {_joined(output.get('evalue'))}"
    else:
        text = ""
    return cut(_ANSI.sub("", text).rstrip(), OUTPUT_LIMIT)


def cell_parts(
    cells: Sequence[NotebookCell], count: int | None, with_code: bool, with_outputs: bool
) -> list[ContextPart]:
    """The newest `count` cells (all when None), newest first, each followed by its outputs."""
    chosen = list(cells)[::-1][:count] if count is not None else list(cells)[::-1]
    parts = []
    for age, cell in enumerate(chosen):
        if with_code:
            text = cut(cell.source, CELL_LIMIT)
            parts.append(ContextPart(cell.label, "cell", text, age, code_language(cell.kind)))
        if with_outputs and cell.outputs:
            text = cut("\n".join(cell.outputs), CELL_LIMIT)
            parts.append(ContextPart(f"output of {cell.label}", "output", text, age))
    return parts


def error_part(error: BaseException | None, cells: Sequence[NotebookCell]) -> ContextPart:
    """The last exception (as IPython keeps it), else the newest error output of the cells."""
    if error is not None:
        text = exception_text(error)
        source = failing_cell_source(error)
        if source:
            text += f"\nThe cell that raised it:\n{cut(source, SOURCE_LIMIT)}"
        return ContextPart("last error", "error", text)
    failed = next((cell for cell in reversed(cells) if cell.error), None)
    if failed is not None:
        return ContextPart(f"last error (in {failed.label})", "error", failed.error)
    return ContextPart("last error", "error", "No error has been raised in this session.")


def vars_part(namespace: Mapping[str, Any], hidden: Collection[str] = ()) -> ContextPart:
    """`name: type shape` for each user variable, on one line."""
    entries = list(_variables(namespace, hidden))
    more = len(entries) - VARS_SHOWN
    text = "; ".join(entries[:VARS_SHOWN]) + (f"; ... ({more:,} more)" if more > 0 else "")
    return ContextPart("variables", "vars", text or "No user variables.")


def _variables(namespace: Mapping[str, Any], hidden: Collection[str]) -> Iterable[str]:
    for name, value in list(namespace.items()):
        if name.startswith("_") or name in IPYTHON_NAMES or name in hidden:
            continue
        if type(value).__name__ == "module":
            continue
        yield f"{name}: {_kind(name, value)}"


def _kind(name: str, value: Any) -> str:
    """Type and size read without calling the user's code (only known types' shape or len)."""
    kind = type_name(value)
    if isinstance(value, type):
        return "class"
    if type(value).__module__.split(".")[0] in _SHAPED_PACKAGES:
        shape = getattr(value, "shape", None)
        if isinstance(shape, tuple):
            return f"{kind} {'x'.join(str(s) for s in shape)}"
    if type(value) in (list, tuple, dict, set, frozenset):
        return f"{kind}[{len(value)}]"
    if type(value) is str and not is_secret_name(name):
        return f"str[{len(value)}]"
    return kind
