"""The pieces of a giant block, rendered one by one, read as the whole block.

A live answer shows a block that keeps growing as consecutive Markdown outputs
(`blocks.next_pieces`). Each piece is rendered here as JupyterLab renders an output (its math
pre-pass, then `marked`) and as markdown-it renders CommonMark, and the pieces side by side
are compared with the whole text rendered at once (`piece_checks`: the only differences
allowed are the ones a cut makes, such as a table piece repeating its header or a numbered
piece starting with its own number).

The texts are rendered as the model wrote them: where a block may be cut is a matter of
Markdown. The neutraliser, which every piece then goes through, may defuse a piece otherwise
than the whole (a code span's delimiter is chosen from the whole text), never less
(`test_live_end_reuse`).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from piece_checks import markdown_it, rendered_as_whole, stream_pieces, with_math

from aiml_magics.simulator.answers import SINGLE_BLOCK_LINES, single_block

pytestmark = pytest.mark.unit


@pytest.fixture(scope="session")
def lab(jupyterlab):
    """JupyterLab's rendering of Markdown texts, with the math its pre-pass paired marked."""
    return lambda texts: [with_math(page) for page in jupyterlab.pages(texts)]


def assert_pieces_read_as_whole(render, pieces: list[str], whole: str) -> None:
    joined, rendered = rendered_as_whole(render, pieces, whole)
    assert joined == rendered, pieces


@pytest.mark.parametrize("kind", sorted(SINGLE_BLOCK_LINES))
def test_every_giant_block_is_shown_as_pieces_that_read_as_the_whole(lab, kind):
    text = single_block(kind, 4_000)
    pieces = stream_pieces(text, chunk=37, piece_size=300)
    assert len(pieces) > 5, "it was cut into pieces"
    assert_pieces_read_as_whole(lab, pieces, text)
    assert_pieces_read_as_whole(markdown_it, pieces, text)


@pytest.mark.parametrize(
    ("pieces", "whole"),
    [
        (["1. a\n", "1. b\n"], "1. a\n1. b\n"),  # the second piece must say 2.
        (["- a\n\n- b\n\n", "- c\n"], "- a\n\n- b\n\n- c\n"),  # a loose item shown tight
        (["- a\n  - x\n", "  - y\n"], "- a\n  - x\n  - y\n"),  # a sub-item shown at the top
        (["Some *emphasis\n", "over lines*\n"], "Some *emphasis\nover lines*\n"),
        (["Math $x\n", "+ y$ here\n"], "Math $x\n+ y$ here\n"),  # JupyterLab's pairing
        (["| a |\n|---|\n| 1 |\n", "| 2 |\n"], "| a |\n|---|\n| 1 |\n| 2 |\n"),  # no header
        (["> a\n", "b\n"], "> a\nb\n"),  # a lazy line is still quoted in the whole
        (["    a\n\n", "    b\n"], "    a\n\n    b\n"),  # the blank line of the code is lost
    ],
)
def test_the_check_itself_tells_a_wrong_cut(lab, pieces, whole):
    joined, rendered = rendered_as_whole(lab, pieces, whole)
    assert joined != rendered


@pytest.mark.parametrize(
    ("pieces", "whole"),
    [
        (["1. a\n", "2. b\n"], "1. a\n2. b\n"),
        (["| a |\n|---|\n| 1 |\n", "| a |\n|---|\n| 2 |\n"], "| a |\n|---|\n| 1 |\n| 2 |\n"),
        (["Some line\n", "and the next\n"], "Some line\nand the next\n"),
        (["> a\n", "> b\n"], "> a\n> b\n"),
        (["```py\na\n```\n", "```py\nb\n"], "```py\na\nb\n"),
    ],
)
def test_the_check_itself_lets_a_right_cut_pass(lab, pieces, whole):
    joined, rendered = rendered_as_whole(lab, pieces, whole)
    assert joined == rendered


# -- any giant block, any inline Markdown in it -------------------------------------------

WORDS = st.sampled_from(["word", "more words", "x", "42", "(aside)", "'quoted'", "é"])
MARKUP = st.sampled_from(
    [
        "**bold**", "*emphasis*", "_under_", "`code`", "``a ` b``", "$x^2$", "$$y$$",
        "[a link](https://example.org/a_b)", "[ref]", "~~gone~~", "\\*", "snake_case",
        "*", "**", "_", "`", "$", "[", "]", "~", "<", "a < b", "<br>", "\\(", "{", "}",
        "*open", "close*", "_open", "close_", "[open", "close](https://x.org)", "$open",
        "`open", "~open", "2 * 3", "<https://example.org>",
    ]
)  # fmt: skip
INLINE = st.lists(st.one_of(WORDS, MARKUP), min_size=1, max_size=6).map(" ".join)
STARTS = st.sampled_from(["Line", "**Bold**", "`code`", "[link](https://x.org)", "_em_", "$x$"])
LINE = st.builds(lambda start, rest: f"{start} {rest}", STARTS, INLINE)


@st.composite
def giant_blocks(draw: st.DrawFn) -> str:
    """One block of many lines: a paragraph, a quotation, a tight or loose list (nested or
    not, numbered as written or with one number everywhere), a table, indented code."""
    kind = draw(st.sampled_from(["paragraph", "quote", "list", "table", "code"]))
    lines = draw(st.lists(LINE, min_size=6, max_size=24))
    if kind == "paragraph":
        return "".join(line + "\n" for line in lines)
    if kind == "quote":
        blank = draw(st.sampled_from(["", "", ">\n"]))
        quoted = [f"> {line}\n" + (blank if n % 4 == 3 else "") for n, line in enumerate(lines)]
        return "".join(quoted)
    if kind == "code":
        return "".join(f"    {line}\n" for line in lines)
    if kind == "table":
        rows = [f"| {line.replace('|', '/')} | {n} |\n" for n, line in enumerate(lines)]
        return "| text | n |\n|---|---:|\n" + "".join(rows)
    numbering = draw(st.sampled_from(["- ", "* ", "counted", "1. ", "9. ", "1) "]))
    loose = draw(st.booleans())
    nested = draw(st.sampled_from([0, 0, 1, 3]))
    items = []
    for n, line in enumerate(lines):
        marker = f"{n + 1}. " if numbering == "counted" else numbering
        sub = " " * len(marker) + "- "
        subs = "".join(f"{sub}{line[:20]}\n" for _ in range(nested if n % 3 == 0 else 0))
        items.append(f"{marker}{line}\n{subs}")
    return ("\n" if loose else "").join(items)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(giant_blocks(), st.integers(5, 80), st.sampled_from([40, 120, 400]))
def test_any_giant_block_is_cut_only_where_the_pieces_read_as_the_whole(
    lab, text, chunk, piece_size
):
    pieces = stream_pieces(text, chunk, piece_size)
    assert_pieces_read_as_whole(lab, pieces, text)
    assert_pieces_read_as_whole(markdown_it, pieces, text)
