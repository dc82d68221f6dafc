"""How a Gemini 3 model answers through the service, for the catalogue's `dialect="gemini"`.

- Each assistant `tool_calls[]` item carries `extra_content: {"google": {"thought_signature"}}`
  (documented: "Echo it back unchanged on the next turn"), and the message carries one too.
- The next request must send each signature back on its call, or it is refused with a 400, as
  Google's own endpoint does: so a client that drops them fails here, not in production.
- `completion_tokens` excludes reasoning: prompt + completion + reasoning = total (the
  documented example: 9 + 572 + 951 = 1532), with `extra_properties.google`.
"""

from __future__ import annotations

import hashlib
from typing import Any

MISSING = (
    "Function call is missing a thought_signature in functionCall parts. This is required for "
    "tools to work correctly. Echo extra_content of each tool call back unchanged "
    "(messages.{index}.tool_calls.{call})."
)


def signature(seed: str) -> str:
    """A deterministic opaque signature (the real ones are long base64 strings)."""
    return "AY89a18e" + hashlib.sha256(seed.encode()).hexdigest()[:40]


def extra_content(seed: str) -> dict[str, Any]:
    return {"google": {"thought_signature": signature(seed)}}


def missing_signature(body: dict[str, Any]) -> str | None:
    """The 400 message when an assistant tool call comes back without its signature."""
    for index, message in enumerate(body.get("messages") or []):
        if not isinstance(message, dict) or message.get("role") != "assistant":
            continue
        for number, call in enumerate(message.get("tool_calls") or []):
            if not isinstance(call, dict):
                continue
            sent = ((call.get("extra_content") or {}).get("google") or {}).get("thought_signature")
            if sent != signature(str(call.get("id", ""))):
                return MISSING.format(index=index, call=number)
    return None


def usage(prompt: int, answer: int, reasoning: int) -> dict[str, Any]:
    """Usage as Gemini reports it: reasoning counted apart from the completion."""
    return {
        "prompt_tokens": prompt,
        "completion_tokens": answer,
        "total_tokens": prompt + answer + reasoning,
        "completion_tokens_details": {"reasoning_tokens": reasoning},
        "extra_properties": {"google": {"traffic_type": "ON_DEMAND"}},
    }
