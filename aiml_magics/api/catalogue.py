"""The model list as plain data: the AI/ML API's shapes and OpenAI's (with LiteLLM's and
vLLM's extra fields) all become `ModelInfo`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .pricing import Pricing, read_pricing

__all__ = ["CHAT_MODEL_TYPES", "ModelInfo", "Pricing", "chat_models", "is_chat_model"]

CHAT_MODEL_TYPES = frozenset({"openai/chat-completions", "chat-completion"})
CHAT_TYPE = "openai/chat-completions"  # `?type=` asks the service for these rows only
# Image generators the service lists under the chat type (e.g. `google/gemini-2.5-flash-image`).
_IMAGE_ID = re.compile(r"-image(?:-|$)", re.IGNORECASE)


def is_chat_model(entry: dict[str, Any]) -> bool:
    """The AI/ML API says `type`; LiteLLM says `mode`; OpenAI's shape says neither (every
    entry is a model). Rows of the chat type whose output is not text only, or whose id names
    an image generator, are image models reached through the chat route: not chat models."""
    if "type" in entry:
        if entry.get("type") not in CHAT_MODEL_TYPES:
            return False
        output = (entry.get("modalities") or {}).get("output")
        if isinstance(output, list) and output and any(m != "text" for m in output):
            return False
        return not _IMAGE_ID.search(str(entry.get("id", "")))
    if "mode" in entry:
        return entry.get("mode") == "chat"
    return True


def chat_models(entries: Iterable[Any]) -> list[ModelInfo]:
    """The chat models of a list, each once: dotted and dashed twins of one model
    (`claude-opus-4.8` / `claude-opus-4-8`) become one entry, the twin's id an alias."""
    models: list[ModelInfo] = []
    by_key: dict[str, ModelInfo] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not is_chat_model(entry):
            continue
        info = ModelInfo.from_api(entry)
        twin = by_key.get(_twin_key(info.id))
        if twin is not None:
            twin.aliases.extend(n for n in (info.id, *info.aliases) if n not in twin.aliases)
            continue
        by_key[_twin_key(info.id)] = info
        models.append(info)
    return models


def _twin_key(model_id: str) -> str:
    return model_id.lower().replace(".", "-")


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
    pricing: Pricing | None = None
    pricing_problem: str = ""  # why `pricing` is None, in words for the user
    input_modalities: list[str] = field(default_factory=list)
    output_modalities: list[str] = field(default_factory=list)

    @classmethod
    def from_api(cls, entry: dict[str, Any]) -> ModelInfo:
        info = entry.get("info") or {}
        pricing, problem = read_pricing(entry.get("pricing"))
        modalities = entry.get("modalities") if isinstance(entry.get("modalities"), dict) else {}
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
            pricing=pricing,
            pricing_problem=problem,
            input_modalities=_strings(modalities.get("input")),
            output_modalities=_strings(modalities.get("output")),
        )

    @property
    def vision(self) -> bool | None:
        """Whether it takes image input: from its input modalities, else its capabilities;
        None when the entry lists neither."""
        if self.input_modalities:
            return "image" in self.input_modalities
        if self.capabilities:
            return "vision" in self.capabilities
        return None

    def names(self) -> tuple[str, ...]:
        """The id and every alias."""
        return (self.id, *self.aliases)

    def is_named(self, name: str) -> bool:
        """Whether `name` is this model's id or an alias (the service ignores case)."""
        name = name.lower()
        return any(name == n.lower() for n in self.names())

    def matches(self, text: str) -> bool:
        text = text.lower()
        return any(text in s.lower() for s in [self.id, self.name, *self.aliases])


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _count(value: Any) -> int | None:
    """A token count as an int; servers send ints, strings or null."""
    if isinstance(value, bool):
        return None
    try:
        return int(value) or None
    except (TypeError, ValueError):
        return None
