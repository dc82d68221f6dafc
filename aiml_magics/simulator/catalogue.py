"""The simulator's small model catalogue, in both the current and the older list shape.

Clients must filter chat models out of a mixed list and accept either shape, so the
catalogue deliberately holds one older-shaped entry and one non-chat model. Other profiles
list the same models in OpenAI's shape (`id`, `object`, `created`, `owned_by`: no `type`, so
every entry counts as a model), with LiteLLM's (`mode`, `max_input_tokens`,
`max_output_tokens`) or vLLM's (`root`, `max_model_len`) extra fields.
"""

from __future__ import annotations

import copy
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
    """One catalogue entry: its public JSON, the opt-in fields and the upstream id it reports.

    `listed=False` is a deprecated model with a retirement date: absent from the list, still
    answering chat and `GET /model/{id}`. `dialect="gemini"` answers like Gemini 3 (see
    gemini.py)."""

    entry: dict[str, Any]
    upstream: str
    extras: dict[str, Any] = field(default_factory=dict)
    listed: bool = True
    dialect: str = ""

    @property
    def id(self) -> str:
        return self.entry["id"]

    @property
    def is_chat(self) -> bool:
        return self.entry["type"] in CHAT_TYPES

    def names(self) -> tuple[str, ...]:
        return (self.id, *self.entry.get("aliases", ()))

    def token_usd(self, prompt: int, completion: int) -> float | None:
        """What the catalogue's token prices charge for this usage (None without both prices):
        the service bills a chat answer by the prices it lists, so the simulator does too."""
        rates: dict[str, float] = {}
        for unit in (self.extras.get("pricing") or {}).get("units") or []:
            side = unit.get("origin") or unit.get("measure")
            if unit.get("name") == "token" and side:
                rates[side] = float(unit["price"]) / float(unit.get("per") or 1)
        prompt_rate = rates.get("provided", rates.get("input"))
        output_rate = rates.get("generated", rates.get("output"))
        if prompt_rate is None or output_rate is None:
            return None
        return prompt * prompt_rate + completion * output_rate

    def render(self, include: set[str] | frozenset[str] = frozenset(INCLUDABLE)) -> dict[str, Any]:
        data = copy.deepcopy(self.entry)
        for key in INCLUDABLE:
            if key in include and key in self.extras:
                data[key] = copy.deepcopy(self.extras[key])
        return data


def origin_units(*rates: tuple[str, float], per: int = 1_000_000) -> list[dict[str, Any]]:
    """Token units as the service's own integrations read them (keyed by `origin`)."""
    authors = {"provided": "user", "generated": "model"}
    return [
        {
            "type": "charge",
            "name": "token",
            "content": "text",
            "phase": "inference",
            **({"author": authors[origin]} if origin in authors else {}),
            "origin": origin,
            "price": price,
            "per": per,
        }
        for origin, price in rates
    ]


def measure_units(*rates: tuple[str, float], per: int = 1_000_000) -> list[dict[str, Any]]:
    """Token units in the documented `measure` style."""
    return [
        {"name": "token", "measure": measure, "price": price, "per": per}
        for measure, price in rates
    ]


def fixed(units: list[dict[str, Any]]) -> dict[str, Any]:
    return {"kind": "fixed", "currency": "USD", "units": units}


