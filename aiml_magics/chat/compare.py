"""One prompt, several models at once: the orchestration behind `%%aiml --compare`.

Each model's answer is an ordinary turn sent through the one send path (`send.send_turn`,
with `record=False`), in its own worker thread, into its own `Column` (an `AnswerView`
that only keeps state). The main thread waits on the workers in short steps, so a kernel
interrupt reaches it at once, and hands snapshots of the columns to whoever shows them.
Nothing is recorded in the chat until an answer is chosen (`Comparison.choose`).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..api import errors
from ..api.result import ChatResult
from .cancel import Cancel
from .conversation import Turn
from .publish import tell_listeners
from .request import TurnRequest
from .view import Status

if TYPE_CHECKING:
    from .session import Session


MIN_MODELS, MAX_MODELS = 2, 6
STOP_GRACE = 1.0  # seconds the workers get to notice an interrupt before they are left behind
BEST_BY = ("credits", "time", "ttft")


class CompareError(errors.AimlError):
    title = "Comparison"


def parse_models(text: str) -> list[str]:
    """`A,B[,...]` -> the model ids in order; ValueError says what is wrong with the list."""
    models = [part.strip() for part in text.split(",") if part.strip()]
    if not MIN_MODELS <= len(models) <= MAX_MODELS:
        raise ValueError(
            f"--compare takes {MIN_MODELS} to {MAX_MODELS} models separated by commas "
            f"(e.g. --compare openai/gpt-4o,claude-3-5-haiku), got {len(models)}"
        )
    twice = sorted({m for m in models if models.count(m) > 1})
    if twice:
        raise ValueError(f"--compare lists {', '.join(twice)} more than once")
    return models


def one_line(error: BaseException) -> str:
    if isinstance(error, errors.AimlError):
        return str(error)
    return " ".join(f"{type(error).__name__}: {error}".split())


@dataclass(frozen=True)
class ColumnState:
    """A snapshot of one column, safe to read in another thread."""

    model: str
    text: str = ""
    reasoning: str = ""
    status: Status = Status.STREAMING
    notes: tuple[str, ...] = ()
    result: ChatResult | None = None
    metadata: dict | None = None
    error: str | None = None
    ttft: float | None = None  # seconds from sending to the first token (reasoning counts)
    elapsed: float = 0.0  # seconds so far, or in all once ended
    version: int = 0  # grows with every change: a renderer redraws only what changed

    @property
    def ended(self) -> bool:
        return self.status != Status.STREAMING

    @property
    def note(self) -> str:
        """The latest notice (a retry wait, a context note): the column's status line shows it."""
        return self.notes[-1] if self.notes else ""


