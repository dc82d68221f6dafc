"""The simulator, exercised over real HTTP on 127.0.0.1 with `requests`.

Streams are parsed here with a deliberately tiny SSE reader, so these tests check the bytes
the simulator sends, not the project's own decoder.
"""

from __future__ import annotations

import json
import math
import os
import re
import select
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from aiml_magics.simulator import DEFAULT_KEY, Fault, Reply, Simulator
from aiml_magics.simulator import pytest_plugin as plugin

# The fixtures normally arrive through the pytest11 entry point of the installed package;
# binding them here makes this file work from a plain checkout too.
_aiml_simulator_server = plugin._aiml_simulator_server
aiml_simulator = plugin.aiml_simulator
aiml_env = plugin.aiml_env

ROOT = Path(__file__).resolve().parents[2]
MODEL = "bytedance/seed-1-8"


# -- helpers ---------------------------------------------------------------------------------


def chat_body(*, text: str = "Hello simulator", **extra: Any) -> dict[str, Any]:
    return {"model": MODEL, "messages": [{"role": "user", "content": text}], **extra}


def post(
    sim: Simulator,
    body: dict[str, Any] | None = None,
    *,
    key: str | None = DEFAULT_KEY,
    session: requests.Session | None = None,
    **kwargs: Any,
) -> requests.Response:
    headers = kwargs.pop("headers", {})
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    sender = session or requests
    kwargs.setdefault("timeout", 10)
    return sender.post(
        f"{sim.base_url}/chat/completions", json=body or chat_body(), headers=headers, **kwargs
    )


def stream(sim: Simulator, **extra: Any) -> bytes:
    response = post(sim, chat_body(stream=True, **extra), stream=True)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    assert response.headers["Transfer-Encoding"] == "chunked"
    return response.content


def sse_data(raw: bytes) -> list[str]:
    """The data of each SSE event (multi-line data joined with \\n; comments skipped)."""
    text = raw.decode().replace("\r\n", "\n").replace("\r", "\n")
    events = []
    for block in text.split("\n\n"):
        lines = [line for line in block.split("\n") if line.startswith("data:")]
        if lines:
            events.append("\n".join(line[5:].removeprefix(" ") for line in lines))
    return events


def payloads(raw: bytes) -> list[Any]:
    return [data if data == "[DONE]" else json.loads(data) for data in sse_data(raw)]


def chunks_only(items: list[Any]) -> list[dict[str, Any]]:
    return [item for item in items if isinstance(item, dict)]


def joined(items: list[Any], key: str) -> str:
    parts = []
    for chunk in chunks_only(items):
        for choice in chunk.get("choices", []):
            value = (choice.get("delta") or {}).get(key)
            if value:
                parts.append(value)
    return "".join(parts)


def flat_error(response: requests.Response, status: int) -> str:
    body = response.json()
    assert response.status_code == status
    assert body["statusCode"] == status
    assert body["path"] and body["requestId"] and body["timestamp"].endswith("Z")
    return body["message"]


# -- catalogue -------------------------------------------------------------------------------


def test_model_list_has_both_shapes_and_a_non_chat_model(aiml_simulator: Simulator) -> None:
    response = requests.get(f"{aiml_simulator.base_url}/models", timeout=5)
    assert response.status_code == 200
    listing = response.json()
    assert listing["object"] == "list"
    by_id = {entry["id"]: entry for entry in listing["data"]}
    for model_id in ("openai/gpt-4o", "anthropic/claude-sonnet-4.5", "qwen/qwen3-32b"):
        assert by_id[model_id]["type"] == "openai/chat-completions"
    assert by_id["openai/gpt-4o"]["aliases"] == ["gpt-4o"]
    seed = by_id[MODEL]["info"]
    assert (seed["contextLength"], seed["outputMax"]) == (256000, 64000)
    older = [e for e in listing["data"] if e["type"] == "chat-completion"]
    assert older and "maxTokens" in older[0]["info"] and older[0]["features"]
    assert any(e["type"] == "image" for e in listing["data"])
    assert "capabilities" not in by_id[MODEL]


