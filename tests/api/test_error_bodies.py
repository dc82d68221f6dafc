"""Error bodies of every OpenAI-compatible server, read into one line with the HTTP status.

Bodies are written out by hand here (the simulator's own are tested through the magic in
test_servers.py), so a parser and a simulator that drift together cannot both be wrong.
"""

from __future__ import annotations

import json

import pytest

from aiml_magics.api import errors
from aiml_magics.api.sse import iter_sse
from aiml_magics.api.stream import decode_events, result_from_response

LITELLM_MESSAGE = (
    "litellm.BadRequestError: OpenAIException - Error code: 400 - {'error': {'message': "
    "\"Unsupported parameter: 'max_tokens' is not supported with this model.\"}}\n"
    "Received Model Group=gpt-5\nAvailable Model Group Fallbacks=None LiteLLM Retried: 1 times, "
    "LiteLLM Max Retries: 2\n\nHint: "
    + "check the proxy configuration and the upstream provider's parameters; "
    * 6
)

BODIES = {
    "aiml flat": (
        {
            "message": "Body validation error: top_p: Number must be greater than or equal to 0.01",
            "path": "/v1/chat/completions",
            "requestId": "hRNOI9BMsuLeZ76UNdGhS",
            "statusCode": 400,
            "timestamp": "2025-12-05T13:46:30.569Z",
        },
        "Body validation error: top_p: Number must be greater than or equal to 0.01",
    ),
    "openai": (
        {
            "error": {
                "message": "The model `gpt-9` does not exist or you do not have access to it.",
                "type": "invalid_request_error",
                "param": None,
                "code": "model_not_found",
            }
        },
        "The model `gpt-9` does not exist or you do not have access to it.",
    ),
    "vllm": (
        {
            "object": "error",
            "message": "The model `llama` does not exist.",
            "type": "NotFoundError",
            "param": None,
            "code": 404,
        },
        "The model `llama` does not exist.",
    ),
    "bare string": ({"error": "Unauthorized"}, "Unauthorized"),
    "ollama": (
        {
            "error": {
                "message": 'model "llama9" not found, try pulling it first',
                "type": "api_error",
                "param": None,
                "code": None,
            }
        },
        'model "llama9" not found, try pulling it first',
    ),
    "fastapi detail": ({"detail": "Not authenticated"}, "Not authenticated"),
}


@pytest.mark.parametrize("name", BODIES)
def test_each_shape_gives_its_message(name):
    body, message = BODIES[name]
    for form in (body, json.dumps(body), json.dumps(body).encode()):
        assert errors.message_from_body(form) == message


@pytest.mark.parametrize("name", BODIES)
def test_each_shape_is_one_line_with_the_http_status(name):
    body, message = BODIES[name]
    error = errors.error_for_status(404, json.dumps(body).encode())
    text = str(error)
    assert "\n" not in text
    assert text.startswith(f"{error.title} (HTTP 404): {message}")


def test_litellm_message_is_collapsed_cut_and_kept_whole():
    body = {"error": {"message": LITELLM_MESSAGE, "type": None, "param": None, "code": "400"}}
    error = errors.error_for_status(400, json.dumps(body))
    text = str(error)
    assert "\n" not in text and "  " not in text
    assert "(HTTP 400): litellm.BadRequestError: OpenAIException" in text
    assert "Received Model Group=gpt-5 Available Model Group" in text  # newlines became spaces
    assert "%aiml last-error" in text  # says where the rest is
    assert len(error.message) <= errors.MESSAGE_LIMIT + len(errors.CUT_MARK)
    assert error.full_message == LITELLM_MESSAGE.strip()  # newlines and all
    assert isinstance(error, errors.BadRequestError)


def test_a_short_message_is_not_marked_as_cut():
    error = errors.error_for_status(400, {"error": {"message": "a\n\n  b"}})
    assert error.message == "a b" and error.full_message == "a\n\n  b"
    assert "last-error" not in str(error)


def test_the_cut_falls_between_words():
    words = " ".join(f"word{n}" for n in range(200))
    cut = errors.one_line(words)
    kept = cut[: -len(errors.CUT_MARK)]
    assert kept.split()[-1] in words.split()  # no half word before the mark
    assert words.startswith(kept)


def test_non_json_bodies_are_one_line():
    page = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body>\n</html>\n"
    error = errors.error_for_status(502, page.encode())
    assert isinstance(error, errors.ServerError)
    assert "(HTTP 502): <html> <head><title>502 Bad Gateway</title>" in str(error)
    assert "\n" not in str(error)
    assert error.full_message == page.strip()


def test_an_empty_body_says_so():
    assert "(empty response)" in str(errors.error_for_status(503, b"  \n"))


def test_status_comes_from_the_body_only_when_it_is_a_status():
    assert errors.status_from_body({"error": {"code": "model_not_found"}}) is None
    assert errors.status_from_body({"error": {"code": "429"}}) == 429
    assert errors.status_from_body({"object": "error", "code": 404}) == 404
    assert errors.status_from_body({"statusCode": "403"}) == 403
    assert errors.status_from_body({"error": {"code": 1}}) is None
    assert errors.status_from_body({"error": {"code": True}}) is None


def test_a_403_is_out_of_credits_only_when_it_says_so():
    credits = errors.error_for_status(403, {"message": "You've run out of credits."})
    assert isinstance(credits, errors.OutOfCreditsError)
    gateway = errors.error_for_status(
        403, {"error": {"message": "key not allowed to access model. This key can only access"}}
    )
    assert isinstance(gateway, errors.PermissionDeniedError)
    assert "credits" not in str(gateway)


def test_redaction_covers_the_whole_text():
    secret = "sk-secret-123456"
    body = {"error": {"message": f"Invalid key {secret}\n" + "x " * 300}}
    error = errors.error_for_status(401, body).redact(secret)
    assert secret not in str(error) and secret not in error.full_message


def sse(*payloads):
    return b"".join(f"data: {json.dumps(p)}\n\n".encode() for p in payloads)


MID_STREAM = {
    "vllm nested": {
        "error": {"object": "error", "message": "Engine\ncrashed", "type": "x", "code": 500}
    },
    "vllm flat": {"object": "error", "message": "Engine\ncrashed", "type": "x", "code": 500},
    "openai": {"error": {"message": "Engine\ncrashed", "type": "server_error", "code": None}},
    "bare": {"error": "Engine\ncrashed"},
}


@pytest.mark.parametrize("name", MID_STREAM)
def test_mid_stream_errors_in_every_shape_raise_one_line(name):
    first = {"choices": [{"index": 0, "delta": {"content": "Hel"}, "finish_reason": None}]}
    body = sse(first, MID_STREAM[name])
    seen = []
    with pytest.raises(errors.AimlError) as caught:
        for event in decode_events(iter_sse([body])):
            seen.append(event)
    assert len(seen) == 1  # the text before the error arrived, then the error
    assert "Engine crashed" in str(caught.value) and "\n" not in str(caught.value)
    if name.startswith("vllm"):
        assert caught.value.status == 500


def test_a_200_body_that_is_a_vllm_error_raises():
    with pytest.raises(errors.BadRequestError, match="too long"):
        result_from_response({"object": "error", "message": "too long", "code": 400})
