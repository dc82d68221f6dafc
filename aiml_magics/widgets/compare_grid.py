"""The comparison grid for widget frontends: one column per model, side by side, wrapping on
narrow screens. Each column has a header with the model, its own status line, its answer
(reasoning section included) and a **Use this answer** button.

The answers are Markdown bundles composed by display/compare.py (through the neutraliser)
and set as the `outputs` of an `Output` widget, which the frontend renders with its own
Markdown renderer: model text never becomes live HTML. Everything is updated from the main
thread (the workers only fill in `Column` state), so no widget message leaves another thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from ..chat.compare import ColumnState, Comparison
from ..chat.view import Status
from ..display.compare import (
    ColumnThrottle,
    TableDisplay,
    column_bundle,
    column_markdown,
    column_plain,
    column_status,
)
from ..display.style import PLAIN, AnswerStyle
from ..display.views import PublishStats
from .fallback import widget_bundle
from .status_line import STATUS_INTERVAL, set_text, text_line

GRID_PLAIN = "[aiml comparison: one column per model]"
USE = "Use this answer"
USED = "✓ continues the chat"


def output_of(bundle: dict[str, str]) -> tuple[dict[str, Any], ...]:
    """An Output widget's `outputs` holding one display of `bundle`."""
    return ({"output_type": "display_data", "data": dict(bundle), "metadata": {}},)


class GridColumn:
    """The widgets of one model's column."""

    def __init__(self, model: str, *, history: bool) -> None:
        self.model = model
        bold = {"font_weight": "bold"}
        self.header = widgets.Label(value=model, style=bold, tooltip=model)
        self.status = text_line("sending...", min_width="0")
        self.answer = widgets.Output(layout=widgets.Layout(overflow="auto"))
        self.button = widgets.Button(
            description=USE,
            icon="check",
            disabled=True,
            tooltip="Record this answer as the cell's turn (choosing again replaces it)",
            layout=widgets.Layout(width="auto", display="" if history else "none"),
        )
        self.box = widgets.VBox(
            [self.header, self.status, self.answer, self.button],
            layout=widgets.Layout(
                flex="1 1 280px",
                min_width="240px",
                margin="0 8px 8px 0",
                padding="4px 8px",
                border="1px solid var(--jp-border-color2, #ccc)",
            ),
        )
        self.box.add_class("aiml-compare-column")
        self.throttle: ColumnThrottle | None = None
        self.status_at = float("-inf")

    def show_status(self, text: str) -> None:
        if self.status.tooltip != text:
            set_text(self.status, text)


class CompareGrid:
    """`show()` the grid, `tick(states)` while the answers stream, `final(comparison)`."""

    def __init__(
        self,
        models: Sequence[str],
        *,
        style: AnswerStyle = PLAIN,
        history: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # the column's header shows the model
        self.options = {**style.markdown_options(), "heading": False}
        self._clock = clock
        self.columns = {m: GridColumn(m, history=history) for m in models}
        for column in self.columns.values():
            column.throttle = ColumnThrottle(style.update_interval)
            column.button.on_click(self._clicked)
        self.widget = widgets.Box(
            [c.box for c in self.columns.values()],
            layout=widgets.Layout(display="flex", flex_flow="row wrap", align_items="stretch"),
        )
        self.widget.add_class("aiml-compare-grid")
        self.table = TableDisplay(buttons=history)
        self.stats = PublishStats()  # the columns' display traffic (answer bundles)
        self.comparison: Comparison | None = None
        self.display_id: str | None = None

    def bundle(self, states: Sequence[ColumnState] = ()) -> dict[str, Any]:
        """The grid's output; with the final `states`, their answers as its static stand-in."""
        if not states:
            return widget_bundle(self.widget, GRID_PLAIN)
        options = {**self.options, "heading": True}
        markdown = "\n\n".join(column_markdown(state, **options) for state in states)
        plain = "\n\n".join(column_plain(state) for state in states)
        return widget_bundle(self.widget, f"{GRID_PLAIN}\n\n{plain}", markdown)

    def show(self) -> None:
        from IPython.display import display

        self.display_id = display(self.bundle(), raw=True, display_id=True).display_id
        states = [ColumnState(m) for m in self.columns]
        for state in states:
            self._set_answer(self.columns[state.model], state)
        self.table.show(states, self._clock())

    def tick(self, states: Sequence[ColumnState]) -> None:
        now = self._clock()
        for state in states:
            column = self.columns[state.model]
            if column.throttle is not None and column.throttle.due(state, now):
                self._set_answer(column, state)
            if now - column.status_at >= STATUS_INTERVAL or state.ended:
                column.status_at = now
                column.show_status(column_status(state))
        self.table.tick(states, now)

    def final(self, comparison: Comparison) -> None:
        self.comparison = comparison
        comparison.on_choose.append(self._chosen)
        for state in comparison.states:
            column = self.columns[state.model]
            if column.throttle is not None and column.throttle.version != state.version:
                column.throttle.version = state.version
                self._set_answer(column, state)
            column.show_status(column_status(state))
            column.button.disabled = state.status != Status.DONE or state.result is None
            self._label_buttons(comparison.chosen)
        self.stats.final_bytes = sum(
            sum(len(v.encode("utf-8")) for v in c.answer.outputs[0]["data"].values())
            for c in self.columns.values()
        )
        self.table.final(comparison)
        if self.display_id:
            from IPython.display import update_display

            update_display(self.bundle(comparison.states), raw=True, display_id=self.display_id)

    def close(self) -> None:
        for column in self.columns.values():
            for widget in (column.header, column.status, column.answer, column.button, column.box):
                widget.close()
        self.widget.close()

    # -- internals ----------------------------------------------------------------------

    def _set_answer(self, column: GridColumn, state: ColumnState) -> None:
        bundle = column_bundle(state, **self.options)
        self.stats.publishes += 1
        self.stats.bytes_sent += sum(len(v.encode("utf-8")) for v in bundle.values())
        column.answer.outputs = output_of(bundle)

    def _clicked(self, button: widgets.Button) -> None:
        model = next((m for m, c in self.columns.items() if c.button is button), None)
        if model is None or self.comparison is None:
            return
        try:
            self.comparison.choose(model)
        except ValueError as exc:
            self.columns[model].show_status(f"⚠ {exc}")

    def _label_buttons(self, chosen: str | None) -> None:
        for name, column in self.columns.items():
            column.button.description = USED if name == chosen else USE
            column.button.button_style = "success" if name == chosen else ""

    def _chosen(self, model: str) -> None:
        """A choice was made (a button, `--keep`, or `_aiml.choose`): show it everywhere."""
        self._label_buttons(model)
        if self.comparison is not None:
            self.table.final(self.comparison)
