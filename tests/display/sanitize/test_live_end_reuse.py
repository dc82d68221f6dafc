"""The end of a live answer reuses the Markdown its finished blocks were neutralised into.

The final one-piece output must be exactly what neutralising the whole answer gives (that is
what makes it safe), while the work at the end covers only the text after the last finished
block, not the whole answer again.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sanitize_checks import assert_harmless, marked_problems
from sanitize_strategies import DOCUMENTS

from aiml_magics.api.result import ChatResult, StructuredInfo, Usage
from aiml_magics.chat.view import Status
from aiml_magics.display import settled
from aiml_magics.display.compose import compose_markdown
from aiml_magics.display.live import LiveView
from aiml_magics.display.sanitize import is_safe_markdown
from aiml_magics.display.style import AnswerStyle
from aiml_magics.simulator.answers import mixed_markdown, single_block

pytestmark = pytest.mark.unit


class Screen:
    """Keeps the last bundle shown; ids are all a live view needs back."""

    def __init__(self) -> None:
        self.last: dict = {}
        self._ids = 0

    def show(self, bundle, metadata=None) -> str:
        self._ids += 1
        self.last = bundle
        return f"d{self._ids}"

    def update(self, display_id, bundle, metadata=None) -> None:
        self.last = bundle

    def clear(self) -> None:
        pass


def stream_through_live_view(
    text: str, chunk: int, piece: int = 2_000, parsed: object = None
) -> tuple[str, ChatResult]:
    """Stream `text` in chunks of `chunk` characters, with an update for every chunk."""
    screen = Screen()
    view = LiveView(
        screen=screen,
        style=AnswerStyle(update_interval=0.0),
        clock=lambda: 0.0,
        fence_piece=piece,
        tail_limit=piece * 4,
    )
    for end in range(chunk, len(text) + chunk, chunk):
        view.update(text[:end], "")
    result = ChatResult(text=text, reasoning="", model="m", usage=Usage(10, 20, 0, 30))
    if parsed is not None:  # a structured answer (`--schema`)
        result.parsed = result.json = parsed
        result.structured = StructuredInfo(schema="People")
    view.finish(result, Status.DONE)
    return screen.last["text/markdown"], result


ORDINARY_BLOCKS = [
    "# A heading",
    "## Another one",
    "Some prose with `inline code`, **bold**, *emphasis* and a [link](https://example.org).",
    "A line that wraps\nonto a second line, with $x^2$ in it.",
    "- an item\n- another item\n  - nested",
    "1. first\n2. second\n3. third",
    "```python\nfor i in range(3):\n    print(i)\n```",
    "~~~\nplain code\n~~~",
    "| a | b |\n|---|:-:|\n| 1 | 2 |\n| 3 | 4 |",
    "> a quotation\n> over two lines",
    "$$\na^2 + b^2 = c^2\n$$",
    "---",
    "Costs $5 and $7 today.",
    "A paragraph right above a fence:\n```\ncode\n```",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    blocks=st.lists(st.sampled_from(ORDINARY_BLOCKS), min_size=1, max_size=12),
    separators=st.lists(st.sampled_from(["\n\n", "\n", "\n\n\n"]), min_size=12, max_size=12),
    chunk=st.integers(1, 40),
    piece=st.sampled_from([8, 40, 2_000]),
)
def test_an_everyday_answer_ends_exactly_as_the_whole_answer_neutralised(
    blocks, separators, chunk, piece
):
    text = "".join(block + separator for block, separator in zip(blocks, separators, strict=False))
    shown, result = stream_through_live_view(text, chunk, piece)
    assert shown == compose_markdown(text, "", result)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    blocks=st.lists(DOCUMENTS, min_size=1, max_size=4),
    separator=st.sampled_from(["\n\n", "\n", "\n\n\n"]),
    chunk=st.integers(1, 40),
    piece=st.sampled_from([8, 40, 2_000]),
)
def test_a_hostile_answer_ends_inert_in_jupyterlab(jupyterlab, blocks, separator, chunk, piece):
    """Blocks defused one by one may be defused differently from the whole (a code span's
    delimiter is chosen from the whole text), but never less: the end still verifies and
    JupyterLab renders it inert."""
    shown, _ = stream_through_live_view(separator.join(blocks), chunk, piece)
    assert is_safe_markdown(shown), shown
    assert_harmless(shown)
    (page,) = jupyterlab([shown])
    assert not marked_problems(page), (shown, page)


@pytest.fixture
def neutralised(monkeypatch) -> list[int]:
    """The length of every text the end neutralises (through the real neutraliser)."""
    lengths: list[int] = []
    real = settled.neutralize_markdown

    def counting(text: str, **kwargs) -> str:
        lengths.append(len(text))
        return real(text, **kwargs)

    monkeypatch.setattr(settled, "neutralize_markdown", counting)
    return lengths


def test_a_long_answer_ends_with_a_pass_over_its_last_block_only(neutralised):
    text = mixed_markdown(200_000)
    shown, result = stream_through_live_view(text, chunk=400)
    assert sum(neutralised) < 1_000, "only the text after the last finished block"
    neutralised.clear()
    settled.SettledBlocks().neutralised(text, "", allow_remote_images=False)  # nothing kept
    assert neutralised == [len(text)]
    assert shown == compose_markdown(text, "", result)


def test_a_structured_answer_ends_without_neutralising_its_json(neutralised):
    """It is shown as values, so the JSON text it streamed as is not neutralised again."""
    people = [{"name": f"Ada {n}", "langs": ["en", "fr"]} for n in range(200)]
    text = json.dumps(people, indent=2)
    shown, _ = stream_through_live_view(text, chunk=50, parsed=people)
    assert neutralised == []
    assert "| Ada 0 |" in shown, "shown as a table of values"


def test_a_block_shown_as_split_pieces_is_neutralised_once_whole_at_the_end(neutralised):
    giant = single_block("ordered", 30_000)
    text = f"Intro.\n\n{giant}\nThe end.\n"
    shown, result = stream_through_live_view(text, chunk=200)
    assert shown == compose_markdown(text, "", result)
    assert len(giant) <= sum(neutralised) < len(text), "the list once, the intro not again"


@pytest.mark.parametrize(
    "ending",
    [
        "[later]: https://example.org/defined-at-the-end\n",  # gives [later] above a meaning
        "Some text\x0c\x0cwith form feeds.\n",  # a line break only Python sees
    ],
)
def test_what_ties_blocks_together_makes_the_end_one_whole_pass(neutralised, ending):
    text = mixed_markdown(20_000) + "\n\nSee [later] and ![later].\n\n" + ending
    shown, result = stream_through_live_view(text, chunk=300)
    assert neutralised == [len(text)]
    assert shown == compose_markdown(text, "", result)


def test_a_final_text_other_than_the_streamed_one_is_neutralised_whole(neutralised):
    kept = settled.SettledBlocks()
    streamed = "# One\n\nTwo.\n\n"
    kept.add(len("# One\n\n"), "# One\n\n")
    final = "# Uno\n\nTwo.\n\nThree.\n"
    shown = kept.neutralised(final, streamed, allow_remote_images=False)
    assert neutralised == [len(final)]
    assert shown.startswith("# Uno") and "One" not in shown


def test_a_fence_right_under_a_line_is_neutralised_with_that_line():
    """The neutraliser puts a blank line between them when the fence is left open, which it
    cannot do for the fence alone."""
    text = "Intro.\n\ntext\n```\n<!-- x -->"
    shown, result = stream_through_live_view(text, chunk=1, piece=8)
    assert shown == compose_markdown(text, "", result)
