"""Live answers: finished blocks settle, the tail moves, the end is one piece, all of it safe.

A recording screen plays the notebook frontend: it keeps the outputs a reader sees (shows,
in-place updates, a clear that takes effect with the next output) and when each change
happened on a fake clock, so stillness is measured without depending on a fast machine.
"""

from __future__ import annotations

import re

import pytest

from aiml_magics.api.result import ChatResult, Usage
from aiml_magics.chat.view import Status
from aiml_magics.display.blocks import settled_cut
from aiml_magics.display.compose import compose_markdown
from aiml_magics.display.live import LiveView
from aiml_magics.display.sanitize import is_safe_markdown
from aiml_magics.display.style import AnswerStyle
from aiml_magics.display.views import DisplayView
from aiml_magics.simulator import Reply
from aiml_magics.simulator.answers import mixed_markdown

pytestmark = pytest.mark.unit


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class RecordingScreen:
    """What a frontend shows: ordered outputs, replaced in place by id."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.outputs: list[list] = []  # [display id, bundle, metadata]
        self.frames: list[tuple[float, list[str]]] = []  # (time, visible markdown)
        self.bytes = 0
        self._clear_pending = False
        self._ids = 0

    def show(self, bundle, metadata=None) -> str:
        if self._clear_pending:
            self.outputs.clear()
            self._clear_pending = False
        self._ids += 1
        self.outputs.append([f"d{self._ids}", bundle, metadata])
        self._frame(bundle)
        return f"d{self._ids}"

    def update(self, display_id, bundle, metadata=None) -> None:
        for output in self.outputs:
            if output[0] == display_id:
                output[1], output[2] = bundle, metadata
        self._frame(bundle)

    def clear(self) -> None:
        self._clear_pending = True

    def visible(self) -> list[str]:
        return [o[1].get("text/markdown", "") for o in self.outputs]

    def _frame(self, bundle) -> None:
        self.bytes += sum(len(v.encode()) for v in bundle.values())
        self.frames.append((self.clock.now, self.visible()))

    def longest_still(self) -> float:
        """The longest time between two changes of what a reader sees."""
        times, last = [], None
        for when, seen in self.frames:
            if seen != last:
                times.append(when)
                last = seen
        return max((b - a for a, b in zip(times, times[1:], strict=False)), default=0.0)


def live_view(interval: float = 0.1, reasoning_mode: str = "collapse", **kwargs):
    clock = FakeClock()
    screen = RecordingScreen(clock)
    style = AnswerStyle(reasoning_mode=reasoning_mode, update_interval=interval)
    view = LiveView(clock=clock, screen=screen, style=style, **kwargs)
    return view, clock, screen


def stream(view, clock, text, *, reasoning="", chunk=4, seconds=0.01):
    for i in range(0, len(reasoning), chunk):
        clock.now += seconds
        view.update("", reasoning[: i + chunk])
    for i in range(0, len(text), chunk):
        clock.now += seconds
        view.update(text[: i + chunk], reasoning)
    result = ChatResult(text=text, reasoning=reasoning, model="m", usage=Usage(10, 20, 5, 30))
    clock.now += seconds
    view.finish(result, Status.DONE, {"aiml": {"model": "m"}})
    return result


# -- where blocks end ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "settled"),
    [
        ("one\n\ntwo\n\nthr", "one\n\n"),  # "two" may still grow into a setext heading
        ("one\n\ntwo\n\nthree\n", "one\n\ntwo\n\n"),
        ("- a\n- b\n\n- c\n\nafter\n", "- a\n- b\n\n- c\n\n"),  # a loose list continues
        ("1. a\n\n   more of a\n\nend\n", "1. a\n\n   more of a\n\n"),  # indented: same item
        ("intro\n\n```\nx\n\n\ny\n", "intro\n\n"),  # never inside an open fence
        ("```\nx\n```\nafter\n", "```\nx\n```\n"),  # a closed fence ends a block
        ("para\n```py\nx\n```\n", "para\n```py\nx\n```\n"),
        ("$$\na\n\nb\n$$\n\nnext\n", "$$\na\n\nb\n$$\n\n"),  # nor inside display math
        ("| a |\n|---|\n| 1 |\n", ""),  # a table whose rows keep coming
        ("Title\n=====\n\nText\n", "Title\n=====\n\n"),
        ("> quote\nlazy line\n\nnext\n", "> quote\nlazy line\n\n"),
        ("~~~~\n```\nnot closed by a shorter or other fence\n```\n\nx\n", ""),
    ],
)
def test_blocks_settle_only_where_every_reader_agrees_they_ended(text, settled):
    assert text[: settled_cut(text).end] == settled


def test_an_open_fence_is_reported_with_its_opener():
    cut = settled_cut("intro\n\n```python\na = 1\nb = 2\n")
    assert cut.fence is not None and cut.fence.opener == "```python"
    assert cut.fence_body_end == len("intro\n\n```python\na = 1\nb = 2\n")


# -- what a reader sees -----------------------------------------------------------------


def test_a_short_answer_is_one_output_updated_in_place():
    view, clock, screen = live_view(interval=0.1)
    stream(view, clock, "Just one paragraph, streamed in small chunks.")
    assert len(screen.outputs) == 1
    assert "Just one paragraph" in screen.visible()[0]
    assert screen.outputs[0][2] == {"aiml": {"model": "m"}}


DOCUMENT = (
    "# Title\n\nIntro with a footnote-free [ref link][r] and `code`.\n\n"
    "1. first\n2. second\n\n   still second\n3. third\n\n"
    "Setext heading\n--------------\n\n"
    "```python\n" + "".join(f"x{i} = {i}\n" for i in range(400)) + "```\n\n"
    "| h1 | h2 |\n|----|----|\n" + "".join(f"| {i} | {i * i} |\n" for i in range(30)) + "\n"
    "$$\na^2 + b^2\n\n= c^2\n$$\n\n"
    "> quoted\nlazy\n\n[r]: https://example.org\n\nThe end.\n"
)


@pytest.mark.parametrize("reasoning", ["", "Let me think.\n\nStep one.\n\nStep two, done."])
@pytest.mark.parametrize("mode", ["collapse", "show", "hide"])
def test_the_end_is_one_output_equal_to_the_one_piece_rendering(reasoning, mode):
    view, clock, screen = live_view(interval=0.1, reasoning_mode=mode)
    view.keep_above.append({"text/markdown": "panel", "text/plain": "panel"})
    result = stream(view, clock, DOCUMENT, reasoning=reasoning, chunk=7)
    one_piece = compose_markdown(DOCUMENT, reasoning, result, reasoning_mode=mode)
    assert screen.visible() == ["panel", one_piece]
    assert screen.outputs[-1][2] == {"aiml": {"model": "m"}}
    assert view.display_id == screen.outputs[-1][0]
    assert max(len(seen) for _, seen in screen.frames) > 3, "it streamed as pieces"


HOSTILE = (
    "Intro <img src=x onerror=alert(1)> and [click](javascript:alert(1)).\n\n"
    "```html\n<script>alert(1)</script>\n```\n\n"
    "![pixel](https://tracker.example/p.png)\n\n"
    "<a href='javascript:alert(2)'>x</a>\n\n"
    "- item <iframe src=https://evil.example></iframe>\n- [x](vbscript:msgbox)\n\n"
    "$<img src=y onerror=alert(3)>$\n\n"
    "~~~\n<svg onload=alert(4)>\n~~~\n\n"
    "[ref]: javascript:alert(5)\n\n[go][ref] <b onmouseover=alert(6)>b</b>\n"
)


@pytest.mark.parametrize("reasoning", ["", "think <img src=z onerror=alert(7)>\n\nmore"])
def test_every_intermediate_output_is_safe_at_every_chunk_boundary(reasoning):
    view, clock, screen = live_view(interval=0.0, reasoning_mode="show", fence_piece=40)
    stream(view, clock, HOSTILE, reasoning=reasoning, chunk=1)
    seen = {markdown for _, frame in screen.frames for markdown in frame}
    assert len(seen) > len(HOSTILE) // 2
    unsafe = [markdown for markdown in seen if not is_safe_markdown(without_our_wrapper(markdown))]
    assert unsafe == []


def without_our_wrapper(markdown: str) -> str:
    """The reasoning's `<details>`/`<summary>` is the one piece of HTML we write ourselves."""
    markdown = re.sub(r"<details( open)?><summary>[^<]*</summary>", "", markdown)
    return markdown.replace("</details>", "")