def _chat(
    model_id: str,
    *,
    name: str,
    developer: str,
    context: int,
    output: int,
    upstream: str,
    pricing: dict[str, Any] | None,
    aliases: tuple[str, ...] = (),
    capabilities: tuple[str, ...] = ("streaming", "tools", "structured_output"),
    vision: bool = False,
    listed: bool = True,
    dialect: str = "",
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
    extras: dict[str, Any] = {
        "capabilities": list(capabilities) + (["vision"] if vision else []),
        "modalities": {"input": ["image", "text"] if vision else ["text"], "output": ["text"]},
    }
    if pricing is not None:
        extras["pricing"] = pricing
    return Model(entry, upstream, extras, listed=listed, dialect=dialect)


REASONING = ("streaming", "tools", "structured_output", "reasoning")
CLAUDE_PRICES = fixed(
    origin_units(
        ("provided", 4.1262), ("generated", 20.631), ("cached", 0.41262), ("cache_write", 5.15775)
    )
)


MODELS: tuple[Model, ...] = (
    _chat(
        "bytedance/seed-1-8",
        name="Seed 1.8",
        developer="ByteDance",
        context=256000,
        output=64000,
        upstream="seed-1-8-251228",
        aliases=("seed-1-8", "bytedance/seed-1-6"),  # 1.6 is superseded: an alias of 1.8
        capabilities=REASONING,
        vision=True,
        pricing=fixed(origin_units(("provided", 0.325), ("generated", 2.6))),
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
        # The documented `measure` style, priced per 1,000 tokens: `per` must be read.
        pricing=fixed(measure_units(("input", 0.0025), ("output", 0.01), per=1000)),
    ),
    _chat(
        "anthropic/claude-sonnet-4.5",
        name="Claude Sonnet 4.5",
        developer="Anthropic",
        context=200000,
        output=64000,
        upstream="claude-sonnet-4-5-20250929",
        aliases=("claude-sonnet-4.5",),
        capabilities=REASONING,
        vision=True,
        pricing=CLAUDE_PRICES,
    ),
    _chat(  # the dashed twin the service lists as a row of its own
        "anthropic/claude-sonnet-4-5",
        name="Claude Sonnet 4.5",
        developer="Anthropic",
        context=200000,
        output=64000,
        upstream="claude-sonnet-4-5-20250929",
        aliases=("claude-sonnet-4-5",),
        capabilities=REASONING,
        vision=True,
        pricing=CLAUDE_PRICES,
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
        pricing=fixed(measure_units(("input", 0.1), ("output", 0.3))),
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
        pricing=fixed(origin_units(("provided", 0.55), ("generated", 2.19), ("cached", 0.0078))),
    ),
    _chat(
        "google/gemini-3-5-flash",
        name="Gemini 3.5 Flash",
        developer="Google",
        context=1048576,
        output=65536,
        upstream="google/gemini-3.5-flash",
        aliases=("gemini-3-5-flash",),
        capabilities=REASONING,
        vision=True,
        pricing=fixed(origin_units(("provided", 0.39), ("generated", 3.25), ("cached", 0.039))),
        dialect="gemini",
    ),
    _chat(
        "perplexity/sonar-pro",
        name="Sonar Pro",
        developer="Perplexity",
        context=200000,
        output=8000,
        upstream="sonar-pro",
        aliases=("sonar-pro",),
        capabilities=("streaming", "web_search"),
        # Search fees per request on top of tokens: no price can be quoted ahead.
        pricing={"kind": "variable", "currency": "USD"},
    ),
    _chat(
        "openai/gpt-4-turbo",
        name="GPT-4 Turbo",
        developer="Open AI",
        context=128000,
        output=4096,
        upstream="gpt-4-turbo-2024-04-09",
        aliases=("gpt-4-turbo",),
        vision=True,
        pricing=fixed(measure_units(("input", 13.0), ("output", 39.0))),
        listed=False,  # deprecated with a retirement date: off the list, still serving
    ),
    Model(
        {
            "id": "google/gemini-2.5-flash-image",
            "aliases": ["gemini-2.5-flash-image"],
            "type": "openai/chat-completions",
            "info": {
                "name": "Gemini 2.5 Flash Image",
                "developer": "Google",
                "contextLength": 32768,
                "outputMax": 8192,
                "description": "An image generator listed under the chat type (simulated).",
            },
            "tags": ["playground:image"],
        },
        upstream="gemini-2.5-flash-image",
        extras={
            "capabilities": ["streaming"],
            "modalities": {"input": ["image", "text"], "output": ["text"]},
            "pricing": fixed(origin_units(("provided", 0.39), ("generated", 39.0))),
        },
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
            "pricing": fixed([{"name": "image", "measure": "output", "price": 0.003, "per": 1}]),
        },
    ),
    Model(
        {
            "id": "google/veo-3-1-lite",
            "aliases": [],
            "type": "video",
            "info": {"name": "Veo 3.1 Lite", "developer": "Google"},
            "tags": ["playground:video"],
        },
        upstream="veo-3.1-lite",
        extras={
            "capabilities": [],
            "modalities": {"input": ["image", "text"], "output": ["video"]},
            "pricing": {
                "kind": "variants",
                "currency": "USD",
                "dimensions": ["resolution"],
                "variants": [
                    {"when": {"resolution": "720p"}, "price": 0.39, "unit": "second", "per": 1},
                    {"when": {"resolution": "1080p"}, "price": 0.52, "unit": "second", "per": 1},
                ],
            },
        },
    ),
)


# Embedding, image, speech, transcription and video models (media_catalogue.py).
MODELS += tuple(Model(entry, entry["id"], extras) for entry, extras in MEDIA_ENTRIES)


def find_model(name: str) -> Model | None:
    """The entry whose id or alias is `name` (as chat requests name it), if any."""
    for model in MODELS:
        if name in model.names():
            return model
    return None


def lookup_model(name: str) -> Model | None:
    """`GET /model/{id}`'s match: id or alias, any case."""
    name = name.lower()
    for model in MODELS:
        if any(name == n.lower() for n in model.names()):
            return model
    return None


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
