"""The simulator's server profiles on the wire, read with plain `requests` and a tiny SSE
reader (not the project's decoder), so these check the bytes each profile sends."""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from aiml_magics.simulator import DEFAULT_KEY, Reply, Simulator
from aiml_magics.simulator import pytest_plugin as plugin
from aiml_magics.simulator.profiles import NAMES

_aiml_simulator_server = plugin._aiml_simulator_server
aiml_simulator = plugin.aiml_simulator

ROOT = Path(__file__).resolve().parents[2]
AUTH = {"Authorization": f"Bearer {DEFAULT_KEY}"}


def chat(sim: Simulator, headers: dict | None = AUTH, **extra: Any) -> requests.Response:
    body = {"model": "bytedance/seed-1-8", "messages": [{"role": "user", "content": "Hi"}]}
    return requests.post(
        f"{sim.base_url}/chat/completions", json={**body, **extra}, headers=headers, timeout=10
    )


def events(response: requests.Response) -> list[Any]:
    datas = [b[6:] for b in response.text.split("\n\n") if b.startswith("data: ")]
    return [d if d == "[DONE]" else json.loads(d) for d in datas]


def models(sim: Simulator, headers: dict | None = AUTH) -> requests.Response:
    return requests.get(f"{sim.base_url}/models", headers=headers, timeout=10)


@pytest.mark.parametrize("profile", NAMES)
@pytest.mark.parametrize("asked", [True, False], ids=["include_usage", "no-options"])
def test_stream_details(aiml_simulator, profile, asked):
    aiml_simulator.profile = profile
    extra = {"stream_options": {"include_usage": True}} if asked else {}
    response = chat(aiml_simulator, stream=True, **extra)
    assert response.status_code == 200
    items = events(response)
    assert items[-1] == "[DONE]"
    chunks = items[:-1]
    with_usage = [c for c in chunks if c.get("usage")]
    with_meta = [c for c in chunks if "meta" in c]
    if profile == "aiml":
        assert with_usage and with_meta  # always, as the service does
    else:
        assert not with_meta
        assert bool(with_usage) is asked
        if asked:
            assert with_usage[-1]["choices"] == []
    finish = [c for c in chunks if c["choices"] and c["choices"][0].get("finish_reason")]
    assert finish and finish[-1]["choices"][0]["delta"] == {}  # finish on an empty delta
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    keys = {k for d in deltas for k in d if k.startswith("reasoning")}
    expected = {"aiml": {"reasoning_content"}, "openai": set(), "ollama": {"reasoning"}}
    assert keys == expected.get(profile, {"reasoning_content"})
    assert ("x-inference-id" in response.headers) is (profile == "aiml")


@pytest.mark.parametrize("profile", NAMES)
def test_non_streamed_cost_is_the_ai_ml_apis_own(aiml_simulator, profile):
    aiml_simulator.profile = profile
    response = chat(aiml_simulator)
    body = response.json()
    assert body["usage"]["total_tokens"] > 0
    own = profile == "aiml"
    assert ("meta" in body) is own
    assert ("x-aimlapi-credits-used" in response.headers) is own


def test_catalogue_shapes(aiml_simulator):
    shapes = {}
    for profile in NAMES:
        aiml_simulator.profile = profile
        shapes[profile] = models(aiml_simulator).json()["data"]
    assert all("type" in entry for entry in shapes["aiml"])
    for profile in ("openai", "litellm", "vllm", "ollama"):
        for entry in shapes[profile]:
            assert "type" not in entry and entry["object"] == "model"
            assert {"id", "created", "owned_by"} <= set(entry)
    seed = {e["id"]: e for e in shapes["litellm"]}["bytedance/seed-1-8"]
    assert (seed["mode"], seed["max_input_tokens"], seed["max_output_tokens"]) == (
        "chat",
        256000,
        64000,
    )
    assert {e["id"]: e for e in shapes["litellm"]}["flux/schnell"]["mode"] != "chat"
    assert {e["id"]: e for e in shapes["vllm"]}["bytedance/seed-1-8"]["max_model_len"] == 256000
    assert {e["owned_by"] for e in shapes["ollama"]} == {"library"}


@pytest.mark.parametrize("profile", NAMES)
def test_model_list_auth(aiml_simulator, profile):
    aiml_simulator.profile = profile
    protected = profile in ("openai", "litellm", "vllm")
    assert models(aiml_simulator, headers=None).status_code == (401 if protected else 200)
    assert models(aiml_simulator).status_code == 200
    aiml_simulator.keyless = True
    assert models(aiml_simulator, headers=None).status_code == 200
    assert chat(aiml_simulator, headers=None).status_code == 200


@pytest.mark.parametrize(
    ("profile", "check"),
    [
        ("aiml", lambda b: b["statusCode"] == 401),
        ("openai", lambda b: b["error"]["code"] == "invalid_api_key"),
        ("litellm", lambda b: "Authentication Error" in b["error"]["message"]),
        ("vllm", lambda b: b == {"error": "Unauthorized"}),
    ],
)
def test_auth_errors_as_each_server_words_them(aiml_simulator, profile, check):
    aiml_simulator.profile = profile
    response = chat(aiml_simulator, headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401 and check(response.json())


@pytest.mark.parametrize(
    ("profile", "status", "check"),
    [
        ("aiml", 400, lambda b: "Invalid model 'no/such'" in b["message"]),
        ("openai", 404, lambda b: b["error"]["code"] == "model_not_found"),
        ("litellm", 400, lambda b: "\n" in b["error"]["message"]),
        ("vllm", 404, lambda b: b["object"] == "error" and b["code"] == 404),
        ("ollama", 404, lambda b: "try pulling it" in b["error"]["message"]),
    ],
)
def test_unknown_model_answers(aiml_simulator, profile, status, check):
    aiml_simulator.profile = profile
    response = chat(aiml_simulator, model="no/such")
    assert response.status_code == status and check(response.json())


def test_reply_fields_override_the_profile(aiml_simulator):
    aiml_simulator.profile = "ollama"
    aiml_simulator.script(Reply(reasoning_key="reasoning_content", meta_on="last", send_usage=True))
    chunks = events(chat(aiml_simulator, stream=True))[:-1]
    assert any("reasoning_content" in c["choices"][0]["delta"] for c in chunks if c["choices"])
    assert "meta" in chunks[-1] and chunks[-1]["usage"]


def test_reset_restores_the_ai_ml_api(aiml_simulator):
    aiml_simulator.profile = "vllm"
    aiml_simulator.keyless = True
    aiml_simulator.reset()
    assert aiml_simulator.profile.name == "aiml" and not aiml_simulator.keyless
    with pytest.raises(ValueError, match="profile must be one of"):
        aiml_simulator.profile = "nosuch"


def test_command_line_profile_without_a_key(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-m", "aiml_magics.simulator", "--port", "0", "--profile", "vllm"]
    process = subprocess.Popen(
        [*command, "--no-key"],
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
        match = re.search(r"(http://127\.0\.0\.1:\d+/v1)", line)
        assert match and "vllm" in line and "no key needed" in line
        base = match.group(1)
        listing = requests.get(f"{base}/models", timeout=5).json()
        assert listing["data"][0]["object"] == "model"
        body = {"model": "bytedance/seed-1-8", "messages": [{"role": "user", "content": "Hi"}]}
        answer = requests.post(f"{base}/chat/completions", json=body, timeout=5).json()
        assert "meta" not in answer and answer["choices"][0]["message"]["content"]
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=5)
    assert process.returncode == 0, errors