def test_model_list_include_and_type_filter(aiml_simulator: Simulator) -> None:
    url = f"{aiml_simulator.base_url}/models"
    rich = requests.get(url, params={"include": "capabilities,modalities,pricing"}, timeout=5)
    seed = next(e for e in rich.json()["data"] if e["id"] == MODEL)
    assert "reasoning" in seed["capabilities"]
    assert seed["modalities"] == {"input": ["image", "text"], "output": ["text"]}
    assert "pricing" in seed
    chat = requests.get(url, params={"type": "openai/chat-completions"}, timeout=5).json()["data"]
    everything = requests.get(url, timeout=5).json()["data"]
    assert chat and len(chat) < len(everything)
    assert {e["type"] for e in chat} == {"openai/chat-completions"}


def test_model_list_etag_gives_304(aiml_simulator: Simulator) -> None:
    url = f"{aiml_simulator.base_url}/models"
    first = requests.get(url, timeout=5)
    etag = first.headers["ETag"]
    again = requests.get(url, headers={"If-None-Match": etag}, timeout=5)
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag
    other = requests.get(url, params={"include": "pricing"}, headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag


def test_single_model_by_id_or_alias_and_404(aiml_simulator: Simulator) -> None:
    root = aiml_simulator.root_url
    for name in ("openai/gpt-4o", "gpt-4o"):
        response = requests.get(f"{root}/model/{name}", timeout=5)
        card = response.json()
        assert response.status_code == 200 and card["object"] == "model"
        assert card["data"]["id"] == "openai/gpt-4o"
    missing = requests.get(f"{root}/model/nobody/nothing", timeout=5)
    assert "nobody/nothing" in flat_error(missing, 404)
    assert missing.headers["x-inference-id"]


def test_unknown_path_is_a_flat_404(aiml_simulator: Simulator) -> None:
    response = requests.get(f"{aiml_simulator.base_url}/nothing-here", timeout=5)
    assert flat_error(response, 404) == "Cannot GET /v1/nothing-here"


# -- authentication, credits, validation -----------------------------------------------------


@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_chat_needs_the_key(aiml_simulator: Simulator, key: str | None) -> None:
    response = post(aiml_simulator, key=key)
    assert flat_error(response, 401).startswith("This request requires a valid API key.")
    assert response.headers["x-aiml-simulator"] == "1"
    assert aiml_simulator.chat_requests[-1].authorized is False


def test_out_of_credits_is_403_and_keeps_the_script(aiml_simulator: Simulator) -> None:
    aiml_simulator.script(Reply(content="later"))
    aiml_simulator.out_of_credits = True
    assert flat_error(post(aiml_simulator), 403).startswith("You've run out of credits.")
    assert aiml_simulator.pending == 1
    aiml_simulator.out_of_credits = False
    assert post(aiml_simulator).json()["choices"][0]["message"]["content"] == "later"


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"temperature": 2.5}, "temperature: Number must be less than or equal to 2"),
        ({"temperature": "hot"}, "temperature: Expected number, received string"),
        ({"top_p": 0}, "top_p: Number must be greater than or equal to 0.01"),
        ({"seed": 0}, "seed: Number must be greater than or equal to 1"),
        ({"max_tokens": 1.5}, "max_tokens: Expected integer, received float"),
        ({"stream": "yes"}, "stream: Expected boolean, received string"),
        ({"stream_options": {}}, "stream_options.include_usage: Required"),
        ({"tool_choice": "sometimes"}, "tool_choice: Invalid input"),
        ({"tools": [{"type": "function", "function": {"name": "f"}}] * 129}, "at most 128"),
        ({"response_format": {"type": "yaml"}}, "response_format.type: Invalid enum value"),
        ({"model": "nobody/nothing"}, "model: Invalid model 'nobody/nothing'"),
        ({"model": "flux/schnell"}, "model: Invalid model 'flux/schnell'"),
        ({"messages": []}, "messages: Array must contain at least 1 element(s)"),
        ({"messages": [{"role": "bot", "content": "x"}]}, "messages.0.role: Invalid"),
        (
            {"messages": [{"role": "tool", "content": "42"}]},
            "messages.0.tool_call_id: Required",
        ),
        (
            {
                "messages": [
                    {"role": "user", "content": "hi"},
                    {"role": "assistant", "content": "yo", "reasoning_content": "hmm"},
                    {"role": "user", "content": "again"},
                ]
            },
            "messages.1: Unrecognized key(s) in object: 'reasoning_content'",
        ),
    ],
)
def test_validation_errors(aiml_simulator: Simulator, change: dict, detail: str) -> None:
    message = flat_error(post(aiml_simulator, {**chat_body(), **change}), 400)
    assert message.startswith("Body validation error")
    assert detail in message


