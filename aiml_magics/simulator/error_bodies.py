"""Error bodies in every shape the service is known to return.

The service's own errors are flat; errors passed through from providers may be OpenAI-shaped,
a bare string or not JSON at all. A client has to read a message out of each.
"""

from __future__ import annotations

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


def default_message(status: int) -> str:
    return MESSAGES.get(status, f"HTTP error {status}")


def error_body(
    status: int, *, shape: str = "flat", message: str | None = None, path: str = ""
) -> tuple[bytes, str]:
    """The body bytes and content type for an error of `status` in the given `shape`."""
    text = message or default_message(status)
    if shape == "text":
        return text.encode(), "text/plain; charset=utf-8"
    if shape == "openai":
        kind = OPENAI_TYPES.get(
            status, "server_error" if status >= 500 else "invalid_request_error"
        )
        data: dict = {"error": {"message": text, "type": kind, "param": None, "code": str(status)}}
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
