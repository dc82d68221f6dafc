"""The edits one inline token needs, span by span.

``InlineNotes`` hears every link, image, code span and bare URL that markdown-it found in one
inline token (through the recording rules) and decides how the token must change so that
neither markdown-it nor ``marked`` reads live markup in it. Offsets are offsets in the
token's content; ``rewrite`` maps them to the source. What concerns the whole parse is the
``Recorder``'s (``notes``).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from .jupyterlab import (
    BARE_FTP_RE,
    JS_SPACE,
    QUOTED_FENCE_RE,
    RISKY_CODE_RE,
    SUSPECT_LT_RE,
    URL_LITERAL_RE,
    info_quotes,
)
from .text import BACKTICKS_RE, Edit, escape_markdown_inline, is_escaped, leading_run
from .urls import angle_url, url_kind

if TYPE_CHECKING:
    from markdown_it.token import Token

    from .notes import Recorder

__all__ = ["InlineNotes", "plain_text"]

# A link target as a looser parser may read it; blanks as Python or JavaScript sees them.
_BLANK = r"\s" + JS_SPACE
_LOOSE_TARGET_RE = re.compile(rf"[{_BLANK}]*(?:<([^>\n]*)|([^{_BLANK}]*))")
_ESCAPED_RE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark's backslash escapes
_ANGLE_DESTINATION_RE = re.compile(r"\([ \t]*\n?[ \t]*(<(?:\\.|[^\\<>\n])*>)")
_AUTOLINK_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*")
# A list marker at the start of a line, as marked's lists read it.
_LINE_MARKER_RE = re.compile(r"^(?:[*+\-]|\d{1,9}[.)])(?=[ \t]|$)", re.MULTILINE)
# A table's delimiter row as marked reads it (it needs a `|` or a `:`).
_DELIMITER_ROW_RE = re.compile(r"^ {0,3}\|? *:?-+:? *(?:\| *:?-+:? *)*\|? *$", re.MULTILINE)


class InlineNotes:
    """Edits wanted inside one inline token, in offsets of its content."""

    def __init__(self, src: str, rec: Recorder) -> None:
        self.src = src
        self.rec = rec
        self.edits: list[Edit] = []
        self.failed = False
        self._bangs: list[int] | None = None
        self.image_starts: list[int] = []  # sorted
        self._bangs_closed = 0  # bangs before this index were settled by close_bangs
        self._image_set: set[int] = set()
        self._urls: list[tuple[int, int]] | None = None
        self._url_starts: list[int] = []
        self.code_spans: list[tuple[int, int, int]] = []  # risky ones: start, end, fence size
        self._code_ranges: list[tuple[int, int]] = []  # all code spans
        self._escaped_up_to: dict[str, int] = {}  # delimiter -> escaped before this offset

    def escape_lts(self, start: int, end: int) -> None:
        pos = self.src.find("<", start, end)
        while pos >= 0:
            if not is_escaped(self.src, pos):
                self.edits.append((pos, pos + 1, "&lt;"))
            pos = self.src.find("<", pos + 1, end)

    def link(self, start: int, end: int, opener: Token, label_end: Callable[[], int]) -> None:
        if self._inside_url(start):  # marked's bare URL swallows `[`: a link in neither parser
            self.edits.append((start, start, "\\"))
            return
        href, title = opener.attrGet("href"), opener.attrGet("title")
        if not self.rec.link_ok(href, title):
            self.unlink(start, label_end())
        else:
            if self.image_opened_before(start) and not self.rec.image_ok(href, title, ""):
                self.close_bangs(start)  # marked may read `![...[x](target)` as an image
            if "<" in self.src[start:end]:
                self._plain_destination(label_end(), end, href or "")
            if "\\]" in self.src[start:end]:
                self._escaped_brackets(start, label_end())
        if (start == 0 or self.src[start - 1] == "\n") and self.src[end - 1 : end + 1] == "]:":
            self.edits.append((end - 1, end - 1, "\\"))  # `[r]: target`: a definition to marked

    def unlink(self, start: int, label_end: int) -> None:
        """Show ``[text](target)`` as text: escape both brackets and the opening paren."""
        if label_end < 0:
            self.failed = True
            return
        self.edits += [(start, start, "\\"), (label_end, label_end, "\\")]
        if self.src[label_end + 1 : label_end + 2] in ("(", "["):
            self.edits.append((label_end + 1, label_end + 1, "\\"))

    def image(
        self, start: int, end: int, token: Token, in_link: bool, label_end: Callable[[], int]
    ) -> None:
        insort(self.image_starts, start)
        self._image_set.add(start)
        if self._inside_url(start) and not in_link:  # marked's bare URL swallows `![` (not
            self.edits.append((start + 1, start + 1, "\\"))  # in a link): an image in neither
            return
        src, alt = token.attrGet("src") or "", plain_text(token.children)
        written = self._as_written(src, start, end)
        if written and self.rec.image_ok(src, token.attrGet("title"), alt):
            label = label_end()
            self._image_label(start + 2, label)
            if "<" in self.src[start:end]:
                self._plain_destination(label, end, src)
            return
        self.edits.append((start, end, _image_stand_in(src, alt, in_link, self.rec)))
        if start and self.src[start - 1] == "!" and not is_escaped(self.src, start - 1):
            self.edits.append((start - 1, start - 1, "\\"))  # else `!` + `[...](...)` = image
        if in_link and self.src[end : end + 1] in ("(", "["):  # in a link's text marked
            self.edits.append((end, end, "\\"))  # unescapes the stand-in's brackets

    def _escaped_brackets(self, start: int, label_end: int) -> None:
        """In a link's text marked unescapes ``\\[`` and ``\\]`` before reading it: escape
        the ``(`` after a ``\\]``, so that no link or image comes alive there."""
        pos = self.src.find("\\](", start, label_end)
        while pos >= 0:
            if is_escaped(self.src, pos + 1):
                self.edits.append((pos + 2, pos + 2, "\\"))
            pos = self.src.find("\\](", pos + 1, label_end)

    def _plain_destination(self, label_end: int, end: int, url: str) -> None:
        """Write a ``<...>`` destination plainly, percent-encoded, where its ``<`` would start
        a tag (or a link to an odd scheme) should marked read no link here and show it as text.
        """
        match = _ANGLE_DESTINATION_RE.match(self.src, label_end + 1, end)
        if label_end < 0 or match is None or not SUSPECT_LT_RE.match(self.src, match.start(1)):
            return
        target = match.group(1)[1:-1]
        if _AUTOLINK_RE.fullmatch(target) and url_kind(target) in ("web", "mailto"):
            return  # an autolink to marked, and a harmless one
        plain = url.replace("(", "%28").replace(")", "%29")
        self.edits.append((match.start(1), match.end(1), plain))

    def _image_label(self, start: int, end: int) -> None:
        """Keep a kept image's label inert should marked not read an image there.

        markdown-it parses the label apart, unseen by the recording rules; marked may read a
        ``](`` in it as a link's, and the label as Markdown (a bare ``ftp://`` as a link).
        Escapes render the same alt text.
        """
        for pos in range(start, max(start, end)):
            char = self.src[pos]
            if char not in "<]:" or is_escaped(self.src, pos):
                continue
            if char == "<" and SUSPECT_LT_RE.match(self.src, pos):
                self.edits.append((pos, pos + 1, "&lt;"))
            elif char == "]" and self.suspect_bracket(pos):
                self.escape_bracket(pos)
            elif char == ":" and pos >= 3 and BARE_FTP_RE.match(self.src, pos - 3):
                self.edits.append((pos, pos, "\\"))

    def _as_written(self, src: str, start: int, end: int) -> bool:
        """Whether a data image's ``src`` stands in the source as markdown-it read it.

        markdown-it trims and decodes destinations (a no-break space inside ``<...>``, say, or
        a reference) where marked keeps them as written: a browser then reads a relative URL
        and fetches it.
        """
        if url_kind(src) != "data-image":
            return True
        written = re.compile(r"\([ \t]*\n?[ \t]*<?" + re.escape(src) + r"(?=[\s>)])")
        return bool(written.search(self.src, start, end))

    def code_span(self, start: int, end: int) -> None:
        """Make sure other parsers read this code span as code too.

        marked reads ``~`` + backticks as text and lets a bare URL swallow backticks; both
        shift how later backticks pair up. Parsers also split lines differently, so a code span
        holding Markdown-like text is joined onto one line (line ends render as spaces anyway).
        """
        self._code_ranges.append((start, end))
        size = leading_run(self.src[start:end], "`")
        risky = bool(RISKY_CODE_RE.search(self.src, start, end))
        if start and self.src[start - 1] == "~" and not is_escaped(self.src, start - 1):
            self.edits.append((start - 1, start - 1, "\\"))
        if self._inside_url(start):
            self.edits.append((start, start, "\\"))  # no code span in either parser then
            return
        if risky or "\n" not in self.src[start:end]:  # a multi-line span may pair otherwise
            self.rec.code_delimiters[size] = self.rec.code_delimiters.get(size, 0) + 2
        if not risky:
            return
        # marked's ~strike~, *emphasis* (when it fails to mask the code: backticks or a
        # backslash in it) and [link label] may start before the code and end inside it
        content = self.src[start + size : end - size]
        delimiters = set(content) & {"~", "*", "_"}
        if "`" not in content and "\\" not in content:
            delimiters -= {"*", "_"}
        if "]" in content:
            delimiters.add("[")
        self._escape_before(start, delimiters)
        self.code_spans.append((start, end, size))
        newline = self.src.find("\n", start, end)
        while newline >= 0:
            self.edits.append((newline, newline + 1, " "))
            newline = self.src.find("\n", newline + 1, end)

    def _escape_before(self, start: int, delimiters: set[str]) -> None:
        """Escape each of ``delimiters`` before ``start``, outside code spans, wherever it is:
        marked may read the code spans between otherwise (backticks inside them)."""
        for char in delimiters:
            pos = self.src.find(char, self._escaped_up_to.get(char, 0), start)
            while pos >= 0:
                if not self._in_code(pos) and not is_escaped(self.src, pos):
                    self.edits.append((pos, pos, "\\"))
                pos = self.src.find(char, pos + 1, start)
            self._escaped_up_to[char] = max(self._escaped_up_to.get(char, 0), start)

    def _url_runs(self) -> list[tuple[int, int]]:
        if self._urls is None:
            self._urls = [m.span() for m in URL_LITERAL_RE.finditer(self.src)]
            self._url_starts = [start for start, _ in self._urls]
        return self._urls

    def _inside_url(self, pos: int) -> bool:
        """Whether ``pos`` lies inside (not at the start of) what marked reads as a bare URL."""
        runs = self._url_runs()
        index = bisect_left(self._url_starts, pos) - 1
        return index >= 0 and pos < runs[index][1]

    def paragraph_lines(self) -> None:
        """Defuse paragraph lines marked may read as blocks where markdown-it continues the
        paragraph (a lazy line in a list item, say).

        A list marker is escaped: in a list, marked starts an item with any. A table's
        delimiter row is escaped: marked would split the line above into cells, cutting code
        spans apart. A fence opening gets ``&quot;`` for the ``"`` of its info string (see
        ``info_quotes``).
        """
        for match in _LINE_MARKER_RE.finditer(self.src):
            if match.start() and not self._in_code(match.start()):
                self.edits.append((match.end() - 1, match.end() - 1, "\\"))
        for match in _DELIMITER_ROW_RE.finditer(self.src):
            row = match.group()
            if not match.start() or ("|" not in row and ":" not in row):
                continue
            pos = match.start() + len(row) - len(row.lstrip(" |"))
            if not self._in_code(pos):
                self.edits.append((pos, pos, "\\"))
        for match in QUOTED_FENCE_RE.finditer(self.src):
            for pos in info_quotes(self.src, *match.span(1)):
                if not self._in_code(pos):
                    self.edits.append((pos, pos + 1, "&quot;"))

    def _in_code(self, pos: int) -> bool:
        """Whether ``pos`` lies inside a code span seen so far."""
        index = bisect_right(self._code_ranges, (pos, len(self.src))) - 1
        return index >= 0 and pos < self._code_ranges[index][1]

    def url_literals(self) -> None:
        """A bare URL in marked swallows a ``\\`` or a backtick that kept the next ``<`` inert."""
        if "://" not in self.src and "www." not in self.src:
            return
        if self.rec.view:  # marked links bare URLs: restored math would land in an href
            found = self.rec.math_in_urls(self.src)
            self.rec.defuse |= found
            self.rec.hidden_math_in_url = self.rec.hidden_math_in_url or bool(found)
        for _, end in self._url_runs():
            if not SUSPECT_LT_RE.match(self.src, end):
                continue
            if is_escaped(self.src, end):
                self.edits.append((end - 1, end + 1, "&lt;"))
            else:
                self.edits.append((end, end + 1, "&lt;"))

    def close_bangs(self, pos: int) -> None:
        """Escape the ``!`` of each ``![`` before ``pos`` that opened no image."""
        if self._bangs is None:
            self.image_opened_before(pos)
        stop = bisect_right(self._bangs or [], pos - 1)
        for bang in (self._bangs or [])[self._bangs_closed : stop]:
            if bang not in self._image_set and not is_escaped(self.src, bang):
                self.edits.append((bang, bang, "\\"))
                insort(self.image_starts, bang)  # settled: no longer an open `![`
        self._bangs_closed = max(self._bangs_closed, stop)

    def image_opened_before(self, pos: int) -> bool:
        """Whether a ``![`` that opened no image comes before: marked may still close it."""
        if self._bangs is None:
            self._bangs = [m.start() for m in re.finditer(r"!\[", self.src)]
        return bisect_right(self._bangs, pos - 1) > bisect_right(self.image_starts, pos - 1)

    def escape_bracket(self, pos: int) -> None:
        """Escape a stray ``]`` and the ``(`` after it: in a link's text marked unescapes
        ``\\[`` and ``\\]`` before reading it, so ``\\](`` alone could still close a link."""
        self.edits.append((pos, pos, "\\"))
        if self.src[pos + 1 : pos + 2] == "(":
            self.edits.append((pos + 1, pos + 1, "\\"))

    def suspect_bracket(self, pos: int) -> bool:
        """A stray ``](target`` that a looser parser could still close into a link or image."""
        after = self.src[pos + 1 : pos + 2]
        if after == "[":
            if self.image_opened_before(pos):
                self.close_bangs(pos)
            return False
        if after == ":":
            return True  # a definition to some parsers; the escape renders the same
        if after != "(":
            return False
        match = _LOOSE_TARGET_RE.match(self.src, pos + 2, pos + 2050)
        target = (match.group(1) or match.group(2) or "") if match else ""
        target = _ESCAPED_RE.sub(r"\1", target)  # as a parser unescapes it: `e\:` is `e:`
        if not target or "\n" in (match.group(0) if match else ""):
            return True  # other parsers may take the target from the next line
        if "`" in target:
            return True  # marked's link may end inside what markdown-it takes for code
        newline = self.src.find("\n", pos)  # a title may start on the next line
        after = -1 if newline < 0 else self.src.find("\n", newline + 1)
        if not self.rec.link_ok(target, self.src[pos : None if after < 0 else after]):
            return True  # what marked takes for the title may hold math
        if self.image_opened_before(pos) and not self.rec.image_ok(target, "", ""):
            self.close_bangs(pos)
        return False


def plain_text(tokens: Iterable[Token] | None) -> str:
    """What an image's alt text reads as, markup dropped and raw HTML kept as text."""
    parts: list[str] = []
    for token in tokens or ():
        if token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image":
            parts.append(plain_text(token.children))
        elif token.type in ("text", "text_special", "code_inline", "html_inline"):
            parts.append(token.content)
    return "".join(parts)


def _image_stand_in(url: str, alt: str, in_link: bool, rec: Recorder) -> str:
    """``[image: alt](url)`` for a web image, else ``\\[image: alt\\]`` plus the target."""
    label = f"image: {escape_markdown_inline(alt)}" if alt.strip() else "image"
    if not in_link and url_kind(url) == "web" and not rec.hides_math(url):
        return f"[{label}](<{angle_url(url)}>)"
    text = f"\\[{label}\\]"
    if not in_link and url:
        text += " " + _code_span(url if len(url) <= 100 else url[:99] + "\u2026")
    return text


def _code_span(text: str) -> str:
    fence = "`" * (max((len(run) for run in BACKTICKS_RE.findall(text)), default=0) + 1)
    return f"{fence} {text} {fence}"
