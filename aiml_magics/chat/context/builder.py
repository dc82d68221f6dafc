"""Build the context of one request: mentions and `--context` parts, redacted, within budget.

The magic gathers plain data from the shell into a `NotebookState` (or calls
`NotebookState.from_shell`, which reads a few attributes and imports nothing of IPython),
then calls `build_context`. Every error (an unknown mention, a bad spec) is raised before
anything is sent.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .attached import PREAMBLE, AttachedContext, ContextPart, text_tokens
from .budget import fit
from .dispatch import describe
from .mentions import find_mentions, resolve_mention
from .notebook import (
    NOTEBOOK_KEY,
    NotebookCell,
    cell_parts,
    cells_above,
    cells_from_history,
    cells_from_payload,
    error_part,
    vars_part,
)
from .redact import REDACTED, Redactor, is_secret_name, secret_literals
from .spec import ContextSpec, parse_spec

DEFAULT_BUDGET = 3000  # estimated tokens of attached context
DEFAULT_CELLS = 5  # cells whose outputs `outputs` attaches when `cells` is not given


class ShellLike(Protocol):
    """What `NotebookState.from_shell` reads of an IPython shell."""

    user_ns: dict[str, Any]
    user_ns_hidden: dict[str, Any]
    history_manager: Any


@dataclass
class NotebookState:
    """Plain data about the notebook: the namespace, cells (either source), the last error."""

    namespace: Mapping[str, Any]
    history: Sequence[str] = ()  # input history by execution count, without the running cell
    history_outputs: Mapping[int, Any] = field(default_factory=dict)  # IPython's `Out`
    notebook_cells: Sequence[Any] | None = None  # the extension's cells above the running one
    last_error: BaseException | None = None
    hidden: Collection[str] = ()  # names the shell defined itself (`user_ns_hidden`)

    @classmethod
    def from_shell(
        cls, shell: ShellLike, metadata: Mapping[str, Any] | None = None
    ) -> NotebookState:
        """Read a running shell: raw inputs before the running cell, `Out`, `sys.last_value`."""
        raw = list(getattr(shell.history_manager, "input_hist_raw", []) or [])
        return cls(
            namespace=shell.user_ns,
            history=raw[:-1],  # the running cell was stored before it started
            history_outputs=shell.user_ns.get("Out") or {},
            notebook_cells=cells_above((metadata or {}).get(NOTEBOOK_KEY)),
            last_error=getattr(sys, "last_value", None),
            hidden=set(getattr(shell, "user_ns_hidden", {}) or {}),
        )

    def cells(self) -> list[NotebookCell]:
        """The notebook's cells when the extension sent them, else the input history."""
        if self.notebook_cells is not None:
            return cells_from_payload(self.notebook_cells)
        return cells_from_history(self.history, self.history_outputs)


def build_context(
    body: str,
    state: NotebookState,
    spec: ContextSpec | str | None = None,
    *,
    api_key: str | None = None,
    budget: int = DEFAULT_BUDGET,
) -> AttachedContext:
    """The context for a cell `body`: its `@mentions`, then the parts `spec` asks for.

    Raises `ContextError` for an unknown or private mention or a bad spec. `api_key` is
    redacted wherever it appears, like every other secret-looking value.
    """
    spec = spec if isinstance(spec, ContextSpec) else parse_spec(spec)
    parts = mention_parts(body, state.namespace) + spec_parts(spec, state)
    redact = Redactor(secret_literals(state.namespace, api_key))
    parts = [ContextPart(p.label, p.kind, redact(p.text), p.age, p.language) for p in parts]
    kept, trimmed = fit(parts, max(0, budget - text_tokens(PREAMBLE)))
    return AttachedContext(kept, trimmed, spec=str(spec), budget=budget)


def mention_parts(body: str, namespace: Mapping[str, Any]) -> list[ContextPart]:
    """One part per `@mention`; every mention is resolved before any is described."""
    resolved = [(m, resolve_mention(m, namespace)) for m in find_mentions(body)]
    parts = []
    for mention, value in resolved:
        if is_secret_name(mention.path):
            text = f"{REDACTED} (its name says it holds a secret)"
        else:
            text = describe(value)
        parts.append(ContextPart(mention.label, "mention", text))
    return parts


def spec_parts(spec: ContextSpec, state: NotebookState) -> list[ContextPart]:
    """The error, variables and cells parts, in that order (cells newest first)."""
    parts = []
    cells = state.cells() if (spec.cells or spec.outputs or spec.errors) else []
    if spec.errors:
        parts.append(error_part(state.last_error, cells))
    if spec.vars:
        parts.append(vars_part(state.namespace, state.hidden))
    if spec.cells or spec.outputs:
        count = spec.cell_count if spec.cells else DEFAULT_CELLS
        parts += cell_parts(cells, count, with_code=spec.cells, with_outputs=spec.outputs)
    return parts
