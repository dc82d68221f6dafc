"""Typed errors that IPython shows as one actionable message instead of a traceback.

Every error carries the HTTP status and the service's `x-inference-id` when known, because
those two facts are what the service's support asks for first.
"""

from __future__ import annotations

import json
from typing import Any


class AimlError(Exception):
    """Base class: `_render_traceback_` makes IPython print `str(self)` and nothing else."""

    title = "AI/ML API error"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        inference_id: str | None = None,
        hint: str | None = None,
        partial: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.inference_id = inference_id
        self.hint = hint
        self.partial = partial  # what arrived before the failure (a ChatResult), if anything
        self.retry_after: float | None = None  # seconds the server (or backoff) asks to wait

    def __str__(self) -> str:
        head = self.title if self.status is None else f"{self.title} (HTTP {self.status})"
        text = f"{head}: {self.message}"
        if self.hint:
            text += f" {self.hint}"
        if self.inference_id:
            text += f" [inference id {self.inference_id}]"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"

    def _render_traceback_(self) -> list[str]:
        return [str(self)]

    def redact(self, secret: str | None) -> AimlError:
        """Blank out a secret the server echoed back, everywhere the error keeps text."""
        if secret and secret in self.message:
            self.message = self.message.replace(secret, "****")
            self.args = (self.message,)
        return self


class UsageError(AimlError):
    title = "Usage error"


class MissingKeyError(AimlError):
    title = "No API key"


class InsecureURLError(AimlError):
    title = "Refusing to send the API key"


class AuthenticationError(AimlError):
    title = "Invalid API key"


class OutOfCreditsError(AimlError):
    title = "Out of credits"


class BadRequestError(AimlError):
    title = "Request rejected"


class ModelNotFoundError(AimlError):
    title = "Unknown model"


class NotFoundError(AimlError):
    title = "Not found"


class RateLimitError(AimlError):
    title = "Rate limited"


class ServerError(AimlError):
    title = "Service error"


class TimeoutError(AimlError):  # noqa: A001 - deliberately mirrors the builtin's meaning
    title = "Timed out"


class ConnectionError(AimlError):  # noqa: A001
    title = "Connection failed"


class StreamError(AimlError):
    """The stream broke or ended early: whatever was shown is incomplete."""

    title = "Incomplete answer"


class InterruptedError(StreamError):  # noqa: A001
    title = "Interrupted"


class ToolError(AimlError):
    title = "Tool error"


class SchemaAnswerError(AimlError):
    """The answer did not fit the requested schema, repair requests included."""

    title = "Structured output"


_HINTS = {
    400: "Check the options and -p fields against the model's documentation.",
    401: "Set a valid key with `%aiml key` or the AIML_API_KEY environment variable.",
    403: "Your account has run out of credits: top up your balance, then run the cell again.",
    404: "Check the base URL and the model id (`%aiml models` lists them).",
    408: "The service timed out; run the cell again.",
    409: "The service reported a conflict; run the cell again.",
    429: "Too many requests: wait a moment, then run the cell again.",
}

_CLASSES: dict[int, type[AimlError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: OutOfCreditsError,
    404: NotFoundError,
    422: BadRequestError,
    429: RateLimitError,
}


def message_from_body(body: Any) -> str:
    """Pull a human message out of any of the error body shapes the service uses."""
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            text = " ".join(body.split())
            return text[:300] + ("..." if len(text) > 300 else "")
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return str(error.get("message") or error.get("type") or error)
        if isinstance(error, str):
            return error
        message = body.get("message")
        if isinstance(message, list):
            return "; ".join(str(m) for m in message)
        if message:
            return str(message)
        detail = body.get("detail")
        if detail:
            return str(detail)
    return str(body)[:300]


def status_from_body(body: Any) -> int | None:
    """`statusCode` may be an int or a string; OpenAI-style bodies carry `error.code`."""
    if not isinstance(body, dict):
        return None
    candidates = [body.get("statusCode"), body.get("status")]
    error = body.get("error")
    if isinstance(error, dict):
        candidates += [error.get("code"), error.get("status")]
    for value in candidates:
        try:
            return int(value)
        except (TypeError, ValueError):
            continue
    return None


def error_for_status(
    status: int | None,
    body: Any,
    *,
    inference_id: str | None = None,
) -> AimlError:
    """Map an HTTP status and body to the typed error the user sees."""
    message = message_from_body(body) if body not in (None, "", b"") else "(empty response)"
    if status is None:
        status = status_from_body(body if not isinstance(body, (str, bytes)) else _loads(body))
    cls = _CLASSES.get(status or 0)
    if cls is None:
        cls = ServerError if status is None or status >= 500 else AimlError
    hint = _HINTS.get(status or 0)
    if cls is ServerError:
        hint = "The service or the model's provider failed; failed requests are not billed."
    return cls(message, status=status, inference_id=inference_id, hint=hint)


def _loads(text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None
