"""`%%aiml --mcp`: MCP servers' tools in the tool loop, through the real magic.

The toolbox server (tests/mcpservers/toolbox.py) runs over streamable HTTP as `calc` (one
process for the module) and over stdio as `box` (started by the magic); the simulator
scripts the model's tool calls to them.
"""

from __future__ import annotations

import json
import os
import signal
import threading

import pytest

from aiml_magics.simulator import Reply
from tests.mcpservers.fixtures import ENV_SECRET, HEADER_SECRET, http_toolbox, write_config

pytest.importorskip("mcp", reason="the mcp extra is part of the test extra")

__all__ = ["http_toolbox"]  # the module-scoped fixture, used by name below


@pytest.fixture
def servers(ip, tmp_path, http_toolbox, magics):
    path = write_config(tmp_path, http_toolbox)
    ip.run_line_magic("config", f"AimlMagics.mcp_config = {str(path)!r}")
    return path


def call(name: str, arguments: dict | None = None, id_: str = "c1") -> dict:
    return {"id": id_, "name": name, "arguments": json.dumps(arguments or {})}


def said(out) -> str:
    """Everything a cell showed: stdout, stderr and every display's text."""
    shown = [out.stdout, out.captured.stderr]
    for output in out.outputs:
        shown += [str(v) for v in output.data.values()]
    return "\n".join(shown)


def test_listing_starts_nothing_and_shows_no_secret(servers, run, magics):
    out = run("%aiml mcp")
    text = said(out)
    assert "calc" in text and "box" in text and "broken" in text
    assert text.count("not started") == 6  # three servers, in Markdown and in plain text
    assert ENV_SECRET not in text and HEADER_SECRET not in text
    assert ENV_SECRET not in repr(magics.session.mcp.connection("box"))
    assert ENV_SECRET not in repr(magics.session.mcp.servers()["box"])


def test_http_tools_are_offered_as_server__tool_and_called(servers, run, ip, aiml_simulator):
    aiml_simulator.script(Reply(tool_calls=[call("calc__add", {"a": 2, "b": 3})]), Reply())
    out = run("%%aiml --mcp calc\nWhat is 2 + 3?")
    assert out.error is None
    first, second = aiml_simulator.chat_requests
    names = [t["function"]["name"] for t in first.body["tools"]]
    assert {"calc__add", "calc__capital", "calc__red_square"} <= set(names)
    add = next(t["function"] for t in first.body["tools"] if t["function"]["name"] == "calc__add")
    assert add["description"] == "Add two numbers."
    assert add["parameters"]["required"] == ["a", "b"]
    assert second.body["messages"][-1] == {"role": "tool", "tool_call_id": "c1", "content": "5.0"}
    [run_] = ip.user_ns["_aiml"].tool_calls
    assert (run_.name, run_.error, run_.content) == ("calc__add", None, "5.0")
    assert "calc__add → 5.0" in said(out)


def test_mcp_and_notebook_tools_together_with_tool_choice(servers, run, aiml_simulator):
    run("def shout(text: str) -> str:\n    'Upper case.'\n    return text.upper()")
    aiml_simulator.script(
        Reply(
            tool_calls=[
                call("calc__capital", {"country": "Kenya"}),
                call("shout", {"text": "hi"}, "c2"),
            ]
        ),
        Reply(),
    )
    out = run(
        "%%aiml --tools shout --mcp calc --tool-choice calc__capital --no-parallel-tool-calls\n"
        "Capital of Kenya?"
    )
    assert out.error is None
    first, second = aiml_simulator.chat_requests
    assert first.body["tool_choice"] == {"type": "function", "function": {"name": "calc__capital"}}
    assert first.body["parallel_tool_calls"] is False
    contents = [m["content"] for m in second.body["messages"] if m["role"] == "tool"]
    assert contents == ["Nairobi", '"HI"']


def test_a_notebook_function_may_not_take_a_server_tools_name(servers, run, aiml_simulator):
    run("def calc__add(a: int) -> int:\n    return a")
    out = run("%%aiml --tools calc__add --mcp calc\nhi")
    assert "both offer 'calc__add'" in said(out)
    assert aiml_simulator.chat_requests == []


