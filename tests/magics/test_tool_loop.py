"""The tool loop end to end: a real shell, the simulator scripting tool-call streams."""

from __future__ import annotations

import builtins
import json

import pytest

from aiml_magics.simulator import Reply

TOOLS_CELL = '''
import aiml_magics

calls = []

@aiml_magics.tool
def lookup_price(ticker: str, day: str = "today") -> float:
    """Closing price of a stock.

    Args:
        ticker: exchange symbol, e.g. "AAPL".
        day: ISO date or "today".
    """
    calls.append((ticker, day))
    return {"AAPL": 187.5, "MSFT": 402.25}[ticker]

def portfolio_value(holdings: dict[str, int]) -> float:
    """Value of a portfolio at today's prices."""
    return sum(lookup_price(t) * n for t, n in holdings.items())

def broken(x: int) -> int:
    raise ValueError("the <b>feed</b> is down")

def slow() -> None:
    raise KeyboardInterrupt
'''


@pytest.fixture
def notebook(run):
    out = run(TOOLS_CELL)
    assert out.error is None
    return run


def call(name: str, arguments, id_: str | None = None) -> dict:
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {"name": name, "arguments": text, **({"id": id_} if id_ else {})}


def test_one_call_round_trip(notebook, aiml_simulator, ip):
    aiml_simulator.script(
        Reply(tool_calls=[call("lookup_price", {"ticker": "AAPL"}, "call_a")], chunk_size=5),
        Reply(),  # the default answer quotes the tool results it received
    )
    out = notebook("%%aiml --tools lookup_price\nWhat does AAPL cost?")
    assert out.error is None
    assert ip.user_ns["calls"] == [("AAPL", "today")]
    first, second = aiml_simulator.chat_requests
    spec = first.body["tools"][0]
    assert spec["type"] == "function" and spec["function"]["name"] == "lookup_price"
    assert spec["function"]["parameters"]["required"] == ["ticker"]
    assert "tool_choice" not in first.body and "parallel_tool_calls" not in first.body
    assistant, tool_message = second.body["messages"][-2:]
    assert assistant["role"] == "assistant"
    assert assistant["tool_calls"] == [
        {
            "id": "call_a",
            "type": "function",
            "function": {"name": "lookup_price", "arguments": '{"ticker": "AAPL"}'},
        }
    ]
    assert tool_message == {"role": "tool", "tool_call_id": "call_a", "content": "187.5"}
    result = ip.user_ns["_aiml"]
    assert "lookup_price (call_a) returned: 187.5" in result.text
    assert result.tool_rounds == 1 and result.requests == 2
    [run_] = result.tool_calls
    assert (run_.name, run_.result, run_.error) == ("lookup_price", 187.5, None)
    assert json.loads(run_.arguments) == {"ticker": "AAPL"}
    final = out.final_markdown
    assert "lookup_price" in final and "187.5" in final
    footer = final.rsplit("---", 1)[1]
    assert "1 tool round, 1 call, 2 requests" in footer
    assert result.usage.completion_tokens > 0 and result.credits_used > 0
    meta = out.final_metadata["aiml"]
    assert meta["tool_rounds"] == 1 and meta["requests"] == 2


def test_usage_and_credits_are_summed(notebook, aiml_simulator, ip):
    usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
    aiml_simulator.script(
        Reply(tool_calls=[call("lookup_price", {"ticker": "MSFT"})], usage=usage, credits=100),
        Reply(content="done", usage=usage, credits=40),
    )
    out = notebook("%%aiml --tools lookup_price\nMSFT?")
    assert out.error is None
    result = ip.user_ns["_aiml"]
    assert result.usage.prompt_tokens == 20 and result.usage.completion_tokens == 10
    assert result.credits_used == 140
    assert "140 credits" in out.final_markdown


