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
from piece_checks import rendered_as_whole, with_math

pytestmark = pytest.mark.unit


@pytest.fixture(scope="session")
def lab(jupyterlab):
    """JupyterLab's rendering of Markdown texts, with the math its pre-pass paired marked."""
    return lambda texts: [with_math(page) for page in jupyterlab.pages(texts)]


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
