"""Secrets stay home, end to end: key-like values planted in variables, cells, outputs and
errors never reach a request body (every request the simulator received is scanned), nor the
answer's outputs."""

from __future__ import annotations

import json

import pytest
from IPython.utils.capture import capture_output

from aiml_magics.simulator import Reply

# Built at run time so no scanner mistakes this file for a leak.
PLANTED = {
    "openai": "sk-" + "proj" + "A1b2C3d4E5f6G7h8I9j0K1l2",
    "bearer": "eyJ" + "hbGciOi" + "JIUzI1NiJ9xyzBEARER77",
    "aws": "AKIA" + "IOSFODNN7EXAMPLE",
    "password": "hunter2" + "-correct-horse-77",
    "db_token": "tok" + "_9f8e7d6c5b4a3f2e1d0c",
}


@pytest.fixture
def shell(ip):
    ip.history_manager.reset()
    ip.execution_count = 1
    yield ip
    for name in ("config", "db_password", "headers", "aws_key", "api_token", "report", "leak"):
        ip.user_ns.pop(name, None)


def stored(ip, source: str):
    with capture_output() as captured:
        ip.run_cell(source, store_history=True)
    return captured


def planted_values(simulator) -> list[str]:
    return [simulator.api_key, *PLANTED.values()]


def test_nothing_planted_reaches_any_request_body(shell, aiml_simulator):
    key = aiml_simulator.api_key
    stored(shell, f"db_password = {PLANTED['password']!r}")
    stored(shell, f"config = {{'model': 'x', 'api_key': {key!r}, 'openai': {PLANTED['openai']!r}}}")
    stored(shell, f"headers = {{'Authorization': 'Bearer {PLANTED['bearer']}'}}")
    stored(shell, f"aws_key = {PLANTED['aws']!r}\napi_token = {PLANTED['db_token']!r}")
    stored(shell, f"print('logged in with', db_password, {key!r})\nheaders")
    stored(shell, f"report = 'uses ' + aws_key + ' and ' + {PLANTED['openai']!r}\nreport")
    stored(shell, f"raise RuntimeError('login failed: ' + api_token + ' ' + {key!r})")

    aiml_simulator.script(*(Reply(content=f"answer {n}") for n in range(4)))
    outputs = []
    for cell in (
        "%%aiml --context cells,outputs,vars,errors\nWhat went wrong?",
        "%%aiml\nCheck @config, @headers, @db_password, @aws_key and @report",
        "%%aiml --context cells=3,outputs\nAnd @api_token?",
        "%%aiml --dry-run --context cells,outputs,vars,errors\nShow me",
    ):
        captured = stored(shell, cell)
        assert "Error" not in captured.stderr, captured.stderr
        outputs.append(json.dumps([o.data for o in captured.outputs]) + captured.stdout)
    stored(shell, "%aiml fix")

    bodies = [json.dumps(r.body) for r in aiml_simulator.requests if r.body is not None]
    assert len(aiml_simulator.chat_requests) == 4  # three cells and the fix; the dry run sent none
    everything = "\n".join(bodies + outputs)
    for label in (
        "### @config",
        "### @db_password",
        "### last error",
        "### output of",
        "### variables",
    ):
        assert label in everything, f"{label} was attached (and redacted), not left out"
    assert "[redacted]" in everything
    for value in planted_values(aiml_simulator):
        assert value not in everything
    assert shell.user_ns["_aiml"].provenance()["context"]["parts"], "the fix attached the error"