def test_a_long_fence_is_shown_as_pieces_and_ends_as_one_block():
    code = "```python\n" + "".join(f"print({i})\n" for i in range(2000)) + "```\n"
    view, clock, screen = live_view(interval=0.1, fence_piece=2_000)
    stream(view, clock, code, chunk=40)
    largest_update = max(len(b.get("text/markdown", "")) for b in _bundles(screen))
    assert largest_update < 6_000
    assert screen.visible()[-1].count("```") == 2


def _bundles(screen):
    # every bundle sent except the final consolidated one
    sizes = []
    last = None
    for _, frame in screen.frames[:-1]:
        for markdown in frame:
            if markdown is not last:
                sizes.append({"text/markdown": markdown})
    return sizes


# -- the arithmetic of live rendering ----------------------------------------------------


def test_a_paced_answer_never_stands_still_longer_than_the_interval():
    """6 KB at about 100 tokens/s (4 characters every 10 ms, like a real model)."""
    text = mixed_markdown(6_000)
    live, clock, screen = live_view(interval=0.1)
    stream(live, clock, text, chunk=4, seconds=0.01)
    assert screen.longest_still() <= 0.1 + 0.02

    classic_clock = FakeClock()
    classic_screen = RecordingScreen(classic_clock)
    classic = DisplayView(
        clock=classic_clock,
        style=AnswerStyle(update_interval=0.1),
        publish=lambda bundle, meta, first: classic_screen.show(bundle),
    )
    stream(classic, classic_clock, text, chunk=4, seconds=0.01)
    assert classic_screen.longest_still() > 1.0  # what users saw before


