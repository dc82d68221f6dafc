"""Declarative descriptions of what the simulator answers: `Reply` and the `Fault` it injects.

Tests, notebooks and the `--script` JSON file all describe behaviour with these plain
dataclasses; the server turns them into bytes. Nothing here knows about HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DIALECTS = ("openai", "claude", "qwen")
ERROR_BODIES = (
    "flat",
    "flat_string_status",
    "openai",
    "litellm",
    "vllm",
    "ollama",
    "string",
    "text",
)
FAULT_KINDS = ("disconnect", "stall", "malformed", "error_event", "truncate")
SCHEMA_FAULTS = ("missing_field", "wrong_type", "bad_enum", "not_json", "fenced")
META_PLACES = ("last", "finish", "usage", "none")
REASONING_KEYS = ("reasoning_content", "reasoning", "reasoning_details", "none")


def _check(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    """`None` is always allowed: it means "as the simulator's profile does"."""
    if value is not None and value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


@dataclass(frozen=True)
class Fault:
    """A failure injected into an otherwise normal answer.

    `after_chunks` counts the SSE events sent before the fault (for non-streamed answers the
    fault applies to the body). `seconds` is how long a `stall` lasts; `message`/`code` fill
    the `error_event` payload.
    """

    kind: str
    after_chunks: int = 1
    seconds: float = 30.0
    message: str = "Upstream provider error"
    code: int = 500

    def __post_init__(self) -> None:
        _check("Fault.kind", self.kind, FAULT_KINDS)
        if self.after_chunks < 0:
            raise ValueError("Fault.after_chunks must be >= 0")

    @classmethod
    def disconnect(cls, after_chunks: int = 1) -> Fault:
        """Close the socket without the chunked terminator: the client sees a broken body."""
        return cls("disconnect", after_chunks=after_chunks)

    @classmethod
    def stall(cls, after_chunks: int = 1, seconds: float = 30.0) -> Fault:
        """Stop sending for `seconds`, then close abruptly (tests client read timeouts)."""
        return cls("stall", after_chunks=after_chunks, seconds=seconds)

    @classmethod
    def malformed(cls, after_chunks: int = 1) -> Fault:
        """Send one `data: {not json` event, then carry on."""
        return cls("malformed", after_chunks=after_chunks)

    @classmethod
    def error_event(
        cls, after_chunks: int = 1, message: str = "Upstream provider error", code: int = 500
    ) -> Fault:
        """Send a mid-stream `{"error": {...}}` payload, then end the stream."""
        return cls("error_event", after_chunks=after_chunks, message=message, code=code)

    @classmethod
    def truncate(cls, after_chunks: int = 1) -> Fault:
        """Announce a longer Content-Length than is sent, then close (streams: a disconnect)."""
        return cls("truncate", after_chunks=after_chunks)


@dataclass
class Reply:
    """One scripted answer (or error) for `POST /v1/chat/completions`.

    Every field has a default, so `Reply()` is the deterministic demo answer; a test sets only
    what it is about. `None` means "computed from the request" for the content, reasoning,
    usage, cost, model and finish reason, and "as the profile does" (see profiles.py) for
    `reasoning_key`, `meta_on`, `send_usage` and `error_body`.
    """

    content: str | None = None
    reasoning: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_index_reuse: bool = False
    # Web sources cited: `[{"url", "title"}]`, sent as `message.annotations[].url_citation`.
    annotations: list[dict[str, str]] | None = None
    usage: dict[str, Any] | None = None
    credits: float | None = None
    usd: float | None = None
    finish_reason: str | None = None
    model: str | None = None
    chunk_size: int = 12
    delay: float = 0.0
    first_byte_delay: float = 0.0
    dialect: str = "openai"
    reasoning_key: str | None = None
    done: bool | None = None
    keepalive: bool = False
    crlf: bool = False
    event_lines: bool = False
    meta_on: str | None = None
    send_usage: bool | None = None
    fault: Fault | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    error_body: str | None = None
    message: str | None = None
    times: int = 1
    schema_fault: str | None = None  # missing_field, wrong_type, bad_enum, not_json, fenced
    prebuilt_chunks: int | None = None
    # Only a request whose last user message contains this text takes the reply (before any
    # unmatched reply queued ahead of it): concurrent rows of a batch get their own answers.
    match: str | None = None
    prebuilt_cache: dict[Any, bytes] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if isinstance(self.fault, dict):
            self.fault = Fault(**self.fault)
        _check("Reply.dialect", self.dialect, DIALECTS)
        _check("Reply.error_body", self.error_body, ERROR_BODIES)
        _check("Reply.meta_on", self.meta_on, META_PLACES)
        _check("Reply.reasoning_key", self.reasoning_key, REASONING_KEYS)
        if self.schema_fault is not None:
            _check("Reply.schema_fault", self.schema_fault, SCHEMA_FAULTS)
        if self.chunk_size < 1:
            raise ValueError("Reply.chunk_size must be >= 1")
        if self.times < 1:
            raise ValueError("Reply.times must be >= 1")
        if self.prebuilt_chunks is not None and self.prebuilt_chunks < 0:
            raise ValueError("Reply.prebuilt_chunks must be >= 0")
        for call in self.tool_calls or []:
            if not isinstance(call, dict) or not call.get("name"):
                raise ValueError("each tool call needs at least a 'name'")

    @property
    def is_error(self) -> bool:
        return self.status != 200

    @classmethod
    def error(
        cls,
        status: int,
        *,
        message: str | None = None,
        headers: dict[str, str] | None = None,
        error_body: str | None = None,
        times: int = 1,
        first_byte_delay: float = 0.0,
        match: str | None = None,
    ) -> Reply:
        """An error response, e.g. `Reply.error(429, headers={"Retry-After": "1"})`."""
        if status == 200:
            raise ValueError("an error reply needs a status other than 200")
        return cls(
            status=status,
            message=message,
            headers=dict(headers or {}),
            error_body=error_body,
            times=times,
            first_byte_delay=first_byte_delay,
            match=match,
        )
