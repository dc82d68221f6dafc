"""`@name` mentions in a cell body: which kernel values the user asked the model to see.

A mention is `@` followed by a name path (`@df`, `@df.columns`, `@cfg["x"]`, `@rows[0]`)
in prose. Never a mention: `@@` (a literal `@`), an e-mail address (`@` right after a word
character), anything inside fenced code or inline code, and a decorator (an `@name` line
followed by `def`, `class` or another decorator). Values are found by attribute and item
access only (see `interpolate.walk`); names starting with `_` are refused.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..interpolate import PATH, walk
from .errors import ContextError

_MENTION = re.compile(rf"@@|(?<![\w.+\-@])@({PATH})")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INLINE = re.compile(r"`+")
_DEFINITION = re.compile(r"\s*(?:async\s+def|def|class)\s|\s*@")
HINT = "write @@ for a literal @, or put code in backticks"


@dataclass(frozen=True)
class Mention:
    """One `@path` in the body: the path as typed and where it starts."""

    path: str
    start: int

    @property
    def label(self) -> str:
        return f"@{self.path}"

    @property
    def root(self) -> str:
        return re.match(r"\w+", self.path).group(0)  # type: ignore[union-attr]


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of fenced blocks and inline code, where `@` is never a mention."""
    spans: list[tuple[int, int]] = []
    offset, fence, fence_start = 0, "", 0
    for line in text.splitlines(keepends=True):
        opener = _FENCE.match(line)
        if fence:
            if opener and _closes(opener.group(1), fence, line):
                spans.append((fence_start, offset + len(line)))
                fence = ""
        elif opener:
            fence, fence_start = opener.group(1), offset
        offset += len(line)
    if fence:  # an unclosed fence runs to the end, as Markdown renders it
        spans.append((fence_start, len(text)))
    return spans + _inline_spans(text, spans)


def _closes(marker: str, fence: str, line: str) -> bool:
    """A closing fence: the opening character, at least as long, nothing after it."""
    return marker[0] == fence[0] and len(marker) >= len(fence) and not line.strip().strip(fence[0])


def _inline_spans(text: str, fences: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    runs = [m for m in _INLINE.finditer(text) if not _inside(m.start(), fences)]
    index = 0
    while index < len(runs):
        opener = runs[index]
        closer = next(
            (j for j in range(index + 1, len(runs)) if len(runs[j].group()) == len(opener.group())),
            None,
        )
        if closer is None:
            index += 1
            continue
        spans.append((opener.start(), runs[closer].end()))
        index = closer + 1
    return spans


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _is_decorator(text: str, match: re.Match[str]) -> bool:
    """`@name` alone at the start of a line, with a definition or decorator on the next."""
    line_start = text.rfind("\n", 0, match.start()) + 1
    line_end = text.find("\n", match.end())
    if text[line_start : match.start()].strip():
        return False
    rest = text[match.end() : len(text) if line_end < 0 else line_end]
    if rest.strip() and not rest.lstrip().startswith("("):
        return False
    following = [line for line in text[line_end + 1 :].splitlines() if line.strip()]
    return line_end >= 0 and bool(following) and bool(_DEFINITION.match(following[0]))


def _scan(text: str) -> Iterator[re.Match[str]]:
    """Every `@@` and real mention outside code, in order."""
    code = _code_spans(text)
    for match in _MENTION.finditer(text):
        if _inside(match.start(), code):
            continue
        if match.group(1) is not None and _is_decorator(text, match):
            continue
        yield match


def find_mentions(text: str) -> list[Mention]:
    """The mentions of a cell body, each path once, in order of first appearance."""
    seen: dict[str, Mention] = {}
    for match in _scan(text):
        path = match.group(1)
        if path is not None and path not in seen:
            seen[path] = Mention(path, match.start())
    return list(seen.values())


def unescape(text: str) -> str:
    """The body as the model reads it: `@@` outside code becomes `@`; mentions stay as typed."""
    pieces, last = [], 0
    for match in _scan(text):
        if match.group(1) is None:
            pieces.append(text[last : match.start()] + "@")
            last = match.end()
    return "".join(pieces) + text[last:]


def resolve_mention(mention: Mention, namespace: Mapping[str, Any]) -> Any:
    """The mentioned value, or a `ContextError` naming the mention and what went wrong."""
    if mention.root.startswith("_"):
        raise ContextError(
            f"{mention.label}: names starting with _ are not attached "
            "(private names and IPython's own history)"
        )
    if mention.root not in namespace:
        close = difflib.get_close_matches(mention.root, [k for k in namespace if k[:1] != "_"], 1)
        maybe = f" Did you mean @{close[0]}?" if close else ""
        raise ContextError(
            f"{mention.label}: no variable named {mention.root!r} in the notebook.{maybe} ({HINT})"
        )
    try:
        return walk(mention.path, namespace)
    except LookupError as exc:
        raise ContextError(f"{mention.label}: {exc}") from None
