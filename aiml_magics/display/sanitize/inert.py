"""Edits that keep a stretch of Markdown inert: no HTML, no link or image, no fence with a
quoted info string, whichever parser reads it. Stateless; ``rewrite`` decides where they go.
"""

from __future__ import annotations

import re

from .jupyterlab import BARE_FTP_RE, QUOTED_FENCE_RE, info_quotes
from .text import Edit, is_escaped

__all__ = ["TAG_START_RE", "backslashes", "inert_edits", "info_edits"]

TAG_START_RE = re.compile(r"<(?=[A-Za-z/!?])")
_RISKY_LINK_RE = re.compile(r"\](?=[ \t]*[(:\[])|!(?=\[)")
_FALLBACK_CHARS_RE = re.compile(r"[<\[\]!]")


def info_edits(text: str, start: int, end: int) -> list[Edit]:
    """Edits that keep a fence's info string inert; markdown-it and marked unescape it, so
    the class name stays the same."""
    quotes = [(pos, pos + 1, "&quot;") for pos in info_quotes(text, start, end)]
    return inert_edits(text, start, end) + quotes


def inert_edits(text: str, start: int, end: int) -> list[Edit]:
    """Edits that keep ``text[start:end]`` from being HTML, a link (bare ``ftp://`` too) or a
    fence with a quoted info string if a parser reads it."""
    edits = [(m.start(), m.start() + 1, "&lt;") for m in TAG_START_RE.finditer(text, start, end)]
    for match in _RISKY_LINK_RE.finditer(text, start, end):
        if not is_escaped(text, match.start()):
            edits.append((match.start(), match.start(), "\\"))
    for match in QUOTED_FENCE_RE.finditer(text, start, end):
        edits += [(pos, pos + 1, "&quot;") for pos in info_quotes(text, *match.span(1))]
    edits += [(m.start() + 3, m.start() + 3, "\\") for m in BARE_FTP_RE.finditer(text, start, end)]
    return edits


def backslashes(text: str, start: int, end: int) -> list[Edit]:
    """Escape every ``<``, ``[``, ``]`` and ``!``; ``<`` as ``&lt;``, since a bare URL in
    marked would swallow a backslash before it."""
    return [
        (m.start(), m.start() + 1, "&lt;") if m.group() == "<" else (m.start(), m.start(), "\\")
        for m in _FALLBACK_CHARS_RE.finditer(text, start, end)
        if not is_escaped(text, m.start())
    ]