def test_missing_model_and_extra_fields(aiml_simulator: Simulator) -> None:
    body = chat_body()
    del body["model"]
    assert "model: Required" in flat_error(post(aiml_simulator, body), 400)
    extra = chat_body(reasoning_effort="low", enable_thinking=True, stop=["x"], temperature=0)
    assert post(aiml_simulator, extra).status_code == 200


def test_aliases_and_full_request_shapes_are_accepted(aiml_simulator: Simulator) -> None:
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
    body = {
        "model": "gpt-4o",  # an alias of a model with structured output (json_schema below)
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "hi"}]},
            {"role": "assistant", "content": None, "tool_calls": []},
            {"role": "tool", "content": "{}", "tool_call_id": "call_1"},
        ],
        "tools": tools,
        "tool_choice": {"type": "function", "function": {"name": "f"}},
        "parallel_tool_calls": True,
        "stream_options": {"include_usage": True},
        "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {}}},
        "max_tokens": 100,
        "top_p": 1,
        "frequency_penalty": -2,
        "presence_penalty": 2,
        "seed": 1,
    }
    assert post(aiml_simulator, body).status_code == 200


# -- non-streamed answers --------------------------------------------------------------------


def test_default_answer_is_deterministic_markdown(aiml_simulator: Simulator) -> None:
    question = "Please explain Python list comprehensions with a short example, thanks a lot!"
    messages = [
        {"role": "user", "content": "earlier"},
        {"role": "assistant", "content": "earlier answer"},
        {"role": "user", "content": question},
    ]
    response = post(aiml_simulator, {"model": "openai/gpt-4o", "messages": messages})
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(response.content)
    data = response.json()
    message = data["choices"][0]["message"]
    content = message["content"]
    assert content.startswith("## ")
    assert question[:50] in content and question not in content
    assert "(I received 3 messages.)" in content
    assert "\n- " in content and "```python\n" in content and "|---|" in content
    assert message["reasoning_content"]
    assert data["model"] == "gpt-4o-2024-08-06"
    assert data["object"] == "chat.completion"
    assert data["choices"][0]["finish_reason"] == "stop"
    usage = data["usage"]
    chars = sum(len(m["content"]) for m in messages)
    assert usage["prompt_tokens"] == math.ceil(chars / 4)
    reasoning_tokens = math.ceil(len(message["reasoning_content"]) / 4)
    assert usage["completion_tokens_details"]["reasoning_tokens"] == reasoning_tokens
    assert usage["completion_tokens"] == math.ceil(len(content) / 4) + reasoning_tokens
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    credits = data["meta"]["usage"]["credits_used"]
    assert data["meta"]["usage"]["usd_spent"] == pytest.approx(credits / 2_000_000)
    assert response.headers["x-aimlapi-credits-used"] == str(credits)
    assert float(response.headers["x-aimlapi-usd-spent"]) == pytest.approx(credits / 2_000_000)
    again = post(aiml_simulator, {"model": "openai/gpt-4o", "messages": messages}).json()
    assert again["choices"][0]["message"]["content"] == content


def test_default_answer_counts_images(aiml_simulator: Simulator) -> None:
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
    parts = [{"type": "text", "text": "Compare these"}, image, image]
    body = {"model": MODEL, "messages": [{"role": "user", "content": parts}]}
    content = post(aiml_simulator, body).json()["choices"][0]["message"]["content"]
    assert '"Compare these"' in content and "I see 2 images." in content


