"""Other OpenAI-compatible servers through the real magic: the simulator's profiles (the AI/ML
API, OpenAI, a LiteLLM proxy, vLLM, Ollama) in a real InteractiveShell over real HTTP.

What must work the same everywhere: streamed and non-streamed answers, `%aiml models`, TAB
completion of `-m`, errors as one line with the status (at once for an unknown model), keyless
local servers. What may differ is left out of the footer instead of shown as zeros.
"""

from __future__ import annotations

import dataclasses

import pytest
from IPython.core.completer import provisionalcompleter

from aiml_magics.api import errors
from aiml_magics.simulator import Fault, Reply
from aiml_magics.simulator.profiles import NAMES

OTHERS = [name for name in NAMES if name != "aiml"]
REASONING = "The user sent 1 message"  # the start of the simulator's default reasoning


def footer(run_result) -> str:
    return run_result.final_markdown.rsplit("\n---\n", 1)[-1]


def completions(ip, line: str) -> list[str]:
    with provisionalcompleter():
        return [c.text for c in ip.Completer.completions(line, len(line))]


@pytest.mark.parametrize("profile", NAMES)
@pytest.mark.parametrize("stream", [True, False], ids=["streamed", "no-stream"])
def test_answers_arrive_with_what_the_server_reports(run, aiml_simulator, profile, stream):
    aiml_simulator.profile = profile
    ran = run("%%aiml" + ("" if stream else " --no-stream") + "\nHello there")
    assert ran.error is None
    assert 'You wrote: "Hello there"' in ran.final_markdown
    text = footer(ran)
    assert "prompt" in text and "completion" in text  # usage: the client asks for it
    if profile == "aiml":
        assert "credits" in text and "$" in text
    else:
        assert "credits" not in text and "$" not in text  # unknown, so left out
    shown = REASONING in ran.final_markdown
    assert shown is (profile != "openai")  # OpenAI never sends reasoning text
    (request,) = aiml_simulator.chat_requests
    if stream:
        assert request.body["stream_options"] == {"include_usage": True}


@pytest.mark.parametrize("profile", OTHERS)
def test_a_stream_without_usage_leaves_tokens_out(run, aiml_simulator, profile):
    aiml_simulator.profile = profile
    aiml_simulator.script(Reply(content="Just text.", send_usage=False))
    ran = run("%%aiml\nHello")
    assert ran.error is None and "Just text." in ran.final_markdown
    text = footer(ran)
    assert "tokens" not in text and "credits" not in text and " 0 " not in text
    usage = run("%aiml usage").outputs[-1].data["text/plain"].splitlines()
    row = usage[-1].split()
    assert row[:2] == ["bytedance/seed-1-8", "1"] and len(row) == 2  # nothing else is known


@pytest.mark.parametrize("profile", NAMES)
def test_models_lists_every_shape(run, aiml_simulator, profile):
    aiml_simulator.profile = profile
    ran = run("%aiml models")
    assert ran.error is None
    plain = ran.outputs[-1].data["text/plain"]
    assert "bytedance/seed-1-8" in plain and "openai/gpt-4o" in plain
    header = plain.splitlines()[1]
    if profile == "aiml":
        assert "name" in header and "capabilities" in header and "flux/schnell" not in plain
    elif profile == "litellm":
        assert "context" in header and "max output" in header
        assert "64,000" in plain  # max_output_tokens of seed-1-8
        assert "flux/schnell" not in plain  # mode: image_generation
    elif profile == "vllm":
        assert "context" in header and "256,000" in plain  # max_model_len
    else:
        assert header.split() == ["id", "owned", "by"]  # nothing else is known
    listing = [r for r in aiml_simulator.requests if r.path.rstrip("/") == "/v1/models"]
    assert listing and all(r.authorized for r in listing)  # the key goes with the list


@pytest.mark.parametrize("profile", ["openai", "litellm", "vllm"])
def test_a_protected_model_list_needs_the_key(aiml_simulator, profile):
    from aiml_magics.api.client import AimlClient

    aiml_simulator.profile = profile
    client = AimlClient("wrong-key", aiml_simulator.base_url)
    with pytest.raises(errors.AuthenticationError) as caught:
        client.models()
    assert "HTTP 401" in str(caught.value)
    assert [m.id for m in AimlClient(aiml_simulator.api_key, aiml_simulator.base_url).models()]


@pytest.mark.parametrize("profile", NAMES)
def test_tab_completes_model_ids(ip, magics, aiml_simulator, profile):
    aiml_simulator.profile = profile
    assert "openai/gpt-4o" in magics.session.model_names(wait=10)
    assert "openai/gpt-4o" in completions(ip, "%%aiml -m open")


@pytest.mark.parametrize("profile", NAMES)
def test_an_unknown_model_fails_at_once_in_one_line(run, aiml_simulator, profile):
    aiml_simulator.profile = profile
    ran = run("%%aiml -m openai/gpt4o\nHello")
    error = ran.error
    assert isinstance(error, errors.ModelNotFoundError)
    text = str(error)
    assert "\n" not in text and f"HTTP {error.status}" in text and error.status in (400, 404)
    assert "openai/gpt-4o" in text  # the close match from the list
    assert "waiting" not in ran.stdout and "retry" not in ran.stdout
    assert len(aiml_simulator.chat_requests) == 1
    listing = [r for r in aiml_simulator.requests if r.path.rstrip("/") == "/v1/models"]
    assert len(listing) == 1


