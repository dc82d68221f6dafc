"""Typed events a chat-completions stream is translated into.

Consumers (the renderer, the result accumulator, the tool loop) see only these, never raw
chunks, so every upstream dialect is handled in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .result import Citation, Usage


@dataclass(frozen=True, slots=True)
class ModelName:
    """The model id the service reports (first chunk that names one)."""

    name: str


@dataclass(frozen=True, slots=True)
class ContentDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """One fragment of a tool call; `id`/`name` only on the fragment that starts a call."""

    index: int
    id: str | None
    name: str | None
    arguments: str
    # The fragment's other keys (Gemini's `extra_content`), merged into the call.
    extra: dict[str, Any] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Sources:
    """Web sources the answer cites (`annotations[].url_citation`)."""

    citations: tuple[Citation, ...]


@dataclass(frozen=True, slots=True)
class MessageExtra:
    """The message's opaque provider data (`extra_content`), to be sent back unchanged."""

    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class UsageUpdate:
    usage: Usage


@dataclass(frozen=True, slots=True)
class CostUpdate:
    credits_used: float | None
    usd_spent: float | None


@dataclass(frozen=True, slots=True)
class Finish:
    reason: str


@dataclass(frozen=True, slots=True)
class Done:
    """The stream ended properly: `[DONE]`, or a clean close after a finish reason."""


StreamEvent = (
    ModelName
    | ContentDelta
    | ReasoningDelta
    | ToolCallDelta
    | Sources
    | MessageExtra
    | UsageUpdate
    | CostUpdate
    | Finish
    | Done
)
