"""One recording (`chat/replay/records.py`): what a line keeps, and which lines are refused."""

from __future__ import annotations

import json

import pytest

from aiml_magics.api.result import ChatResult, ToolCall, Usage
from aiml_magics.chat.replay.key import canonical_request, request_key
from aiml_magics.chat.replay.records import Recording

REQUEST = canonical_request("m", [{"role": "user", "content": "q"}], {})


def test_a_recording_line_round_trips():
    result = ChatResult(
        text="t",
        reasoning="r",
        model="up",
        usage=Usage(1, 2, 0, 3),
        credits_used=10,
        inference_id="abc",
        tool_calls=[ToolCall("id1", "f", "{}")],
    )
    parsed = Recording.parse(Recording.of(REQUEST, result).line())
    back = parsed.result("m")
    assert (back.text, back.reasoning, back.model, back.inference_id) == ("t", "r", "up", "abc")
    assert back.tool_calls[0].name == "f" and back.usage.total_tokens == 3
    assert back.credits_used is None and back.credits_saved == 10 and back.replayed


def test_a_line_is_one_line_of_json_keyed_by_the_request():
    result = ChatResult(text="two\nlines", credits_used=4.5, usd_spent=0.01, model="up")
    recording = Recording.of(REQUEST, result, cell="the cell")
    line = recording.line()
    assert line.endswith("\n") and line.count("\n") == 1
    data = json.loads(line)
    assert data["format"] == "aiml-replay" and data["version"] == 1
    assert data["key"] == request_key(REQUEST) and data["request"] == REQUEST
    assert data["cell"] == "the cell" and data["answer"]["text"] == "two\nlines"
    assert (recording.credits, recording.dollars) == (4.5, 0.01)
    assert recording.date == recording.recorded[:10] and len(recording.date) == 10


def test_the_replayed_result_keeps_what_was_shown_and_the_model_asked_for():
    result = ChatResult(text="t", finish_reason="stop", simulated=True, params={"seed": 1})
    back = Recording.parse(Recording.of(REQUEST, result).line()).result("asked/model")
    assert back.requested_model == "asked/model" and back.finish_reason == "stop"
    assert back.simulated and back.params == {"seed": 1} and back.usage is None
    assert back.credits_saved == 0.0 and back.recorded


@pytest.mark.parametrize(
    "line",
    [
        "not json at all",
        '{"format": "aiml-replay", "key": "cut short',
        "[1, 2]",
        '{"format": "other", "key": "k", "request": {}, "answer": {"text": ""}}',
        '{"format": "aiml-replay", "request": {}, "answer": {"text": ""}}',
        '{"format": "aiml-replay", "key": "k", "request": [], "answer": {"text": ""}}',
        '{"format": "aiml-replay", "key": "k", "request": {}, "answer": {"text": 3}}',
    ],
)
def test_anything_but_a_whole_recording_is_refused(line):
    with pytest.raises(ValueError):
        Recording.parse(line)


def test_a_minimal_recording_is_accepted():
    line = '{"format": "aiml-replay", "key": "k", "request": {}, "answer": {"text": ""}}'
    recording = Recording.parse(line)
    assert (recording.key, recording.recorded, recording.cell) == ("k", "", "")
    assert recording.result("m").text == ""
