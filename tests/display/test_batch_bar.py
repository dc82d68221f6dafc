"""A batch's bar without widgets: in place where someone watches, only the summary in a runner.

Runners (nbval, nbclient, nbconvert) keep a cell's first display of each id: a bar shown
there would be saved instead of the summary on a slow machine, so a runner gets none.
"""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from aiml_magics.chat.batching import Snapshot, Summary
from aiml_magics.display.batch import DisplayBar

pytestmark = pytest.mark.unit


def progress(done: int, *, finished: bool = False) -> Snapshot:
    return Snapshot(
        total=4,
        done=done,
        failed=0,
        in_flight=4 - done,
        credits=10.0 * done,
        elapsed=2.0,
        rate=1.0,
        eta=1.0,
        limit=4,
        finished=finished,
    )


def run_batch(bar: DisplayBar) -> list[dict[str, str]]:
    InteractiveShell.instance()
    with capture_output() as captured:
        for done in range(4):
            bar(progress(done))
        bar(progress(4, finished=True))
        bar.done(Summary(rows=4, answered=4, seconds=2.0, requests=4))
    return [output.data for output in captured.outputs]


def test_a_runner_shows_only_the_summary_however_long_the_batch_took():
    shown = run_batch(DisplayBar(interval=0.0, first_after=0.0, live=False))
    assert len(shown) == 1
    assert shown[0]["text/plain"].startswith("Batch: 4 rows: 4 answered")
    assert "text/markdown" in shown[0]


def test_a_live_frontend_sees_the_bar_before_the_summary():
    shown = run_batch(DisplayBar(interval=0.0, first_after=0.0, live=True))
    assert "░" in shown[0]["text/plain"] and "in flight" in shown[0]["text/plain"]
    assert shown[-1]["text/plain"].startswith("Batch: 4 rows: 4 answered")


def test_a_short_batch_shows_only_its_summary_even_when_watched():
    shown = run_batch(DisplayBar(interval=0.0, first_after=3600.0, live=True))
    assert [data["text/plain"].split(":")[0] for data in shown] == ["Batch"]
