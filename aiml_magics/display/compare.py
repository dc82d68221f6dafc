"""How a comparison looks without widgets, and the parts the widget grid shares: each
column's Markdown (heading, status line, answer), the summary table, and `CompareDisplay`,
which keeps one display per column plus one for the table, updated from the main thread.

Model text reaches the Markdown only through `compose_markdown` (the neutraliser); the
model names, errors and table cells are escaped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from ..api.result import format_money
from ..chat.compare import ColumnState, Comparison, summary_rows
from ..chat.view import Status
from .compose import compose_markdown, compose_plain, escape_markdown_inline
from .progress import final_status, streaming_status
from .style import PLAIN, AnswerStyle
from .tables import markdown_table, plain_table
from .views import PublishStats, Throttle, strip_control

TABLE_INTERVAL = 0.5  # seconds between live table updates
HEADERS = [
    "model",
    "answered by",
    "first token",
    "time",
    "prompt",
    "completion",
    "reasoning",
    "speed",
    "credits",
    "dollars",
    "finish",
    "error",
]
# The service's own figures (`Comparison.service`), beside the measured speed in final tables.
SERVICE_HEADERS = ["service first token p50", "service speed p50"]
# Symbols every default font has (DejaVu, Liberation, Arial, a terminal's): an emoji needs an
# emoji font, and without one Chromium draws a box (tests/browser/test_compare_marks.py).
MARKS = {"cheapest": "↓ cheapest", "fastest": "» fastest"}

Publish = Callable[[str, dict[str, str], dict | None], str | None]


def column_status(state: ColumnState) -> str:
    """The column's status line: live progress, the latest notice (retry waits), the end."""
    if not state.ended:
        line = streaming_status(state.elapsed, state.text, state.reasoning)
        return f"{line} · {state.note}" if state.note else line
    if state.status == Status.FAILED and state.result is None:
        return "✗ failed"
    return final_status(state.result, state.status)


def column_markdown(
    state: ColumnState,
    *,
    reasoning_mode: str = "collapse",
    heading: bool = True,
    allow_remote_images: bool = False,
) -> str:
    """One column: (heading,) status line while streaming, the answer, its error line."""
    pieces = []
    if heading:
        pieces.append(f"### {escape_markdown_inline(state.model)}\n\n")
    if heading and not state.ended:  # (the grid's columns have a status line of their own)
        pieces.append(f"*{escape_markdown_inline(column_status(state))}*\n\n")
    pieces.append(
        compose_markdown(
            state.text,
            state.reasoning,
            state.result,
            reasoning_mode=reasoning_mode,
            status=state.status,
            allow_remote_images=allow_remote_images,
        )
    )
    if state.error:
        pieces.append(f"\n> ✗ {escape_markdown_inline(state.error)}\n")
    return "".join(pieces)


def column_plain(state: ColumnState, *, heading: bool = True) -> str:
    body = compose_plain(state.text, state.result, status=state.status, reasoning=state.reasoning)
    pieces = [f"=== {state.model} ===" if heading else "", body]
    if not state.ended:
        pieces.insert(1, f"[{column_status(state)}]")
    if state.error:
        pieces.append(f"✗ {state.error}")
    return "\n\n".join(p for p in pieces if p)


def column_bundle(state: ColumnState, **options: Any) -> dict[str, str]:
    heading = options.get("heading", True)
    return {
        "text/markdown": column_markdown(state, **options),
        "text/plain": column_plain(state, heading=heading),
    }


