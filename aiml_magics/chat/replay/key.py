"""What decides an answer, as a key: the canonical request and its digest.

Two requests get the same key exactly when the model, the messages (images by the digest of
their bytes) and the generation parameters, tools and response format are the same. The key,
headers, timing and how the answer travels (`stream`) are never part of it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from typing import Any

TRANSPORT_FIELDS = frozenset({"stream", "stream_options"})  # how, not what, is answered


def canonical_request(
    model: str, messages: list[dict[str, Any]], params: Mapping[str, Any]
) -> dict[str, Any]:
    """What decides the answer, in a form that is equal exactly when the request is."""
    return {
        "model": model,
        "messages": [_canonical_message(m) for m in messages],
        "params": {k: v for k, v in params.items() if k not in TRANSPORT_FIELDS},
    }


def canonical_json(value: Any) -> str:
    """One spelling per value (sorted keys, no spaces), so equal requests hash equal."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def request_key(canonical: dict[str, Any]) -> str:
    """The digest a recording is found by."""
    return hashlib.sha256(canonical_json(canonical).encode("utf-8")).hexdigest()


def _canonical_message(message: dict[str, Any]) -> dict[str, Any]:
    content = message.get("content")
    if not isinstance(content, list):
        return dict(message)
    return {**message, "content": [_canonical_part(part) for part in content]}


def _canonical_part(part: Any) -> Any:
    if not (isinstance(part, dict) and part.get("type") == "image_url"):
        return part
    image = dict(part.get("image_url") or {})
    summary = image_summary(str(image.pop("url", "")))
    return {**part, "image_url": {**image, **summary}}


def image_summary(url: str) -> dict[str, Any]:
    """A `data:` image as its media type, size and content digest; a URL stays a URL."""
    head, sep, data = url.partition(",")
    if not (sep and head.startswith("data:") and head.endswith(";base64")):
        return {"url": url}
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raw = data.encode("utf-8")
    return {
        "media_type": head[5:-7],
        "bytes": len(raw),
        "sha256": hashlib.sha256(raw).hexdigest(),
    }


def describe_differences(wanted: dict[str, Any], recorded: dict[str, Any]) -> list[str]:
    """Short phrases for how a canonical request differs from a recorded one, most telling
    first (the model, then each parameter, then the context, then the prompt)."""
    found = []
    if wanted.get("model") != recorded.get("model"):
        found.append(f"the model ({wanted.get('model')} here, {recorded.get('model')} recorded)")
    mine, theirs = wanted.get("params") or {}, recorded.get("params") or {}
    for name in sorted(set(mine) | set(theirs)):
        if canonical_json(mine.get(name)) != canonical_json(theirs.get(name)):
            found.append(
                f"the parameter {name} ({_short(mine.get(name))} here, "
                f"{_short(theirs.get(name))} recorded)"
            )
    now, then = wanted.get("messages") or [], recorded.get("messages") or []
    if canonical_json(now[:-1]) != canonical_json(then[:-1]):
        found.append(
            f"the context ({len(now) - 1} earlier message(s) here, {len(then) - 1} recorded)"
        )
    if canonical_json(now[-1:]) != canonical_json(then[-1:]):
        found.append(
            "the prompt" if (now[-1:] or [{}])[0].get("role") == "user" else "the last message"
        )
    return found


def _short(value: Any) -> str:
    if value is None:
        return "unset"
    text = canonical_json(value)
    return text if len(text) <= 40 else text[:37] + "…"
