"""How the answer says which notebook context went with it: "Context sent".

Built from `AttachedContext.summary()` (labels, kinds, token estimates, what was trimmed),
never from the contents, so a secret cannot reach the saved notebook this way. Labels come
from the user's cell (`@cfg["x"]`) or the notebook (`In [3]`): escaped like any text.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from .sanitize import escape_markdown_inline


def _parts(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    parts = summary.get("parts")
    return [p for p in parts if isinstance(p, dict)] if isinstance(parts, list) else []


def context_title(summary: Mapping[str, Any]) -> str:
    """`Context sent (3 parts, ~450 tokens of 3,000)`."""
    count = len(_parts(summary))
    tokens = int(summary.get("tokens") or 0)
    budget = int(summary.get("budget") or 0)
    of = f" of {budget:,}" if budget else ""
    plural = "" if count == 1 else "s"
    return f"Context sent ({count} part{plural}, ~{tokens:,} tokens{of})"


def part_lines(summary: Mapping[str, Any]) -> list[str]:
    """One line per part (`@df: ~120 tokens`), then one per trim (`cut In [3] ...`)."""
    lines = [
        f"{part.get('label', '?')}: ~{int(part.get('tokens') or 0):,} tokens"
        for part in _parts(summary)
    ]
    trimmed = summary.get("trimmed")
    if isinstance(trimmed, list):
        lines += [f"trimmed: {note}" for note in trimmed if isinstance(note, str)]
    return lines


def context_markdown(summary: Mapping[str, Any] | None) -> str:
    """A collapsed `<details>` listing the parts ("" when nothing was attached)."""
    if not summary or not _parts(summary):
        return ""
    items = "\n".join(f"- {escape_markdown_inline(line)}" for line in part_lines(summary))
    title = html.escape(context_title(summary))
    return f"<details><summary>{title}</summary>\n\n{items}\n\n</details>\n"


def context_line(summary: Mapping[str, Any] | None) -> str:
    """The one-line form of the plain text and the terminal ("" when nothing was attached)."""
    if not summary or not _parts(summary):
        return ""
    return f"{context_title(summary)}: {'; '.join(part_lines(summary))}"