def test_parallel_calls_with_reused_index_and_options(notebook, aiml_simulator, ip):
    aiml_simulator.script(
        Reply(
            tool_calls=[
                call("lookup_price", {"ticker": "AAPL"}, "call_1"),
                call("lookup_price", {"ticker": "MSFT", "day": "2026-11-20"}, "call_2"),
            ],
            tool_index_reuse=True,
            chunk_size=4,
        ),
        Reply(),
    )
    out = notebook(
        "%%aiml --tools lookup_price,portfolio_value --tool-choice required "
        "--no-parallel-tool-calls\nCompare AAPL and MSFT."
    )
    assert out.error is None
    assert ip.user_ns["calls"] == [("AAPL", "today"), ("MSFT", "2026-11-20")]
    first, second = aiml_simulator.chat_requests
    assert [t["function"]["name"] for t in first.body["tools"]] == [
        "lookup_price",
        "portfolio_value",
    ]
    assert first.body["tool_choice"] == "required"
    assert first.body["parallel_tool_calls"] is False
    assert "tool_choice" not in second.body  # forcing a call applies to the first request
    assert second.body["parallel_tool_calls"] is False
    messages = second.body["messages"]
    assert [m["role"] for m in messages[-3:]] == ["assistant", "tool", "tool"]
    assert [c["id"] for c in messages[-3]["tool_calls"]] == ["call_1", "call_2"]
    assert [(m["tool_call_id"], m["content"]) for m in messages[-2:]] == [
        ("call_1", "187.5"),
        ("call_2", "402.25"),
    ]
    text = ip.user_ns["_aiml"].text
    assert "call_1) returned: 187.5" in text and "call_2) returned: 402.25" in text


def test_tool_choice_names_a_function(notebook, aiml_simulator):
    aiml_simulator.script(Reply(content="fine"))
    out = notebook("%%aiml --tools lookup_price --tool-choice lookup_price\nhi")
    assert out.error is None
    assert aiml_simulator.chat_requests[0].body["tool_choice"] == {
        "type": "function",
        "function": {"name": "lookup_price"},
    }


def test_raising_tool_unknown_name_and_bad_arguments_go_back_to_the_model(
    notebook, aiml_simulator, ip
):
    aiml_simulator.script(
        Reply(
            tool_calls=[
                call("broken", {"x": 1}, "c1"),
                call("nonexistent", {}, "c2"),
                call("lookup_price", {"ticker": 42}, "c3"),
                call("lookup_price", '{"ticker": "AA', "c4"),
            ]
        ),
        Reply(),
    )
    out = notebook("%%aiml --tools broken,lookup_price\nTry everything.")
    assert out.error is None
    contents = {
        m["tool_call_id"]: json.loads(m["content"])["error"]
        for m in aiml_simulator.chat_requests[1].body["messages"]
        if m["role"] == "tool"
    }
    assert contents["c1"] == "ValueError: the <b>feed</b> is down"
    assert "unknown function 'nonexistent'" in contents["c2"]
    assert "ticker: expected a string" in contents["c3"]
    assert "invalid arguments for lookup_price" in contents["c4"]
    assert ip.user_ns["calls"] == []
    result = ip.user_ns["_aiml"]
    assert [r.ok for r in result.tool_calls] == [False] * 4
    final = out.final_markdown
    assert "ValueError" in final and "<b>" not in final  # shown, and escaped


def test_max_rounds_stops_with_a_clear_message(notebook, aiml_simulator, magics, ip):
    magics.max_tool_rounds = 2
    aiml_simulator.script(
        Reply(tool_calls=[call("lookup_price", {"ticker": "AAPL"})], times=5),
    )
    out = notebook("%%aiml --tools lookup_price\nLoop forever.")
    assert out.error is not None and "max_tool_rounds" in str(out.error)
    assert len(aiml_simulator.chat_requests) == 3
    assert len(ip.user_ns["calls"]) == 2
    assert "round 2: lookup" in out.final_markdown  # what ran stays; the error says it stopped
    assert "nothing was added to the conversation" in str(out.error)
    assert magics.session.chats.get("default").turns == []


def test_interrupt_inside_a_tool_stops_the_cell(notebook, aiml_simulator, magics):
    aiml_simulator.script(Reply(content="first answer"))
    assert notebook("%%aiml\nhello").error is None
    aiml_simulator.script(Reply(tool_calls=[call("slow", {})]), Reply())
    out = notebook("%%aiml --tools slow\nBe slow.")
    assert out.error is not None and "interrupted" in str(out.error)
    assert len(aiml_simulator.chat_requests) == 2  # nothing sent after the interrupt
    turns = magics.session.chats.get("default").turns
    assert [t.answer for t in turns] == ["first answer"]


