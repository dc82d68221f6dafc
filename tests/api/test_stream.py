"""How chat-completion streams become typed events and a `ChatResult`.

Each test is one rule of the service's streaming protocol (see the "Streaming" section of the
service reference); the two captures are quoted from it verbatim.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from aiml_magics.api import errors
from aiml_magics.api.events import (
    ContentDelta,
    CostUpdate,
    Done,
    Finish,
    ModelName,
    ReasoningDelta,
    ToolCallDelta,
    UsageUpdate,
)
from aiml_magics.api.result import ToolCall, Usage
from aiml_magics.api.sse import ServerSentEvent, iter_sse
from aiml_magics.api.stream import StreamAccumulator, decode_events, result_from_response

QWEN_CAPTURE = """\
data: {"id":"chatcmpl-81","choices":[{"delta":{"content":null,"role":"assistant","refusal":null,"reasoning_content":""},"index":0,"finish_reason":null}],"created":1753944369,"model":"qwen3-32b","object":"chat.completion.chunk","usage":null}

data: {"id":"chatcmpl-81","choices":[{"delta":{"content":null,"refusal":null,"reasoning_content":"Okay, the user said hello."},"index":0,"finish_reason":null}],"created":1753944369,"model":"qwen3-32b","object":"chat.completion.chunk","usage":null}

data: {"id":"chatcmpl-81","choices":[{"delta":{"content":"Hello! How can I assist you today?","refusal":null,"reasoning_content":null},"index":0,"finish_reason":null}],"created":1753944369,"model":"qwen3-32b","object":"chat.completion.chunk","usage":null}

data: {"id":"chatcmpl-81","choices":[{"delta":{"content":"","refusal":null,"reasoning_content":null},"index":0,"finish_reason":"stop"}],"created":1753944369,"model":"qwen3-32b","object":"chat.completion.chunk","usage":null}

data: {"id":"chatcmpl-81","choices":[],"created":1753944369,"model":"qwen3-32b","object":"chat.completion.chunk","usage":{"prompt_tokens":13,"completion_tokens":2010,"total_tokens":2023,"completion_tokens_details":{"reasoning_tokens":82}}}

data: [DONE]
"""  # noqa: E501

CLAUDE_ENDING = """\
data: {"id":"","choices":[{"index":0,"delta":{"content":"","role":"assistant","refusal":null},"finish_reason":"stop"}],"created":1770995598,"model":"claude-sonnet-4-5-20250929","object":"chat.completion.chunk","usage":{"prompt_tokens":16,"completion_tokens":137,"total_tokens":153}}

