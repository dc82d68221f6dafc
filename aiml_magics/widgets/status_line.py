"""The panel's status line: an answer view wrapper that reports progress as one line of text.

`ProgressView` forwards every call to the real answer view unchanged (the answer bundle is
still what the notebook keeps) and tells a callback what to show: elapsed time, estimated
tokens while streaming, "thinking..." while only reasoning arrives, retry waits, and at the
end the usage the service reported. The text builders are pure functions.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ..api.result import ChatResult
from ..chat.view import AnswerView, Status
from ..display.progress import estimate_tokens, final_status, streaming_status

__all__ = ["STATUS_INTERVAL", "ProgressView", "estimate_tokens", "final_status", "streaming_status"]

STATUS_INTERVAL = 0.25  # seconds between status refreshes while streaming


class ProgressView:
    """Wraps an `AnswerView`; reports progress through `report(text)`."""

    def __init__(
        self,
        view: AnswerView,
        report: Callable[[str], None],
        *,
        on_finish: Callable[[ProgressView], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        interval: float = STATUS_INTERVAL,
    ) -> None:
        self.view = view
        self.report = report
        self.on_finish = on_finish
        self.clock = clock
        self.interval = interval
        self.started = clock()
        self.touched = False  # the view was asked to show something
        self.finished: tuple[ChatResult | None, str, dict | None] | None = None
        self._last_report = float("-inf")
        self._phase = ""
        report("sending...")

    @property
    def display_id(self) -> str | None:
        return getattr(self.view, "display_id", None)

    @property
    def notes(self) -> list[str]:
        return list(getattr(self.view, "notes", []))

    def notice(self, message: str) -> None:
        self.touched = True
        self.view.notice(message)
        self.report(message)
        self._last_report = self.clock()

    def update(self, text: str, reasoning: str) -> None:
        self.touched = True
        self.view.update(text, reasoning)
        now = self.clock()
        phase = "text" if text else "reasoning" if reasoning else ""
        if phase != self._phase or now - self._last_report >= self.interval:
            self._phase = phase
            self._last_report = now
            self.report(streaming_status(now - self.started, text, reasoning))

    def finish(
        self, result: ChatResult | None, status: Status = Status.DONE, metadata: dict | None = None
    ) -> None:
        self.view.finish(result, status, metadata)
        if status is Status.FAILED:
            return  # the error itself is reported by whoever caught it (the cell, the panel)
        self.touched = True
        self.finished = (result, status, metadata)
        self.report(final_status(result, status))
        if self.on_finish is not None:
            self.on_finish(self)
