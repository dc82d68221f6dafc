"""The rich terminal view on its own: what it prints, what it redraws, what it refuses.

Its output goes to a string that says it is a terminal; the pseudo-terminal test in
tests/magics/test_terminal.py runs it in a real `ipython`.
"""

from __future__ import annotations

import io
import re

import pytest

from aiml_magics.api.result import ChatResult, Usage
from aiml_magics.chat.view import Status
from aiml_magics.display import rich_terminal
from aiml_magics.display.rich_terminal import RichTerminalView
from aiml_magics.display.style import AnswerStyle
from aiml_magics.simulator.answers import single_block

pytestmark = pytest.mark.unit
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def streamed(text: str, reasoning: str = "", mode: str = "collapse", chunk: int = 50) -> str:
    out = Terminal()
    view = RichTerminalView(style=AnswerStyle(reasoning_mode=mode, update_interval=0), stream=out)
    for i in range(0, len(reasoning), chunk):
        view.update("", reasoning[: i + chunk])
    for i in range(0, len(text), chunk):
        view.update(text[: i + chunk], reasoning)
    view.finish(ChatResult(text=text, reasoning=reasoning, model="m", usage=Usage(1, 2, 0, 3)))
    return ANSI.sub("", out.getvalue())


def test_wanted_only_on_a_terminal_without_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert rich_terminal.wanted(Terminal())
    assert not rich_terminal.wanted(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not rich_terminal.wanted(Terminal())


@pytest.mark.parametrize(
    ("mode", "folded", "whole"),
    [("collapse", True, False), ("show", False, True), ("hide", False, False)],
)
def test_reasoning_folds_stays_or_hides(mode, folded, whole):
    reasoning = "First I weigh the options carefully. " * 5
    out = streamed("The answer.", reasoning, mode)
    assert ("▸ Reasoning (30 words" in out) is folded
    assert (reasoning.strip() in " ".join(out.split())) is (whole or folded)  # while it streams
    if mode == "hide":
        assert "weigh" not in out
    if folded:
        assert "weigh" not in out.split("▸ Reasoning")[1]  # not printed for good


def test_model_text_cannot_drive_the_terminal_or_inject_markup():
    out = streamed("Hi \x1b]0;title\x07 [bold red]not markup[/] and [x](javascript:alert(1))")
    assert "\x1b]0;" not in out and "\x07" not in out
    assert "[bold red]not markup[/]" in out
    assert "\x1b]8;" not in out  # no terminal hyperlink


@pytest.mark.parametrize("kind", ["ordered", "table", "paragraph"])
def test_a_giant_block_is_redrawn_a_piece_at_a_time(kind, monkeypatch):
    """Each redraw renders what the live region holds; it stays about one piece long."""
    rendered: list[int] = []
    original = rich_terminal.markdown

    def measured(text: str):
        rendered.append(len(text))
        return original(text)

    monkeypatch.setattr(rich_terminal, "markdown", measured)
    text = single_block(kind, 60_000)
    out = streamed(text, chunk=400)
    assert max(rendered[:-1]) < rich_terminal.PIECE + 2 * 400 + 200
    assert len(rendered) > 20
    first, last = text.splitlines()[2], text.splitlines()[-1]
    for line in (first, last):
        assert all(word in out for word in re.findall(r"\w+", line))


def test_the_footer_sits_under_a_rule_even_when_interrupted():
    out = Terminal()
    view = RichTerminalView(style=AnswerStyle(update_interval=0), stream=out)
    view.update("Partial", "")
    view.finish(ChatResult(text="Partial", reasoning="", model="m"), Status.INTERRUPTED)
    printed = ANSI.sub("", out.getvalue())
    assert "─" * 10 in printed and printed.rstrip().endswith("m")  # the error says how it ended
    assert printed.rindex("Partial") < printed.index("─" * 10)