def largest_update_while_streaming(size: int) -> tuple[LiveView, int]:
    """200 characters every 2 ms: 10,000 characters arrive per 0.1 s interval."""
    view, clock, _ = live_view(interval=0.1)
    stream(view, clock, mixed_markdown(size), chunk=200, seconds=0.002)
    return view, max(view.stats.sizes[:-1])


def test_bytes_stay_bounded_and_no_update_grows_with_the_answer():
    small, small_largest = largest_update_while_streaming(100_000)
    large, large_largest = largest_update_while_streaming(1_000_000)
    for view in (small, large):
        assert view.stats.bytes_sent <= 3 * view.stats.final_bytes
    # an update carries what arrived in one interval (markdown + plain text), not the answer
    assert large_largest <= 1.2 * small_largest
    assert large_largest <= 3 * 10_000


def test_a_failure_before_anything_was_shown_shows_nothing():
    view, clock, screen = live_view()
    view.finish(None, Status.FAILED, None)
    assert screen.outputs == []


def test_an_interrupted_answer_is_consolidated_and_leaves_its_ending_to_the_error():
    view, clock, screen = live_view(interval=0.0)
    text = mixed_markdown(3_000)
    for i in range(0, 1_500, 50):
        clock.now += 0.01
        view.update(text[: i + 50], "")
    partial = ChatResult(text=text[:1_550], complete=False)
    view.finish(partial, Status.INTERRUPTED, None)
    (final,) = screen.visible()
    assert final.startswith(text[:1_500].strip()[:200]) and "interrupted" not in final


def test_notes_stay_above_the_answer():
    view, clock, screen = live_view(interval=0.0)
    view.notice("waiting 1.0 s before retry 1 of 2 (429 Too Many Requests)")
    stream(view, clock, mixed_markdown(2_000), chunk=50)
    final = screen.visible()[-1]
    assert final.index("retry 1 of 2") < final.index("A section")


# -- through the real magic ---------------------------------------------------------------


class Published:
    """The shell's display publisher, replaced: every bundle a frontend would receive."""

    def __init__(self) -> None:
        self.markdown: list[str] = []
        self.visible: list[list] = []  # [display id, markdown] after the last clear
        self._clear = False

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False):
        markdown = data.get("text/markdown")
        if markdown is None:
            return
        self.markdown.append(markdown)
        display_id = (transient or {}).get("display_id")
        if update:
            for shown in self.visible:
                if shown[0] == display_id:
                    shown[1] = markdown
            return
        if self._clear:
            self.visible.clear()
            self._clear = False
        self.visible.append([display_id, markdown])

    def clear_output(self, wait=False):
        self._clear = True


@pytest.fixture
def published(ip):
    from IPython.core.displaypub import DisplayPublisher

    recorder = Published()
    original = ip.display_pub
    ip.display_pub = DisplayPublisher(shell=ip)
    ip.display_pub.publish = recorder.publish
    ip.display_pub.clear_output = recorder.clear_output
    yield recorder
    ip.display_pub = original


EDGE_CASES = {
    "a list that continues after a blank line": "- one\n- two\n\n- three\n\nAfter.\n",
    "a fence that a later line closes": "```\n<img src=x onerror=alert(1)>\n\n\nstill code\n```\n",
    "a setext underline after its text": "Heading\n=======\n\nText <b onclick=x>.\n",
    "a table whose rows keep coming": "| a | b |\n|---|---|\n"
    + "".join(f"| {i} | <i>{i}</i> |\n" for i in range(20)),
    "hostile markup everywhere": HOSTILE,
}


@pytest.mark.parametrize("answer", list(EDGE_CASES.values()), ids=list(EDGE_CASES))
def test_a_live_cell_is_safe_at_every_step_and_ends_as_one_piece(
    ip, magics, aiml_simulator, published, answer
):
    magics.update_interval = 0.0
    aiml_simulator.script(Reply(content=answer, reasoning="think\n\nmore", chunk_size=3))
    out = ip.run_cell("%%aiml --no-panel\nHi", cell_id="live-cell")  # as a live frontend
    assert out.error_in_exec is None
    assert len(published.markdown) > len(answer) // 6, "it streamed through many updates"
    unsafe = [m for m in published.markdown if not is_safe_markdown(without_our_wrapper(m))]
    assert unsafe == []
    result = magics.session.namespace["_aiml"]
    one_piece = compose_markdown(answer, result.reasoning, result, reasoning_mode="collapse")
    assert [markdown for _, markdown in published.visible] == [one_piece]
