"""Rendering: throttled in-place updates stay cheap; the final state is exact."""

from __future__ import annotations

import io

import pytest

from aiml_magics.api.result import ChatResult, Usage, format_money
from aiml_magics.chat.view import Status
from aiml_magics.display.compose import footer_text
from aiml_magics.display.style import AnswerStyle
from aiml_magics.display.views import DisplayView, TerminalView, Throttle


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def stream_into(view, clock, text, reasoning="", piece=8, seconds_per_piece=0.01):
    for i in range(0, len(reasoning), piece):
        clock.now += seconds_per_piece
        view.update("", reasoning[: i + piece])
    for i in range(0, len(text), piece):
        clock.now += seconds_per_piece
        view.update(text[: i + piece], reasoning)
    result = ChatResult(text=text, reasoning=reasoning, model="m", usage=Usage(1, 2, 0, 3))
    view.finish(result, Status.DONE)
    return result


def recording_view(interval: float = 0.1, **kwargs):
    published = []
    clock = FakeClock()
    view = DisplayView(
        clock=clock,
        publish=lambda b, m, first: published.append((b, m, first)),
        style=AnswerStyle(update_interval=interval),
        **kwargs,
    )
    return view, clock, published


def test_throttle_waits_for_the_interval_and_for_the_text_to_double():
    throttle = Throttle(interval=0.1)
    assert throttle.due(1, now=0.0)  # first text at once
    throttle.mark(100, 0.0)
    assert not throttle.due(500, now=0.05)  # too soon
    assert not throttle.due(150, now=1.0)  # not grown enough
    assert throttle.due(200, now=1.0)


@pytest.mark.parametrize("size", [1_000, 100_000, 1_000_000])
def test_bytes_sent_stay_under_three_times_the_final_bundle(size):
    view, clock, published = recording_view(interval=0.1)
    paragraph = "Some words of an answer with `code` and **bold** text.\n\n"
    text = (paragraph * (size // len(paragraph) + 1))[:size]
    stream_into(view, clock, text, piece=max(8, size // 2000))
    assert view.stats.bytes_sent <= 3 * view.stats.final_bytes
    assert view.stats.publishes == len(published) >= 2
    final_bundle = published[-1][0]
    assert text.strip()[:100] in final_bundle["text/markdown"]
    assert final_bundle["text/plain"].startswith(text)


def test_first_text_is_shown_at_once_even_after_long_reasoning():
    view, clock, published = recording_view(interval=10.0)
    for i in range(1, 200):
        clock.now += 0.001
        view.update("", "r" * (i * 20))
    count = len(published)
    clock.now += 0.001
    view.update("Hello", "r" * 4000)
    assert len(published) == count + 1
    assert "Hello" in published[-1][0]["text/markdown"]


def test_reasoning_is_open_while_thinking_and_collapsed_at_the_end():
    view, clock, published = recording_view(interval=0.0)
    stream_into(view, clock, "The answer.", reasoning="Let me think about it." * 3)
    thinking = [b["text/markdown"] for b, _, _ in published if "thinking" in b["text/markdown"]]
    assert thinking and all("<details open>" in md for md in thinking)
    assert "<details><summary>" in published[-1][0]["text/markdown"]
    assert published[0][2] is True and all(first is False for _, _, first in published[1:])


def test_notices_are_shown_immediately():
    view, _, published = recording_view()
    view.notice("waiting 2.0 s before retry 1 of 2 (429 Too Many Requests)")
    assert "retry 1 of 2" in published[-1][0]["text/markdown"]
    assert "retry 1 of 2" in published[-1][0]["text/plain"]


def test_footer_reports_model_tokens_cost_speed_and_state():
    result = ChatResult(
        text="x",
        model="seed-1-8-251228",
        requested_model="bytedance/seed-1-8",
        usage=Usage(42, 922, 606, 964),
        credits_used=3897,
        duration=10.0,
    )
    footer = footer_text(result)
    assert "bytedance/seed-1-8 (seed-1-8-251228)" in footer
    assert "42 prompt / 922 completion (606 reasoning) tokens" in footer
    assert "3,897 credits" in footer and "$0.00194" in footer
    assert "10.0 s" in footer and "92 tok/s" in footer
    assert footer_text(None) == ""  # how a failed turn ended is its error's to say


def test_a_total_reads_the_same_whatever_order_it_was_summed_in():
    amounts = [0.000117, 0.0001125, 0.0001135, 0.000116, 0.000112, 0.000113, 0.0001155, 0.00011]
    orders = [amounts, amounts[::-1], sorted(amounts), amounts[3:] + amounts[:3]]
    assert len({sum(order) for order in orders}) > 1  # the floats differ in their last bits
    assert len({format_money(sum(order)) for order in orders}) == 1


def test_money_formatting():
    assert format_money(0) == "$0"
    assert format_money(0.0019495) == "$0.00195"
    assert format_money(1.5) == "$1.5"


def test_terminal_view_streams_plain_text_without_control_characters():
    out = io.StringIO()
    view = TerminalView(stream=out)
    view.update("", "hmm")
    view.update("Hello \x1b[31mred\x1b[0m", "hmm")
    view.update("Hello \x1b[31mred\x1b[0m world", "hmm")
    view.finish(ChatResult(text="Hello \x1b[31mred\x1b[0m world", reasoning="hmm", model="m"))
    printed = out.getvalue()
    assert "Hello [31mred[0m world" in printed
    assert "\x1b[31m" not in printed
    assert printed.count("Hello") == 1 and "[reasoning]" in printed and "m" in printed
