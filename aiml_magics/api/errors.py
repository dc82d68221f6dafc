"""Typed errors that IPython shows as one actionable message instead of a traceback.

Every error carries the HTTP status and the service's `x-inference-id` when known, because
those two facts are what the service's support asks for first. A server's message is shown
on one line (whitespace collapsed, cut after `MESSAGE_LIMIT` characters); the whole text stays
on the error as `full_message` (`%aiml last-error` prints it).
"""

from __future__ import annotations

import json
from typing import Any

MESSAGE_LIMIT = 300  # characters of a server's message shown in the one-line error
CUT_MARK = " … (cut: `%aiml last-error` shows all of it)"


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
        full_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.full_message = full_message if full_message is not None else message
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
        return " ".join(text.split())  # one line, whatever the server put in its message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"

    def _render_traceback_(self) -> list[str]:
        return [str(self)]

    def redact(self, secret: str | None) -> AimlError:
        """Blank out a secret the server echoed back, everywhere the error keeps text."""
        if secret and secret in self.message:
            self.message = self.message.replace(secret, "****")
            self.args = (self.message,)
        if secret and secret in self.full_message:
            self.full_message = self.full_message.replace(secret, "****")
        return self


class UsageError(AimlError):
    """A value the library cannot use (DATA of a batch, a tool, an image, a schema).

    The magics raise IPython's own `UsageError` for problems of the options line, as every
    IPython magic does; this one is what the layers below raise, in a notebook or not. Inside
    a magic it is shown like IPython's, as one line (`magics/usage.py`, the one boundary).
    """

    title = "Usage error"


class MissingKeyError(AimlError):
    title = "No API key"


class InsecureURLError(AimlError):
    title = "Refusing to send the API key"


class AuthenticationError(AimlError):
    title = "Invalid API key"


class OutOfCreditsError(AimlError):
    title = "Out of credits"


class PermissionDeniedError(AimlError):
    """A 403 that is not about credits: a gateway refusing this key this model or route."""

    title = "Access denied"


class BadRequestError(AimlError):
    title = "Request rejected"


class ModelNotFoundError(AimlError):
    title = "Unknown model"


class ModelWithdrawnError(ModelNotFoundError):
    """The service's deprecation feed says the model was withdrawn (its id answers 404)."""

    title = "Model withdrawn"


class NotFoundError(AimlError):
    title = "Not found"


class RateLimitError(AimlError):
    title = "Rate limited"


class ServerError(AimlError):
    title = "Service error"


class RequestTimeoutError(AimlError):
    title = "Timed out"


class ConnectionFailedError(AimlError):
    title = "Connection failed"


class StreamError(AimlError):
    """The stream broke or ended early: whatever was shown is incomplete."""

    title = "Incomplete answer"


class StoppedError(StreamError):
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


# The AI/ML API's 403s are about money: "You've run out of credits", and in 2025 "You have
# exhausted the available [plan.rule:api_token] resource limit"; a gateway's 403 is not.
_OUT_OF_CREDITS = ("credit", "exhausted the available", "resource limit")
# A reasoning model whose output budget ran out, or was set below its thinking budget.
_OUTPUT_BUDGET = ("max_tokens", "thinking_budget", "output limit", "max_completion_tokens")
OUTPUT_BUDGET_HINT = (
    "A reasoning model needs room to think before it answers: raise --max-tokens (or leave "
    "it unset)."
)


def one_line(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """`text` with its whitespace collapsed, cut at a word boundary after `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 2 // 3 else cut).rstrip(" ,;:.") + CUT_MARK


def full_message_from_body(body: Any) -> str:
    """The whole human message of an error body, in any shape OpenAI-compatible servers use.

    The AI/ML API's flat `{"message", "statusCode", ...}`; OpenAI's (and LiteLLM's, Ollama's)
    `{"error": {"message", "type", "param", "code"}}`; vLLM's `{"object": "error", "message",
    "type", "code"}`; a bare `{"error": "text"}`; FastAPI's `{"detail": ...}`; or not JSON.
    """
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        parsed = _loads(body)
        if parsed is None:
            return body.strip()
        body = parsed
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):  # nested: OpenAI, LiteLLM, Ollama, newer vLLM
            return _text(error.get("message")) or _text(error.get("type")) or _compact(error)
        if isinstance(error, str) and error.strip():
            return error.strip()
        for key in ("message", "detail", "msg"):
            text = _text(body.get(key))
            if text:
                return text
    return _compact(body)


def message_from_body(body: Any) -> str:
    """The message of an error body as shown: one line, cut when long."""
    return one_line(full_message_from_body(body))


def status_from_body(body: Any) -> int | None:
    """`statusCode` may be an int or a string; nested bodies carry `error.code` (which may be
    a word like `invalid_api_key`, then it is no status)."""
    if not isinstance(body, dict):
        return None
    candidates = [body.get("statusCode"), body.get("status")]
    error = body.get("error")
    if isinstance(error, dict):
        candidates += [error.get("code"), error.get("status")]
    if body.get("object") == "error":  # vLLM's flat shape
        candidates.append(body.get("code"))
    for value in candidates:
        if isinstance(value, bool):
            continue
        try:
            status = int(value)
        except (TypeError, ValueError):
            continue
        if 100 <= status <= 599:
            return status
    return None


def is_error_body(body: dict[str, Any]) -> bool:
    """Whether a JSON object (a stream chunk, a 200 body) is an error rather than an answer:
    `{"error": ...}`, vLLM's `{"object": "error"}`, or the service's flat `{"statusCode"}`."""
    if body.get("error") is not None or body.get("object") == "error":
        return True
    return "statusCode" in body and "choices" not in body


def _text(value: Any) -> str:
    """A message field as text: LiteLLM and FastAPI sometimes send a list of details."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        parts = [_text(v) if not isinstance(v, dict) else _text(v.get("msg")) for v in value]
        return "; ".join(p for p in parts if p)
    if isinstance(value, dict):
        return _text(value.get("message")) or _compact(value)
    return ""


def _compact(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def error_for_status(
    status: int | None,
    body: Any,
    *,
    inference_id: str | None = None,
) -> AimlError:
    """Map an HTTP status and body to the typed error the user sees."""
    empty = body is None or (isinstance(body, (str, bytes, bytearray)) and not body.strip())
    full = "(empty response)" if empty else full_message_from_body(body)
    if status is None:
        status = status_from_body(body if not isinstance(body, (str, bytes)) else _loads(body))
    cls = _CLASSES.get(status or 0)
    lower = full.lower()
    if cls is OutOfCreditsError and not any(words in lower for words in _OUT_OF_CREDITS):
        cls = PermissionDeniedError
    if cls is None:
        cls = ServerError if status is None or status >= 500 else AimlError
    hint = _HINTS.get(status or 0)
    if status == 400 and any(words in lower for words in _OUTPUT_BUDGET):
        hint = OUTPUT_BUDGET_HINT
    if cls is PermissionDeniedError:
        hint = "The server does not allow this key this request (a gateway may limit models)."
    if cls is ServerError:
        hint = "The service or the model's provider failed; failed requests are not billed."
    return cls(
        one_line(full), status=status, inference_id=inference_id, hint=hint, full_message=full
    )


def _loads(text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None