def _cells(row: dict[str, Any]) -> list[Any]:
    live = row["status"] == Status.STREAMING.value
    model = " ".join([row["model"], *(MARKS[m] for m in row["mark"].split(", ") if m)])

    def number(value: Any, text: str) -> str:
        return "" if value is None else text

    time_text = f"{row['time_s']:.1f} s" + (" …" if live else "")
    status = row["status"]
    note = row["error"] or ("" if status in ("done", "streaming") else status)
    service = []
    if "service_ttft_s" in row:
        ttft, tps = row["service_ttft_s"], row["service_tokens_per_s"]
        service = [number(ttft, f"{ttft or 0:.2f} s"), number(tps, f"{tps or 0:.0f} tok/s")]
    return [
        model,
        row["answered_by"] or "",
        number(row["ttft_s"], f"{row['ttft_s'] or 0:.2f} s"),
        time_text,
        number(row["prompt_tokens"], f"{row['prompt_tokens'] or 0:,}"),
        number(row["completion_tokens"], f"{row['completion_tokens'] or 0:,}"),
        number(row["reasoning_tokens"], f"{row['reasoning_tokens'] or 0:,}"),
        number(row["tokens_per_s"], f"{row['tokens_per_s'] or 0:.0f} tok/s"),
        *service,
        number(row["credits"], f"{row['credits'] or 0:,.0f}"),
        "" if row["dollars"] is None else format_money(row["dollars"]),
        row["finish_reason"] or "",
        note,
    ]