class Column:
    """The `AnswerView` of one model: its worker writes, the main thread takes snapshots."""

    def __init__(self, model: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.model = model
        self.cancel = Cancel()
        self._clock = clock
        self._lock = threading.Lock()
        self._state = ColumnState(model)
        self._started: float | None = None
        self._first: float | None = None
        self._ended: float | None = None

    def start(self) -> None:
        with self._lock:
            self._started = self._clock()

    def notice(self, message: str) -> None:
        with self._lock:
            self._change(notes=(*self._state.notes, message))

    def update(self, text: str, reasoning: str) -> None:
        with self._lock:
            if self._first is None and (text or reasoning):
                self._first = self._clock()
            self._change(text=text, reasoning=reasoning)

    def finish(
        self, result: ChatResult | None, status: Status = Status.DONE, metadata: dict | None = None
    ) -> None:
        with self._lock:
            if self._ended is not None:
                return  # marked interrupted already; a late worker changes nothing
            self._ended = self._clock()
            if result is not None and self._first is None and (result.text or result.reasoning):
                self._first = self._ended  # not streamed: the first token came with the rest
            changes: dict[str, Any] = {"status": status, "result": result, "metadata": metadata}
            if result is not None:
                changes.update(text=result.text, reasoning=result.reasoning)
            self._change(**changes)

    def fail(self, error: BaseException) -> None:
        """The send raised: keep its one line (an interruption is a status, not an error)."""
        with self._lock:
            if self._ended is None:
                self._ended = self._clock()
                self._change(status=Status.FAILED)
            if self._state.status != Status.INTERRUPTED:
                self._change(error=one_line(error))

    def stop(self) -> None:
        """Interrupted: keep what was shown, end the column now."""
        self.cancel.set()
        with self._lock:
            if self._ended is None:
                self._ended = self._clock()
                self._change(status=Status.INTERRUPTED)

    def state(self) -> ColumnState:
        with self._lock:
            return self._snapshot()

    def _change(self, **changes: Any) -> None:
        self._state = dataclasses.replace(self._state, version=self._state.version + 1, **changes)

    def _snapshot(self) -> ColumnState:
        now = self._ended if self._ended is not None else self._clock()
        started = self._started if self._started is not None else now
        ttft = None if self._first is None else self._first - started
        return dataclasses.replace(self._state, ttft=ttft, elapsed=max(0.0, now - started))


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


def run_comparison(
    session: Session,
    request: TurnRequest,
    models: Sequence[str],
    *,
    on_tick: Callable[[list[ColumnState]], None] | None = None,
    interval: float = 0.1,
    ask: Callable[[str], str] | None = None,
) -> Comparison:
    """Send `request` to every model at once; call `on_tick` with snapshots as they stream.

    A KeyboardInterrupt in the main thread stops every stream (what arrived is kept) and ends
    the run with `Comparison.interrupted` set.
    """
    session.client()  # built once here, then shared by every worker
    session.chats.get(request.chat)
    _check_budget(session, request, models, ask)
    columns = [Column(model) for model in models]

    def work(column: Column) -> None:
        column.start()
        own = dataclasses.replace(request, model=column.model, out_var=None)
        try:
            session_send(session, own, column)
        except BaseException as exc:  # shown in its column; the others go on
            column.fail(exc)

    def session_send(session: Session, own: TurnRequest, column: Column) -> None:
        from .send import send_turn

        send_turn(session, own, column, record=False, cancel=column.cancel, ask=_confirmed)

    pool = ThreadPoolExecutor(max_workers=len(columns), thread_name_prefix="aiml-compare")
    interrupted = False
    try:
        pending = {pool.submit(work, column) for column in columns}
        while pending:
            _, pending = wait(pending, timeout=max(0.01, interval))
            if on_tick is not None:
                on_tick([c.state() for c in columns])
    except KeyboardInterrupt:
        interrupted = True
        for column in columns:
            column.cancel.set()
        deadline = time.monotonic() + STOP_GRACE
        while time.monotonic() < deadline and any(not c.state().ended for c in columns):
            time.sleep(0.02)
        for column in columns:
            column.stop()
    except BaseException:
        for column in columns:
            column.stop()
        raise
    finally:
        pool.shutdown(wait=False)
    return Comparison(
        list(models),
        [c.state() for c in columns],
        request=request,
        session=session,
        interrupted=interrupted,
    )


def _confirmed(_question: str) -> str:
    """The budget was confirmed for the whole comparison before anything was sent."""
    return "y"


def _check_budget(
    session: Session,
    request: TurnRequest,
    models: Sequence[str],
    ask: Callable[[str], str] | None,
) -> None:
    """One budget question for all the models together, asked in the main thread."""
    budget = session.settings.budget_credits
    if budget is None:
        return
    from . import budget as budgets
    from .estimate import estimate

    spent = session.spent_credits()
    left = budget - spent
    if left <= 0:
        budgets.check(session, session.client(), models[0], [], {})  # raises the usual error
    chat = session.chats.get(request.chat)
    context = chat.context(
        request.key, request.user, session.settings.context_tokens, history=request.history
    )
    highs = [
        estimate(session.client(), model, context.messages, request.params).high_credits
        for model in models
    ]
    if any(h is None for h in highs) or sum(highs) <= left:
        return
    high = sum(highs)
    question = (
        f"These {len(models)} requests may cost up to {budgets.credits_text(high)} together "
        f"but {budgets.credits_text(left)} of the budget are left. Send them anyway? [y/N] "
    )
    try:
        answer = (ask or input)(question)
    except (EOFError, RuntimeError, OSError):
        raise budgets.BudgetError(
            f"these {len(models)} requests may cost up to {budgets.credits_text(high)} but only "
            f"{budgets.credits_text(left)} of the budget are left, and this frontend cannot ask "
            "for confirmation; nothing was sent. Lower --max-tokens or compare fewer models."
        ) from None
    if answer.strip().lower() not in ("y", "yes"):
        raise budgets.BudgetError(
            f"not confirmed: these requests may cost up to {budgets.credits_text(high)}; "
            "nothing was sent."
        )