def test_json_object_default_and_max_tokens_length(aiml_simulator: Simulator) -> None:
    body = chat_body(response_format={"type": "json_object"})
    content = post(aiml_simulator, body).json()["choices"][0]["message"]["content"]
    assert json.loads(content)["messages"] == 1
    short = post(aiml_simulator, chat_body(max_tokens=5)).json()["choices"][0]
    assert short["finish_reason"] == "length"
    assert short["message"]["content"] == ""
    assert len(short["message"]["reasoning_content"]) == 20


def test_scripted_values_override_the_defaults(aiml_simulator: Simulator) -> None:
    usage = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
    aiml_simulator.script(
        Reply(content="Hi", reasoning="", usage=usage, credits=7, usd=0.5, model="m-1"),
        Reply(content="x", meta_on="none", finish_reason="length", dialect="qwen"),
    )
    first = post(aiml_simulator).json()
    assert first["choices"][0]["message"] == {
        "role": "assistant",
        "content": "Hi",
        "refusal": None,
        "annotations": [],
    }
    assert (first["usage"], first["model"]) == (usage, "m-1")
    assert first["meta"]["usage"] == {"credits_used": 7, "usd_spent": 0.5}
    second = post(aiml_simulator).json()
    assert "meta" not in second and second["choices"][0]["finish_reason"] == "length"


def test_non_streamed_tool_calls(aiml_simulator: Simulator) -> None:
    call = {"id": "call_9", "name": "lookup", "arguments": '{"q": "x"}'}
    aiml_simulator.script(Reply(tool_calls=[call]))
    choice = post(aiml_simulator).json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    assert choice["message"]["tool_calls"] == [
        {
            "id": "call_9",
            "type": "function",
            "function": {"name": "lookup", "arguments": '{"q": "x"}'},
        }
    ]


# -- streams ---------------------------------------------------------------------------------


def test_openai_stream_shape(aiml_simulator: Simulator) -> None:
    expected = post(aiml_simulator).json()["choices"][0]["message"]
    items = payloads(stream(aiml_simulator))
    assert items[-1] == "[DONE]"
    chunks = chunks_only(items)
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert len({c["id"] for c in chunks}) == 1 and chunks[0]["model"] == "seed-1-8-251228"
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert "system_fingerprint" in chunks[0]
    assert any("obfuscation" in c for c in chunks)
    assert joined(items, "content") == expected["content"]
    assert joined(items, "reasoning_content") == expected["reasoning_content"]
    finish, usage_chunk = chunks[-2], chunks[-1]
    assert finish["choices"][0]["finish_reason"] == "stop" and finish["usage"] is None
    assert usage_chunk["choices"] == [] and usage_chunk["usage"]["total_tokens"] > 0
    assert usage_chunk["meta"]["usage"]["credits_used"] > 0
    assert all(c["usage"] is None for c in chunks[:-1])
    assert all(len(c["choices"][0]["delta"].get("content", "")) <= 12 for c in chunks[:-1])


def test_qwen_stream_shape(aiml_simulator: Simulator) -> None:
    aiml_simulator.script(Reply(dialect="qwen", content="Hello! How can I help?", reasoning="Hmm."))
    items = payloads(stream(aiml_simulator, model="qwen3-32b"))
    assert items[-1] == "[DONE]"
    chunks = chunks_only(items)
    assert chunks[0]["model"] == "qwen3-32b"
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    thinking = [d for d in deltas if d.get("reasoning_content")]
    assert thinking and all(d["content"] is None for d in thinking)
    answering = [d for d in deltas if d.get("content")]
    assert all(d["reasoning_content"] is None for d in answering)
    assert joined(items, "content") == "Hello! How can I help?"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] > 0


