"""A batch's progress as text, and its summary: a bar updated in place in runners and
notebooks without widgets, `\\r` lines in a terminal, and the summary when it is done.

Everything shown here is the package's own numbers and error kinds; no model text.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from ..chat.batching import BatchResult, Snapshot, Summary
from .sanitize import escape_markdown_inline

WIDTH = 24
INTERVAL = 0.25  # seconds between updates: a few a second
FIRST_AFTER = 1.0  # a live bar appears only for batches that take longer than this


def _duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, seconds = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def bar_line(snap: Snapshot) -> str:
    """`[█████░░░] 512/1,000 · 3 failed · 32 in flight · 41.3 rows/s · ETA 12 s · 4,096 credits`"""
    finished = snap.done + snap.failed
    filled = round(WIDTH * finished / snap.total) if snap.total else WIDTH
    parts = [
        f"[{'█' * filled}{'░' * (WIDTH - filled)}] {finished:,}/{snap.total:,}",
        f"{snap.failed:,} failed",
    ]
    if not snap.finished:
        parts.append(f"{snap.in_flight} in flight")
        parts.append(f"{snap.rate:.1f} rows/s")
        parts.append(f"ETA {_duration(snap.eta)}" if snap.eta is not None else "ETA …")
    parts.append(f"{snap.credits:,.0f} credits")
    return " · ".join(parts)


def summary_bundle(summary: Summary) -> dict[str, str]:
    lines = summary.lines()
    plain = "Batch: " + "\n".join(lines)
    markdown = "**Batch:** " + "  \n".join(escape_markdown_inline(line) for line in lines)
    return {"text/plain": plain, "text/markdown": markdown}


def result_markdown(result: BatchResult) -> str:
    """How `_aiml` shows a batch result: its summary."""
    return summary_bundle(result.summary)["text/markdown"]


class TerminalBar:
    """`\\r`-rewritten lines on a terminal stream, then the summary on its own lines."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self._width = 0

    def __call__(self, snap: Snapshot) -> None:
        line = bar_line(snap)
        self.stream.write("\r" + line.ljust(self._width))
        self._width = max(self._width, len(line))
        if snap.finished:
            self.stream.write("\n")
        self.stream.flush()

    def done(self, summary: Summary) -> None:
        self.stream.write(summary_bundle(summary)["text/plain"] + "\n")
        self.stream.flush()


class DisplayBar:
    """One display updated in place (a live frontend without widgets); at the end it becomes
    the summary. A batch done within `first_after` seconds shows only its summary.

    A runner (nbclient, nbval, nbconvert) has nobody watching, so it gets `live=False`: no
    bar, only the summary, and its saved output is the same on every run however slow the
    machine."""

    def __init__(
        self, interval: float = INTERVAL, first_after: float = FIRST_AFTER, *, live: bool = True
    ) -> None:
        self.interval = interval
        self.live = live
        self._handle: Any = None
        self._last = time.monotonic() + first_after - interval

    def __call__(self, snap: Snapshot) -> None:
        from IPython.display import display

        now = time.monotonic()
        if not self.live or snap.finished or now - self._last < self.interval:
            return
        self._last = now
        bundle = {"text/plain": bar_line(snap)}
        if self._handle is None:
            self._handle = display(bundle, raw=True, display_id=True)
        else:
            self._handle.update(bundle, raw=True)

    def done(self, summary: Summary) -> None:
        from IPython.display import display

        if self._handle is None:
            display(summary_bundle(summary), raw=True)
        else:
            self._handle.update(summary_bundle(summary), raw=True)
