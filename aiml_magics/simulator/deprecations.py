"""`GET /v1/models/deprecations` (also `/models/deprecations`): the service's feed of models on
their way out, public, with a weak ETag over `data` and `Cache-Control: public, max-age=300`.

`deprecated` models keep serving (the one here is off the list, with a retirement date);
`superseded` ids live on as aliases of `replaced_by`; `withdrawn` ids answer 404. `status` and
`since` filter the feed and fail open: unknown or malformed values are ignored.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENERATED_AT = "2026-08-24T13:59:21.643Z"
CACHE_CONTROL = "public, max-age=300"
FEED: tuple[dict[str, Any], ...] = (
    {
        "id": "openai/gpt-5.3-chat",
        "aliases": ["gpt-5.3-chat"],
        "status": "withdrawn",
        "deprecated_at": "2026-08-10",
        "shutdown_at": "2026-08-10",
        "replaced_by": "openai/gpt-5.3-codex",
        "reason": "provider_delisted",
    },
    {
        "id": "aura-2-zeus-en",
        "aliases": ["deepgram/aura-2-zeus-en", "#g1_aura-2-zeus-en"],
        "status": "superseded",
        "deprecated_at": "2026-06-26",
        "shutdown_at": None,
        "replaced_by": "deepgram/aura-2",
        "reason": "consolidated",
    },
    {
        "id": "bytedance/seed-1-6",
        "aliases": ["seed-1-6"],
        "status": "superseded",
        "deprecated_at": "2026-05-01",
        "shutdown_at": None,
        "replaced_by": "bytedance/seed-1-8",
        "reason": "consolidated",
    },
    {
        "id": "openai/gpt-4-turbo",
        "aliases": ["gpt-4-turbo"],
        "status": "deprecated",
        "deprecated_at": "2026-07-01",
        "shutdown_at": "2027-03-31",
        "replaced_by": "openai/gpt-4o",
        "reason": None,
    },
)
STATUSES = {"deprecated", "superseded", "withdrawn"}


def withdrawn(name: str) -> dict[str, Any] | None:
    """The feed's entry if `name` (id or alias, any case) was withdrawn."""
    name = name.lower()
    for entry in FEED:
        names = [entry["id"], *entry["aliases"]]
        if entry["status"] == "withdrawn" and any(name == n.lower() for n in names):
            return entry
    return None


def feed_payload(query: list[tuple[str, str]]) -> tuple[dict[str, Any], str]:
    """The feed body for these parameters, and its weak ETag (over `data` only)."""
    statuses = {
        part.strip().lower() for key, value in query if key == "status" for part in value.split(",")
    } & STATUSES
    since = next((value for key, value in query if key == "since"), "")
    if len(since) != 10 or since[4] != "-" or since[7] != "-":
        since = ""
    data = [
        dict(entry)
        for entry in FEED
        if (not statuses or entry["status"] in statuses)
        and (not since or entry["deprecated_at"] >= since)
    ]
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:24]
    return {"object": "list", "generated_at": GENERATED_AT, "data": data}, f'W/"{digest}"'
