"""The model list as plain data: the AI/ML API's shapes and OpenAI's (with LiteLLM's and
vLLM's extra fields) all become `ModelInfo`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CHAT_MODEL_TYPES = frozenset({"openai/chat-completions", "chat-completion"})


def is_chat_model(entry: dict[str, Any]) -> bool:
    """The AI/ML API says `type`; LiteLLM says `mode`; OpenAI's shape says neither (every
    entry is a model)."""
    if "type" in entry:
        return entry.get("type") in CHAT_MODEL_TYPES
    if "mode" in entry:
        return entry.get("mode") == "chat"
    return True


@dataclass(frozen=True)
class Pricing:
    """USD per million tokens, from `GET /models?include=pricing`.

    The service's shape (and the simulator's): `{"currency": "USD", "unit": "1M tokens",
    "input": 0.25, "output": 2.0}`. Entries priced per image or in another currency or unit
    give no `Pricing`: an estimate from them would be wrong, so there is none.
    """

    input: float
    output: float

    @classmethod
    def from_api(cls, data: Any) -> Pricing | None:
        if not isinstance(data, dict):
            return None
        if str(data.get("currency", "USD")).upper() != "USD":
            return None
        if str(data.get("unit", "1M tokens")).lower().replace(" ", "") not in ("1mtokens",):
            return None
        try:
            prices = float(data["input"]), float(data["output"])
        except (KeyError, TypeError, ValueError):
            return None
        if not all(p >= 0 and p == p and p != float("inf") for p in prices):
            return None
        return cls(*prices)

    def dollars(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input + completion_tokens * self.output) / 1_000_000


@dataclass
class ModelInfo:
    id: str
    name: str = ""
    aliases: list[str] = field(default_factory=list)
    context_length: int | None = None
    max_output: int | None = None
    capabilities: list[str] = field(default_factory=list)
    developer: str = ""
    owned_by: str = ""  # OpenAI-shaped lists: who serves it ("openai", "library", "vllm", ...)
    # From `capabilities` (`?include=capabilities`); None when the entry does not say.
    structured_output: bool | None = None
    vision: bool | None = None  # takes image input; None when the entry does not say
    pricing: Pricing | None = None

    @classmethod
    def from_api(cls, entry: dict[str, Any]) -> ModelInfo:
        info = entry.get("info") or {}
        caps = entry.get("capabilities") or entry.get("features") or []
        return cls(
            id=str(entry.get("id", "")),
            name=str(info.get("name") or entry.get("name") or ""),
            aliases=[str(a) for a in entry.get("aliases") or []],
            context_length=_count(info.get("contextLength"))
            or _count(entry.get("context_length"))
            or _count(entry.get("max_input_tokens"))
            or _count(entry.get("max_model_len")),  # vLLM
            max_output=_count(info.get("outputMax"))
            or _count(info.get("maxTokens"))
            or _count(entry.get("max_output_tokens")),
            capabilities=[str(c) for c in caps if isinstance(c, str)],
            developer=str(info.get("developer") or entry.get("owned_by") or ""),
            owned_by=str(entry.get("owned_by") or ""),
            structured_output=(
                "structured_output" in entry["capabilities"]
                if isinstance(entry.get("capabilities"), list)
                else None
            ),
            vision=_vision(entry),
            pricing=Pricing.from_api(entry.get("pricing")),
        )

    def matches(self, text: str) -> bool:
        text = text.lower()
        return any(text in s.lower() for s in [self.id, self.name, *self.aliases])


def _vision(entry: dict[str, Any]) -> bool | None:
    """From the capabilities list or the input modalities, when the entry has either."""
    caps = entry.get("capabilities")
    inputs = (
        (entry.get("modalities") or {}).get("input")
        if isinstance(entry.get("modalities"), dict)
        else None
    )
    if isinstance(inputs, list):
        return "image" in inputs
    if isinstance(caps, list):
        return "vision" in caps
    return None


def _count(value: Any) -> int | None:
    """A token count as an int; servers send ints, strings or null."""
    if isinstance(value, bool):
        return None
    try:
        return int(value) or None
    except (TypeError, ValueError):
        return None
