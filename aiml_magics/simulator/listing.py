"""`GET /v1/models` (also at `/models` and `/api/v1/models`) and `GET /model/{id}`, as the
service's catalogue documentation describes them.

Filters `id` (id or alias), `type`, `tags`, `capabilities`, `modalities`, `input_modalities`
and `output_modalities` match case-insensitively; a comma means "or" and repeated parameters
merge. `include` adds `capabilities`, `modalities` and `pricing` (`all`, or `details=true`, adds
all three). The ETag is weak and computed over the body. Deprecated models with a retirement
date are left out of the list but keep their card.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from .catalogue import INCLUDABLE, MODELS, Model, _openai_entry

if TYPE_CHECKING:
    from .profiles import Profile

Query = list[tuple[str, str]]
FILTERS = ("id", "type", "tags", "capabilities", "modalities")
FILTERS += ("input_modalities", "output_modalities")


def values(query: Query, name: str) -> set[str]:
    """Every value of a parameter: repeated, comma-separated, lower-cased."""
    return {
        part.strip().lower()
        for key, value in query
        if key == name
        for part in value.split(",")
        if part.strip()
    }


def included(query: Query) -> set[str]:
    wanted = values(query, "include")
    if "all" in wanted or "true" in values(query, "details"):
        return set(INCLUDABLE)
    return wanted & set(INCLUDABLE)


def list_payload(query: Query, profile: Profile | None = None) -> dict[str, Any]:
    """The list body for these query parameters (other profiles' servers ignore them)."""
    if profile is not None and profile.catalogue != "aiml":
        return {"object": "list", "data": [_openai_entry(m, profile) for m in MODELS]}
    include = included(query)
    wanted = {name: values(query, name) for name in FILTERS}
    data = [
        model.render(include)
        for model in MODELS
        if model.listed and all(_matches(model, name, w) for name, w in wanted.items() if w)
    ]
    return {"object": "list", "data": data}


def card_payload(model: Model, query: Query) -> dict[str, Any]:
    """`GET /model/{id}`: the entry, wrapped."""
    return {"object": "model", "data": model.render(included(query))}


def _matches(model: Model, name: str, wanted: set[str]) -> bool:
    entry, extras = model.entry, model.extras
    modalities = extras.get("modalities") or {}
    have: list[str] = {
        "id": list(model.names()),
        "type": [entry.get("type", "")],
        "tags": list(entry.get("tags") or []),
        "capabilities": list(extras.get("capabilities") or []),
        "modalities": [*modalities.get("input", []), *modalities.get("output", [])],
        "input_modalities": list(modalities.get("input", [])),
        "output_modalities": list(modalities.get("output", [])),
    }[name]
    return any(str(value).lower() in wanted for value in have)


def etag_for(body: bytes) -> str:
    """A weak ETag derived from the body, as the service sends (`W/"..."`)."""
    return 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'
