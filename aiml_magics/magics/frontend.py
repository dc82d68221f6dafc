"""Where a cell's output goes, chosen once per cell: a terminal, a widget frontend, or a
display frontend (a runner such as nbclient, nbval, nbconvert, or a live frontend without
ipywidgets).

This module is the only place that asks which frontend runs the kernel. The chosen
`Frontend` makes every view of the cell: the answer view, the comparison (grid or
displays), the batch bar, headings, thumbnails, the dry run and the panels. The widgets it
shows are remembered in an `OnScreen`, not on the magics.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..display.style import AnswerStyle

BarFactory = Callable[[int], Any]


@dataclass
class OnScreen:
    """The widgets last shown (a re-run closes its cell's earlier panel; tests find them)."""

    last_panel: Any = None
    cell_panels: dict[str, Any] = field(default_factory=dict)
    last_session_panel: Any = None
    last_comparison: Any = None
    widgets_refused: bool = False  # the frontend closed a widget's comm: no widget manager
    refusal_told: bool = False


class Frontend:
    """A display frontend: answers as displays updated in place; no widgets.

    `live` frontends send cell ids and show a cell's output as it runs (JupyterLab,
    Notebook 7, VS Code): their answers stream as settled blocks and a live tail.
    """

    widgets = False
    terminal = False

    def __init__(self, style: AnswerStyle, on_screen: OnScreen, *, live: bool = False) -> None:
        self.style = style
        self.on_screen = on_screen
        self.live = live

    def answer_view(self, *, tools: bool = False) -> Any:
        """Settled blocks and a live tail for live frontends; one display updated in place
        for runners and for tool loops (their notes arrive between requests)."""
        if self.live and not tools:
            from ..display.live import LiveView

            return LiveView(style=self.style)
        from ..display.views import DisplayView

        return DisplayView(style=self.style)

    def comparison(self, models: list[str], *, history: bool) -> Any:
        """What a comparison streams into (shown already), or None to print it at the end."""
        from ..display.compare import CompareDisplay

        shown = CompareDisplay(models, style=self.style)
        shown.show()
        self.on_screen.last_comparison = shown
        return shown

    def comparison_done(self, shown: Any, comparison: Any) -> None:
        shown.final(comparison)

    def batch_bar(self) -> BarFactory | None:
        from ..display.batch import DisplayBar

        return lambda total: DisplayBar(live=self.live)

    def show(self, bundle: dict[str, str]) -> None:
        from IPython.display import display

        display(bundle, raw=True)

    def evaluation(self, evaluation: Any) -> None:
        """An evaluation's summary table and plot; the output's metadata keeps the summary."""
        from IPython.display import display

        from ..display.evaluation import evaluation_bundle

        data, metadata = evaluation_bundle(evaluation)
        display(data, metadata=metadata, raw=True)

    def heading(self, model: str) -> None:
        """The model's name above its part of a dry run of `--compare`."""
        from ..display.compose import escape_markdown_inline

        self.show({"text/markdown": f"### {escape_markdown_inline(model)}", "text/plain": model})

    def thumbnails(self, pictures: list[Any], view: Any = None) -> None:
        """The images a cell sends, above its answer (and kept there once it settles)."""
        from ..display.compose import thumbnails_bundle

        bundle = thumbnails_bundle(pictures)
        self.show(bundle)
        keep = getattr(view, "keep_above", None)
        if keep is not None:
            keep.append(bundle)  # shown again when the answer's pieces are consolidated

    def dry_run(self, plan: Any) -> None:
        from ..display.dryrun import dry_run_bundle

        self.show(dry_run_bundle(plan))

    def media_dry_run(self, plan: Any) -> None:
        from ..display.dryrun import media_dry_run_bundle

        self.show(media_dry_run_bundle(plan))

    def generation(self, generation: Any) -> None:
        """What a `--make` cell made: images inline, a player for speech and video."""
        from ..display.media import show_generation

        show_generation(generation)

    def job_progress(self, kind: str) -> Callable[[float, str], None]:
        """The progress line of a job (a video): its status and the time waited."""
        from ..display.media import JobProgress

        return JobProgress(kind)

    def notice(self, message: str) -> None:
        """A passing note of a media request (a retry, a replay warning)."""
        print(message, file=sys.stderr, flush=True)

    def cell_panel(
        self, session: Any, request: Any, view: Any, events: Any, *, stoppable: bool = False
    ) -> Any:
        """The view the answer streams into (widget frontends put a panel above it, with a
        Stop button when the frontend can interrupt the kernel from it: `stoppable`)."""
        return view

    def session_panel(self, magics: Any) -> bool:
        """Show `%aiml panel`; False when this frontend cannot."""
        return False


class TerminalFrontend(Frontend):
    """IPython in a terminal: Markdown rendered by `rich` on a colour terminal; plain text,
    printed as it comes, when the output is not a TTY or `NO_COLOR` is set."""

    terminal = True

    def answer_view(self, *, tools: bool = False) -> Any:
        from ..display import rich_terminal

        if rich_terminal.wanted():
            return rich_terminal.RichTerminalView(style=self.style)
        from ..display.views import TerminalView

        return TerminalView(style=self.style)

    def comparison(self, models: list[str], *, history: bool) -> Any:
        print(f"Comparing {len(models)} models: {', '.join(models)} …", flush=True)
        self.on_screen.last_comparison = None
        return None

    def comparison_done(self, shown: Any, comparison: Any) -> None:
        from ..display import rich_terminal

        if rich_terminal.wanted():
            rich_terminal.print_comparison(comparison)
            return
        from ..display.compare import print_comparison

        print_comparison(comparison, sys.stdout)

    def batch_bar(self) -> BarFactory | None:
        from ..display import rich_terminal

        if rich_terminal.wanted():
            return rich_terminal.RichBar
        from ..display.batch import TerminalBar

        return lambda total: TerminalBar()

    def show(self, bundle: dict[str, str]) -> None:
        print(bundle["text/plain"])

    def evaluation(self, evaluation: Any) -> None:
        from ..display.evaluation import evaluation_text

        print(evaluation_text(evaluation))

    def heading(self, model: str) -> None:
        print(f"=== {model} ===")

    def thumbnails(self, pictures: list[Any], view: Any = None) -> None:
        from ..display.compose import thumbnails_bundle

        self.show(thumbnails_bundle(pictures))

    def generation(self, generation: Any) -> None:
        from ..display.media import label

        for asset in generation.assets:
            print(label(asset))

    def job_progress(self, kind: str) -> Callable[[float, str], None]:
        from ..display.media import terminal_progress

        return terminal_progress(kind)


class WidgetFrontend(Frontend):
    """A live frontend with ipywidgets: comparison grid, progress bar, panels."""

    widgets = True

    def comparison(self, models: list[str], *, history: bool) -> Any:
        from ..widgets.compare_grid import CompareGrid

        shown = CompareGrid(models, history=history, style=self.style)
        shown.show()
        self.on_screen.last_comparison = shown
        return shown

    def batch_bar(self) -> BarFactory | None:
        from ..widgets.batch_bar import WidgetBar

        return WidgetBar

    def cell_panel(
        self, session: Any, request: Any, view: Any, events: Any, *, stoppable: bool = False
    ) -> Any:
        from ..widgets.cell_panel import CellPanel

        panel = CellPanel(
            session,
            request,
            style=self.style,
            on_screen=self.on_screen,
            events=events,
            stoppable=stoppable,
        )
        panel.show()
        watch_refusal(panel.widget, self.on_screen)
        return panel.watch(view)

    def session_panel(self, magics: Any) -> bool:
        from ..widgets.session_panel import SessionPanel

        SessionPanel(magics, on_screen=self.on_screen).show()
        return True


REFUSED_NOTICE = (
    "aiml: this frontend shows no widgets (no widget manager answered), so answers are "
    "shown without the panel; see 'Frontends without widgets' in the docs."
)


def watch_refusal(widget: Any, on_screen: OnScreen) -> None:
    """A frontend without a widget manager answers a widget's comm_open with a comm_close
    (the Jupyter messaging rule for an unknown comm target). It arrives after the cell, so
    the next cells fall back to displays. The kernel closing its own widgets (a re-run)
    calls no close callback."""
    comm = getattr(widget, "comm", None)
    if comm is not None:
        comm.on_close(lambda message: setattr(on_screen, "widgets_refused", True))


def in_terminal(shell: Any) -> bool:
    return any(cls.__name__ == "TerminalInteractiveShell" for cls in type(shell).__mro__)


def has_widgets() -> bool:
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def choose(shell: Any, cell_id: str | None, style: AnswerStyle, on_screen: OnScreen) -> Frontend:
    """Only frontends that send cell ids (JupyterLab, Notebook 7, VS Code) render widgets;
    nbclient, nbval and nbconvert send none, so they never get stray widget output. Once a
    frontend refused a widget (`watch_refusal`), its cells get displays, told once."""
    if in_terminal(shell):
        return TerminalFrontend(style, on_screen)
    if cell_id is not None and on_screen.widgets_refused and not on_screen.refusal_told:
        on_screen.refusal_told = True
        print(REFUSED_NOTICE, file=sys.stderr, flush=True)
    if cell_id is not None and has_widgets() and not on_screen.widgets_refused:
        return WidgetFrontend(style, on_screen, live=True)
    return Frontend(style, on_screen, live=cell_id is not None)


def for_functions(shell: Any, magics: Any) -> Frontend | None:
    """Where the Python functions (`generate_image`, ...) show their results: the running
    cell's frontend, a plain one in a shell without the extension, none in a script."""
    if magics is not None:
        return magics.frontend()
    if shell is not None:
        return choose(shell, None, AnswerStyle(), OnScreen())
    return None


def script_batch_bar(shell: Any) -> BarFactory | None:
    """A batch's bar where the magics are not loaded: a shell, a script, a Dask worker."""
    if shell is not None:
        return choose(shell, None, AnswerStyle(), OnScreen()).batch_bar()
    if sys.stderr.isatty():
        from ..display.batch import TerminalBar

        return lambda total: TerminalBar(sys.stderr)
    return None
