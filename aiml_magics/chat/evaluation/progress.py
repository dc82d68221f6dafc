"""One progress bar and one summary for the several batches of an evaluation.

An evaluation runs one batch per model and repeat, then one for the judge. Each batch
drives a stage of this object as if it were its bar; the stages add up into the one bar
the frontend made (text, terminal or widget: the batch engine's own bars), and the
summaries into one `Summary`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import fields
from typing import Any

from ..batching import Snapshot, Summary


def merged(summaries: list[Summary]) -> Summary:
    """The sum of several batches' summaries (the first reason to stop, if any)."""
    total = Summary()
    for summary in summaries:
        for item in fields(Summary):
            value = getattr(summary, item.name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                setattr(total, item.name, getattr(total, item.name) + value)
        for kind, count in summary.failures.items():
            total.failures[kind] = total.failures.get(kind, 0) + count
        total.stopped = total.stopped or summary.stopped
    return total


class Stages:
    """The whole evaluation's progress; `stage(size)` is what one batch reports to."""

    def __init__(self, factory: Callable[[int], Any] | None, total: int) -> None:
        self.total = total
        self.bar = factory(total) if factory is not None and total else None
        self.summaries: list[Summary] = []
        self._started = time.monotonic()

    def stage(self, size: int) -> _Stage:
        return _Stage(self)

    def snapshot(self, inner: Snapshot | None, finished: bool = False) -> Snapshot:
        done = sum(s.answered for s in self.summaries) + (inner.done if inner else 0)
        failed = sum(s.failed for s in self.summaries) + (inner.failed if inner else 0)
        credits = sum(s.credits for s in self.summaries) + (inner.credits if inner else 0.0)
        elapsed = time.monotonic() - self._started
        rate = inner.rate if inner else 0.0
        left = max(0, self.total - done - failed)
        return Snapshot(
            total=max(self.total, done + failed),
            done=done,
            failed=failed,
            in_flight=inner.in_flight if inner else 0,
            credits=credits,
            elapsed=elapsed,
            rate=rate,
            eta=left / rate if rate > 0 else None,
            limit=inner.limit if inner else 0,
            finished=finished,
        )

    def finish(self) -> Summary:
        summary = merged(self.summaries)
        if self.bar is not None:
            self.bar(self.snapshot(None, finished=True))
            self.bar.done(summary)
        return summary


class _Stage:
    """What one batch takes for its bar: forwards its progress, offset by earlier batches."""

    def __init__(self, stages: Stages) -> None:
        self._stages = stages

    def __call__(self, snap: Snapshot) -> None:
        if self._stages.bar is not None and not snap.finished:
            self._stages.bar(self._stages.snapshot(snap))

    def done(self, summary: Summary) -> None:
        """The runner adds each batch's summary (also of batches with nothing to send)."""