def test_claude_stream_shape(aiml_simulator: Simulator) -> None:
    aiml_simulator.script(Reply(dialect="claude", content="Bonjour tout le monde"))
    response = post(aiml_simulator, chat_body(stream=True, model="claude-sonnet-4-5"), stream=True)
    raw = response.content  # reading to the end raises if the chunked body was cut
    items = payloads(raw)
    assert "[DONE]" not in items
    first, *rest = items
    assert first["id"] and all(c["id"] == "" for c in rest)
    assert first["model"] == "claude-sonnet-4-5-20250929"
    finish, trailer = items[-2], items[-1]
    assert finish["choices"][0]["finish_reason"] == "stop"
    assert finish["usage"]["total_tokens"] > 0
    assert trailer["choices"] == [{"index": 0, "finish_reason": "stop"}]
    assert trailer["usage"] is None and "meta" in trailer
    assert joined(items, "content") == "Bonjour tout le monde"


def test_reasoning_key_done_and_meta_placement(aiml_simulator: Simulator) -> None:
    aiml_simulator.script(
        Reply(reasoning_key="reasoning", reasoning="Think.", done=False, meta_on="finish"),
        Reply(dialect="claude", done=True, meta_on="none"),
    )
    items = payloads(stream(aiml_simulator))
    assert items[-1] != "[DONE]"
    assert joined(items, "reasoning") == "Think." and joined(items, "reasoning_content") == ""
    with_meta = [c for c in items if "meta" in c]
    assert len(with_meta) == 1 and with_meta[0]["choices"][0]["finish_reason"] == "stop"
    items = payloads(stream(aiml_simulator))
    assert items[-1] == "[DONE]" and not any("meta" in c for c in chunks_only(items))


def test_stream_tool_call_fragments(aiml_simulator: Simulator) -> None:
    calls = [
        {"id": "call_a", "name": "get_weather", "arguments": '{"city": "Paris"}'},
        {"id": "call_b", "name": "get_time", "arguments": '{"tz": "Europe/Paris"}'},
    ]
    aiml_simulator.script(Reply(tool_calls=calls, reasoning="", chunk_size=5))
    items = payloads(stream(aiml_simulator))
    fragments = [
        fragment
        for chunk in chunks_only(items)
        for choice in chunk["choices"]
        for fragment in choice["delta"].get("tool_calls", [])
    ]
    starts = [f for f in fragments if "id" in f]
    assert [(f["index"], f["id"], f["type"]) for f in starts] == [
        (0, "call_a", "function"),
        (1, "call_b", "function"),
    ]
    assert all(f["function"]["arguments"] == "" for f in starts)
    later = [f for f in fragments if "id" not in f]
    assert later and all(set(f) == {"index", "function"} for f in later)
    assert all(set(f["function"]) == {"arguments"} for f in later)
    rebuilt: dict[int, str] = {}
    for fragment in fragments:
        rebuilt[fragment["index"]] = (
            rebuilt.get(fragment["index"], "") + fragment["function"]["arguments"]
        )
    assert json.loads(rebuilt[1]) == {"tz": "Europe/Paris"}
    finishes = [c["choices"][0]["finish_reason"] for c in chunks_only(items) if c["choices"]]
    assert finishes[-1] == "tool_calls"


def test_stream_tool_calls_reusing_index_zero(aiml_simulator: Simulator) -> None:
    calls = [{"id": f"call_{n}", "name": "f", "arguments": f'{{"n": {n}}}'} for n in range(3)]
    aiml_simulator.script(Reply(tool_calls=calls, tool_index_reuse=True, chunk_size=3))
    items = payloads(stream(aiml_simulator))
    rebuilt: list[list[str]] = []
    for chunk in chunks_only(items):
        for choice in chunk["choices"]:
            for fragment in choice["delta"].get("tool_calls", []):
                assert fragment["index"] == 0
                if "id" in fragment:
                    rebuilt.append([fragment["id"], ""])
                rebuilt[-1][1] += fragment["function"]["arguments"]
    assert [(i, json.loads(a)) for i, a in rebuilt] == [(f"call_{n}", {"n": n}) for n in range(3)]