def test_an_image_result_goes_back_as_image_input(servers, run, aiml_simulator):
    aiml_simulator.script(Reply(tool_calls=[call("calc__red_square")]), Reply())
    out = run("%%aiml --mcp calc\nDraw me something")
    assert out.error is None
    last = aiml_simulator.chat_requests[1].body["messages"]
    assert last[-2] == {
        "role": "tool",
        "tool_call_id": "c1",
        "content": "[image: image/png, 70 bytes]",
    }
    assert last[-1]["role"] == "user"
    image = last[-1]["content"][1]["image_url"]["url"]
    assert image.startswith("data:image/png;base64,iVBOR")
    assert "image 1: image/png, 70 bytes" in said(out)  # the simulator saw the image


def test_a_model_without_vision_gets_no_image(servers, run, aiml_simulator):
    aiml_simulator.script(Reply(tool_calls=[call("calc__red_square")]), Reply())
    out = run("%%aiml -m qwen/qwen3-32b --mcp calc\nDraw me something")
    assert out.error is None
    messages = aiml_simulator.chat_requests[1].body["messages"]
    assert messages[-1]["role"] == "tool"
    assert "takes no images" in said(out)


def test_an_error_and_a_hang_become_the_tools_results(servers, run, ip, aiml_simulator):
    ip.run_line_magic("config", "AimlMagics.mcp_timeout = 1.5")
    aiml_simulator.script(
        Reply(
            tool_calls=[
                call("calc__capital", {"country": "Atlantis"}),
                call("calc__hang", {}, "c2"),
            ]
        ),
        Reply(),
    )
    out = run("%%aiml --mcp calc\nCapital of Atlantis?")
    assert out.error is None
    contents = [
        json.loads(m["content"])["error"]
        for m in aiml_simulator.chat_requests[1].body["messages"]
        if m["role"] == "tool"
    ]
    assert contents[0] == (
        "calc__capital reported an error: Error executing tool capital: "
        "no capital known for Atlantis"
    )
    assert contents[1] == (
        "MCP server 'calc': no answer to call hang within 1.5 s (AimlMagics.mcp_timeout)"
    )
    shown = said(out)
    assert "calc__capital ✗" in shown and "calc__hang ✗" in shown
    assert ip.user_ns["_aiml"].text  # the model went on and answered


def test_a_stdio_server_that_dies_mid_call_is_reported_and_restarted(
    servers, run, ip, aiml_simulator
):
    aiml_simulator.script(
        Reply(tool_calls=[call("box__crash")]),
        Reply(),
        Reply(tool_calls=[call("box__secret_seen")]),
        Reply(),
    )
    out = run("%%aiml --mcp box\nCrash, please")
    assert out.error is None
    tool = aiml_simulator.chat_requests[1].body["messages"][-1]
    assert "call crash failed (the server stopped)" in json.loads(tool["content"])["error"]
    listed = said(run("%aiml mcp"))
    assert "failed: stopped during a call" in listed
    out = run("%%aiml --mcp box\nIs the secret there?")
    assert out.error is None
    assert aiml_simulator.chat_requests[3].body["messages"][-1]["content"] == "true"


def test_secrets_never_show_in_outputs_errors_or_recordings(
    servers, run, ip, magics, tmp_path, aiml_simulator
):
    recording = tmp_path / "rec.jsonl"
    ip.run_line_magic("config", f"AimlMagics.replay_path = {str(recording)!r}")
    ip.run_line_magic("aiml", "replay record")
    aiml_simulator.script(
        Reply(tool_calls=[call("box__secret_seen"), call("calc__add", {"a": 1, "b": 1}, "c2")]),
        Reply(),
    )
    outs = [
        run("%%aiml --mcp box,calc\nsecret?"),
        run("%aiml mcp"),
        run("%aiml mcp restart broken"),
    ]
    shown = "\n".join(said(o) for o in outs) + repr(ip.user_ns["_aiml"].tool_calls)
    shown += json.dumps(aiml_simulator.chat_requests[1].body)
    shown += recording.read_text(encoding="utf-8")
    assert "secret_seen" in recording.read_text(encoding="utf-8")  # the tool call is recorded
    assert aiml_simulator.chat_requests[1].body["messages"][-2]["content"] == "true"
    assert ENV_SECRET not in shown and HEADER_SECRET not in shown


