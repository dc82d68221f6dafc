"""Answers in terminal IPython rendered with `rich`: Markdown, highlighted code, tables.

Only a real terminal gets them: when the output is not a TTY or `NO_COLOR` is set, the plain
`TerminalView` prints the text as it arrives. `rich` is imported on first use, here only, so
loading the extension and every notebook path stay as fast as without it.

Finished top-level blocks, and pieces of a block that keeps growing, are printed once into
the scrollback (`blocks.next_pieces`, as the live notebook view cuts them); only the rest is
redrawn in place (`rich.live.Live`), every `update_interval`, its last screenful when it is
taller than the terminal. So a redraw costs what one piece costs, whatever the answer's
length. Reasoning streams dimmed and folds into one line when the answer begins (or at the
end); the footer is a rule.
Model text never drives the terminal: control characters are dropped, links are shown as
text rather than terminal hyperlinks.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import Any

from ..api.result import ChatResult
from ..chat.view import Status
from .blocks import next_pieces
from .compose import footer_text
from .style import PLAIN, AnswerStyle
from .views import strip_control

PIECE = 2_000  # characters of a growing block redrawn before a piece of it is printed


def wanted(stream: Any = None) -> bool:
    """Rich output for a terminal that can show it: a TTY, colours allowed, rich installed."""
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR") or not getattr(stream, "isatty", lambda: False)():
        return False
    try:
        import rich  # noqa: F401
    except ImportError:
        return False
    return True


def console(stream: Any = None) -> Any:
    from rich.console import Console

    return Console(file=stream or sys.stdout, highlight=False, emoji=False)


def markdown(text: str) -> Any:
    from rich.markdown import Markdown

    return Markdown(strip_control(text), hyperlinks=False, code_theme="monokai")


class _LastScreenful:
    """A renderable showing only the bottom of another one, so a live region taller than
    the terminal keeps its newest lines in view."""

    def __init__(self, renderable: Any) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.segment import Segment

        lines = console.render_lines(self.renderable, options, pad=False)
        for line in lines[-max(1, console.size.height - 2) :]:
            yield from line
            yield Segment.line()


class RichTerminalView:
    """An `AnswerView` for terminal IPython on a colour terminal."""

    def __init__(
        self,
        *,
        style: AnswerStyle = PLAIN,
        stream: Any = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        from rich.live import Live

        self.style = style
        self.console = console(stream)
        self._clock = clock
        self._live = Live(console=self.console, auto_refresh=False, transient=True)
        self._started = False
        self._settled = 0  # characters of the answer already printed for good
        self._carry = ""  # what the rest starts with after a cut inside a block
        self._text = self._reasoning = ""
        self._reasoning_done = False
        self._last = float("-inf")

    def notice(self, message: str) -> None:
        self._start()
        self.console.print(f"[{strip_control(message)}]", style="dim", markup=False)

    def update(self, text: str, reasoning: str) -> None:
        first_text = bool(text) and not self._text
        self._text, self._reasoning = text, reasoning
        now = self._clock()
        if not first_text and now - self._last < self.style.update_interval:
            return
        self._last = now
        self._start()
        if text:
            self._fold_reasoning()
            self._print_settled()
        self._redraw()

    def finish(
        self, result: ChatResult | None, status: Status = Status.DONE, metadata: dict | None = None
    ) -> None:
        if result is not None:
            self._text, self._reasoning = result.text, result.reasoning
        self._start()
        self._fold_reasoning()
        self._live.update("", refresh=True)
        self._live.stop()
        tail = self._carry + self._text[self._settled :]
        if tail.strip():
            self.console.print(markdown(tail))
        footer = footer_text(result)
        if footer:
            from rich.rule import Rule

            self.console.print(Rule(style="dim"))
            self.console.print(strip_control(footer), style="dim", markup=False)

    def _start(self) -> None:
        if not self._started:
            self._started = True
            self._live.start()

    def _fold_reasoning(self) -> None:
        """The answer began: the reasoning becomes one dim line (or stays whole if shown)."""
        if self._reasoning_done or not self._reasoning or self.style.reasoning_mode == "hide":
            return
        self._reasoning_done = True
        self._live.update("", refresh=True)  # printing above redraws the region: not it
        if self.style.reasoning_mode == "show":
            self.console.print(strip_control(self._reasoning), style="dim", markup=False)
            return
        words = len(self._reasoning.split())
        line = f"▸ Reasoning ({words} words; _aiml.reasoning has it all)"
        self.console.print(line, style="dim", markup=False)

    def _print_settled(self) -> None:
        """Finished pieces go to the scrollback once; the live region keeps the rest."""
        progress = next_pieces(self._text, self._settled, self._carry, PIECE)
        for piece in progress.finished:
            self.console.print(markdown(piece))
        self._settled, self._carry = progress.settled, progress.carry

    def _redraw(self) -> None:
        if self._text:
            shown: Any = markdown(self._carry + self._text[self._settled :])
        elif self._reasoning and self.style.reasoning_mode != "hide":
            from rich.text import Text

            shown = Text(strip_control(self._reasoning), style="dim")
        else:
            from rich.text import Text

            shown = Text("waiting for the first token…", style="dim italic")
        self._live.update(_LastScreenful(shown), refresh=True)


def print_table(title: str, headers: list[str], rows: list[list[Any]], stream: Any = None) -> None:
    """A `%aiml` table (usage, models, settings...) drawn by rich; every cell is plain text,
    never rich markup, because names and errors come from the service."""
    from rich.table import Table
    from rich.text import Text

    def cell(value: Any) -> Any:
        return Text(strip_control("" if value is None else str(value)))

    table = Table(title=Text(strip_control(title), style="bold"), title_justify="left")
    for header in headers:
        table.add_column(cell(header), overflow="fold")  # wrapped, never cut off
    for row in rows:
        table.add_row(*(cell(value) for value in row))
    console(stream).print(table)


def print_comparison(comparison: Any, stream: Any = None) -> None:
    """`--compare` in a colour terminal: each answer rendered under a rule with its model's
    name, then the summary table and the line saying which answer continues the chat."""
    from rich.rule import Rule

    from .compare import choice_line, headers_of, table_rows

    out = console(stream)
    for state in comparison.states:
        out.print(Rule(strip_control(state.model), align="left"))
        if state.text.strip():
            out.print(markdown(state.text))
        footer = footer_text(state.result)
        if state.error:
            footer = " · ".join(p for p in (footer, f"✗ {state.error}") if p)
        if footer:
            out.print(strip_control(footer), style="dim", markup=False)
    # one column a model, one row a measure: a few models fit a terminal's width
    rows = comparison.rows()
    columns = table_rows(rows)
    measures = [[header, *(row[i] for row in columns)] for i, header in enumerate(headers_of(rows))]
    print_table("Comparison", measures[0], measures[1:], stream)
    line = choice_line(comparison, buttons=False)
    if line:
        out.print(strip_control(line), markup=False)


class RichBar:
    """A batch's progress as a rich bar (rows done of all, failures, rate, ETA, credits),
    then the summary: the same numbers as the plain `TerminalBar`."""

    def __init__(self, total: int, stream: Any = None) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.console = console(stream)
        self._progress = Progress(
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[details]}", markup=False),
            console=self.console,
            auto_refresh=False,
        )
        self._task = self._progress.add_task("batch", total=total, details="")
        self._progress.start()

    def __call__(self, snap: Any) -> None:
        from .batch import bar_line

        details = bar_line(snap).split(" · ", 1)[1]  # what follows the plain bar and count
        self._progress.update(
            self._task, completed=snap.done + snap.failed, total=snap.total, details=details
        )
        self._progress.refresh()
        if snap.finished:
            self._progress.stop()

    def done(self, summary: Any) -> None:
        from .batch import summary_bundle

        self._progress.stop()
        self.console.print(summary_bundle(summary)["text/plain"], markup=False, highlight=False)
