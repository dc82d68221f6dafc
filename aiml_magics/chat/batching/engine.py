"""Running one prompt over many rows: a pool of workers on the one send path.

Identical prompts are sent once; answers already in the session (from an earlier run of the
same batch) or in the replay recording are not sent again. Workers share the client (its
connection pool sized to the concurrency and its Retry-After pause) and an `AdaptiveLimit`
that halves the requests in flight under 429s and grows back after. A row that still fails
after its retries keeps its error and the batch goes on; `max_credits`, the session budget,
`fail_fast` and an interrupt stop the scheduling of new rows, and what completed is kept.

The types a batch reports (`Snapshot`, `Summary`, `BatchResult`, `NotSentError`) live in
`report.py`; the package exports both.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...api import errors
from ...api.result import ChatResult
from ...api.retry import RetryNotice, backoff_seconds
from ..budget import BudgetError
from ..replay import canonical_request, request_key
from ..request import TurnRequest
from ..view import Status
from .limiter import AdaptiveLimit
from .report import BatchResult, NotSentError, Snapshot, Summary

if TYPE_CHECKING:
    from ..session import Session

# The report types are defined in report.py; the package `__init__` exports both.
__all__ = [
    "DEFAULT_RETRIES",
    "THROTTLING_STATUSES",
    "TRANSIENT",
    "BatchResult",
    "BatchRun",
    "BatchSpec",
    "NotSentError",
    "Snapshot",
    "Summary",
]

TRANSIENT = (
    errors.RateLimitError,
    errors.ServerError,
    errors.RequestTimeoutError,
    errors.ConnectionFailedError,
    errors.StreamError,
)
THROTTLING_STATUSES = ("429", "503")
DEFAULT_RETRIES = 3


@dataclass(frozen=True)
class BatchSpec:
    """What every row's request shares; only the prompt differs."""

    model: str
    system: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    schema: Any = None  # api.schema.OutputSchema
    json_mode: bool = False
    fresh: bool = False

    def request(self, prompt: str) -> TurnRequest:
        return TurnRequest(
            user=prompt,
            key="batch",
            model=self.model,
            params=dict(self.params),
            stream=False,
            history=False,
            json_mode=self.json_mode,
            schema=self.schema,
            fresh=self.fresh,
            row=True,
            system=self.system,
        )

    def key(self, prompt: str) -> str:
        """Equal exactly when two rows ask the same thing the same way."""
        messages = [{"role": "user", "content": prompt}]
        if self.system:
            messages.insert(0, {"role": "system", "content": self.system})
        params = dict(self.params)
        if self.schema is not None:
            params["__schema__"] = self.schema.schema
        if self.json_mode:
            params["__json__"] = True
        return request_key(canonical_request(self.model, messages, params))


@dataclass
class _Task:
    prompt: str
    key: str
    rows: list[int]
    attempts: int = 0


class _RowView:
    """A batch row's view: nothing is shown; retries because of 429/503 slow the batch."""

    def __init__(self, limit: AdaptiveLimit) -> None:
        self._limit = limit

    def retrying(self, notice: RetryNotice) -> None:
        if notice.reason.startswith(THROTTLING_STATUSES):
            self._limit.throttled()

    def notice(self, message: str) -> None:
        pass

    def update(self, text: str, reasoning: str) -> None:
        pass

    def finish(self, result: ChatResult | None, status: Status, metadata: dict | None) -> None:
        pass


