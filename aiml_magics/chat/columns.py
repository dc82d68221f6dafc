"""The live answer of each model in a comparison: a `Column` is the `AnswerView` its worker
thread writes to, a `ColumnState` the snapshot the main thread reads and shows.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..api import errors
from ..api.result import ChatResult
from .cancel import Cancel
from .view import Status


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
