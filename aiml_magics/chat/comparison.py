"""What `%%aiml --compare` leaves in `_aiml`: the answers side by side (`Comparison`), their
summary table, and the choice of the answer that continues the chat.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..api.result import ChatResult
from .columns import ColumnState
from .conversation import Turn
from .publish import tell_listeners
from .request import TurnRequest
from .view import Status

if TYPE_CHECKING:
    from .session import Session

BEST_BY = ("credits", "time", "ttft")


def summary_rows(states: Sequence[ColumnState]) -> list[dict[str, Any]]:
    """One row per model, in the order asked; the cheapest and the fastest answer marked."""
    rows = [_row(state) for state in states]
    done = [row for row in rows if row["status"] == Status.DONE.value]
    priced = [row for row in done if row["credits"] is not None]
    marks: dict[str, list[str]] = {row["model"]: [] for row in rows}
    if len(done) > 1 or len(rows) == 1:
        if priced:
            marks[min(priced, key=lambda r: r["credits"])["model"]].append("cheapest")
        if done:
            marks[min(done, key=lambda r: r["time_s"])["model"]].append("fastest")
    for row in rows:
        row["mark"] = ", ".join(marks[row["model"]])
    return rows


def _row(state: ColumnState) -> dict[str, Any]:
    result = state.result
    usage = result.usage if result is not None else None
    time_s = round(state.elapsed, 3)
    completion = usage.completion_tokens if usage else None
    return {
        "model": state.model,
        "answered_by": result.model if result is not None else None,
        "status": state.status.value,
        "ttft_s": round(state.ttft, 3) if state.ttft is not None else None,
        "time_s": time_s,
        "prompt_tokens": usage.prompt_tokens if usage else None,
        "completion_tokens": completion,
        "reasoning_tokens": usage.reasoning_tokens if usage else None,
        "tokens_per_s": round(completion / state.elapsed, 1)
        if completion and state.elapsed > 0
        else None,
        "credits": result.credits_used if result is not None else None,
        "dollars": result.dollars if result is not None else None,
        "finish_reason": result.finish_reason if result is not None else None,
        "error": state.error,
    }


@dataclass
class Comparison:
    """What `%%aiml --compare` leaves in `_aiml` (and `-o VAR`).

    `results` maps each model asked for to its `ChatResult` (incomplete ones have
    `complete=False`; a model that failed before answering has none), `table` is the summary
    (a pandas DataFrame when pandas is installed, else a list of dicts), `best(by=...)` names
    the best completed answer, `choose(model)` records that answer as the cell's turn.
    """

    models: list[str]
    states: list[ColumnState]
    request: TurnRequest | None = field(default=None, repr=False)
    session: Session | None = field(default=None, repr=False)
    interrupted: bool = False
    chosen: str | None = None
    on_choose: list[Callable[[str], None]] = field(default_factory=list, repr=False)

    @property
    def results(self) -> dict[str, ChatResult]:
        return {s.model: s.result for s in self.states if s.result is not None}

    @property
    def errors(self) -> dict[str, str]:
        return {s.model: s.error for s in self.states if s.error}

    def rows(self) -> list[dict[str, Any]]:
        return summary_rows(self.states)

    @property
    def table(self) -> Any:
        rows = self.rows()
        try:
            import pandas as pd
        except ImportError:
            return rows
        return pd.DataFrame(rows).set_index("model")

    def completed(self) -> list[str]:
        return [s.model for s in self.states if s.status == Status.DONE and s.result is not None]

    def best(self, by: str = "credits") -> str | None:
        """The completed answer with the fewest credits, the shortest time or the earliest
        first token (`by`); None when none completed (or none reported credits)."""
        if by not in BEST_BY:
            raise ValueError(f"best(by=...) takes one of {', '.join(BEST_BY)}, got {by!r}")
        column = {"credits": "credits", "time": "time_s", "ttft": "ttft_s"}[by]
        rows = [r for r in self.rows() if r["status"] == "done" and r[column] is not None]
        return min(rows, key=lambda r: r[column])["model"] if rows else None

    def choose(self, model: str) -> ChatResult:
        """Record `model`'s answer as the cell's turn (choosing again replaces it)."""
        state = next((s for s in self.states if s.model == model), None)
        if state is None:
            raise ValueError(f"{model!r} was not compared here (asked: {', '.join(self.models)})")
        if state.status != Status.DONE or state.result is None:
            raise ValueError(
                f"{model}'s answer did not complete ({state.status.value}); only a complete "
                "answer can continue the conversation"
            )
        request, session = self.request, self.session
        if request is None or session is None:
            raise ValueError("this comparison is not attached to a session")
        if not request.history:
            raise ValueError("--no-history: this cell records nothing in the conversation")
        result = state.result
        session.chats.get(request.chat).record(Turn.from_result(request.key, request.user, result))
        self.chosen = model
        tell_listeners(session.listeners, result)
        for hook in [*self.on_choose]:
            hook(model)
        return result

    def metadata(self) -> dict[str, Any]:
        """The output metadata: every model's request and usage, and the choice."""
        answers = {}
        for state in self.states:
            entry = dict(state.result.provenance()) if state.result is not None else {}
            entry["status"] = state.status.value
            if state.error:
                entry["error"] = state.error
            answers[state.model] = entry
        when = datetime.now(timezone.utc).isoformat(timespec="seconds")
        chat = self.request.chat if self.request is not None else None
        return {
            "aiml": {
                "compare": {"models": list(self.models), "answers": answers},
                "chosen": self.chosen,
                "chat": chat,
                "time": when,
            }
        }

    def __repr__(self) -> str:
        return f"Comparison(models={self.models!r}, chosen={self.chosen!r})"