def test_crlf_keepalive_and_event_lines(aiml_simulator: Simulator) -> None:
    aiml_simulator.script(
        Reply(content="abc def ghi", crlf=True),
        Reply(content="abc def ghi", keepalive=True),
        Reply(content="abc def ghi", event_lines=True, reasoning=""),
    )
    crlf = stream(aiml_simulator)
    assert b"\r\n\r\n" in crlf and re.search(rb"(?<!\r)\n", crlf) is None
    keepalive = stream(aiml_simulator)
    assert keepalive.count(b"\n: keep-alive\n") >= 3
    events = stream(aiml_simulator)
    lines = events.decode().split("\n")
    assert "event: message" in lines and "id: 1" in lines and "data: {" in lines
    for raw in (crlf, keepalive, events):
        assert joined(payloads(raw), "content") == "abc def ghi"


def test_delay_flushes_each_chunk(aiml_simulator: Simulator) -> None:
    aiml_simulator.script(Reply(content="x" * 36, reasoning="", delay=0.06))
    started = time.monotonic()
    response = post(aiml_simulator, chat_body(stream=True), stream=True)
    arrivals = [time.monotonic() - started for _ in response.iter_content(chunk_size=None)]
    assert arrivals[-1] >= 0.3  # 7 events, 6 pauses
    assert arrivals[0] < arrivals[-1] - 0.2  # the first event was not held back


def test_first_byte_delay(aiml_simulator: Simulator) -> None:
    aiml_simulator.script(Reply(first_byte_delay=0.25))
    started = time.monotonic()
    assert post(aiml_simulator).status_code == 200
    assert time.monotonic() - started >= 0.25


def test_prebuilt_benchmark_stream(aiml_simulator: Simulator) -> None:
    aiml_simulator.script(Reply(prebuilt_chunks=500, chunk_size=8, times=2))
    for _ in range(2):
        items = payloads(stream(aiml_simulator))
        contents = [
            c
            for c in chunks_only(items)
            if c["choices"] and c["choices"][0]["delta"].get("content")
        ]
        assert len(contents) == 500
        assert len(joined(items, "content")) == 4000
        assert items[-1] == "[DONE]" and chunks_only(items)[-1]["usage"]


# -- faults ----------------------------------------------------------------------------------


def read_until_error(response: requests.Response) -> tuple[bytes, Exception | None]:
    received = b""
    try:
        for piece in response.iter_content(chunk_size=None):
            received += piece
    except requests.exceptions.RequestException as exc:
        return received, exc
    return received, None


def test_disconnect_breaks_the_body(aiml_simulator: Simulator) -> None:
    aiml_simulator.script(Reply(fault=Fault.disconnect(after_chunks=3)))
    response = post(aiml_simulator, chat_body(stream=True), stream=True)
    received, error = read_until_error(response)
    assert isinstance(error, requests.exceptions.ChunkedEncodingError)
    assert len(sse_data(received)) == 3


def test_stall_trips_a_read_timeout(aiml_simulator: Simulator) -> None:
    aiml_simulator.script(Reply(fault=Fault.stall(after_chunks=2, seconds=3)))
    started = time.monotonic()
    response = post(aiml_simulator, chat_body(stream=True), stream=True, timeout=(2, 0.3))
    received, error = read_until_error(response)
    assert isinstance(error, requests.exceptions.ConnectionError)  # requests' read timeout
    assert len(sse_data(received)) == 2
    assert time.monotonic() - started < 2


def test_malformed_line_then_the_rest(aiml_simulator: Simulator) -> None:
    aiml_simulator.script(Reply(content="hello", fault=Fault.malformed(after_chunks=1)))
    data = sse_data(stream(aiml_simulator))
    assert data[1] == "{not json"
    assert data[-1] == "[DONE]"


def test_error_event_ends_the_stream(aiml_simulator: Simulator) -> None:
    fault = Fault.error_event(after_chunks=2, message="provider exploded", code=502)
    aiml_simulator.script(Reply(fault=fault))
    items = payloads(stream(aiml_simulator))
    assert len(items) == 3
    assert items[-1] == {"error": {"message": "provider exploded", "code": 502}}


@pytest.mark.parametrize("fault", [Fault.truncate(), Fault.disconnect()])
def test_non_streamed_truncated_body(aiml_simulator: Simulator, fault: Fault) -> None:
    aiml_simulator.script(Reply(fault=fault))
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        post(aiml_simulator)


