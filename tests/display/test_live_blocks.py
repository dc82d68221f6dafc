"""One giant block (a list, a table, a paragraph of soft-wrapped lines) stays live.

The open block is cut at line boundaries into pieces that read as one block: every piece is
rendered here by markdown-it, as a frontend would render it, to check that a list continues
its numbering and a table keeps its header. Stillness and bytes are measured on the fake clock
of the recording screen from test_live.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from test_live import live_view, stream

from aiml_magics.display.blocks import next_pieces, settled_cut
from aiml_magics.display.compose import compose_markdown, neutralize_markdown
from aiml_magics.display.sanitize import is_safe_markdown
from aiml_magics.simulator.answers import single_block

pytestmark = pytest.mark.unit

RENDER = MarkdownIt("commonmark").enable("table")
KINDS = ["paragraph", "ordered", "bullets", "table", "ones", "styled", "nested", "quote", "code"]


# -- where an open block may be split -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "at", "carry"),
    [
        ("1. a\n2. b\n3. c\n", "3. c\n", "3."),
        ("- a\n- b\n  more of b\n- c\n", "- c\n", ""),
        ("| h |\n|---|\n| 1 |\n| 2 |\n", "| 2 |\n", "| h |\n|---|\n"),
        ("One line\nanother line\nthe last\n", "the last\n", ""),
        ("Intro:\n- a\n- b\n", "- b\n", ""),  # a list interrupting a paragraph
        ("A line\n**Bold** starts this one\n", "**Bold** starts this one\n", ""),
        ("A line\n`code` starts this one\n", "`code` starts this one\n", ""),
        ("A line\n[a link](https://x.org) starts it\n", "[a link](https://x.org) starts it\n", ""),
        ("A line\n_emphasis_ starts this one\n", "_emphasis_ starts this one\n", ""),
        ("A line with $x$\n$y$ starts this one\n", "$y$ starts this one\n", ""),
        ("> a quotation\n> goes on\n", "> goes on\n", ""),  # two quotes, read as one
        ("> a quotation\n>\n> its second paragraph\n", "> its second paragraph\n", ""),
        ("    code\n    more code\n", "    more code\n", ""),  # two code blocks, as fences
        ("1. a\n   - sub\n2. b\n   - sub\n", "2. b\n   - sub\n", "2."),  # nested items
        ("- a\n\n- b\n\n- c\n\n- d\n", "- c\n\n- d\n", ""),  # loose: two items a piece
    ],
)
def test_an_open_block_reports_its_last_safe_split(text, at, carry):
    split = settled_cut(text).split
    assert split is not None
    assert text[split.at :] == at
    assert split.carry == carry


@pytest.mark.parametrize(
    "text",
    [
        "One line\n    indented: code at the top of a piece\n",
        "One line\n2. not an item inside a paragraph\n",
        "One line\n---\n",  # a setext underline
        "One line\n[ref]: /a-definition-at-the-top\n",
        "> quote\nlazy line\nmore\n",
        "1. a\n   - nested\n",  # not an item of the same list
        "1. a\n1) other delimiter: another list\n",
        "- a\n* another bullet: another list\n",
        "One *emphasis that\ngoes on* over two lines\n",
        "One `code span that\ngoes on` over two lines\n",
        "One [link text that\ngoes on](https://x.org) over two lines\n",
        "Math $x +\ny$ that JupyterLab pairs over two lines\n",
        "$x$ math, then an *emphasis that\ngoes on* over two lines\n",
        # marked hides what lies between backticks, and between < and >, from its emphasis
        # rules, pairing them over lines: **b** and *e* below are no emphasis in the whole
        "Line ``a ` b``\nLine **b** ``a ` b``\n",
        "Less <3 then\n*e* > c\n",
        "One line\n***\n",  # a rule, not emphasis
        "One line\n```\n",  # a fence
        "A heading in the making\nover two lines\n===\n",  # a setext heading
        "> quote\n> - a list in the quote\n",
        "> quote\n>> a nested quote\n",
        "    code\n\n    more code after a blank line\n",
        "<div>\nHTML block\nlines\n",
        "- a\n\n  a second paragraph of a\n- b\n- c\n",  # looseness not followed
        "- a\n\n- b\n",  # a loose list cut here would leave a piece of one (tight) item
        "9. a\n   - sub\n9. b\n   - sub\n",  # "10." would move the sub-item
    ],
)
def test_lines_that_would_read_differently_at_the_top_of_a_piece_are_not_split_points(text):
    assert settled_cut(text).split is None


def test_an_ordered_piece_starts_with_its_own_number_of_the_same_width():
    text = "".join("10. same number everywhere\n" for _ in range(5))
    split = settled_cut(text).split
    assert split is not None and split.carry == "14." and split.skip == 3
    # a wider number is fine before an item of one line: nothing below it is indented
    split = settled_cut("1. a\n" * 12).split
    assert split is not None and split.carry == "11." and split.skip == 2


# -- streaming a giant block --------------------------------------------------------------


def stream_block(kind: str, size: int, interval: float = 0.1):
    """`size` characters of one block, 40 characters a millisecond (a fast model)."""
    text = single_block(kind, size)
    view, clock, screen = live_view(interval=interval)
    result = stream(view, clock, text, chunk=40, seconds=0.001)
    return text, result, view, screen


@pytest.mark.parametrize("kind", KINDS)
def test_a_giant_block_keeps_moving_and_ends_as_one_piece(kind):
    text, result, view, screen = stream_block(kind, 100_000)
    assert screen.longest_still() <= 0.1 + 0.002
    assert view.stats.bytes_sent <= 3 * view.stats.final_bytes
    assert max(view.stats.sizes[:-1]) < 12_000  # one interval brings 4,000 characters
    assert max(len(frame) for _, frame in screen.frames) > 10, "it streamed as pieces"
    assert screen.visible() == [compose_markdown(text, "", result, reasoning_mode="collapse")]


@pytest.mark.parametrize("kind", KINDS)
def test_every_frame_of_a_giant_block_is_safe(kind):
    hostile = " <img src=x onerror=alert(1)> [x](javascript:alert(2))"
    text = single_block(kind, 20_000).replace("\n", hostile + "\n", 40)
    view, clock, screen = live_view(interval=0.0, fence_piece=500)
    stream(view, clock, text, chunk=97, seconds=0.001)
    seen = {markdown for _, frame in screen.frames for markdown in frame}
    assert [markdown for markdown in seen if not is_safe_markdown(markdown)] == []


def frames_while_streaming(screen):
    """What a reader sees after each update (a cut sends the new tail, then the finished
    piece, in one go: only the state after both is seen)."""
    settled = {when: frame for when, frame in screen.frames[:-1]}
    return list(settled.values())


@pytest.mark.parametrize("kind", ["ordered", "renumbered"])
def test_the_pieces_of_an_ordered_list_read_as_one_list(kind):
    if kind == "ordered":
        text, _, _, screen = stream_block("ordered", 30_000)
    else:  # every item written as "10.": each piece must start with its own number
        line = "10. an item of a list whose numbers the model did not count\n"
        text = line * 90
        view, clock, screen = live_view(interval=0.1, fence_piece=500)
        stream(view, clock, text, chunk=40, seconds=0.01)
    first = 1 if kind == "ordered" else 10
    for frame in frames_while_streaming(screen)[-5:]:
        assert len(frame) > 3
        expected = first
        for piece in frame:
            html = RENDER.render(piece)
            start = re.match(r'<ol(?: start="(\d+)")?>', html)
            assert start is not None, piece[:80]
            assert int(start[1] or 1) == expected
            assert html.count("<ol") == 1
            expected += html.count("<li>")


def test_the_pieces_of_a_table_each_repeat_its_header():
    text, _, _, screen = stream_block("table", 30_000)
    header = RENDER.render(text.split("\n", 2)[0] + "\n" + text.split("\n", 2)[1] + "\n")
    head = re.search(r"<thead>.*?</thead>", header, re.S)[0]
    rows = 0
    frame = frames_while_streaming(screen)[-1]
    assert len(frame) > 3
    for piece in frame:
        html = RENDER.render(piece)
        assert html.count("<table>") == 1 and head in html
        rows += html.count("<tr>") - 1
    assert rows >= text.count("\n") - 2 - 200  # every streamed row, at most a tail behind


def test_the_pieces_of_a_paragraph_hold_every_line_once():
    text, _, _, screen = stream_block("paragraph", 30_000)
    frame = frames_while_streaming(screen)[-1]
    assert len(frame) > 3
    shown = "\n".join(piece.strip("\n") for piece in frame)
    assert text.startswith(shown.rsplit("\n", 1)[0])
    for piece in frame:
        assert RENDER.render(piece).startswith("<p>")


LINES = st.sampled_from(
    [
        "Some prose line\n",
        "more prose, *emphasis* and `code`\n",
        "\n",
        "- a bullet\n",
        "  continued bullet\n",
        "1. first\n",
        "1. again one\n",
        "12. twelve\n",
        "| a | b |\n",
        "|---|---|\n",
        "```py\n",
        "```\n",
        "# Heading\n",
        "> quoted\n",
        "    indented\n",
        "---\n",
        "$$\n",
        "<b onmouseover=alert(1)>x</b>\n",
        "**bold** starts a line\n",
        "`code` starts a line, *emphasis\n",
        "[a link](https://x.org) and $math\n",
        "_emphasis_ $x$ [ref]: /not-a-definition-here\n",
        "$$\n",
        ">\n",
        "> quoted **bold**\n",
        "   - nested\n",
        "- loose\n\n",
    ]
)
NUMBER = re.compile(r"^( {0,3})\d{1,9}([.)])")


@settings(max_examples=150, deadline=None)
@given(st.lists(LINES, min_size=1, max_size=120), st.integers(1, 60), st.integers(20, 200))
def test_pieces_and_tail_keep_every_line_in_order(lines, chunk, piece_size):
    """Whatever the text, what is shown (finished pieces, then the tail) holds every line
    of the text in order; it adds only what a cut repeats (a fence's marker and opener, a
    table's header) and an ordered item's number may change."""
    text = "".join(lines)
    settled, carry, shown = 0, "", []
    for end in range(chunk, len(text) + chunk, chunk):
        progress = next_pieces(text[:end], settled, carry, piece_size)
        shown += progress.finished
        settled, carry = progress.settled, progress.carry
    visible = [
        NUMBER.sub(r"\1#\2", line)
        for piece in [*shown, progress.tail]
        for line in piece.splitlines()
    ]
    wanted = [NUMBER.sub(r"\1#\2", line) for line in text.splitlines()]
    position = 0
    for line in visible:
        if position < len(wanted) and line == wanted[position]:
            position += 1
    assert position == len(wanted)
    assert len(visible) <= 3 * len(wanted) + 2
    for piece in shown:
        assert is_safe_markdown(neutralize_markdown(piece))
