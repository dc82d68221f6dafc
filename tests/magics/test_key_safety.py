"""The API key never appears in any output, repr, error, `%aiml config`, history or metadata."""

from __future__ import annotations

import json

import pytest

from aiml_magics.simulator import Fault, Reply, Simulator

KEY = "fake-aiml-key-UNIQUE-7f3a9c1e5b2d4f60"


@pytest.fixture(scope="module")
def keyed_simulator():
    with Simulator(api_key=KEY) as sim:
        yield sim


@pytest.fixture
def env(keyed_simulator, ip, monkeypatch):
    keyed_simulator.reset()
    monkeypatch.setenv("AIML_API_KEY", KEY)
    monkeypatch.setenv("AIML_API_BASE", keyed_simulator.base_url)
    return keyed_simulator


def everything_visible(out, ip, magics) -> str:
    """All text a user or a saved notebook could ever see from this session."""
    parts = [out.stdout, out.captured.stderr, repr(out.error), str(out.error)]
    for output in out.outputs:
        parts.append(json.dumps(output.data))
        parts.append(json.dumps(output.metadata or {}, default=str))
    parts += [repr(magics), repr(magics.session.client()), repr(magics.session.key())]
    parts += [repr(ip.user_ns.get("_aiml")), str(ip.user_ns.get("In")), str(ip.user_ns.get("Out"))]
    for chat in magics.session.chats:
        parts.append(repr(chat))
    return "\n".join(parts)


CASES = {
    "success": [Reply(content="fine")],
    "bad request": [Reply.error(400, message="Body validation error")],
    "wrong key": [Reply.error(401)],
    "out of credits": [Reply.error(403)],
    "not found": [Reply.error(404, error_body="text")],
    "rate limited": [Reply.error(429, times=3, headers={"Retry-After": "0"})],
    "server error": [
        Reply.error(500, times=3, headers={"retry-after-ms": "1"}, error_body="openai")
    ],
    "disconnect": [Reply(content="x" * 100, fault=Fault("disconnect", after_chunks=2))],
    "malformed": [Reply(content="x" * 100, fault=Fault("malformed", after_chunks=1))],
    "error event": [Reply(content="x" * 100, fault=Fault("error_event", after_chunks=1))],
    "echoing server": [Reply.error(400, message=f"key {KEY} is odd")],
}


@pytest.mark.parametrize("case", list(CASES))
def test_key_is_absent_from_everything_on_every_path(case, env, run, ip, magics):
    env.script(*CASES[case])
    out = run("%%aiml\nhello")
    visible = everything_visible(out, ip, magics)
    for command in ("%aiml config", "%aiml history", "%aiml chats", "%aiml usage", "%aiml help"):
        extra = run(command)
        visible += extra.stdout + "".join(json.dumps(o.data) for o in extra.outputs)
    assert KEY not in visible
    assert KEY[-12:] not in visible


def test_key_is_absent_after_timeouts_and_refused_urls(env, run, ip, magics):
    ip.run_line_magic("config", "AimlMagics.read_timeout = 0.3")
    ip.run_line_magic("config", "AimlMagics.max_retries = 0")
    env.script(Reply(content="x" * 50, fault=Fault("stall", after_chunks=1, seconds=3)))
    stalled = run("%%aiml\nhello")
    assert "stalled" in stalled.stdout
    ip.run_line_magic("config", "AimlMagics.base_url = 'http://api.example.invalid/v1'")
    refused = run("%%aiml\nhello")
    assert "clear text" in refused.stdout
    for out in (stalled, refused):
        assert KEY not in everything_visible(out, ip, magics)