def test_non_streamed_malformed_and_error_bodies(aiml_simulator: Simulator) -> None:
    aiml_simulator.script(Reply(fault=Fault.malformed()), Reply(fault=Fault.error_event()))
    assert post(aiml_simulator).content == b"{not json"
    assert post(aiml_simulator).json()["error"]["code"] == 500


# -- error replies and sequencing ------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "check"),
    [
        ("flat", lambda r: r.json()["statusCode"] == 503),
        ("flat_string_status", lambda r: r.json()["statusCode"] == "503"),
        ("openai", lambda r: r.json()["error"]["message"] == "Service unavailable"),
        ("string", lambda r: r.json() == {"error": "Service unavailable"}),
        (
            "text",
            lambda r: r.text == "Service unavailable" and "json" not in r.headers["Content-Type"],
        ),
    ],
)
def test_error_body_shapes(aiml_simulator: Simulator, shape: str, check: Any) -> None:
    aiml_simulator.script(Reply.error(503, error_body=shape))
    response = post(aiml_simulator)
    assert response.status_code == 503
    assert check(response)


def test_error_headers_message_and_times(aiml_simulator: Simulator) -> None:
    aiml_simulator.script(
        Reply.error(429, headers={"Retry-After": "1", "retry-after-ms": "1000"}),
        Reply.error(503, message="Model warming up", times=2),
        Reply(content="finally"),
    )
    limited = post(aiml_simulator)
    assert limited.status_code == 429 and limited.json()["message"] == "Too Many Requests"
    assert (limited.headers["Retry-After"], limited.headers["retry-after-ms"]) == ("1", "1000")
    assert [flat_error(post(aiml_simulator), 503) for _ in range(2)] == ["Model warming up"] * 2
    assert post(aiml_simulator).json()["choices"][0]["message"]["content"] == "finally"
    assert "Simulated answer" in post(aiml_simulator).json()["choices"][0]["message"]["content"]
    assert aiml_simulator.pending == 0


def test_reply_checks_its_arguments(aiml_simulator: Simulator) -> None:
    with pytest.raises(ValueError):
        Reply(dialect="gemini")
    with pytest.raises(ValueError):
        Reply.error(200)
    with pytest.raises(ValueError):
        Fault("explode")
    assert Reply(fault={"kind": "stall", "seconds": 1}).fault == Fault.stall(seconds=1)
    with pytest.raises(TypeError):
        aiml_simulator.script({"content": "not a Reply"})  # type: ignore[arg-type]


# -- record, headers, connections ------------------------------------------------------------


def test_request_record_keeps_names_never_the_key(aiml_simulator: Simulator) -> None:
    post(aiml_simulator, headers={"X-Client-Request-Id": "req-1.a:b"})
    post(aiml_simulator, key="wrong-secret-value")
    requests.get(f"{aiml_simulator.base_url}/models?type=image", timeout=5)
    first, second, third = aiml_simulator.requests
    assert (first.method, first.path, first.authorized) == ("POST", "/v1/chat/completions", True)
    assert {"authorization", "x-client-request-id", "content-type"} <= first.headers
    assert first.body == chat_body()
    assert second.authorized is False
    assert (third.method, third.path, third.query) == ("GET", "/v1/models", {"type": "image"})
    assert "authorization" not in third.headers
    assert aiml_simulator.chat_requests == [first, second]
    text = repr(aiml_simulator.requests) + repr(aiml_simulator)
    assert DEFAULT_KEY not in text and "wrong-secret-value" not in text


def test_response_headers(aiml_simulator: Simulator) -> None:
    echoed = post(aiml_simulator, headers={"X-Client-Request-Id": "trace-42"})
    again = post(aiml_simulator, chat_body(stream=True))
    assert echoed.headers["x-client-request-id"] == "trace-42"
    assert "x-client-request-id" not in again.headers
    ids = {echoed.headers["x-inference-id"], again.headers["x-inference-id"]}
    assert len(ids) == 2
    assert "x-aimlapi-credits-used" not in again.headers
    assert again.headers["x-aiml-simulator"] == "1"
    assert [r.inference_id for r in aiml_simulator.requests] == [
        echoed.headers["x-inference-id"],
        again.headers["x-inference-id"],
    ]