def test_confirmation_declined_is_reported_to_the_model(notebook, aiml_simulator, ip, monkeypatch):
    prompts = []

    def fake_input(prompt=""):
        prompts.append(prompt)
        return "n"

    monkeypatch.setattr(builtins, "input", fake_input)
    aiml_simulator.script(Reply(tool_calls=[call("lookup_price", {"ticker": "AAPL"})]), Reply())
    out = notebook("%%aiml --tools lookup_price --confirm-tools\nPrice?")
    assert out.error is None
    assert len(prompts) == 1 and "lookup_price" in prompts[0] and "AAPL" in prompts[0]
    assert ip.user_ns["calls"] == []
    tool_message = aiml_simulator.chat_requests[1].body["messages"][-1]
    assert "declined" in tool_message["content"]
    assert ip.user_ns["_aiml"].tool_calls[0].declined


def test_confirmation_accepted_runs_the_call(notebook, aiml_simulator, ip, monkeypatch):
    monkeypatch.setattr(builtins, "input", lambda prompt="": "y")
    aiml_simulator.script(Reply(tool_calls=[call("lookup_price", {"ticker": "AAPL"})]), Reply())
    assert notebook("%%aiml --tools lookup_price --confirm-tools\nPrice?").error is None
    assert ip.user_ns["calls"] == [("AAPL", "today")]


def test_conversation_keeps_the_exchange_only_while_the_tools_are_offered(
    notebook, aiml_simulator, magics
):
    aiml_simulator.script(
        Reply(tool_calls=[call("lookup_price", {"ticker": "AAPL"}, "call_x")]), Reply()
    )
    assert notebook("%%aiml --tools lookup_price\nAAPL?", cell_id="c1").error is None
    [turn] = magics.session.chats.get("default").turns
    assert [m["role"] for m in turn.tool_exchange] == ["assistant", "tool"]
    assert turn.tools == ["lookup_price"]

    aiml_simulator.script(Reply(content="a"), Reply(content="b"))
    assert notebook("%%aiml --tools lookup_price\nAgain?", cell_id="c2").error is None
    with_tools = aiml_simulator.chat_requests[-1].body["messages"]
    assert [m["role"] for m in with_tools] == ["user", "assistant", "tool", "assistant", "user"]
    assert with_tools[2]["tool_call_id"] == "call_x"

    assert notebook("%%aiml\nAnd without tools?", cell_id="c3").error is None
    without = aiml_simulator.chat_requests[-1].body["messages"]
    assert all(m["role"] != "tool" and "tool_calls" not in m for m in without)
    assert "lookup_price (call_x) returned" in without[1]["content"]


def test_export_round_trips_the_exchange(notebook, aiml_simulator, magics):
    from aiml_magics.chat.conversation import Chat

    aiml_simulator.script(Reply(tool_calls=[call("lookup_price", {"ticker": "AAPL"})]), Reply())
    assert notebook("%%aiml --tools lookup_price\nAAPL?").error is None
    chat = magics.session.chats.get("default")
    again = Chat.from_dict(json.loads(json.dumps(chat.to_dict())))
    assert again.turns[0].tool_exchange == chat.turns[0].tool_exchange


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("--tools nowhere", "no function named 'nowhere'"),
        ("--tools calls", "not a function"),
        ("--tools lookup_price --tool-choice other", "--tool-choice must be"),
        ("--tool-choice required", "need --tools"),
        ("--tools varargs", "*args"),
    ],
)
def test_bad_tool_options_send_nothing(notebook, aiml_simulator, line, message):
    assert notebook("def varargs(*args): pass").error is None
    out = notebook(f"%%aiml {line}\nhi")
    assert out.error is not None and message in str(out.error)
    assert aiml_simulator.chat_requests == []


