"""What one request produced: text, reasoning, usage and cost, as plain data."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

USD_PER_CREDIT = 1 / 2_000_000


def format_money(dollars: float) -> str:
    """Dollars to six decimals. A total summed in another order (rows answered concurrently)
    may differ in its last bits: it is rounded to 12 significant digits first, so the same
    amounts always read the same."""
    if dollars == 0:
        return "$0"
    dollars = float(f"{dollars:.12g}")
    return "$" + f"{dollars:.6f}".rstrip("0").rstrip(".") if dollars >= 1e-6 else "<$0.000001"


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    total_tokens: int = 0
    cached_tokens: int = 0

    @classmethod
    def from_api(cls, data: dict[str, Any] | None) -> Usage | None:
        if not isinstance(data, dict):
            return None
        completion_details = data.get("completion_tokens_details") or {}
        prompt_details = data.get("prompt_tokens_details") or {}
        prompt = _int(data.get("prompt_tokens"))
        completion = _int(data.get("completion_tokens"))
        return cls(
            prompt_tokens=prompt,
            completion_tokens=completion,
            reasoning_tokens=_int(completion_details.get("reasoning_tokens")),
            total_tokens=_int(data.get("total_tokens")) or prompt + completion,
            cached_tokens=_int(prompt_details.get("cached_tokens")),
        )

    @property
    def output_tokens(self) -> int:
        """Tokens the model generated. Most upstreams count reasoning inside
        `completion_tokens`; Gemini does not (prompt 9 + completion 572 + reasoning 951 =
        total 1532), which the total gives away."""
        separate = self.prompt_tokens + self.completion_tokens + self.reasoning_tokens
        if self.reasoning_tokens and self.total_tokens == separate:
            return self.completion_tokens + self.reasoning_tokens
        return self.completion_tokens

    def __add__(self, other: Usage | None) -> Usage:
        if other is None:
            return self
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.reasoning_tokens + other.reasoning_tokens,
            self.total_tokens + other.total_tokens,
            self.cached_tokens + other.cached_tokens,
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "reasoning_tokens": self.reasoning_tokens,
            "total_tokens": self.total_tokens,
            "cached_tokens": self.cached_tokens,
        }


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


@dataclass
class ToolCall:
    """One call the model asked for. `extra` holds the call's other keys as sent (e.g.
    Gemini's `extra_content.google.thought_signature`): they go back unchanged next turn."""

    id: str
    name: str
    arguments: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def message(self) -> dict[str, Any]:
        """The call as an assistant message's `tool_calls[]` item, extra keys included."""
        function = {"name": self.name, "arguments": self.arguments or "{}"}
        return {**self.extra, "id": self.id, "type": "function", "function": function}

    def parsed_arguments(self) -> Any:
        """Arguments as JSON; raises ValueError when the model sent malformed JSON."""
        return json.loads(self.arguments or "{}")


@dataclass(frozen=True)
class Citation:
    """A source the answer cites (`message.annotations[].url_citation`)."""

    url: str
    title: str = ""


@dataclass
class StructuredInfo:
    """How a structured answer was obtained (`--schema`, `chat(schema=...)`)."""

    schema: str
    mode: str = "json_schema"  # or "json_object": the fallback with the schema in the prompt
    repairs: int = 0  # repair requests sent after answers that did not fit
    fallback: str | None = None  # why the fallback was used

    def as_dict(self) -> dict[str, Any]:
        return {"schema": self.schema, "mode": self.mode, "repairs": self.repairs}


@dataclass
class ChatResult:
    """The outcome of one chat request, streamed or not.

    `model` is the id the service reports (often an upstream id, not the one requested);
    `requested_model` is what was sent. `complete` is False for a cut or interrupted stream.
    """

    text: str = ""
    reasoning: str = ""
    model: str | None = None
    requested_model: str | None = None
    finish_reason: str | None = None
    usage: Usage | None = None
    credits_used: float | None = None
    usd_spent: float | None = None
    inference_id: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    json: Any = None
    raw: Any = None
    complete: bool = True
    simulated: bool = False
    duration: float | None = None
    params: dict[str, Any] = field(default_factory=dict)
    parsed: Any = None  # the answer as typed values, when a schema was asked for
    structured: StructuredInfo | None = None
    # Answered from a recording (`AimlMagics.replay`): when it was recorded, what it saved.
    replayed: bool = False
    recorded: str | None = None
    credits_saved: float | None = None
    error: Any = None  # why a batch row has no (complete) answer: an AimlError
    citations: list[Citation] = field(default_factory=list)  # web sources the answer cites
    # The message's opaque provider data (Gemini's thought signature): sent back unchanged.
    extra_content: dict[str, Any] | None = None
    client_request_id: str | None = None  # sent as X-Client-Request-Id; in the service's logs
    # Which notebook context the request carried (labels, sizes, trims; never contents),
    # set by the chat layer from `chat.context.AttachedContext.summary()`.
    context: dict[str, Any] | None = None

    @property
    def dollars(self) -> float | None:
        """`usd_spent` when the service sent it, else derived from credits."""
        if self.usd_spent is not None:
            return self.usd_spent
        if self.credits_used is not None:
            return self.credits_used * USD_PER_CREDIT
        return None

    @property
    def tokens_per_second(self) -> float | None:
        """Generated tokens (reasoning included, however the upstream counts it) per second."""
        if not self.duration or not self.usage or not self.usage.output_tokens:
            return None
        return self.usage.output_tokens / self.duration

    def provenance(self) -> dict[str, Any]:
        """Everything needed to say later how this answer was produced (never the key)."""
        return {
            "model": self.model,
            "requested_model": self.requested_model,
            "params": dict(self.params),
            "finish_reason": self.finish_reason,
            "usage": self.usage.as_dict() if self.usage else None,
            "credits_used": self.credits_used,
            "usd_spent": self.dollars,
            "inference_id": self.inference_id,
            "client_request_id": self.client_request_id,
            "duration_s": round(self.duration, 3) if self.duration is not None else None,
            "complete": self.complete,
            "simulated": self.simulated,
            **({"structured": self.structured.as_dict()} if self.structured else {}),
            **({"context": self.context} if self.context else {}),
            **(
                {"replayed": True, "recorded": self.recorded, "credits_saved": self.credits_saved}
                if self.replayed
                else {}
            ),
        }

    def __repr__(self) -> str:
        preview = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        return (
            f"ChatResult(model={self.model!r}, finish_reason={self.finish_reason!r}, "
            f"text={preview!r})"
        )

    def __str__(self) -> str:
        return self.text