def headers_of(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The table's headers; the service's figures beside the measured speed when the rows
    carry them (the final table of a comparison)."""
    if not rows or "service_ttft_s" not in rows[0]:
        return HEADERS
    at = HEADERS.index("speed") + 1
    return [*HEADERS[:at], *SERVICE_HEADERS, *HEADERS[at:]]


def table_rows(rows: Sequence[dict[str, Any]]) -> list[list[Any]]:
    """The summary table's cells, for the renderers that draw the table themselves."""
    return [_cells(row) for row in rows]


def table_markdown(rows: Sequence[dict[str, Any]], footer: str = "") -> str:
    """The summary table; every cell escaped (model names, errors and ids are untrusted)."""
    table = markdown_table(headers_of(rows), [_cells(row) for row in rows])
    return table + (f"\n\n*{escape_markdown_inline(footer)}*" if footer else "") + "\n"


def table_plain(rows: Sequence[dict[str, Any]], footer: str = "") -> str:
    table = strip_control(plain_table(headers_of(rows), [_cells(row) for row in rows]))
    return table + (f"\n\n{footer}" if footer else "")


def choice_line(comparison: Comparison | None, *, buttons: bool) -> str:
    """Under the table: which answer continues the chat, or how to choose one."""
    if comparison is None:
        return ""
    request = comparison.request
    if comparison.interrupted:
        return "Interrupted: nothing was added to the conversation."
    if request is not None and not request.history:
        return "--no-history: nothing is added to the conversation."
    if comparison.chosen:
        return f"{comparison.chosen}'s answer continues the conversation."
    if not comparison.completed():
        return "No answer completed: nothing was added to the conversation."
    how = (
        "click Use this answer (while this kernel runs) or run _aiml.choose(MODEL)"
        if buttons
        else "run _aiml.choose(MODEL), or use --keep MODEL"
    )
    return f"Nothing was added to the conversation yet: {how}."


def table_bundle(
    states: Sequence[ColumnState],
    comparison: Comparison | None = None,
    *,
    buttons: bool = False,
) -> dict[str, str]:
    """The table and its choice line (the grid's answers are the grid's own stand-in)."""
    rows = comparison.rows() if comparison is not None else summary_rows(states)
    footer = choice_line(comparison, buttons=buttons)
    return {"text/markdown": table_markdown(rows, footer), "text/plain": table_plain(rows, footer)}


def comparison_markdown(comparison: Comparison) -> str:
    """How `_aiml` (a `Comparison`) shows itself: its table."""
    return table_markdown(comparison.rows(), choice_line(comparison, buttons=False))


def _ipython_publish(display_id: str | None, bundle: dict[str, str], metadata: dict | None) -> str:
    from IPython.display import display, update_display

    if display_id is None:
        return display(bundle, raw=True, metadata=metadata, display_id=True).display_id
    update_display(bundle, raw=True, metadata=metadata, display_id=display_id)
    return display_id


class ColumnThrottle:
    """When a column's display is due: the text has doubled (and `interval` passed), the
    first answer token arrived, or its state changed otherwise (a notice, the end)."""

    def __init__(self, interval: float) -> None:
        self.throttle = Throttle(interval)
        self.version = -1
        self.had_text = False
        self.ended = False
        self.notes = 0

    def due(self, state: ColumnState, now: float) -> bool:
        if state.version == self.version:
            return False
        size = len(state.text) + len(state.reasoning)
        first_text = bool(state.text) and not self.had_text
        changed = state.ended != self.ended or len(state.notes) != self.notes
        if not (first_text or changed or self.throttle.due(size, now)):
            return False
        self.version, self.had_text = state.version, self.had_text or bool(state.text)
        self.ended, self.notes = state.ended, len(state.notes)
        self.throttle.mark(size, now)
        return True


class TableDisplay:
    """The summary table under the answers: live (every `TABLE_INTERVAL`), then final with
    the provenance metadata and the choice."""

    def __init__(
        self,
        *,
        publish: Publish | None = None,
        buttons: bool = False,
    ) -> None:
        self._publish = publish or _ipython_publish
        self.buttons = buttons
        self.display_id: str | None = None
        self._last = float("-inf")
        self._versions: tuple[int, ...] = ()
        self.stats = PublishStats()

    def show(self, states: Sequence[ColumnState], now: float | None = None) -> None:
        self._send(table_bundle(states), None)
        self._last = time.monotonic() if now is None else now

    def tick(self, states: Sequence[ColumnState], now: float) -> None:
        versions = tuple(s.version for s in states)
        if versions != self._versions and now - self._last >= TABLE_INTERVAL:
            self._versions, self._last = versions, now
            self._send(table_bundle(states), None)

    def final(self, comparison: Comparison) -> None:
        bundle = table_bundle(comparison.states, comparison, buttons=self.buttons)
        self._send(bundle, comparison.metadata())

    def _send(self, bundle: dict[str, str], metadata: dict | None) -> None:
        self.stats.publishes += 1
        self.stats.bytes_sent += sum(len(v.encode("utf-8")) for v in bundle.values())
        self.display_id = self._publish(self.display_id, bundle, metadata)


class CompareDisplay:
    """Without widgets (nbclient, nbval, nbconvert, a frontend without ipywidgets): each
    answer under a heading with its model's name, one display each, then the table."""

    def __init__(
        self,
        models: Sequence[str],
        *,
        style: AnswerStyle = PLAIN,
        publish: Publish | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.models = list(models)
        self.options = style.markdown_options()
        self._publish = publish or _ipython_publish
        self._clock = clock
        self.throttles = {m: ColumnThrottle(style.update_interval) for m in self.models}
        self.display_ids: dict[str, str | None] = dict.fromkeys(self.models)
        self.stats = PublishStats()  # the columns' display traffic
        self.table = TableDisplay(publish=self._publish)
        self._sizes: dict[str, int] = {}  # each column's latest bundle size

    def show(self) -> None:
        states = [ColumnState(m) for m in self.models]
        for state in states:
            self._send(state)
        self.table.show(states, self._clock())

    def tick(self, states: Sequence[ColumnState]) -> None:
        now = self._clock()
        for state in states:
            if self.throttles[state.model].due(state, now):
                self._send(state)
        self.table.tick(states, now)

    def final(self, comparison: Comparison) -> None:
        for state in comparison.states:
            if self.throttles[state.model].version != state.version:  # not shown yet
                self.throttles[state.model].version = state.version
                self._send(state)
        self.stats.final_bytes = sum(self._sizes.values())
        self.table.final(comparison)

    def _send(self, state: ColumnState) -> None:
        bundle = column_bundle(state, **self.options)
        size = sum(len(v.encode("utf-8")) for v in bundle.values())
        self.stats.publishes += 1
        self.stats.bytes_sent += size
        self._sizes[state.model] = size
        self.display_ids[state.model] = self._publish(self.display_ids[state.model], bundle, None)


def print_comparison(comparison: Comparison, out: Any) -> None:
    """Terminal IPython: each answer in turn under its model's name, then the table."""
    for state in comparison.states:
        out.write(strip_control(column_plain(state)) + "\n\n")
    out.write(table_plain(comparison.rows(), choice_line(comparison, buttons=False)) + "\n")
    out.flush()
