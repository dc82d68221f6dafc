"""Shows a streamed answer: one display updated in place, or plain text in a terminal.

Every update resends the whole bundle, so updates are throttled geometrically: a new one is
due only when `update_interval` has passed AND the text has doubled since the last one.
The bytes sent for an answer then stay under 3x its final size, whatever its length.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..api.result import ChatResult
from ..chat.view import Status
from .compose import compose_markdown, compose_plain
from .style import PLAIN, AnswerStyle

GROWTH = 2.0
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class Throttle:
    """Decides whether a display update is due; pure, so it is easy to reason about."""

    def __init__(self, interval: float, growth: float = GROWTH) -> None:
        self.interval = max(0.0, interval)
        self.growth = growth
        self.last_time = float("-inf")
        self.last_size = 0

    def due(self, size: int, now: float) -> bool:
        if self.last_size == 0:
            return size > 0 and now - self.last_time >= 0
        return now - self.last_time >= self.interval and size >= self.last_size * self.growth

    def mark(self, size: int, now: float) -> None:
        self.last_time, self.last_size = now, size


@dataclass
class PublishStats:
    """What the display cost: measured by the benchmark, asserted by tests."""

    publishes: int = 0
    bytes_sent: int = 0
    final_bytes: int = 0
    sizes: list[int] = field(default_factory=list)


class DisplayView:
    """An answer as one `text/markdown` + `text/plain` display, updated through its handle."""

    def __init__(
        self,
        *,
        style: AnswerStyle = PLAIN,
        notes: list[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        publish: Callable[[dict[str, str], dict | None, bool], None] | None = None,
        display_id: str | None = None,
    ) -> None:
        self.style = style
        self.notes = list(notes or [])
        self.throttle = Throttle(style.update_interval)
        self.stats = PublishStats()
        self._clock = clock
        self._publish_bundle = publish or self._ipython_publish
        self._handle: Any = None
        self.display_id = display_id  # set: stream into that existing display in place
        self._had_text = False
        self.ended = False
        self._text = ""
        self._reasoning = ""

    def notice(self, message: str) -> None:
        self.notes.append(message)
        self._publish(Status.STREAMING)

    def update(self, text: str, reasoning: str) -> None:
        self._text, self._reasoning = text, reasoning
        now = self._clock()
        size = len(text) + len(reasoning)
        # The first answer token after reasoning is shown at once, whatever the throttle says.
        first_text = bool(text) and not self._had_text
        if first_text or self.throttle.due(size, now):
            self._had_text = self._had_text or bool(text)
            self.throttle.mark(size, now)
            self._publish(Status.STREAMING)

    def finish(
        self, result: ChatResult | None, status: Status = Status.DONE, metadata: dict | None = None
    ) -> None:
        if status is Status.FAILED and not self.stats.publishes:
            return  # nothing was shown, so there is nothing to mark as failed
        if result is not None:
            self._text, self._reasoning = result.text, result.reasoning
        self.ended = True
        self._publish(status, result, metadata)
        self.stats.final_bytes = self.stats.sizes[-1] if self.stats.sizes else 0

    def _publish(
        self, status: str, result: ChatResult | None = None, metadata: dict | None = None
    ) -> None:
        bundle = {
            "text/markdown": compose_markdown(
                self._text,
                self._reasoning,
                result,
                reasoning_mode=self.style.reasoning_mode,
                status=status,
                notes=self.notes,
                allow_remote_images=self.style.allow_remote_images,
            ),
            "text/plain": compose_plain(
                self._text, result, status=status, notes=self.notes, reasoning=self._reasoning
            ),
        }
        size = sum(len(v.encode("utf-8")) for v in bundle.values())
        self.stats.publishes += 1
        self.stats.bytes_sent += size
        self.stats.sizes.append(size)
        self._publish_bundle(bundle, metadata, self.stats.publishes == 1)

    def _ipython_publish(self, bundle: dict[str, str], metadata: dict | None, first: bool) -> None:
        from IPython.display import display, update_display

        if first and self.display_id is None:
            self._handle = display(bundle, raw=True, metadata=metadata, display_id=True)
            self.display_id = self._handle.display_id
        else:
            update_display(bundle, raw=True, metadata=metadata, display_id=self.display_id)


def strip_control(text: str) -> str:
    """Model text must not drive the terminal: drop escape and control characters."""
    return _CONTROL_CHARS.sub("", text)


class TerminalView:
    """Plain text streamed to stdout, for terminal IPython."""

    def __init__(self, *, style: AnswerStyle = PLAIN, stream: Any = None) -> None:
        self.style = style
        self.out = stream or sys.stdout
        self._text_shown = 0
        self._reasoning_shown = 0

    def notice(self, message: str) -> None:
        self._write(f"[{message}]\n")

    def update(self, text: str, reasoning: str) -> None:
        if self.style.reasoning_mode != "hide" and len(reasoning) > self._reasoning_shown:
            if self._reasoning_shown == 0:
                self._write("[reasoning] ")
            self._write(reasoning[self._reasoning_shown :], dim=True)
            self._reasoning_shown = len(reasoning)
        if len(text) > self._text_shown:
            if self._text_shown == 0 and self._reasoning_shown:
                self._write("\n\n")
            self._write(text[self._text_shown :])
            self._text_shown = len(text)

    def finish(
        self, result: ChatResult | None, status: Status = Status.DONE, metadata: dict | None = None
    ) -> None:
        if result is not None:
            self.update(result.text, result.reasoning)
        footer = compose_plain("", result, status=status)
        self._write(f"\n\n{footer}\n" if footer else "\n")

    def _write(self, text: str, dim: bool = False) -> None:
        text = strip_control(text)
        self.out.write(f"\x1b[2m{text}\x1b[0m" if dim and self._dims else text)
        self.out.flush()

    @property
    def _dims(self) -> bool:
        """Dim reasoning only on a terminal that allows colours (no `NO_COLOR`)."""
        isatty = getattr(self.out, "isatty", lambda: False)
        return not os.environ.get("NO_COLOR") and isatty()
