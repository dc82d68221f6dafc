"""Gemini 3 through the service, and answers that carry reasoning or sources in other places:
a real shell (or the real client) against the simulator's Gemini dialect."""

from __future__ import annotations

import json

import pytest
import requests

from aiml_magics.api.client import AimlClient
from aiml_magics.api.result import ChatResult, Usage
from aiml_magics.simulator import Reply

GEMINI = "google/gemini-3-5-flash"
TOOLS = '''
def lookup_price(ticker: str) -> float:
    """Closing price of a stock."""
    return {"AAPL": 187.5, "MSFT": 402.25}[ticker]
'''


def call(name: str, arguments: dict, id_: str) -> dict:
    return {"name": name, "arguments": json.dumps(arguments), "id": id_}


def signatures(request) -> list:
    return [
        item.get("extra_content")
        for message in request.body["messages"]
        if message.get("role") == "assistant"
        for item in message.get("tool_calls") or []
    ]


@pytest.mark.parametrize("stream", [True, False])
def test_a_two_round_tool_loop_echoes_each_thought_signature(run, aiml_simulator, stream):
    assert run(TOOLS).error is None
    aiml_simulator.script(
        Reply(tool_calls=[call("lookup_price", {"ticker": "AAPL"}, "call_1")], chunk_size=4),
        Reply(tool_calls=[call("lookup_price", {"ticker": "MSFT"}, "call_2")], chunk_size=4),
        Reply(content="AAPL 187.5, MSFT 402.25"),
    )
    flags = "" if stream else " --no-stream"
    out = run(f"%%aiml -m {GEMINI} --tools lookup_price{flags}\nPrices of AAPL and MSFT?")
    assert out.error is None, out.error
    first, second, third = aiml_simulator.chat_requests
    assert signatures(first) == []
    (sent,) = signatures(second)
    assert sent["google"]["thought_signature"].startswith("AY89a18e")
    assert len(signatures(third)) == 2 and all(signatures(third))
    assistant = [m for m in third.body["messages"] if m["role"] == "assistant"]
    assert all(m["extra_content"]["google"]["thought_signature"] for m in assistant)


