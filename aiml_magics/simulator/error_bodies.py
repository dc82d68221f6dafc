"""Error bodies in every shape the service is known to return.

The service's own errors are flat; errors passed through from providers may be OpenAI-shaped,
a bare string or not JSON at all. Other OpenAI-compatible servers add their own: LiteLLM's
OpenAI-shaped body with a multi-line message and a long hint, vLLM's flat
`{"object": "error", ...}`, Ollama's OpenAI shape with `code: null`. A client has to read a
message out of each.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timezone

from .wire import dumps

MESSAGES = {
    400: "Body validation error",
    401: (
        "This request requires a valid API key. You can create a new API key on the "
        "Billing page: https://aimlapi.com/app/keys"
    ),
    403: (
        "You've run out of credits. Please top up your balance to continue: "
        "https://aimlapi.com/app/billing"
    ),
    404: "Not Found",
    408: "Request Timeout",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal server error",
    502: "Bad Gateway",
    503: "Service unavailable",
    504: "Generation timeout",
}
OPENAI_TYPES = {400: "invalid_request_error", 401: "authentication_error", 429: "rate_limit_error"}
OPENAI_CODES = {401: "invalid_api_key", 404: "model_not_found", 429: "rate_limit_exceeded"}
VLLM_TYPES = {400: "BadRequestError", 401: "Unauthorized", 404: "NotFoundError"}
LITELLM_EXCEPTIONS = {
    400: "BadRequestError",
    401: "AuthenticationError",
    404: "NotFoundError",
    429: "RateLimitError",
}
LITELLM_HINT = (
    "Received Model Group={model}\n"
    "Available Model Group Fallbacks=None LiteLLM Retried: 0 times, LiteLLM Max Retries: 0\n\n"
    "Hint: check that the model is in the proxy's config.yaml (model_list), that the key is "
    "allowed to call it (team and key model access lists), and that the upstream provider "
    "accepts the parameters sent; `litellm --detailed_debug` logs the upstream request and "
    "response for this call."
)


def default_message(status: int) -> str:
    return MESSAGES.get(status, f"HTTP error {status}")


def error_body(
    status: int,
    *,
    shape: str = "flat",
    message: str | None = None,
    path: str = "",
    model: str = "",
) -> tuple[bytes, str]:
    """The body bytes and content type for an error of `status` in the given `shape`."""
    text = message or default_message(status)
    if shape == "text":
        return text.encode(), "text/plain; charset=utf-8"
    if shape == "openai":
        kind = OPENAI_TYPES.get(
            status, "server_error" if status >= 500 else "invalid_request_error"
        )
        code = OPENAI_CODES.get(status, str(status))
        data: dict = {"error": {"message": text, "type": kind, "param": None, "code": code}}
    elif shape == "litellm":
        exception = LITELLM_EXCEPTIONS.get(status, "InternalServerError")
        long_text = f"litellm.{exception}: {text}\n{LITELLM_HINT.format(model=model or 'None')}"
        data = {"error": {"message": long_text, "type": None, "param": None, "code": str(status)}}
    elif shape == "vllm":
        kind = VLLM_TYPES.get(status, "InternalServerError")
        data = {"object": "error", "message": text, "type": kind, "param": None, "code": status}
    elif shape == "ollama":
        kind = "invalid_request_error" if status < 500 else "api_error"
        data = {"error": {"message": text, "type": kind, "param": None, "code": None}}
    elif shape == "string":
        data = {"error": text}
    else:
        data = {
            "message": text,
            "path": path,
            "requestId": secrets.token_urlsafe(16)[:21],
            "statusCode": str(status) if shape == "flat_string_status" else status,
            "timestamp": datetime.now(timezone.utc)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
        }
    return dumps(data).encode(), "application/json; charset=utf-8"


def stream_error_payload(status: int, *, shape: str | None, message: str, model: str = "") -> dict:
    """An error sent as a `data:` payload mid-stream, as the profile's server words it.

    Servers wrap it in `{"error": ...}` (vLLM its whole `{"object": "error"}` body); the
    AI/ML API passes its provider's `{"error": {"message", "code"}}` through.
    """
    if shape == "vllm":
        kind = VLLM_TYPES.get(status, "InternalServerError")
        inner = {"object": "error", "message": message, "type": kind, "param": None}
        return {"error": {**inner, "code": status}}
    if shape in ("openai", "litellm", "ollama", "string"):
        body, _ = error_body(status, shape=shape, message=message, model=model)
        return json.loads(body)
    return {"error": {"message": message, "code": status}}