def test_non_streamed_tool_loop(notebook, aiml_simulator, ip):
    aiml_simulator.script(Reply(tool_calls=[call("lookup_price", {"ticker": "MSFT"})]), Reply())
    out = notebook("%%aiml --no-stream --tools lookup_price\nMSFT?")
    assert out.error is None
    assert "returned: 402.25" in ip.user_ns["_aiml"].text
    assert all(r.body["stream"] is False for r in aiml_simulator.chat_requests)


def test_simulator_quotes_tool_results_and_describes_images():
    from aiml_magics.simulator.answers import default_markdown, describe_image

    messages = [
        {"role": "user", "content": "hi"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "a", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                {"id": "b", "type": "function", "function": {"name": "g", "arguments": "{}"}},
            ],
        },
        {"role": "tool", "tool_call_id": "a", "content": "1"},
        {"role": "tool", "tool_call_id": "b", "content": '{"x": 2}'},
    ]
    text = default_markdown(messages, "m")
    assert "I received 2 tool results" in text
    assert "- f (a) returned: 1" in text and '- g (b) returned: {"x": 2}' in text
    assert "tool result" not in default_markdown(messages[:1], "m")
    assert describe_image({"url": "data:image/gif;base64,R0lGODlh", "detail": "auto"}) == (
        "image/gif, 6 bytes, detail auto"
    )
    assert describe_image({"url": "https://a.b/c.png"}) == "URL on a.b, detail unset"


def test_streamed_fragments_with_a_reused_index_make_separate_calls(aiml_simulator):
    from aiml_magics.api.client import AimlClient

    aiml_simulator.script(
        Reply(
            tool_calls=[
                {"id": "x1", "name": "f", "arguments": '{"a": "first value"}'},
                {"id": "x2", "name": "g", "arguments": '{"b": "second value"}'},
            ],
            tool_index_reuse=True,
            chunk_size=3,
        )
    )
    from aiml_magics.api.secret import Secret

    client = AimlClient(Secret(aiml_simulator.api_key, "test"), aiml_simulator.base_url)
    stream = client.stream([{"role": "user", "content": "go"}])
    for _ in stream:
        pass
    result = stream.result()
    client.close()
    assert result.finish_reason == "tool_calls"
    assert [(c.id, c.name, c.arguments) for c in result.tool_calls] == [
        ("x1", "f", '{"a": "first value"}'),
        ("x2", "g", '{"b": "second value"}'),
    ]


def test_panel_regenerate_runs_the_tool_loop_again(notebook, aiml_simulator, magics, ip):
    pytest.importorskip("ipywidgets")
    from IPython.utils.capture import capture_output

    aiml_simulator.script(Reply(tool_calls=[call("lookup_price", {"ticker": "AAPL"})]), Reply())
    out = notebook("%%aiml --tools lookup_price\nAAPL?", cell_id="p1")
    assert out.error is None and magics.last_panel is not None
    aiml_simulator.script(Reply(tool_calls=[call("lookup_price", {"ticker": "MSFT"})]), Reply())
    with capture_output():
        magics.last_panel.regenerate_button.click()
    assert ip.user_ns["calls"] == [("AAPL", "today"), ("MSFT", "today")]
    third, fourth = aiml_simulator.chat_requests[2:]
    assert third.body["tools"][0]["function"]["name"] == "lookup_price"
    assert fourth.body["messages"][-1]["content"] == "402.25"
    [turn] = magics.session.chats.get("default").turns
    assert "402.25" in turn.answer


def test_tab_after_tools_offers_the_notebooks_functions(notebook, ip):
    """The functions defined in the notebook and registered tools; not imported callables,
    classes or private names. After a comma, the next function of the list."""
    ip.run_cell("from os.path import join\nclass Thing: pass\ndef _helper(): pass")

    def tab(line):
        return ip.complete("", line, len(line))[1]

    offered = tab("%%aiml --tools ")
    assert {"lookup_price", "portfolio_value", "broken", "slow"} <= set(offered)
    assert not {"join", "Thing", "_helper", "calls"} & set(offered)
    assert tab("%%aiml --tools port") == ["portfolio_value"]
    after_comma = tab("%%aiml --tools lookup_price,")
    assert "portfolio_value" in after_comma and "lookup_price" not in after_comma
