"""The frontend is chosen once per cell, in one module, and makes every view with one
answer style; no view constructor repeats a default."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import pytest

from aiml_magics.chat.settings import AimlSettings
from aiml_magics.display.compare import CompareDisplay
from aiml_magics.display.live import LiveView
from aiml_magics.display.rich_terminal import RichTerminalView
from aiml_magics.display.style import PLAIN, AnswerStyle
from aiml_magics.display.views import DisplayView, TerminalView
from aiml_magics.magics import frontend
from aiml_magics.simulator import Reply
from aiml_magics.widgets.compare_grid import CompareGrid

pytestmark = pytest.mark.unit
PACKAGE = Path(frontend.__file__).resolve().parents[1]
VIEWS = (DisplayView, LiveView, TerminalView, RichTerminalView, CompareDisplay, CompareGrid)
STYLE = AnswerStyle(reasoning_mode="show", update_interval=0.5, allow_remote_images=True)


class TerminalInteractiveShell:
    """Named like IPython's terminal shell: how the frontend recognises a terminal."""


def chosen(shell, cell_id):
    return frontend.choose(shell, cell_id, STYLE, frontend.OnScreen())


def test_a_terminal_a_widget_frontend_and_a_runner_are_told_apart(ip):
    assert isinstance(chosen(TerminalInteractiveShell(), "c1"), frontend.TerminalFrontend)
    widget = chosen(ip, "c1")
    assert isinstance(widget, frontend.WidgetFrontend) and widget.live
    runner = chosen(ip, None)
    assert type(runner) is frontend.Frontend and not runner.live


def test_a_live_frontend_without_ipywidgets_gets_displays_not_widgets(ip, monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # `import ipywidgets` fails
    live = chosen(ip, "c1")
    assert type(live) is frontend.Frontend and live.live


def test_every_view_the_frontend_makes_carries_the_cells_style(ip):
    widget, runner = chosen(ip, "c1"), chosen(ip, None)
    assert isinstance(widget.answer_view(), LiveView)
    assert isinstance(widget.answer_view(tools=True), DisplayView)  # notes between requests
    assert isinstance(runner.answer_view(), DisplayView)
    terminal = chosen(TerminalInteractiveShell(), None)
    assert isinstance(terminal.answer_view(), TerminalView)
    for view in (widget.answer_view(), runner.answer_view(), terminal.answer_view()):
        assert view.style is STYLE
    assert widget.answer_view().interval == 0.5
    assert isinstance(widget.comparison(["a", "b"], history=True), CompareGrid)
    shown = runner.comparison(["a", "b"], history=True)
    assert isinstance(shown, CompareDisplay)
    assert shown.options == {"reasoning_mode": "show", "allow_remote_images": True}


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.__name__)
def test_no_view_constructor_writes_a_style_default(view):
    parameters = inspect.signature(view.__init__).parameters
    assert not {"reasoning_mode", "interval", "allow_remote_images"} & set(parameters)
    assert parameters["style"].default is PLAIN


def test_the_plain_style_is_the_settings_defaults():
    assert AnswerStyle.of(AimlSettings()) == PLAIN
    assert AnswerStyle.of(AimlSettings(), "hide").reasoning_mode == "hide"


def test_only_the_frontend_module_asks_which_frontend_runs():
    askers = [
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if "TerminalInteractiveShell" in path.read_text(encoding="utf-8")
        or "_widget_frontend" in path.read_text(encoding="utf-8")
    ]
    assert askers == ["magics/frontend.py"]


def test_widgets_keep_no_state_on_the_magics(run, magics, aiml_simulator):
    aiml_simulator.script(Reply(content="one"), Reply(content="two"))
    assert run("%%aiml\nfirst", cell_id="c1").error is None
    first = magics.last_panel
    assert run("%%aiml\nfirst", cell_id="c1").error is None  # the same cell again
    assert magics.last_panel is not first and magics.on_screen.cell_panels
    assert not {"last_panel", "cell_panels", "last_comparison"} & set(vars(magics))
