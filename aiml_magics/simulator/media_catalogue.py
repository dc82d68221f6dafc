"""Catalogue entries for the other kinds of model (embedding, image, speech, transcription,
video), priced in the documented `pricing` shape: `kind` fixed or variants, `units` or
`variants` with `price` per `per` of a unit (token, image, megapixel, character, second).

The simulator charges `meta.usage.credits_used` from these same entries (`charge`), so a
client's estimate from the catalogue can be checked against what a request cost.
"""

from __future__ import annotations

from typing import Any

CREDITS_PER_USD = 2_000_000


Entry = tuple[dict[str, Any], dict[str, Any]]  # the public entry, the `include` extras


def _media(
    model_id: str, kind: str, name: str, developer: str, pricing: dict[str, Any], **info: Any
) -> Entry:
    entry = {
        "id": model_id,
        "aliases": [],
        "type": kind,
        "info": {
            "name": name,
            "developer": developer,
            "description": f"{name} by {developer} (simulated catalogue entry).",
            **info,
        },
        "tags": [f"playground:{kind}"],
    }
    outputs = {"embedding": "embedding", "stt": "text", "tts": "audio"}.get(kind, kind)
    inputs = ["audio"] if kind == "stt" else ["text"]
    extras = {
        "capabilities": [],
        "modalities": {"input": inputs, "output": [outputs]},
        "pricing": {"currency": "USD", **pricing},
    }
    return entry, extras


def _fixed(name: str, price: float, per: float = 1, measure: str = "output") -> dict[str, Any]:
    unit = {"name": name, "measure": measure, "price": price, "per": per}
    return {"kind": "fixed", "units": [unit]}


def _variants(dimension: str, unit: str, prices: dict[str, float]) -> dict[str, Any]:
    return {
        "kind": "variants",
        "dimensions": [dimension],
        "variants": [
            {"when": {dimension: value}, "price": price, "unit": unit, "per": 1}
            for value, price in prices.items()
        ],
    }


MEDIA_ENTRIES: tuple[Entry, ...] = (
    _media(
        "openai/text-embedding-3-small",
        "embedding",
        "Text Embedding 3 Small",
        "Open AI",
        _fixed("token", 0.02, 1_000_000, "input"),
        dimensions=1536,
    ),
    _media(
        "openai/text-embedding-3-large",
        "embedding",
        "Text Embedding 3 Large",
        "Open AI",
        _fixed("token", 0.13, 1_000_000, "input"),
        dimensions=3072,
    ),
    _media(
        "openai/dall-e-3",
        "image",
        "DALL·E 3",
        "Open AI",
        _variants("size", "image", {"1024x1024": 0.04, "1024x1792": 0.08, "1792x1024": 0.08}),
    ),
    _media(
        "flux-pro/v1.1",
        "image",
        "FLUX 1.1 [pro]",
        "Black Forest Labs",
        _fixed("megapixel", 0.04),
    ),
    _media(
        "openai/gpt-4o-mini-tts",
        "tts",
        "GPT-4o mini TTS",
        "Open AI",
        _fixed("character", 12.0, 1_000_000, "input"),
    ),
    _media(
        "#g1_whisper-large",
        "stt",
        "Whisper Large",
        "Open AI",
        _fixed("second", 0.0001, 1, "input"),
    ),
)


def charge(pricing: dict[str, Any], amounts: dict[str, float], when: dict[str, str]) -> float:
    """Credits for `amounts` of each unit (`{"image": 2}`), choosing the variant by `when`."""
    dollars = 0.0
    if pricing.get("kind") == "fixed":
        for unit in pricing["units"]:
            dollars += amounts.get(unit["name"], 0.0) * unit["price"] / unit["per"]
    elif pricing.get("kind") == "variants":
        for variant in pricing["variants"]:
            if all(when.get(k) == v for k, v in variant["when"].items()):
                dollars += amounts.get(variant["unit"], 0.0) * variant["price"] / variant["per"]
                break
    return round(dollars * CREDITS_PER_USD, 3)
