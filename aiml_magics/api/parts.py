"""Pieces of a message (or a stream delta) that upstreams put in places of their own.

- Reasoning: a string in `reasoning_content` (DeepSeek, Qwen, Seed) or `reasoning` (other
  gateways), or only as `reasoning_details[]` items `{"type": "reasoning.text", "text": ...}`
  (OpenRouter-routed models).
- Sources: `annotations[]` items `{"type": "url_citation", "url_citation": {"url", "title"}}`.
- Opaque provider data: `extra_content` (Gemini's `{"google": {"thought_signature": ...}}`) on
  the message or on each tool call, documented as "echo it back unchanged on the next turn";
  a tool call's unknown keys are kept for the same reason.
"""

from __future__ import annotations

import copy
from typing import Any

from .result import Citation

TOOL_CALL_KEYS = frozenset({"index", "id", "type", "function"})


def reasoning_text(message: dict[str, Any]) -> str:
    """The reasoning a message or delta carries, from whichever field has it."""
    for key in ("reasoning_content", "reasoning"):
        value = message.get(key)
        if value and isinstance(value, str):
            return value
    details = message.get("reasoning_details")
    if not isinstance(details, list):
        return ""
    texts = [
        item.get("text") or item.get("summary") or ""
        for item in details
        if isinstance(item, dict) and item.get("type") in ("reasoning.text", "reasoning.summary")
    ]
    return "".join(t for t in texts if isinstance(t, str))


def citations(annotations: Any) -> tuple[Citation, ...]:
    """The `url_citation`s of an `annotations` list (anything else is left out)."""
    found = []
    for item in annotations if isinstance(annotations, list) else []:
        if not isinstance(item, dict):
            continue
        cited = (
            item.get("url_citation") if item.get("type", "url_citation") == "url_citation" else None
        )
        cited = cited if isinstance(cited, dict) else item if "url" in item else None
        url = cited.get("url") if cited else None
        if isinstance(url, str) and url.strip():
            title = cited.get("title")
            found.append(Citation(url.strip(), title.strip() if isinstance(title, str) else ""))
    return tuple(found)


def add_citations(known: list[Citation], new: tuple[Citation, ...]) -> None:
    """Append the sources not listed yet (the same URL cited twice is one source)."""
    seen = {c.url for c in known}
    for citation in new:
        if citation.url not in seen:
            known.append(citation)
            seen.add(citation.url)


def extra_keys(call: dict[str, Any]) -> dict[str, Any]:
    """A tool call's keys other than the ones every client reads, as sent."""
    return {k: copy.deepcopy(v) for k, v in call.items() if k not in TOOL_CALL_KEYS}


def merge(into: dict[str, Any], fragment: dict[str, Any]) -> None:
    """Fold a stream fragment into what arrived before: objects merge key by key, strings
    that continue one another are joined, anything else is replaced."""
    for key, value in fragment.items():
        old = into.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            merge(old, value)
        elif isinstance(old, str) and isinstance(value, str) and old != value:
            into[key] = old + value
        else:
            into[key] = copy.deepcopy(value)