@pytest.mark.parametrize("profile", NAMES)
def test_the_close_match_lookup_never_retries(run, aiml_simulator, profile):
    aiml_simulator.profile = profile
    aiml_simulator.script_models(Reply.error(500, times=5))
    ran = run("%%aiml -m no/such-model\nHello")
    assert ran.error is not None and ran.error.status in (400, 404)
    assert "\n" not in str(ran.error)
    listing = [r for r in aiml_simulator.requests if r.path.rstrip("/") == "/v1/models"]
    assert len(listing) == 1 and len(aiml_simulator.chat_requests) == 1


MULTILINE = "The upstream said no.\n\n  Details:\n\tfield `x` is wrong"


@pytest.mark.parametrize("profile", NAMES)
@pytest.mark.parametrize("status", [400, 500])
def test_error_bodies_are_one_line_with_the_status(run, magics, aiml_simulator, profile, status):
    magics.max_retries = 0  # the body is the point here, not the retries
    aiml_simulator.profile = profile
    aiml_simulator.script(Reply.error(status, message=MULTILINE, times=3))
    ran = run("%%aiml\nHello")
    text = str(ran.error)
    assert "\n" not in text and "  " not in text
    assert f"(HTTP {status}): " in text
    assert "The upstream said no. Details: field `x` is wrong" in text
    if profile == "litellm":  # a long hint after the message: cut, and the rest reachable
        assert "%aiml last-error" in text
        whole = run("%aiml last-error").stdout
        assert "Hint: check that the model is in the proxy's config.yaml" in whole
        assert "Received Model Group=bytedance/seed-1-8\n" in whole  # its own lines kept
    else:
        assert "last-error" not in text
        assert MULTILINE in run("%aiml last-error").stdout


@pytest.mark.parametrize("shape", ["text", "string", "vllm", "ollama", "openai", "flat"])
def test_every_shape_from_any_profile(run, magics, aiml_simulator, shape):
    magics.max_retries = 0
    aiml_simulator.profile = "openai"
    aiml_simulator.script(Reply.error(429, message="Slow\ndown", error_body=shape, times=3))
    text = str(run("%%aiml\nHello").error)
    assert "(HTTP 429): Slow down" in text and "\n" not in text


@pytest.mark.parametrize("profile", NAMES)
def test_mid_stream_errors_are_one_line(run, aiml_simulator, profile):
    aiml_simulator.profile = profile
    fault = Fault.error_event(after_chunks=3, message="Engine\nfailed", code=500)
    answer = Reply(content="A long enough answer to be cut.", reasoning="", chunk_size=4)
    aiml_simulator.script(dataclasses.replace(answer, fault=fault))
    ran = run("%%aiml\nHello")
    assert isinstance(ran.error, errors.ServerError)
    assert "Engine failed" in str(ran.error) and "\n" not in str(ran.error)
    assert ran.final_markdown.startswith("A long e") and "no answer" not in ran.final_markdown
    assert "What was shown is kept but not added to the conversation" in str(ran.error)


def test_last_error_before_any_error(run):
    assert "No aiml error" in run("%aiml last-error").stdout


@pytest.mark.parametrize("profile", ["vllm", "ollama"])
def test_a_keyless_local_server_needs_no_key(run, aiml_simulator, monkeypatch, profile):
    for name in ("AIML_API_KEY", "AIMLAPI_API_KEY", "AIMLAPI_KEY"):
        monkeypatch.delenv(name, raising=False)
    aiml_simulator.profile = profile
    aiml_simulator.keyless = True
    ran = run("%%aiml\nHello")
    assert ran.error is None and 'You wrote: "Hello"' in ran.final_markdown
    assert run("%aiml models").error is None
    assert aiml_simulator.requests
    assert all("authorization" not in r.headers for r in aiml_simulator.requests)


def test_a_local_server_that_wants_a_key_says_how_to_set_one(run, aiml_simulator, monkeypatch):
    for name in ("AIML_API_KEY", "AIMLAPI_API_KEY", "AIMLAPI_KEY"):
        monkeypatch.delenv(name, raising=False)
    aiml_simulator.profile = "vllm"  # started with --api-key
    error = run("%%aiml\nHello").error
    assert isinstance(error, errors.MissingKeyError)
    assert "asks for an API key" in str(error) and "%aiml key" in str(error)
    assert "HTTP 401" in str(error)


def test_a_remote_server_still_needs_a_key(run, aiml_simulator, monkeypatch):
    for name in ("AIML_API_KEY", "AIMLAPI_API_KEY", "AIMLAPI_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AIML_API_BASE", "https://gateway.example.invalid/v1")
    assert isinstance(run("%%aiml\nHello").error, errors.MissingKeyError)
    monkeypatch.setenv("AIML_API_KEY", "k")
    monkeypatch.setenv("AIML_API_BASE", "http://gateway.example.invalid/v1")
    assert isinstance(run("%%aiml\nHello").error, errors.InsecureURLError)
    assert aiml_simulator.requests == []