def test_session_reuses_one_connection(aiml_simulator: Simulator) -> None:
    with requests.Session() as session:
        post(aiml_simulator, session=session)
        streamed = post(aiml_simulator, chat_body(stream=True), session=session, stream=True)
        assert streamed.content.endswith(b"data: [DONE]\n\n")
        session.get(f"{aiml_simulator.base_url}/models", timeout=5)
        post(aiml_simulator, key=None, session=session)
    ports = {r.client_port for r in aiml_simulator.requests}
    assert len(aiml_simulator.requests) == 4 and len(ports) == 1


def test_stop_is_prompt_during_a_stall_and_with_idle_connections() -> None:
    sim = Simulator().start()
    idle = requests.Session()
    idle.get(f"{sim.base_url}/models", timeout=5)
    sim.script(Reply(fault=Fault.stall(after_chunks=1, seconds=30)))
    response = post(sim, chat_body(stream=True), stream=True)
    outcome: list[Any] = []
    reader = threading.Thread(target=lambda: outcome.append(read_until_error(response)))
    reader.start()
    time.sleep(0.1)
    started = time.monotonic()
    sim.stop()
    reader.join(5)
    assert time.monotonic() - started < 1
    assert outcome and isinstance(outcome[0][1], requests.exceptions.ChunkedEncodingError)
    assert not sim.running
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"{sim.base_url}/models", timeout=2)
    idle.close()


# -- pytest plugin and command line ----------------------------------------------------------


def test_fixture_state_is_fresh(aiml_simulator: Simulator) -> None:
    assert aiml_simulator.requests == [] and aiml_simulator.pending == 0
    assert aiml_simulator.out_of_credits is False
    aiml_simulator.script(Reply(content="left over"))  # the next test must not see this
    aiml_simulator.out_of_credits = True


def test_fixture_state_is_fresh_again(aiml_simulator: Simulator) -> None:
    test_fixture_state_is_fresh(aiml_simulator)


@pytest.fixture
def stale_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AIMLAPI_API_KEY", "AIMLAPI_API_BASE", "AIML_MODEL"):
        monkeypatch.setenv(name, "stale")


def test_aiml_env_points_the_client_at_the_simulator(stale_env: None, aiml_env: Simulator) -> None:
    assert os.environ["AIML_API_KEY"] == aiml_env.api_key == DEFAULT_KEY
    assert os.environ["AIML_API_BASE"] == aiml_env.base_url
    assert not {"AIMLAPI_API_KEY", "AIMLAPI_API_BASE", "AIML_MODEL"} & set(os.environ)
    response = requests.post(
        f"{os.environ['AIML_API_BASE']}/chat/completions",
        json=chat_body(),
        headers={"Authorization": f"Bearer {os.environ['AIML_API_KEY']}"},
        timeout=5,
    )
    assert response.status_code == 200


def test_command_line_serves_a_script(tmp_path: Path) -> None:
    script = tmp_path / "replies.json"
    script.write_text(json.dumps([{"content": "from the script"}, {"status": 429}]))
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-m", "aiml_magics.simulator", "--port", "0", "--key", "k-cli"]
    process = subprocess.Popen(
        [*command, "--script", str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 10)
        assert ready, "the simulator printed nothing"
        line = process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:(\d+)/v1)", line)
        assert match and int(match.group(2)) > 0 and "k-cli" in line
        base = match.group(1)
        assert requests.get(f"{base}/models", timeout=5).status_code == 200
        headers = {"Authorization": "Bearer k-cli"}
        first = requests.post(f"{base}/chat/completions", json=chat_body(), headers=headers)
        assert first.json()["choices"][0]["message"]["content"] == "from the script"
        second = requests.post(f"{base}/chat/completions", json=chat_body(), headers=headers)
        assert second.status_code == 429
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=5)
    assert process.returncode == 0, errors
    assert errors == ""
