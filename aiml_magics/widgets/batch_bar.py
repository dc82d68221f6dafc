"""A batch's progress as an ipywidgets bar (widget frontends), then its summary below it."""

from __future__ import annotations

import html
import time

from ..chat.batching import Snapshot, Summary
from ..display.batch import INTERVAL, bar_line, summary_bundle
from .fallback import widget_bundle


class WidgetBar:
    """An IntProgress and a one-line label (done, failed, in flight, rows/s, ETA, credits)."""

    def __init__(self, total: int, interval: float = INTERVAL) -> None:
        import ipywidgets as widgets

        self.interval = interval
        self._last = float("-inf")
        self.progress = widgets.IntProgress(
            value=0, min=0, max=max(1, total), description="Batch", bar_style="info"
        )
        self.label = widgets.HTML(value="")
        self.box = widgets.HBox([self.progress, self.label])
        self._shown = False
        self._id: str | None = None

    def __call__(self, snap: Snapshot) -> None:
        now = time.monotonic()
        if not snap.finished and now - self._last < self.interval:
            return
        self._last = now
        if not self._shown:
            from IPython.display import display

            bundle = widget_bundle(self.box, "[aiml batch: progress bar]")
            self._id = display(bundle, raw=True, display_id=True).display_id
            self._shown = True
        self.progress.value = snap.done + snap.failed
        line = bar_line(snap).split("] ", 1)[-1]  # the widget draws the bar itself
        self.label.value = f"<code>{html.escape(line)}</code>"
        if snap.finished:
            self.progress.bar_style = "success" if not snap.failed else "warning"

    def done(self, summary: Summary) -> None:
        """The bar becomes the summary: one output that reads the same in a reopened notebook
        (where the bar's widget is gone), not a bar's stand-in above a copy of the summary."""
        from IPython.display import display, update_display

        shown = summary_bundle(summary)
        if self._id:
            update_display(shown, raw=True, display_id=self._id)
        else:
            display(shown, raw=True)
