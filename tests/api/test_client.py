"""AimlClient against the simulator: retries, backoff, error mapping, streams, model list."""

from __future__ import annotations

import email.utils
import time

import pytest

from aiml_magics.api import errors
from aiml_magics.api.client import AimlClient, backoff_seconds, retry_after_seconds
from aiml_magics.api.events import ContentDelta, Done, ReasoningDelta, UsageUpdate
from aiml_magics.simulator import Fault, Reply

HELLO = [{"role": "user", "content": "hello"}]


@pytest.fixture
def waits():
    return []


@pytest.fixture
def client(aiml_simulator, waits):
    notices = []
    c = AimlClient(
        aiml_simulator.api_key,
        aiml_simulator.base_url,
        on_retry=notices.append,
        sleep=waits.append,
        read_timeout=5,
    )
    c.notices = notices
    yield c
    c.close()


def test_non_streamed_chat_returns_a_full_result(client, aiml_simulator):
    aiml_simulator.script(Reply(content="Hi there", reasoning="thinking"))
    result = client.chat(HELLO, temperature=0.2)
    assert result.text == "Hi there" and result.reasoning == "thinking"
    assert result.finish_reason == "stop" and result.complete
    assert result.usage.completion_tokens > 0 and result.credits_used > 0
    assert result.inference_id and result.simulated
    assert result.requested_model == "bytedance/seed-1-8"
    assert aiml_simulator.chat_requests[0].body["temperature"] == 0.2


def test_stream_yields_typed_events_and_a_result(client, aiml_simulator):
    aiml_simulator.script(Reply(content="abcdefghijklmnop", reasoning="why", chunk_size=4))
    stream = client.stream(HELLO)
    events = list(stream)
    assert isinstance(events[-1], Done)
    assert "".join(e.text for e in events if isinstance(e, ContentDelta)) == "abcdefghijklmnop"
    assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == "why"
    assert any(isinstance(e, UsageUpdate) for e in events)
    result = stream.result()
    assert result.text == "abcdefghijklmnop" and result.complete and result.usage
    body = aiml_simulator.chat_requests[0].body
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


@pytest.mark.parametrize("dialect", ["openai", "claude", "qwen"])
def test_every_upstream_dialect_gives_the_same_answer(client, aiml_simulator, dialect):
    aiml_simulator.script(Reply(content="same text", reasoning="r", dialect=dialect))
    stream = client.stream(HELLO)
    list(stream)
    result = stream.result()
    assert (result.text, result.reasoning, result.finish_reason) == ("same text", "r", "stop")
    assert result.usage is not None and result.complete


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_retryable_statuses_are_retried_then_succeed(client, aiml_simulator, waits, status):
    aiml_simulator.script(Reply.error(status, times=2), Reply(content="finally"))
    assert client.chat(HELLO).text == "finally"
    assert len(aiml_simulator.chat_requests) == 3
    assert len(waits) == 2
    assert [n.attempt for n in client.notices] == [1, 2]
    assert str(status) in str(client.notices[0])
    assert "retry 1 of 2" in str(client.notices[0])


def test_backoff_doubles_with_jitter_and_is_capped():
    for attempt, base in [(0, 0.5), (1, 1.0), (2, 2.0), (5, 8.0), (9, 8.0)]:
        assert backoff_seconds(attempt, rng=lambda: 0.0) == base
        assert backoff_seconds(attempt, rng=lambda: 1.0) == pytest.approx(base * 0.75)


def test_default_backoff_is_used_between_attempts(client, aiml_simulator, waits):
    aiml_simulator.script(Reply.error(503, times=2), Reply(content="ok"))
    client.chat(HELLO)
    assert 0.375 <= waits[0] <= 0.5 and 0.75 <= waits[1] <= 1.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),
    ],
)
def test_retry_after_headers_are_honoured(client, aiml_simulator, waits, headers, expected):
    aiml_simulator.script(Reply.error(429, headers=headers), Reply(content="ok"))
    client.chat(HELLO)
    assert waits == [pytest.approx(expected)]


