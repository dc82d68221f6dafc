"""The panel's status line: an answer view wrapper that reports progress as one line of text.

`ProgressView` forwards every call to the real answer view unchanged (the answer bundle is
still what the notebook keeps) and tells a callback what to show: elapsed time, estimated
tokens while streaming, "thinking..." while only reasoning arrives, retry waits, and at the
end the usage the service reported. The text builders are pure functions.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from typing import Any

from ..api.result import ChatResult
from ..chat.view import AnswerView, Status
from ..display.progress import estimate_tokens, final_status, streaming_status

__all__ = [
    "STATUS_INTERVAL",
    "ProgressView",
    "estimate_tokens",
    "final_status",
    "set_text",
    "streaming_status",
    "text_line",
]

STATUS_INTERVAL = 0.25  # seconds between status refreshes while streaming


# A line of our own text that wraps instead of being cut; HTML, because a Label is typeset by
# MathJax (two dollar amounts would read as math) and cannot wrap.
_LINE_STYLE = "white-space:normal;overflow-wrap:anywhere;line-height:1.3"


def text_line(text: str = "", **layout: Any) -> Any:
    """A widget showing `text` literally (never as math or HTML), wrapped, with a tooltip."""
    import ipywidgets as widgets

    line = widgets.HTML(layout=widgets.Layout(height="auto", **layout))
    set_text(line, text)
    return line


def set_text(line: Any, text: str) -> None:
    """Show `text` in a `text_line`; the tooltip holds the whole line too."""
    escaped = html.escape(text).replace("$", "&#36;")
    line.value = f'<div style="{_LINE_STYLE}">{escaped}</div>' if text else ""
    line.tooltip = text or None


class ProgressView:
    """Wraps an `AnswerView`; reports progress through `report(text)`."""

    def __init__(
        self,
        view: AnswerView,
        report: Callable[[str], None],
        *,
        on_finish: Callable[[ProgressView], None] | None = None,
        on_end: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        interval: float = STATUS_INTERVAL,
    ) -> None:
        self.view = view
        self.report = report
        self.on_finish = on_finish
        self.on_end = on_end  # told the final status line before the answer's final display
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

    def waiting(self, message: str) -> None:
        """Say what the request waits for (the budget's confirmation) in the status line."""
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
        if status is Status.FAILED:
            # the error itself is reported by whoever caught it (the cell, the panel)
            self.view.finish(result, status, metadata)
            return
        self.touched = True
        self.finished = (result, status, metadata)
        line = final_status(result, status)
        # The status line is for progress: how a failed turn ended is the error's to say.
        self.report(line if status is Status.DONE else "")
        if self.on_end is not None:  # before the final display, which stays the last output
            self.on_end(line)
        self.view.finish(result, status, metadata)
        if self.on_finish is not None:
            self.on_finish(self)
