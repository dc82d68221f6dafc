"""How JupyterLab reads ``text/markdown``: with ``marked``, after a math pre-pass.

markdown-it, which finds the dangerous spans, is not the parser that renders. Whatever
``marked`` or JupyterLab's math pre-pass read differently could bring markup to life that
markdown-it saw as code or text, so the rest of the neutraliser needs a model of both: the
patterns ``marked`` (and JupyterLab's renderer for it) is looser about, and an exact
reproduction of the pre-pass, whose result (``MathView``) is parsed and checked like the text
itself.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import TYPE_CHECKING

from .text import BACKTICKS_RE, Edit, leading_run

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = [
    "BARE_FTP_RE",
    "FENCE_LINE_RE",
    "JS_SPACE",
    "PLACEHOLDER_RE",
    "QUOTED_FENCE_RE",
    "RISKY_CODE_RE",
    "SUSPECT_LT_RE",
    "URL_LITERAL_RE",
    "MathView",
    "clear_fence",
    "defuse",
    "info_quotes",
    "math_spans",
    "protected_code",
    "table_tails",
]

# ---------------------------------------------------------------- marked's looser grammar

# `<` that some parser (marked's tag grammar is looser than CommonMark's) or a browser could
# take for a tag, comment, declaration or autolink.
SUSPECT_LT_RE = re.compile(
    r"<(?:[!?]|/?[A-Za-z][A-Za-z0-9_:.\-]*(?:\s|[/>]|\Z)|[A-Za-z][A-Za-z0-9+.\-]*:)"
)
# A fence opening as marked may read it, in any containers (quotes and list items, nested).
_FENCE_OPENING = r"^(?:[ \t>]|(?:[*+\-]|\d{1,9}[.)])[ \t])*(?:`{3,}|~{3,})"
# ... its info string becomes a class name, and one holding a `"` ends it (see `info_quotes`).
FENCE_LINE_RE = re.compile(_FENCE_OPENING + r"(.*)$", re.MULTILINE)
QUOTED_FENCE_RE = re.compile(_FENCE_OPENING + r'([^\n"]*"[^\n]*)$', re.MULTILINE)
# marked's GFM extension also links bare `ftp://` URLs, even inside a word (`sftp://x`).
BARE_FTP_RE = re.compile(r"ftp://", re.IGNORECASE)
# Markdown that would be live if another parser did not take the lines for code.
RISKY_CODE_RE = re.compile(
    r"<[A-Za-z/!?]|\][ \t]*[(:\[]|!\[|(?i:ftp://)|(?m:" + QUOTED_FENCE_RE.pattern + ")"
)
# A bare URL as marked's GFM extension reads it: it swallows everything up to a space or `<`.
URL_LITERAL_RE = re.compile(r"(?:[Hh][Tt][Tt][Pp][Ss]?://|[Ff][Tt][Pp]://|www\.)[^\s<]*")


# A list item whose marker marked's table stops at (any other line after a table is a row).
_TABLE_ENDING_ITEM_RE = re.compile(r"[ \t>]*(?:[*+\-]|1[.)])[ \t]")


def table_tails(text: str, tokens: list[Token]) -> list[int]:
    """Lines right after a table that marked may read as its rows, unlike markdown-it.

    marked's table takes every following line up to a blank one or a block start it knows,
    and its list item takes any lazy line; markdown-it ends a table at a line less indented
    than the table (a lazy line of a list item) and at any list (``2.``, an empty item). marked
    then cuts that line into cells, a code span apart, and its text may become HTML. A list
    item of the same or an outer list ends the table in both (marked ends its item there).
    """
    lines: list[str] = []
    found = []
    for index, token in enumerate(tokens):
        if token.type != "table_open" or not token.map:
            continue
        lines = lines or text.split("\n")
        after = token.map[1]
        if after >= len(lines) or not lines[after].strip(" \t>"):
            continue
        item = _item_after_table(tokens, index, after)
        if item is None or (
            item.level > token.level and not _TABLE_ENDING_ITEM_RE.match(lines[after])
        ):
            found.append(after)
    return found


def _item_after_table(tokens: list[Token], start: int, line: int) -> Token | None:
    """The list item markdown-it opens at ``line``, right after the table at ``start``."""
    close = start
    while close < len(tokens) and tokens[close].type != "table_close":
        close += 1
    for index in range(close + 1, len(tokens)):  # closers and list openings, then the item
        token = tokens[index]
        if token.type == "list_item_open":
            return token if token.map and token.map[0] == line else None
        if not token.type.endswith(("_close", "list_open")):
            return None
    return None


def clear_fence(text: str, token: Token) -> bool:
    """A closed top-level fence at column 0, with an info string, after a blank line: every
    parser reads it as code (this is how the fallback and rebuilt fences look)."""
    if token.type != "fence" or token.level or not token.map or not token.info.strip():
        return False
    first, last = token.map[0], token.map[1] - 1
    lines = text.split("\n", last + 1)  # called only for fences with math in or near them
    body = token.content.count("\n") + (not token.content.endswith("\n") and bool(token.content))
    return (
        lines[first].startswith(token.markup)
        and (first == 0 or not lines[first - 1].strip())
        and last - first - 1 == body
        and lines[last].strip() == token.markup
    )


def info_quotes(text: str, start: int, end: int) -> list[int]:
    """Offsets of the ``"`` in ``text[start:end]``, the info string of a fence.

    Once JupyterLab has highlighted a fenced block with a language, it writes the whole info
    string, backslash escapes undone but otherwise as is, into ``<pre><code
    class="language-...">`` (markedparser-extension's ``highlight``): a ``"`` ends the
    attribute and what follows becomes attributes. ``&quot;`` reads the same everywhere else.
    """
    found, pos = [], text.find('"', start, end)
    while pos >= 0:
        found.append(pos)
        pos = text.find('"', pos + 1, end)
    return found


# ---------------------------------------------------------------- JupyterLab's math pre-pass

# JupyterLab (rendermime's latex.ts, ``removeMath``) replaces math by ``@@n@@`` before calling
# ``marked``, after protecting ``$`` in code fences at column 0 and one-line code spans. Math
# can therefore hide a code boundary from ``marked`` (a fence in a list, a code span running
# over two lines) and turn code that markdown-it saw into markup, or put a placeholder inside
# an attribute where the restored math (``<>&`` escaped, quotes not) could end the attribute.
# We reproduce the pre-pass here and check its result like the text itself.

PLACEHOLDER_RE = re.compile(r"@@(\d+)@@")
# What JavaScript's `\s` and `trim()` take for white space, as a character class body.
JS_SPACE = "\t\n\x0b\x0c\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# What the pre-pass reads as math delimiters (and braces, which must balance inside math).
MATH_TOKENS = r"\$\$?|\\(?:begin|end)\{[a-z]*\*?\}|\\[{}$]|[{}]|@@\d+@@|\\\\(?:\(|\)|\[|\])"
_MATHSPLIT_RE = re.compile(MATH_TOKENS + r"|(?:\n[" + JS_SPACE + r"]*)+", re.IGNORECASE | re.ASCII)
# What math could hide part of, or sit inside of, in a way that matters: links, images and
# definitions, fences (info strings), autolinks and the bare URLs marked turns into links.
_STRUCTURE_NEAR_MATH_RE = re.compile(r"[\[\]]|```|~~~|://|www\.|<[A-Za-z][A-Za-z0-9+.\-]{1,31}:")
_JS_FENCE_OPEN_RE = re.compile(r"(`{3,}|~{3,})[^`\n]*")


class MathView:
    """The text with each math span replaced by its placeholder, and the way back."""

    def __init__(self, text: str, source: str, segments: list[tuple[int, int, int]]) -> None:
        self.text = text
        self.source = source
        self.segments = segments  # (view start, source start, length) of each kept run
        self.view_starts = [segment[0] for segment in segments]
        self.starts: dict[int, int] = {}  # placeholder number -> source offset of its math
        self.spans: list[tuple[int, int, int]] = []
        self.math: set[int] = set()  # numbers of real math, not of literal `@@n@@` text

    @classmethod
    def of(cls, source: str) -> MathView | None:
        if "$" not in source and "\\" not in source and "@@" not in source:
            return None
        spans = math_spans(source)
        if not spans:
            return None
        parts: list[str] = []
        segments: list[tuple[int, int, int]] = []
        pos = view_pos = 0
        starts = {}
        # a marker after math that ends early is stored twice: the later number is the one left
        for start, end, number in sorted(spans, key=lambda span: (span[0], -span[2])):
            starts[number] = start
            if start < pos:
                continue  # a marker inside math that was already replaced
            segments.append((view_pos, pos, start - pos))
            parts.append(source[pos:start])
            marker = f"@@{number}@@"
            parts.append(marker)
            view_pos += start - pos + len(marker)
            pos = end
        segments.append((view_pos, pos, len(source) - pos))
        parts.append(source[pos:])
        view = cls("".join(parts), source, segments)
        view.starts = starts
        view.spans = spans
        view.math = {number for start, _, number in spans if source[start] != "@"}
        return view

    def may_matter(self) -> bool:
        """Whether hiding the math can change anything that matters, so the view needs a parse.

        Math that spans no line end and no backtick, in a paragraph without brackets, fences,
        autolinks or bare URLs, leaves the structure as it was and lands in plain text only.
        """
        chunk_end, risky = -1, False
        for start, end, _ in sorted(self.spans):
            if "\n" in self.source[start:end] or "`" in self.source[start:end]:
                return True
            if start >= chunk_end:  # math never crosses a blank line: check each chunk once
                chunk_start = self.source.rfind("\n\n", 0, start) + 1
                found = self.source.find("\n\n", end)
                chunk_end = len(self.source) if found < 0 else found
                risky = bool(_STRUCTURE_NEAR_MATH_RE.search(self.source, chunk_start, chunk_end))
            if risky:
                return True
        return False

    def position(self, pos: int) -> int | None:
        """Source offset of view offset ``pos``; None inside a placeholder."""
        if pos >= len(self.text):
            return len(self.source)
        view_start, source_start, length = self.segments[bisect_right(self.view_starts, pos) - 1]
        return source_start + pos - view_start if pos - view_start < length else None

    def to_source(self, edit: Edit) -> Edit | None:
        start, end, new = edit
        a = self.position(start)
        last = a if end == start else self.position(end - 1)
        if a is None or last is None:
            return None
        return (a, a if end == start else last + 1, new)


def defuse(text: str, start: int) -> Edit:
    """Turn a math opening delimiter into entities, so the pre-pass skips it."""
    if text.startswith("$$", start):
        return (start, start + 2, "&#36;&#36;")
    if text.startswith("$", start):
        return (start, start + 1, "&#36;")
    return (start, start + 1, "&#92;" if text.startswith("\\", start) else "&#64;")


def math_spans(text: str) -> list[tuple[int, int, int]]:
    """(start, end, placeholder number) of what JupyterLab hides, in its numbering order."""
    blocks = list(_MATHSPLIT_RE.finditer(_mask_protected(text)))
    spans: list[tuple[int, int, int]] = []
    start: int | None = None
    end: str | None = None
    last: int | None = None
    braces = index = 0
    while index < len(blocks):
        block = blocks[index].group()
        if block[0] == "@":  # an existing marker is stored and renumbered
            spans.append((blocks[index].start(), blocks[index].end(), len(spans)))
        elif start is not None:
            if block == end:
                if braces:
                    last = index
                else:
                    spans.append((blocks[start].start(), blocks[index].end(), len(spans)))
                    start = end = last = None
            elif block.count("\n") > 1:  # math never spans a blank line
                if last is not None:
                    index = last
                    spans.append((blocks[start].start(), blocks[last].end(), len(spans)))
                start = end = last = None
                braces = 0
            elif block == "{":
                braces += 1
            elif block == "}" and braces:
                braces -= 1
        elif block in ("$", "$$"):
            start, end, braces = index, block, 0
        elif block in ("\\\\(", "\\\\["):
            start, end, braces = index, "\\\\)" if block[-1] == "(" else "\\\\]", 0
        elif block[1:6] == "begin":
            start, end, braces = index, "\\end" + block[6:], 0
        index += 1
    if start is not None and last is not None:
        spans.append((blocks[start].start(), blocks[last].end(), len(spans)))
    return spans


def _mask_protected(text: str) -> str:
    """Hide the ``$`` that JupyterLab protects (column-0 fences, one-line code spans)."""
    protected = protected_code(text)
    if not protected:
        return text
    parts: list[str] = []
    pos = 0
    for start, end in protected:
        start = max(start, pos)
        if end <= start:
            continue
        parts += [text[pos:start], text[start:end].replace("$", "\x01")]
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def protected_code(text: str) -> list[tuple[int, int]]:
    """Column-0 fences and one-line code spans, as JupyterLab's pre-pass finds them."""
    if "`" not in text and "~~~" not in text:
        return []
    merged: list[tuple[int, int]] = []
    for start, end in sorted(_js_fences(text) + _js_code_spans(text)):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _js_fences(text: str) -> list[tuple[int, int]]:
    """Matches of JupyterLab's fence regex, found line by line in linear time."""
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    backtick_closer = [
        len(line) if line[:1] == "`" and not line.strip("`") else 0 for line in lines
    ]
    best_after = [0] * (len(lines) + 1)  # longest backtick-only line at or after each line
    for index in range(len(lines) - 1, -1, -1):
        best_after[index] = max(best_after[index + 1], backtick_closer[index])
    tilde_closers: dict[int, list[int]] = {}
    for index, line in enumerate(lines):
        size = leading_run(line, "~")
        if size >= 3 and not line[size:].strip("`"):
            tilde_closers.setdefault(size, []).append(index)
    found = []
    index = 0
    while index < len(lines) - 1:  # the opening line must be followed by a newline
        match = _JS_FENCE_OPEN_RE.fullmatch(lines[index])
        close = None
        if match and match.group(1)[0] == "`":
            size = len(match.group(1))
            if best_after[index + 1] >= size:
                close = next(j for j in range(index + 1, len(lines)) if backtick_closer[j] >= size)
        elif match:
            close = _tilde_close(tilde_closers, index, len(match.group(1)))
        if close is None:
            index += 1
            continue
        found.append((starts[index], starts[close] + len(lines[close])))
        index = close + 1
    return found


def _tilde_close(closers: dict[int, list[int]], index: int, size: int) -> int | None:
    """The regex backtracks from the whole tilde run down to three tildes."""
    for length in sorted((k for k in closers if k <= size), reverse=True):
        lines = closers[length]
        after = bisect_right(lines, index)
        if after < len(lines):
            return lines[after]
    return None


def _js_code_spans(text: str) -> list[tuple[int, int]]:
    """Matches of JupyterLab's one-line code span regex."""
    found: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        if line.count("`") > 1:
            found += _js_code_spans_in_line(text, pos, pos + len(line))
        pos += len(line) + 1
    return found


def _js_code_spans_in_line(text: str, line_start: int, line_end: int) -> list[tuple[int, int]]:
    """``(^|[^\\\\])(`+)([^\\n]*?[^`\\n])\\2(?!`)``, emulated with an index of backtick runs."""
    runs = [
        (m.start(), m.end() - m.start()) for m in BACKTICKS_RE.finditer(text, line_start, line_end)
    ]
    by_length: dict[int, list[int]] = {}
    for start, length in runs:
        by_length.setdefault(length, []).append(start)
    lengths = sorted(by_length, reverse=True)
    found = []
    floor = line_start
    for start, length in runs:
        if start < floor:
            continue
        if start == line_start or text[start - 1] != "\\":
            prefix, usable = (start if start == line_start else start - 1), length
        else:  # the prefix can be the run's first backtick
            prefix, usable = start, length - 1
        close = _closing_run(by_length, lengths, start, usable)
        if close is not None:
            found.append((prefix, close))
            floor = close
    return found


def _closing_run(
    by_length: dict[int, list[int]], lengths: list[int], start: int, usable: int
) -> int | None:
    """End of the first later run of exactly k backticks, trying k = usable down to 1."""
    for length in lengths:
        if length > usable:
            continue
        later = by_length[length]
        index = bisect_right(later, start)
        if index < len(later):
            return later[index] + length
    return None
