"""The simulator's small model catalogue, in both the current and the older list shape.

Clients must filter chat models out of a mixed list and accept either shape, so the
catalogue deliberately holds one older-shaped entry and one non-chat model. Other profiles
list the same models in OpenAI's shape (`id`, `object`, `created`, `owned_by`: no `type`, so
every entry counts as a model), with LiteLLM's (`mode`, `max_input_tokens`,
`max_output_tokens`) or vLLM's (`root`, `max_model_len`) extra fields.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .media_catalogue import MEDIA_ENTRIES

if TYPE_CHECKING:
    from .profiles import Profile

CREATED = 1_700_000_000  # `created` of OpenAI-shaped entries: fixed, so the ETag is stable

CHAT_TYPES = ("openai/chat-completions", "chat-completion")
INCLUDABLE = ("capabilities", "modalities", "pricing")


@dataclass(frozen=True)
class Model:
    """One catalogue entry: its public JSON, the opt-in fields and the upstream id it reports."""

    entry: dict[str, Any]
    upstream: str
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.entry["id"]

    @property
    def is_chat(self) -> bool:
        return self.entry["type"] in CHAT_TYPES

    def names(self) -> tuple[str, ...]:
        return (self.id, *self.entry.get("aliases", ()))

    def render(self, include: set[str] | frozenset[str] = frozenset(INCLUDABLE)) -> dict[str, Any]:
        data = copy.deepcopy(self.entry)
        for key in INCLUDABLE:
            if key in include and key in self.extras:
                data[key] = copy.deepcopy(self.extras[key])
        return data


def _chat(
    model_id: str,
    *,
    name: str,
    developer: str,
    context: int,
    output: int,
    upstream: str,
    aliases: tuple[str, ...] = (),
    capabilities: tuple[str, ...] = ("streaming", "tools", "structured_output"),
    vision: bool = False,
    price: tuple[float, float] = (1.0, 4.0),
) -> Model:
    entry = {
        "id": model_id,
        "aliases": list(aliases),
        "type": "openai/chat-completions",
        "info": {
            "name": name,
            "developer": developer,
            "contextLength": context,
            "outputMax": output,
            "description": f"{name} by {developer} (simulated catalogue entry).",
            "docsUrl": f"https://docs.aimlapi.com/api-references/text-models-llm/{model_id}",
        },
        "tags": ["playground:chat"],
    }
    extras = {
        "capabilities": list(capabilities) + (["vision"] if vision else []),
        "modalities": {"input": ["image", "text"] if vision else ["text"], "output": ["text"]},
        "pricing": {"currency": "USD", "unit": "1M tokens", "input": price[0], "output": price[1]},
    }
    return Model(entry, upstream, extras)


MODELS: tuple[Model, ...] = (
    _chat(
        "bytedance/seed-1-8",
        name="Seed 1.8",
        developer="ByteDance",
        context=256000,
        output=64000,
        upstream="seed-1-8-251228",
        aliases=("seed-1-8",),
        capabilities=("streaming", "tools", "structured_output", "reasoning"),
        vision=True,
        price=(0.25, 2.0),
    ),
    _chat(
        "openai/gpt-4o",
        name="GPT-4o",
        developer="Open AI",
        context=128000,
        output=16384,
        upstream="gpt-4o-2024-08-06",
        aliases=("gpt-4o",),
        vision=True,
        price=(2.5, 10.0),
    ),
    _chat(
        "anthropic/claude-sonnet-4.5",
        name="Claude Sonnet 4.5",
        developer="Anthropic",
        context=200000,
        output=64000,
        upstream="claude-sonnet-4-5-20250929",
        aliases=("claude-sonnet-4-5",),
        capabilities=("streaming", "tools", "structured_output", "reasoning"),
        vision=True,
        price=(3.0, 15.0),
    ),
    _chat(
        "qwen/qwen3-32b",
        name="Qwen3 32B",
        developer="Alibaba Cloud",
        context=131072,
        output=16384,
        upstream="qwen3-32b",
        aliases=("qwen3-32b",),
        capabilities=("streaming", "tools", "reasoning"),
        price=(0.1, 0.3),
    ),
    _chat(
        "deepseek/deepseek-r1",
        name="DeepSeek R1",
        developer="DeepSeek",
        context=128000,
        output=32768,
        upstream="deepseek-reasoner",
        aliases=("deepseek-reasoner",),
        capabilities=("streaming", "reasoning"),
        price=(0.55, 2.19),
    ),
    Model(
        {
            "id": "mistralai/Mistral-7B-Instruct-v0.2",
            "aliases": [],
            "type": "chat-completion",
            "info": {
                "name": "Mistral (7B) Instruct v0.2",
                "developer": "Mistral AI",
                "contextLength": 32768,
                "maxTokens": 4096,
                "description": "An older catalogue entry shape (simulated).",
            },
            "features": ["openai/chat-completion", "openai/chat-completion.function"],
            "tags": [],
        },
        upstream="mistralai/Mistral-7B-Instruct-v0.2",
    ),
    Model(
        {
            "id": "flux/schnell",
            "aliases": [],
            "type": "image",
            "info": {
                "name": "FLUX.1 [schnell]",
                "developer": "Black Forest Labs",
                "description": "An image model: not usable for chat (simulated).",
            },
            "tags": ["playground:image"],
        },
        upstream="flux/schnell",
        extras={
            "capabilities": [],
            "modalities": {"input": ["text"], "output": ["image"]},
            "pricing": {"currency": "USD", "unit": "image", "output": 0.003},
        },
    ),
)


# Embedding, image, speech, transcription and video models (media_catalogue.py).
MODELS += tuple(Model(entry, entry["id"], extras) for entry, extras in MEDIA_ENTRIES)


def find_model(name: str) -> Model | None:
    """The entry whose id or alias is `name`, if any."""
    for model in MODELS:
        if name in model.names():
            return model
    return None


def list_payload(query: dict[str, str], profile: Profile | None = None) -> dict[str, Any]:
    """`GET /v1/models` body for `?include=a,b` and `?type=...` query parameters (the AI/ML
    API's), or the list as the profile's server sends it (which ignores both)."""
    if profile is not None and profile.catalogue != "aiml":
        return {"object": "list", "data": [_openai_entry(m, profile) for m in MODELS]}
    include = {part.strip() for part in query.get("include", "").split(",") if part.strip()}
    wanted_type = query.get("type")
    data = [
        model.render(include)
        for model in MODELS
        if wanted_type is None or model.entry["type"] == wanted_type
    ]
    return {"object": "list", "data": data}


def etag_for(body: bytes) -> str:
    """A strong ETag derived from the exact bytes, so it changes only with the content."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _openai_entry(model: Model, profile: Profile) -> dict[str, Any]:
    """One entry of an OpenAI-shaped list, with the extra fields of LiteLLM or vLLM."""
    entry: dict[str, Any] = {
        "id": model.id,
        "object": "model",
        "created": CREATED,
        "owned_by": profile.owned_by,
    }
    info = model.entry.get("info", {})
    context = info.get("contextLength")
    if profile.catalogue == "litellm":
        entry["mode"] = "chat" if model.is_chat else "image_generation"
        entry["max_input_tokens"] = context
        entry["max_output_tokens"] = info.get("outputMax") or info.get("maxTokens")
    elif profile.catalogue == "vllm":
        entry.update(root=model.upstream, parent=None, max_model_len=context)
    return entry
