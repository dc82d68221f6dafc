"""Models by kind (`embedding`, `image`, `tts`, `stt`, `video`) from `GET /models?type=...`,
with their prices: what `%aiml models --type` lists, TAB completes and the estimates read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .transfer import call_json
from .unitprice import MediaPricing

if TYPE_CHECKING:
    from .client import AimlClient

# The kind a user names -> the catalogue's `type` values for it.
KINDS: dict[str, tuple[str, ...]] = {
    "embedding": ("embedding",),
    "image": ("image",),
    "tts": ("tts",),
    "stt": ("stt",),
    "video": ("video",),
}
# What each kind uses when no model is named.
DEFAULT_MODELS: dict[str, str] = {
    "embedding": "openai/text-embedding-3-small",
    "image": "flux-pro/v1.1",
    "tts": "openai/gpt-4o-mini-tts",
    "stt": "#g1_whisper-large",
    "video": "google/veo-3-1-lite",
}


@dataclass(frozen=True)
class KindModel:
    """One catalogue entry of a kind: its names, its prices and its `info` fields."""

    id: str
    kind: str
    name: str = ""
    aliases: tuple[str, ...] = ()
    pricing: MediaPricing | None = None
    info: dict[str, Any] = field(default_factory=dict, compare=False)

    def names(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)


def list_models(client: AimlClient, kind: str, *, retries: int | None = None) -> list[KindModel]:
    """The models of one kind, priced (the key is not needed: the list is public)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    found: list[KindModel] = []
    for type_name in KINDS[kind]:
        params = {"type": type_name, "include": "pricing,capabilities,modalities"}
        payload, _ = call_json(
            client, "GET", "/v1/models", params=params, retries=retries, authorize=client.has_key
        )
        entries = payload.get("data") if isinstance(payload, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and entry.get("type") == type_name and entry.get("id"):
                info = entry.get("info") if isinstance(entry.get("info"), dict) else {}
                found.append(
                    KindModel(
                        id=str(entry["id"]),
                        kind=kind,
                        name=str(info.get("name") or ""),
                        aliases=tuple(str(a) for a in entry.get("aliases") or []),
                        pricing=MediaPricing.from_api(entry.get("pricing")),
                        info=dict(info),
                    )
                )
    return found