def test_retry_after_http_date_and_absurd_values():
    future = email.utils.formatdate(time.time() + 10, usegmt=True)
    assert 8 <= retry_after_seconds({"retry-after": future}) <= 10.5
    assert retry_after_seconds({"retry-after": "3600"}) is None  # over 60 s: use backoff
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_retries_are_bounded(client, aiml_simulator):
    aiml_simulator.script(Reply.error(503, times=3))
    with pytest.raises(errors.ServerError) as caught:
        client.chat(HELLO)
    assert len(aiml_simulator.chat_requests) == 3
    assert "HTTP 503" in str(caught.value)
    assert "inference id" in str(caught.value)


@pytest.mark.parametrize(
    ("status", "kind", "text"),
    [
        (400, errors.BadRequestError, "Body validation error"),
        (401, errors.AuthenticationError, "valid API key"),
        (403, errors.OutOfCreditsError, "credits"),
        (404, errors.NotFoundError, ""),
    ],
)
def test_client_errors_are_not_retried(client, aiml_simulator, status, kind, text):
    message = "Body validation error: temperature" if status == 400 else None
    aiml_simulator.script(Reply.error(status, message=message))
    with pytest.raises(kind) as caught:
        client.chat(HELLO)
    assert len(aiml_simulator.chat_requests) == 1
    assert f"HTTP {status}" in str(caught.value) and text in str(caught.value)


def test_real_validation_detail_reaches_the_user(client):
    with pytest.raises(errors.BadRequestError, match="top_p"):
        client.chat(HELLO, top_p=0)


def test_wrong_key_and_out_of_credits(aiml_simulator, client):
    bad = AimlClient("not-the-key", aiml_simulator.base_url)
    with pytest.raises(errors.AuthenticationError, match="%aiml key"):
        bad.chat(HELLO)
    aiml_simulator.out_of_credits = True
    with pytest.raises(errors.OutOfCreditsError, match="top up"):
        client.chat(HELLO)


@pytest.mark.parametrize("shape", ["flat", "flat_string_status", "openai", "string", "text"])
def test_every_error_body_shape_is_understood(client, aiml_simulator, shape):
    aiml_simulator.script(Reply.error(400, message="Field x is wrong", error_body=shape))
    with pytest.raises(errors.BadRequestError) as caught:
        client.chat(HELLO)
    assert "Field x is wrong" in str(caught.value)
    assert caught.value.inference_id


def test_unknown_model_suggests_close_matches(client):
    with pytest.raises(errors.ModelNotFoundError) as caught:
        client.chat(HELLO, model="gpt-4oo")
    assert "openai/gpt-4o" in str(caught.value) or "gpt-4o" in str(caught.value)


def test_connection_failures_are_retried_then_reported(waits):
    client = AimlClient("k", "http://127.0.0.1:9/v1", sleep=waits.append, connect_timeout=2)
    with pytest.raises(errors.ConnectionFailedError, match="127.0.0.1:9"):
        client.chat(HELLO)
    assert len(waits) == 2


def test_slow_first_byte_times_out_and_is_retried(aiml_simulator, waits):
    client = AimlClient(
        aiml_simulator.api_key, aiml_simulator.base_url, read_timeout=0.3, sleep=waits.append
    )
    aiml_simulator.script(Reply(content="late", first_byte_delay=2), Reply(content="on time"))
    assert client.chat(HELLO).text == "on time"
    assert len(waits) == 1
    client.max_retries = 0
    aiml_simulator.script(Reply(content="late", first_byte_delay=2))
    with pytest.raises(errors.RequestTimeoutError, match="read_timeout"):
        client.chat(HELLO)