def test_a_server_that_fails_to_start(servers, run, aiml_simulator):
    out = run("%%aiml --mcp broken\nhi")
    text = said(out)
    assert "MCP server 'broken' failed to start" in text and "Traceback" not in text
    assert aiml_simulator.chat_requests == []
    out = run("%%aiml --mcp calc,broken\nhi")
    assert out.error is None
    assert "⚠ MCP server 'broken' failed to start" in said(out)
    names = [t["function"]["name"] for t in aiml_simulator.chat_requests[0].body["tools"]]
    assert names and all(n.startswith("calc__") for n in names)


def test_unknown_server_and_restart(servers, run):
    out = run("%%aiml --mcp nope\nhi")
    assert "no server named 'nope'" in said(out) and "calc, box, broken" in said(out)
    out = run("%aiml mcp restart calc")
    assert "Restarted MCP server 'calc'" in out.stdout and "calc__add" in out.stdout
    assert "running" in said(run("%aiml mcp"))


def test_a_resource_is_attached_to_the_prompt(servers, run, aiml_simulator):
    out = run("%%aiml --mcp calc --mcp-resource notes://today\nWhat is on my list?")
    assert out.error is None
    user = aiml_simulator.chat_requests[0].body["messages"][-1]["content"]
    assert user.startswith("What is on my list?\n\nMCP resource notes://today:")
    assert "Buy milk." in user


def test_dry_run_shows_the_offered_tools(servers, run, aiml_simulator):
    out = run("%%aiml --mcp calc --dry-run\nhi")
    text = said(out)
    assert "calc__add" in text and "Add two numbers." in text and '"required"' in text
    assert aiml_simulator.chat_requests == []


def test_rules_accept_mcp_as_the_tool_source(servers, run, aiml_simulator):
    out = run("%%aiml --mcp-resource notes://today\nhi")
    assert "--mcp-resource URI is read from the servers of --mcp" in said(out)
    out = run("%%aiml --compare gpt-4o,seed-1-8 --mcp calc\nhi")
    assert "--mcp cannot be used with --compare" in said(out)
    aiml_simulator.script(Reply())
    out = run("%%aiml --mcp calc --tool-choice required\nhi")
    assert out.error is None and aiml_simulator.chat_requests[0].body["tool_choice"] == "required"


def test_interrupt_stops_a_waiting_call(servers, run, ip, aiml_simulator):
    aiml_simulator.script(Reply(tool_calls=[call("calc__hang")]))
    timer = threading.Timer(3.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        out = run("%%aiml --mcp calc\nWait forever")
    finally:
        timer.cancel()
    assert "calc__hang was interrupted" in said(out)
    assert len(aiml_simulator.chat_requests) == 1


def tab(ip, line: str) -> list[str]:
    _, matches = ip.complete("", line, len(line))
    return matches


def test_tab_offers_the_configured_servers_without_starting_them(servers, ip, magics):
    assert {"calc", "box", "broken"} <= set(tab(ip, "%%aiml --mcp "))
    assert tab(ip, "%%aiml --mcp ca") == ["calc"]
    after_comma = set(tab(ip, "%%aiml --mcp calc,"))  # the next name of the list
    assert {"box", "broken"} <= after_comma and "calc" not in after_comma
    assert set(tab(ip, "%aiml mcp restart ")) >= {"calc", "box"}
    assert magics.session._mcp is None or not magics.session.mcp.known(), "nothing started"


def test_tab_after_mcp_offers_nothing_when_the_file_is_missing(ip, magics, tmp_path):
    ip.run_line_magic("config", f"AimlMagics.mcp_config = {str(tmp_path / 'none.json')!r}")
    offered = tab(ip, "%%aiml --mcp ")
    assert "calc" not in offered and not [m for m in offered if m.startswith("--")]
