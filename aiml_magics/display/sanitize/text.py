"""The source text and its edits, shared by every part of the neutraliser.

markdown-it's tokens, JupyterLab's math view and the rewrite all speak in offsets of one text,
so line endings and NULs are normalised once, up front, as CommonMark would; a change is an
``Edit`` of that text. Also the escaping of short strings for our own Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = [
    "BACKTICKS_RE",
    "Edit",
    "apply_edits",
    "escape_markdown_inline",
    "is_escaped",
    "leading_run",
    "normalize",
]

Edit = tuple[int, int, str]
"""Replace ``text[start:end]`` by the string; ``start == end`` inserts."""

BACKTICKS_RE = re.compile(r"`+")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# `$` becomes `\\$`: marked leaves `\$` in the page, which JupyterLab's MathJax (processEscapes)
# shows as `$`. A `$` alone in the page pairs with the next one into typeset math, since MathJax
# scans the rendered text, after the math pre-pass; `\$` in Markdown would leave a bare `$`.
_INLINE_ESCAPES = {ord(c): "\\" + c for c in "\\`*_{}[]()#+-.!|~@="} | {
    ord("$"): "\\\\$",
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord(">"): "&gt;",
}
# `@@` as entities: marked turns `\@\@0\@\@` back into `@@0@@`, a math placeholder JupyterLab
# then fails to restore (its rendering throws).
_ESCAPED_AT_RUN_RE = re.compile(r"(?:\\@){2,}")


def normalize(text: Any) -> str:
    """Apply the line-ending and NUL rules of CommonMark ourselves, so offsets match tokens."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    elif not isinstance(text, str):
        text = "" if text is None else str(text)
    for old in ("\r\n", "\r", "\u2028", "\u2029"):
        text = text.replace(old, "\n")
    text = text.replace("\x00", "\ufffd")
    if _SURROGATE_RE.search(text):
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def escape_markdown_inline(text: str) -> str:
    """Escape a short string (model id, chat name) for use inside our own Markdown.

    Markdown punctuation is backslash-escaped, ``<``, ``>`` and ``&`` become entities and all
    whitespace, newlines included, collapses to single spaces, so the string stays one inline
    run of text whatever it contains.
    """
    escaped = " ".join(normalize(text).split()).translate(_INLINE_ESCAPES)
    return _ESCAPED_AT_RUN_RE.sub(lambda run: "&#64;" * (len(run.group()) // 2), escaped)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits; inserts go first and an outer replacement wins."""
    out: list[str] = []
    pos = 0
    for start, end, new in sorted(set(edits), key=lambda e: (e[0], e[1] != e[0], -e[1])):
        if start < pos:
            continue
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def is_escaped(text: str, pos: int) -> bool:
    """Whether an odd number of backslashes precede ``text[pos]``."""
    start = pos
    while start > 0 and text[start - 1] == "\\":
        start -= 1
    return (pos - start) % 2 == 1


def leading_run(text: str, char: str) -> int:
    """How many ``char`` the text starts with."""
    return len(text) - len(text.lstrip(char))