def test_a_started_stream_is_never_retried(client, aiml_simulator):
    aiml_simulator.script(
        Reply(content="x" * 200, reasoning="", chunk_size=10, fault=Fault.disconnect(3))
    )
    stream = client.stream(HELLO)
    seen = []
    with pytest.raises(errors.StreamError, match="broke"):
        for event in stream:
            seen.append(event)
    assert any(isinstance(e, ContentDelta) for e in seen)
    assert len(aiml_simulator.chat_requests) == 1
    assert stream.result(complete=False).complete is False


def test_a_stalled_stream_fails_after_read_timeout(aiml_simulator):
    client = AimlClient(aiml_simulator.api_key, aiml_simulator.base_url, read_timeout=0.5)
    aiml_simulator.script(Reply(content="x" * 100, fault=Fault("stall", after_chunks=2, seconds=5)))
    with pytest.raises(errors.StreamError, match="stalled"):
        list(client.stream(HELLO))


def test_mid_stream_error_and_malformed_chunks_raise(client, aiml_simulator):
    aiml_simulator.script(Reply(content="x" * 100, fault=Fault("error_event", after_chunks=2)))
    with pytest.raises(errors.AimlError) as caught:
        list(client.stream(HELLO))
    assert caught.value.inference_id
    aiml_simulator.script(Reply(content="x" * 100, fault=Fault("malformed", after_chunks=2)))
    with pytest.raises(errors.StreamError, match="malformed"):
        list(client.stream(HELLO))


def test_truncated_non_streamed_body_is_an_error(client, aiml_simulator):
    aiml_simulator.script(Reply(content="x" * 500, fault=Fault("truncate")))
    with pytest.raises(errors.AimlError):
        client.chat(HELLO)


def test_key_is_refused_for_plain_http_except_loopback():
    client = AimlClient("k", "http://api.example.invalid/v1")
    with pytest.raises(errors.InsecureURLError, match="https"):
        client.chat(HELLO)
    assert AimlClient("k", "http://localhost:1/v1")._authorization()
    assert AimlClient("k", "http://[::1]:1/v1")._authorization()


def test_missing_key_says_how_to_set_it_without_pasting(monkeypatch):
    for name in ("AIML_API_KEY", "AIMLAPI_API_KEY", "AIMLAPI_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(errors.MissingKeyError) as caught:
        AimlClient(None, "https://example.invalid/v1").chat(HELLO)
    text = str(caught.value)
    assert "%aiml key" in text and "AIML_API_KEY" in text and "Never paste" in text
    assert caught.value._render_traceback_() == [text]


def test_one_session_reuses_the_connection(client, aiml_simulator):
    client.chat(HELLO)
    client.chat(HELLO)
    list(client.stream(HELLO))
    ports = {r.client_port for r in aiml_simulator.chat_requests}
    assert len(ports) == 1


def test_models_lists_chat_models_of_both_shapes_and_revalidates(client, aiml_simulator):
    models = client.models()
    ids = [m.id for m in models]
    assert "bytedance/seed-1-8" in ids and "openai/gpt-4o" in ids
    assert not any("flux" in i for i in ids)
    gpt = next(m for m in models if m.id == "openai/gpt-4o")
    assert "gpt-4o" in gpt.aliases and gpt.context_length and gpt.name
    assert any(m.max_output for m in models)
    assert client.models() is models  # cached
    assert len([r for r in aiml_simulator.requests if r.path == "/v1/models"]) == 1
    assert client.models(refresh=True) == models
    revalidation = [r for r in aiml_simulator.requests if r.path == "/v1/models"][-1]
    assert "if-none-match" in revalidation.headers


def test_server_messages_never_echo_the_key(client, aiml_simulator):
    aiml_simulator.script(Reply.error(400, message=f"bad key {aiml_simulator.api_key}!"))
    with pytest.raises(errors.BadRequestError) as caught:
        client.chat(HELLO)
    assert aiml_simulator.api_key not in str(caught.value)
    assert "****" in str(caught.value)
    assert aiml_simulator.api_key not in repr(client)