class BatchRun:
    """One batch over a list of prompts (one per row); `run()` returns a result per row."""

    def __init__(
        self,
        session: Session,
        spec: BatchSpec,
        prompts: list[str],
        *,
        concurrency: int = 8,
        max_credits: float | None = None,
        retries: int | None = None,
        fail_fast: bool = False,
    ) -> None:
        if concurrency < 1:
            raise errors.UsageError(f"concurrency must be at least 1, got {concurrency}")
        if max_credits is not None and max_credits <= 0:
            raise errors.UsageError(f"max_credits must be positive, got {max_credits}")
        self.session, self.spec, self.prompts = session, spec, prompts
        self.concurrency = int(concurrency)
        self.max_credits = max_credits
        self.retries = DEFAULT_RETRIES if retries is None else max(0, int(retries))
        self.fail_fast = fail_fast
        self.limit = AdaptiveLimit(self.concurrency)
        self.results: list[ChatResult | None] = [None] * len(prompts)
        self.credits: list[float] = [0.0] * len(prompts)
        self.summary = Summary(rows=len(prompts))
        self._lock = threading.Lock()
        self._queue: queue.Queue[_Task] = queue.Queue()
        self._halt = threading.Event()  # stop scheduling (budget, max_credits, fail_fast, ^C)
        self._open = 0  # tasks not yet resolved
        self._all_done = threading.Event()
        self._started = time.monotonic()
        self._sent_rows = 0
        self.first_failure: errors.AimlError | None = None

    # -- planning ------------------------------------------------------------------------------

    def _plan(self) -> list[_Task]:
        tasks: dict[str, _Task] = {}
        for row, prompt in enumerate(self.prompts):
            key = self.spec.key(prompt)
            if key in tasks:
                tasks[key].rows.append(row)
                self.summary.duplicates += 1
            else:
                tasks[key] = _Task(prompt, key, [row])
        pending = []
        for task in tasks.values():
            kept = None if self.spec.fresh else self.session.batch_answers.get(task.key)
            if kept is not None:
                for row in task.rows:
                    self.results[row] = kept
                self.summary.reused += len(task.rows)
            else:
                pending.append(task)
        return pending

    # -- running -------------------------------------------------------------------------------

    def run(self, on_tick: Callable[[Snapshot], None] | None = None, tick: float = 0.25) -> Summary:
        """Send every row without an answer; KeyboardInterrupt stops it and keeps what completed."""
        pending = self._plan()
        self._open = len(pending)
        for task in pending:
            self._queue.put(task)
        if pending:
            self.session.client().pool(self.concurrency + 2)
        workers = [
            threading.Thread(target=self._work, name=f"aiml-batch-{n}", daemon=True)
            for n in range(min(self.concurrency, len(pending)))
        ]
        if not workers:
            self._all_done.set()
        self._alive = len(workers)
        for worker in workers:
            worker.start()
        try:
            while not self._all_done.wait(tick):
                if on_tick is not None:
                    on_tick(self.snapshot())
        except KeyboardInterrupt:
            self._stop("interrupted")
        self._finish()
        if on_tick is not None:
            on_tick(self.snapshot(finished=True))
        return self.summary

    def _stop(self, why: str) -> None:
        with self._lock:
            if self.summary.stopped is None:
                self.summary.stopped = why
        self._halt.set()

    def _work(self) -> None:
        try:
            while not self._halt.is_set():
                try:
                    task = self._queue.get_nowait()
                except queue.Empty:
                    return
                if self._over_credits():
                    self._queue.put(task)
                    return
                if not self.limit.acquire(self._halt):
                    self._queue.put(task)
                    return
                try:
                    self._send(task)
                finally:
                    self.limit.release()
        finally:
            with self._lock:
                self._alive -= 1
                if self._alive == 0 or self._open == 0:
                    self._all_done.set()

    def _over_credits(self) -> bool:
        if self.max_credits is None:
            return False
        with self._lock:
            spent = self.summary.credits
        if spent >= self.max_credits:
            self._stop(f"max_credits ({self.max_credits:,.0f}) reached")
            return True
        return False

    def _send(self, task: _Task) -> None:
        task.attempts += 1
        try:
            result = self.session.send(self.spec.request(task.prompt), _RowView(self.limit))
        except BudgetError as exc:  # nothing was sent; nothing more will be
            self._stop(
                "the session budget (AimlMagics.budget_credits) is spent"
                if exc.spent
                else f"the session budget refused a row: {exc.message}"
            )
            self._queue.put(task)
            self._note_error(exc)
            return
        except errors.AimlError as exc:
            if isinstance(exc, errors.RateLimitError):
                self.limit.throttled()
            transient = isinstance(exc, TRANSIENT) and not isinstance(exc, errors.StoppedError)
            if transient and task.attempts <= self.retries and not self._halt.is_set():
                self._halt.wait(exc.retry_after or backoff_seconds(task.attempts - 1))
                self._queue.put(task)
                return
            self._resolve(task, exc.partial, exc)
            return
        self.limit.succeeded()
        self._resolve(task, result, None)

    def _note_error(self, exc: errors.AimlError) -> None:
        with self._lock:
            self.first_failure = self.first_failure or exc

    def _resolve(
        self, task: _Task, result: ChatResult | None, error: errors.AimlError | None
    ) -> None:
        if error is not None:
            failed = result or ChatResult(complete=False)
            failed.error = error
            result = failed
        if error is None and result.complete:
            self.session.batch_answers[task.key] = result  # kept for the next run
        with self._lock:
            if self.summary.stopped == "interrupted":
                return  # the batch already returned without this row
            for number, row in enumerate(task.rows):
                self.results[row] = result
                if number == 0 and error is None and not result.replayed:
                    self.credits[row] = result.credits_used or 0.0
            self._count(task, result, error)
            self._open -= 1
            if self._open == 0:
                self._all_done.set()
        if error is not None and self.fail_fast:
            self._note_error(error)
            self._stop("fail_fast: the first failure stopped it")

    def _count(self, task: _Task, result: ChatResult, error: errors.AimlError | None) -> None:
        s = self.summary
        if error is not None:
            s.failures[error.title] = s.failures.get(error.title, 0) + len(task.rows)
            self.first_failure = self.first_failure or error
            return
        if result.replayed:
            s.replayed += len(task.rows)
            return
        self._sent_rows += len(task.rows)
        s.requests += 1
        s.tokens += result.usage.total_tokens if result.usage else 0
        s.credits += result.credits_used or 0.0
        s.dollars += result.dollars or 0.0

    def _finish(self) -> None:
        """Rows still without a result were not sent: say why, per row."""
        with self._lock:
            why = self.summary.stopped or "not reached"
            for row, result in enumerate(self.results):
                if result is None:
                    self.results[row] = ChatResult(
                        complete=False, error=NotSentError(f"{why}; run the batch again")
                    )
            s = self.summary
            s.seconds = time.monotonic() - self._started
            s.failed = sum(s.failures.values())
            s.not_sent = sum(1 for r in self.results if isinstance(r.error, NotSentError))
            s.answered = s.rows - s.failed - s.not_sent

    def snapshot(self, finished: bool = False) -> Snapshot:
        with self._lock:
            done = sum(1 for r in self.results if r is not None and r.error is None)
            failed = sum(1 for r in self.results if r is not None and r.error is not None)
            credits, sent_rows = self.summary.credits, self._sent_rows
        elapsed = time.monotonic() - self._started
        rate = sent_rows / elapsed if elapsed > 0 else 0.0
        left = len(self.prompts) - done - failed
        eta = left / rate if rate > 0 and left else (0.0 if not left else None)
        return Snapshot(
            total=len(self.prompts),
            done=done,
            failed=failed,
            in_flight=self.limit.in_flight,
            credits=credits,
            elapsed=elapsed,
            rate=rate,
            eta=eta,
            limit=self.limit.allowed,
            finished=finished,
        )