data: {"id":"","choices":[{"index":0,"finish_reason":"stop"}],"created":1770995598,"model":"claude-sonnet-4-5-20250929","object":"chat.completion.chunk","usage":null}
"""  # noqa: E501


# --- helpers: a stream is written as the payloads the service would send -------------------


def sse_body(*payloads: dict[str, Any] | str) -> bytes:
    """`data:` events, one per payload; dicts are sent as JSON, strings as they are."""
    return b"".join(
        f"data: {p if isinstance(p, str) else json.dumps(p)}\n\n".encode() for p in payloads
    )


def delta(finish_reason: str | None = None, **fields: Any) -> dict[str, Any]:
    """A chunk with one choice whose delta holds `fields`."""
    return {"choices": [{"index": 0, "delta": fields, "finish_reason": finish_reason}]}


def finish(reason: str = "stop") -> dict[str, Any]:
    return delta(finish_reason=reason)


def events(body: bytes | str) -> list[Any]:
    raw = body.encode() if isinstance(body, str) else body
    return list(decode_events(iter_sse([raw])))


def accumulate(body: bytes | str) -> StreamAccumulator:
    acc = StreamAccumulator()
    for event in events(body):
        acc.feed(event)
    return acc


def events_until_error(body: bytes) -> tuple[list[Any], Exception]:
    """What was yielded before the stream raised, and the error."""
    seen: list[Any] = []
    with pytest.raises(errors.AimlError) as caught:
        for event in decode_events(iter_sse([body])):
            seen.append(event)
    return seen, caught.value


# --- the documented captures ----------------------------------------------------------------


def test_qwen_reasoning_capture():
    assert events(QWEN_CAPTURE) == [
        ModelName("qwen3-32b"),
        ReasoningDelta("Okay, the user said hello."),
        ContentDelta("Hello! How can I assist you today?"),
        Finish("stop"),
        UsageUpdate(
            Usage(prompt_tokens=13, completion_tokens=2010, reasoning_tokens=82, total_tokens=2023)
        ),
        Done(),
    ]


def test_qwen_capture_accumulates_to_a_complete_result():
    result = accumulate(QWEN_CAPTURE).result(requested_model="alibaba/qwen3-32b")
    assert result.text == "Hello! How can I assist you today?"
    assert result.reasoning == "Okay, the user said hello."
    assert result.model == "qwen3-32b"
    assert result.requested_model == "alibaba/qwen3-32b"
    assert result.finish_reason == "stop"
    assert result.usage == Usage(13, 2010, 82, 2023, 0)
    assert result.complete is True


def test_qwen_capture_split_at_every_byte_offset_gives_the_same_events():
    raw = QWEN_CAPTURE.replace("\n", "\r\n").encode()
    expected = events(QWEN_CAPTURE)
    for cut in range(len(raw) + 1):
        pieces = [raw[:cut], raw[cut:]]
        assert list(decode_events(iter_sse(pieces))) == expected, f"cut at byte {cut}"


def test_claude_capture_ends_cleanly_without_done_after_a_finish_reason():
    assert events(CLAUDE_ENDING) == [
        ModelName("claude-sonnet-4-5-20250929"),
        Finish("stop"),
        UsageUpdate(Usage(prompt_tokens=16, completion_tokens=137, total_tokens=153)),
        Finish("stop"),  # the second finish chunk has no delta at all
        Done(),
    ]


def test_claude_stream_accumulates_text_usage_and_finish():
    opening = sse_body(
        {
            "id": "msg_1",
            "model": "claude-sonnet-4-5-20250929",
            **delta(content="Hi", role="assistant"),
        },
        delta(content=" there"),
    )
    acc = accumulate(opening + CLAUDE_ENDING.encode())
    assert (acc.text, acc.finish_reason, acc.done) == ("Hi there", "stop", True)
    assert acc.usage == Usage(16, 137, 0, 153, 0)
    assert acc.result().complete is True


# --- end of stream ----------------------------------------------------------------------------


def test_done_ends_the_stream_and_anything_after_it_is_ignored():
    body = sse_body(delta(content="a"), "[DONE]", delta(content="late"), "not json")
    assert events(body) == [ContentDelta("a"), Done()]


def test_done_ends_the_stream_even_without_a_finish_reason():
    assert events(sse_body(delta(content="a"), "[DONE]")) == [ContentDelta("a"), Done()]


def test_a_stream_cut_before_any_finish_reason_raises_after_the_partial_text():
    seen, error = events_until_error(sse_body(delta(content="Half an ans")))
    assert seen == [ContentDelta("Half an ans")]
    assert type(error) is errors.StreamError
    assert "ended before the answer was complete" in str(error)


def test_an_empty_stream_is_incomplete():
    with pytest.raises(errors.StreamError, match="ended before"):
        events(b"")


def test_a_stream_of_keep_alives_only_is_incomplete():
    with pytest.raises(errors.StreamError, match="ended before"):
        events(b": ping\n\n: ping\n\n")


def test_a_clean_close_after_a_finish_reason_is_done():
    assert events(sse_body(delta(content="a"), finish()))[-2:] == [Finish("stop"), Done()]


def test_a_payload_cut_mid_json_at_the_end_is_malformed_not_complete():
    body = sse_body(delta(content="a"), finish()) + b'data: {"choices": [{"del'
    with pytest.raises(errors.StreamError, match="malformed"):
        events(body)


def test_an_accumulator_fed_a_cut_stream_reports_an_incomplete_result():
    acc = StreamAccumulator()
    with pytest.raises(errors.StreamError):
        for event in decode_events(iter_sse([sse_body(delta(content="Half"))])):
            acc.feed(event)
    result = acc.result()
    assert (result.text, result.complete) == ("Half", False)


# --- errors -----------------------------------------------------------------------------------


def test_an_error_payload_mid_stream_raises_with_its_message():
    body = sse_body(
        delta(content="Hel"),
        {"error": {"message": "Upstream overloaded", "type": "server_error", "code": 503}},
    )
    seen, error = events_until_error(body)
    assert seen == [ContentDelta("Hel")]
    assert type(error) is errors.ServerError
    assert error.status == 503
    assert "Upstream overloaded" in str(error)


def test_the_error_status_picks_the_error_type():
    body = sse_body({"error": {"message": "Too Many Requests", "code": "429"}})
    assert type(events_until_error(body)[1]) is errors.RateLimitError


def test_an_error_payload_without_status_is_a_service_error():
    _, error = events_until_error(sse_body({"error": "model crashed"}))
    assert type(error) is errors.ServerError
    assert error.status is None
    assert "model crashed" in str(error)


def test_the_services_flat_error_body_mid_stream_raises():
    body = sse_body({"message": "You've run out of credits.", "statusCode": "403"})
    _, error = events_until_error(body)
    assert type(error) is errors.OutOfCreditsError


def test_an_error_event_is_an_error_payload():
    body = b'event: error\ndata: {"error": {"message": "Generation timeout", "code": 504}}\n\n'
    _, error = events_until_error(body)
    assert type(error) is errors.ServerError
    assert "Generation timeout" in str(error)


def test_other_event_names_are_ignored():
    body = b"event: ping\ndata: {}\n\nevent: metrics\ndata: not json\n\n" + sse_body(
        delta(content="a"), "[DONE]"
    )
    assert events(body) == [ContentDelta("a"), Done()]


def test_errors_carry_the_inference_id_when_given():
    raw = sse_body({"error": {"message": "boom"}})
    with pytest.raises(errors.ServerError) as caught:
        list(decode_events(iter_sse([raw]), inference_id="inf-1"))
    assert "inf-1" in str(caught.value)


def test_a_chunk_that_is_not_json_is_malformed_and_quoted_briefly():
    garbage = "<html>" + "x" * 500 + "</html>"
    _, error = events_until_error(sse_body(garbage))
    assert type(error) is errors.StreamError
    assert str(error.message).startswith("The service sent a malformed stream chunk")
    assert "<html>xxx" in error.message
    assert len(error.message) < 160


def test_a_chunk_that_is_json_but_not_an_object_is_malformed():
    with pytest.raises(errors.StreamError, match="malformed"):
        events(sse_body("[1, 2]"))


def test_a_chunk_with_trailing_text_after_the_object_is_malformed():
    with pytest.raises(errors.StreamError, match="malformed"):
        events(sse_body('{"choices": []} trailing'))


def test_whitespace_around_a_payload_is_tolerated():
    body = b'data:  {"choices": [{"delta": {"content": "a"}}]} \n\ndata:  [DONE] \n\n'
    assert events(body) == [ContentDelta("a"), Done()]


def test_an_empty_payload_is_a_keep_alive():
    assert events(b"data:\n\n" + sse_body(delta(content="a"), "[DONE]")) == [
        ContentDelta("a"),
        Done(),
    ]


# --- choices and deltas -----------------------------------------------------------------------


def test_missing_or_empty_choices_yield_nothing():
    body = sse_body({"id": "x"}, {"choices": []}, {"choices": None}, "[DONE]")
    assert events(body) == [Done()]


def test_a_choice_may_lack_a_delta():
    assert events(sse_body({"choices": [{"index": 0}]}, "[DONE]")) == [Done()]


def test_null_empty_or_absent_content_yields_nothing():
    body = sse_body(delta(content=None), delta(content=""), delta(role="assistant"), "[DONE]")
    assert events(body) == [Done()]


def test_reasoning_may_arrive_as_reasoning_content_or_as_reasoning():
    body = sse_body(delta(reasoning_content="one "), delta(reasoning="two"), "[DONE]")
    assert events(body) == [ReasoningDelta("one "), ReasoningDelta("two"), Done()]


def test_reasoning_sent_under_both_names_is_counted_once():
    body = sse_body(delta(reasoning_content="think", reasoning="think"), "[DONE]")
    assert events(body) == [ReasoningDelta("think"), Done()]


def test_empty_reasoning_content_falls_back_to_reasoning():
    body = sse_body(delta(reasoning_content="", reasoning="think"), "[DONE]")
    assert events(body) == [ReasoningDelta("think"), Done()]


def test_reasoning_comes_before_content_in_the_same_delta():
    body = sse_body(delta(reasoning_content="r", content="c"), "[DONE]")
    assert events(body) == [ReasoningDelta("r"), ContentDelta("c"), Done()]


def test_the_model_name_is_reported_once_from_the_first_chunk_naming_it():
    body = sse_body(
        {"model": "", **delta(content="a")},
        {"model": "m1", **delta(content="b")},
        {"model": "m2", **delta(content="c")},
        "[DONE]",
    )
    assert [e for e in events(body) if isinstance(e, ModelName)] == [ModelName("m1")]


def test_unknown_keys_and_empty_ids_are_ignored():
    chunk = {
        "id": "",
        "obfuscation": "Xy",
        "system_fingerprint": "fp",
        "choices": [
            {"index": 0, "delta": {"content": "a", "extra": 1}, "native_finish_reason": "end"}
        ],
    }
    assert events(sse_body(chunk, "[DONE]")) == [ContentDelta("a"), Done()]


def test_only_the_first_choice_is_followed():
    chunk = {
        "choices": [
            {"index": 1, "delta": {"content": "other"}},
            {"index": 0, "delta": {"content": "first"}},
        ]
    }
    assert events(sse_body(chunk, "[DONE]")) == [ContentDelta("first"), Done()]


def test_keep_alive_comments_between_chunks_change_nothing():
    body = b": OPENROUTER PROCESSING\n\n" + sse_body(delta(content="a"), "[DONE]")
    assert events(body) == [ContentDelta("a"), Done()]


# --- finish, usage and cost -------------------------------------------------------------------


def test_every_non_null_finish_reason_is_reported_and_the_last_one_kept():
    body = sse_body(finish("stop"), delta(content=""), finish("length"), "[DONE]")
    assert [e for e in events(body) if isinstance(e, Finish)] == [Finish("stop"), Finish("length")]
    assert accumulate(body).finish_reason == "length"


def test_openai_style_usage_chunk_with_empty_choices():
    usage = {
        "prompt_tokens": 5,
        "completion_tokens": 7,
        "total_tokens": 12,
        "prompt_tokens_details": {"cached_tokens": 2},
    }
    body = sse_body(
        delta(content="a", role="assistant"), finish(), {"choices": [], "usage": usage}, "[DONE]"
    )
    assert events(body)[-2] == UsageUpdate(Usage(5, 7, 0, 12, 2))


def test_usage_may_come_on_any_chunk_and_the_last_non_null_one_is_kept():
    body = sse_body(
        {**delta(content="a"), "usage": {"prompt_tokens": 1, "completion_tokens": 1}},
        {**finish(), "usage": {"prompt_tokens": 1, "completion_tokens": 9}},
        {"choices": [], "usage": None},
        "[DONE]",
    )
    assert accumulate(body).usage == Usage(1, 9, 0, 10, 0)


def test_cost_from_meta_usage_on_the_last_chunk():
    body = sse_body(
        delta(content="a"),
        finish(),
        {"choices": [], "meta": {"usage": {"credits_used": 3897, "usd_spent": 0.0019}}},
        "[DONE]",
    )
    assert CostUpdate(credits_used=3897.0, usd_spent=0.0019) in events(body)
    acc = accumulate(body)
    assert (acc.credits_used, acc.usd_spent) == (3897.0, 0.0019)


def test_cost_from_meta_usage_on_an_earlier_chunk_survives_later_chunks():
    body = sse_body(
        {**delta(content="a"), "meta": {"usage": {"credits_used": 100}}},
        {**finish(), "meta": {"usage": {"usd_spent": "0.5"}}},
        {**delta(content="b"), "meta": {"usage": {"credits_used": None}}},
        "[DONE]",
    )
    result = accumulate(body).result()
    assert (result.credits_used, result.usd_spent) == (100.0, 0.5)
    assert result.dollars == 0.5


def test_meta_without_cost_figures_yields_nothing():
    body = sse_body({"choices": [], "meta": {"usage": {}}}, {"choices": [], "meta": {}}, "[DONE]")
    assert events(body) == [Done()]


# --- tool calls -------------------------------------------------------------------------------


def tool_fragment(
    index: int | None = 0,
    id: str | None = None,
    name: str | None = None,
    arguments: str | None = None,
) -> dict[str, Any]:
    """A chunk carrying one `delta.tool_calls[]` fragment; absent fields are left out."""
    fragment: dict[str, Any] = {} if index is None else {"index": index}
    function: dict[str, Any] = {}
    if id is not None:
        fragment.update(id=id, type="function")
    if name is not None:
        function["name"] = name
    if arguments is not None:
        function["arguments"] = arguments
    if function:
        fragment["function"] = function
    return delta(tool_calls=[fragment])


def test_a_tool_call_split_across_fragments_is_assembled():
    body = sse_body(
        tool_fragment(0, "call_1", "get_weather", ""),
        tool_fragment(0, arguments='{"city": '),
        tool_fragment(0, arguments='"Paris"}'),
        finish("tool_calls"),
        "[DONE]",
    )
    assert [e for e in events(body) if isinstance(e, ToolCallDelta)] == [
        ToolCallDelta(index=0, id="call_1", name="get_weather", arguments=""),
        ToolCallDelta(index=0, id=None, name=None, arguments='{"city": '),
        ToolCallDelta(index=0, id=None, name=None, arguments='"Paris"}'),
    ]
    result = accumulate(body).result()
    assert result.tool_calls == [ToolCall("call_1", "get_weather", '{"city": "Paris"}')]
    assert result.tool_calls[0].parsed_arguments() == {"city": "Paris"}
    assert result.finish_reason == "tool_calls"


def test_a_fragment_without_index_or_arguments_uses_the_defaults():
    body = sse_body(tool_fragment(None, "call_1", "now"), finish("tool_calls"))
    assert events(body)[0] == ToolCallDelta(index=0, id="call_1", name="now", arguments="")
    assert accumulate(body).tool_calls == [ToolCall("call_1", "now", "")]


def test_parallel_tool_calls_at_distinct_indexes():
    body = sse_body(
        tool_fragment(0, "call_a", "add", ""),
        tool_fragment(1, "call_b", "mul", ""),
        tool_fragment(1, arguments='{"x": 2}'),
        tool_fragment(0, arguments='{"x": 1}'),
        finish("tool_calls"),
        "[DONE]",
    )
    assert accumulate(body).tool_calls == [
        ToolCall("call_a", "add", '{"x": 1}'),
        ToolCall("call_b", "mul", '{"x": 2}'),
    ]


def test_parallel_tool_calls_reusing_index_0_are_told_apart_by_their_ids():
    body = sse_body(
        tool_fragment(0, "call_a", "add", '{"x"'),
        tool_fragment(0, arguments=": 1}"),
        tool_fragment(0, "call_b", "mul", '{"x"'),
        tool_fragment(0, arguments=": 2}"),
        finish("tool_calls"),
        "[DONE]",
    )
    assert accumulate(body).tool_calls == [
        ToolCall("call_a", "add", '{"x": 1}'),
        ToolCall("call_b", "mul", '{"x": 2}'),
    ]


def test_a_repeated_id_at_the_same_index_continues_the_call():
    body = sse_body(
        tool_fragment(0, "call_a", "add", "{"),
        tool_fragment(0, "call_a", None, "}"),
        finish("tool_calls"),
    )
    assert accumulate(body).tool_calls == [ToolCall("call_a", "add", "{}")]


def test_tool_call_arguments_sent_as_an_object_become_json_text():
    body = sse_body(
        delta(
            tool_calls=[{"index": 0, "id": "c", "function": {"name": "f", "arguments": {"a": 1}}}]
        ),
        finish("tool_calls"),
    )
    assert accumulate(body).tool_calls == [ToolCall("c", "f", '{"a": 1}')]


# --- the accumulator --------------------------------------------------------------------------


def test_text_so_far_can_be_read_at_any_time():
    acc = StreamAccumulator()
    acc.feed(ContentDelta("Hel"))
    acc.feed(ContentDelta("lo"))
    assert acc.text == "Hello"
    acc.feed(ContentDelta(", world"))
    assert acc.text == "Hello, world"
    assert acc.text == "Hello, world"
    assert (acc.reasoning, acc.tool_calls, acc.done) == ("", [], False)


def test_the_result_carries_the_callers_extras():
    acc = accumulate(sse_body({"model": "up-1", **delta(content="a")}, finish(), "[DONE]"))
    result = acc.result(
        requested_model="m",
        inference_id="inf",
        simulated=True,
        duration=2.0,
        params={"temperature": 0.2},
    )
    assert (result.model, result.requested_model, result.inference_id) == ("up-1", "m", "inf")
    assert (result.simulated, result.duration, result.params) == (True, 2.0, {"temperature": 0.2})
    assert result.complete is True and result.raw is None


def test_complete_can_be_overridden_for_an_interrupted_stream():
    acc = accumulate(sse_body(delta(content="a"), "[DONE]"))
    assert acc.result(complete=False).complete is False


# --- non-streamed responses -------------------------------------------------------------------

DOCUMENTED_RESPONSE = {
    "id": "021769655407356f0a583d75381f7c0a662383f3247915e311aa6",
    "object": "chat.completion",
    "created": 1769655426,
    "model": "seed-1-8-251228",
    "service_tier": "default",
    "choices": [
        {
            "index": 0,
            "finish_reason": "stop",
            "logprobs": None,
            "message": {
                "role": "assistant",
                "content": "Hi there! ...",
                "reasoning_content": "Got it, let's tackle this question ...",
            },
        }
    ],
    "usage": {
        "prompt_tokens": 42,
        "completion_tokens": 922,
        "total_tokens": 964,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 606},
    },
    "meta": {"usage": {"credits_used": 3897}},
}

OLDER_RESPONSE = {
    "id": "chatcmpl-abc123",
    "object": "chat.completion",
    "created": 1740000000,
    "model": "bytedance/seed-1-8",
    "choices": [
        {
            "index": 0,
            "finish_reason": "stop",
            "logprobs": None,
            "message": {
                "role": "assistant",
                "content": "Hello!",
                "refusal": None,
                "annotations": None,
                "audio": None,
                "tool_calls": None,
            },
        }
    ],
    "usage": {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13},
}


def test_the_documented_non_streamed_response():
    result = result_from_response(DOCUMENTED_RESPONSE, {"x-inference-id": "inf-9"})
    assert result.text == "Hi there! ..."
    assert result.reasoning == "Got it, let's tackle this question ..."
    assert result.model == "seed-1-8-251228"
    assert result.finish_reason == "stop"
    assert result.usage == Usage(42, 922, 606, 964, 0)
    assert (result.credits_used, result.usd_spent) == (3897.0, None)
    assert result.inference_id == "inf-9"
    assert result.raw is DOCUMENTED_RESPONSE
    assert (result.complete, result.simulated, result.tool_calls) == (True, False, [])


def test_the_older_chatcmpl_response_with_null_extras():
    result = result_from_response(OLDER_RESPONSE)
    assert (result.text, result.reasoning, result.tool_calls) == ("Hello!", "", [])
    assert result.usage == Usage(10, 3, 0, 13, 0)
    assert (result.credits_used, result.inference_id) == (None, None)


def test_cost_falls_back_to_the_response_headers():
    headers = {"X-AimlAPI-Credits-Used": "3897", "x-aimlapi-usd-spent": "0.0019485"}
    result = result_from_response(OLDER_RESPONSE, headers)
    assert (result.credits_used, result.usd_spent) == (3897.0, 0.0019485)


def test_cost_in_the_body_wins_over_the_headers():
    headers = {"x-aimlapi-credits-used": "1", "x-aimlapi-usd-spent": "0.25"}
    result = result_from_response(DOCUMENTED_RESPONSE, headers)
    assert (result.credits_used, result.usd_spent) == (3897.0, 0.25)


def test_unparseable_cost_headers_are_ignored():
    result = result_from_response(OLDER_RESPONSE, {"x-aimlapi-credits-used": "n/a"})
    assert result.credits_used is None


def test_the_simulator_header_marks_the_result_simulated():
    assert result_from_response(OLDER_RESPONSE, {"X-AIML-Simulator": "1"}).simulated is True


def test_null_content_and_reasoning_under_either_name():
    body = {
        "choices": [
            {"message": {"content": None, "reasoning": "thinking"}, "finish_reason": "length"}
        ]
    }
    result = result_from_response(body)
    assert (result.text, result.reasoning, result.finish_reason) == ("", "thinking", "length")


def test_tool_calls_in_a_non_streamed_message():
    message = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            }
        ],
    }
    body = {"choices": [{"message": message, "finish_reason": "tool_calls"}]}
    assert result_from_response(body).tool_calls == [
        ToolCall("call_1", "get_weather", '{"city": "Paris"}')
    ]


@pytest.mark.parametrize("body", [{"choices": []}, {}, {"choices": [{}]}, {"choices": None}])
def test_a_body_without_a_message_gives_empty_text(body):
    result = result_from_response(body)
    assert (result.text, result.finish_reason, result.usage) == ("", None, None)


def test_an_error_body_raises_instead_of_passing_for_an_empty_answer():
    with pytest.raises(errors.RateLimitError):
        result_from_response({"message": "Too Many Requests", "statusCode": "429"})
    with pytest.raises(errors.ServerError, match="upstream failed"):
        result_from_response({"error": {"message": "upstream failed"}})


def test_sse_events_can_be_built_by_hand():
    # decode_events needs only ServerSentEvent-shaped input, not bytes.
    stream = [ServerSentEvent('{"choices":[{"delta":{"content":"x"}}]}'), ServerSentEvent("[DONE]")]
    assert list(decode_events(stream)) == [ContentDelta("x"), Done()]
