"""The service's model list as plain data: both catalogue shapes become `ModelInfo`."""

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
    pricing: Pricing | None = None

    @classmethod
    def from_api(cls, entry: dict[str, Any]) -> ModelInfo:
        info = entry.get("info") or {}
        caps = entry.get("capabilities") or entry.get("features") or []
        return cls(
            id=str(entry.get("id", "")),
            name=str(info.get("name") or entry.get("name") or ""),
            aliases=[str(a) for a in entry.get("aliases") or []],
            context_length=info.get("contextLength")
            or entry.get("context_length")
            or entry.get("max_input_tokens"),
            max_output=info.get("outputMax")
            or info.get("maxTokens")
            or entry.get("max_output_tokens"),
            capabilities=[str(c) for c in caps if isinstance(c, str)],
            developer=str(info.get("developer") or entry.get("owned_by") or ""),
            pricing=Pricing.from_api(entry.get("pricing")),
        )

    def matches(self, text: str) -> bool:
        text = text.lower()
        return any(text in s.lower() for s in [self.id, self.name, *self.aliases])