def test_a_client_that_drops_the_signature_is_refused_as_gemini_does(aiml_simulator):
    url = f"{aiml_simulator.base_url}/chat/completions"
    messages = [
        {"role": "user", "content": "Price?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_sim_0",
                    "type": "function",
                    "function": {"name": "f", "arguments": "{}"},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_sim_0", "content": "1"},
    ]
    headers = {"Authorization": f"Bearer {aiml_simulator.api_key}"}
    answer = requests.post(
        url, json={"model": GEMINI, "messages": messages}, headers=headers, timeout=5
    )
    assert answer.status_code == 400 and "thought_signature" in answer.json()["message"]


def test_the_answers_own_signature_goes_back_with_it_next_cell(run, aiml_simulator):
    assert run(f"%%aiml -m {GEMINI}\nHello", cell_id="a").error is None
    assert run(f"%%aiml -m {GEMINI}\nAnd then?", cell_id="b").error is None
    _, second = aiml_simulator.chat_requests
    (earlier,) = [m for m in second.body["messages"] if m["role"] == "assistant"]
    assert earlier["extra_content"]["google"]["thought_signature"].startswith("AY89a18e")


def test_tokens_per_second_count_reasoning_gemini_leaves_out_of_completion():
    usage = Usage.from_api(
        {
            "prompt_tokens": 9,
            "completion_tokens": 572,
            "total_tokens": 1532,
            "completion_tokens_details": {"reasoning_tokens": 951},
        }
    )
    assert usage.output_tokens == 572 + 951
    assert ChatResult(usage=usage, duration=2.0).tokens_per_second == pytest.approx(761.5)
    openai_style = Usage.from_api(
        {
            "prompt_tokens": 42,
            "completion_tokens": 922,
            "total_tokens": 964,
            "completion_tokens_details": {"reasoning_tokens": 606},
        }
    )
    assert openai_style.output_tokens == 922, "reasoning already inside completion_tokens"


def test_the_simulated_gemini_usage_has_reasoning_apart(aiml_simulator):
    client = AimlClient(aiml_simulator.api_key, aiml_simulator.base_url)
    aiml_simulator.script(Reply(content="a" * 400, reasoning="r" * 800))
    result = client.chat([{"role": "user", "content": "Hi"}], model=GEMINI)
    usage = result.usage
    assert (usage.completion_tokens, usage.reasoning_tokens) == (100, 200)
    assert usage.total_tokens == usage.prompt_tokens + 300 and usage.output_tokens == 300
    assert result.raw["usage"]["extra_properties"]["google"]["traffic_type"] == "ON_DEMAND"
    client.close()


@pytest.mark.parametrize("stream", [True, False])
def test_reasoning_only_in_reasoning_details_is_shown(run, ip, aiml_simulator, stream):
    aiml_simulator.script(
        Reply(
            content="The answer.",
            reasoning="Hmm, weigh both sides.",
            reasoning_key="reasoning_details",
        )
    )
    out = run("%%aiml --reasoning show" + ("" if stream else " --no-stream") + "\nWhy?")
    assert out.error is None
    assert ip.user_ns["_aiml"].reasoning == "Hmm, weigh both sides."
    assert "Hmm, weigh both sides." in out.final_markdown


@pytest.mark.parametrize("stream", [True, False])
def test_cited_sources_are_listed_under_the_answer(run, ip, aiml_simulator, visible, stream):
    sources = [
        {"url": "https://example.org/match", "title": "Match *report*"},
        {"url": "javascript:alert(1)", "title": "Evil"},
        {"url": "https://example.org/match", "title": "the same source again"},
    ]
    aiml_simulator.script(Reply(content="Team A won.", annotations=sources))
    out = run("%%aiml -m perplexity/sonar-pro" + ("" if stream else " --no-stream") + "\nWho won?")
    assert out.error is None
    cited = ip.user_ns["_aiml"].citations
    assert [c.url for c in cited] == ["https://example.org/match", "javascript:alert(1)"]
    markdown = out.final_markdown
    assert "[Match \\*report\\*](<https://example.org/match>)" in markdown
    assert "](javascript" not in markdown and "(<javascript" not in markdown
    shown = visible(markdown)
    assert "Team A won. Sources Match *report* Evil (javascript:alert(1))" in shown
    assert markdown.index("Team A won.") < markdown.index("Sources")
    plain = out.outputs[-1].data["text/plain"]
    assert "Sources:\n1. Match *report* — https://example.org/match" in plain


def test_a_replayed_answer_keeps_its_sources_and_signature(run, ip, aiml_simulator, tmp_path):
    ip.run_line_magic("config", f"AimlMagics.replay_path = {str(tmp_path / 'r.jsonl')!r}")
    run("%aiml replay auto")
    sources = [{"url": "https://example.org/a", "title": "A"}]
    aiml_simulator.script(Reply(content="Cited.", annotations=sources))
    cell = f"%%aiml -m {GEMINI} --no-history\nWith sources?"
    assert run(cell).error is None
    again = run(cell)
    replayed = ip.user_ns["_aiml"]
    assert replayed.replayed and len(aiml_simulator.chat_requests) == 1
    assert [c.url for c in replayed.citations] == ["https://example.org/a"]
    assert replayed.extra_content["google"]["thought_signature"].startswith("AY89a18e")
    assert "](<https://example.org/a>)" in again.final_markdown


def test_extra_keys_split_across_stream_fragments_are_merged():
    from aiml_magics.api.sse import ServerSentEvent
    from aiml_magics.api.stream import StreamAccumulator, decode_events

    def chunk(delta: dict, finish: str | None = None) -> ServerSentEvent:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return ServerSentEvent(json.dumps({"model": "g", "choices": [choice]}))

    first = {"index": 0, "id": "c1", "type": "function", "function": {"name": "f", "arguments": ""}}
    first["extra_content"] = {"google": {"thought_signature": "AY89"}}
    later = {"index": 0, "function": {"arguments": "{}"}}
    later["extra_content"] = {"google": {"thought_signature": "a18e"}, "other": {"k": 1}}
    events = [
        chunk({"tool_calls": [first]}),
        chunk({"tool_calls": [later]}),
        chunk({"extra_content": {"google": {"thought_signature": "MSG"}}}, "tool_calls"),
        ServerSentEvent("[DONE]"),
    ]
    accumulator = StreamAccumulator()
    for event in decode_events(events):
        accumulator.feed(event)
    (call,) = accumulator.tool_calls
    assert call.extra == {
        "extra_content": {"google": {"thought_signature": "AY89a18e"}, "other": {"k": 1}}
    }
    assert call.message()["extra_content"]["google"]["thought_signature"] == "AY89a18e"
    assert call.message()["function"] == {"name": "f", "arguments": "{}"}
    assert accumulator.result().extra_content == {"google": {"thought_signature": "MSG"}}
