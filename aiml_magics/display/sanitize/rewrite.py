"""Notes to source edits: where the changes the notes ask for land in the text.

markdown-it strips container prefixes (``>``, list indents, table pipes) from inline content,
so ``Rewriter`` finds each content line again in the source to place inline edits, and falls
back to escaping a whole block where that fails. It also makes the block layout unambiguous
to ``marked``: blank lines and tab indents normalised, fences lengthened, rebuilt or closed,
indented code turned into fences, tables ended by a blank line where marked would go on, and
code spans given a backtick count no stray run has.
The edits that keep a stretch inert are built in ``inert``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import TYPE_CHECKING

from .inert import TAG_START_RE, backslashes, inert_edits, info_edits
from .jupyterlab import RISKY_CODE_RE, clear_fence, table_tails
from .text import BACKTICKS_RE, Edit, apply_edits, is_escaped, leading_run

if TYPE_CHECKING:
    from markdown_it.token import Token

    from .notes import Recorder

__all__ = ["Rewriter"]

# Blank lines and bare list markers with trailing blanks: marked reads `\t`, `> ` or `* ` lines
# differently from CommonMark, stripped they read the same everywhere.
_BLANKISH_LINE_RE = re.compile(r"^[ \t>]*(?:(?:[*+\-]|\d{1,9}[.)])[ \t]*)?[ \t]$", re.MULTILINE)
_PLAIN_PREFIX_RE = re.compile(r" *(?:(?:[*+\-]|\d{1,9}[.)]) +)?")
_TAB_INDENT_RE = re.compile(r"^[ >]*\t[ \t>]*(?=\S)", re.MULTILINE)
_LIST_MARKER_RE = re.compile(r"[ \t>]*(?:[*+\-]|\d{1,9}[.)])")
# What makes marked end a list item at a lazy line: HTML (and `#`).
_LAZY_HTML_RE = re.compile(r"<(?:[a-z][^\n]*>|!--)", re.IGNORECASE)
# The block quote markers a line starts with (and the blanks among them).
_QUOTE_PREFIX_RE = re.compile(r"(?:[ \t]*>)*")


class Rewriter:
    """Turns the notes of one parse into edits of the source text."""

    def __init__(self, text: str, rec: Recorder) -> None:
        self.text = text
        self.rec = rec
        self.line_starts = [0]
        pos = text.find("\n")
        while pos >= 0:
            self.line_starts.append(pos + 1)
            pos = text.find("\n", pos + 1)
        self.cursor: dict[int, int] = {}  # line -> end of the last table cell found on it
        self.edits: list[Edit] = []
        self.inline_edits: list[Edit] = []
        self.fallback_lines: set[int] = set()
        self.code_runs: list[tuple[Edit, Edit]] = []  # opener and closer of risky code spans

    def run(self, tokens: list[Token]) -> list[Edit]:
        previous, row, quote_end = "", None, -1
        containers: list[str] = []
        fenced: set[int] = set()
        indented: set[int] = set()
        for token in tokens:
            if token.type == "fence" and token.map:
                fenced.update(range(token.map[0] + 1, token.map[1]))
            elif token.type == "code_block" and token.map:
                indented.update(range(*token.map))
        self._blank_lines(fenced)
        self._tabs(fenced | indented)
        self._table_ends(tokens)
        for token in tokens:
            kind = token.type
            if kind in ("blockquote_open", "list_item_open"):
                containers.append(kind)
                quote_end = token.map[1] if kind == "blockquote_open" and token.map else quote_end
            elif kind in ("blockquote_close", "list_item_close") and containers:
                containers.pop()
            if kind == "html_block":
                self._html_block(token)
            elif kind == "fence":
                self._fence(token, in_quote="blockquote_open" in containers)
            elif kind == "code_block":
                self._code_block(token)
            elif kind == "inline":
                self._inline(token, is_cell=previous in ("th_open", "td_open"))
            elif kind in ("bullet_list_open", "ordered_list_open") and token.map:
                if token.map[0] == quote_end:
                    self._list_after_quote(token)
            elif kind == "tr_open":
                row = token.map[0] if token.map else None
            elif kind == "tr_close" and row is not None:
                self._row_tail(row)
            previous = kind
        self._code_span_fences()
        self.edits += [(pos, pos, "\\") for pos in self.rec.definitions]
        self.edits += [
            e for e in self.inline_edits if self._line_of(e[0]) not in self.fallback_lines
        ]
        return [e for e in self.edits if self.text[e[0] : e[1]] != e[2]]

    # -- lines

    def _tabs(self, code_lines: set[int]) -> None:
        """Expand tabs in indentation: parsers disagree on them, CommonMark reads them as
        spaces to the next multiple of four, so spaces mean the same to everyone."""
        for match in _TAB_INDENT_RE.finditer(self.text):
            if self._line_of(match.start()) not in code_lines:
                self.edits.append((match.start(), match.end(), match.group().expandtabs(4)))

    def _blank_lines(self, code_lines: set[int]) -> None:
        """Empty the whitespace of blank lines: marked reads ``\t`` or ``> `` lines as text."""
        for match in _BLANKISH_LINE_RE.finditer(self.text):
            if self._line_of(match.start()) not in code_lines:
                kept = len(match.group().rstrip(" \t"))
                self.edits.append((match.start() + kept, match.end(), ""))

    def _table_ends(self, tokens: list[Token]) -> None:
        """End a table with a blank line (inside the same quotes) where markdown-it ends it
        but marked would read the next line as a row (see ``table_tails``)."""
        for line in table_tails(self.text, tokens):
            start = self._span(line)[0]
            prefix = _QUOTE_PREFIX_RE.match(self.text, start)
            quotes = prefix.group().rstrip(" \t") if prefix else ""
            self.edits.append((start - 1, start - 1, "\n" + quotes))  # before the line break

    def _span(self, line: int) -> tuple[int, int]:
        starts = self.line_starts
        start = starts[line] if line < len(starts) else len(self.text)
        end = starts[line + 1] - 1 if line + 1 < len(starts) else len(self.text)
        return start, end

    def _line_of(self, pos: int) -> int:
        return bisect_right(self.line_starts, pos) - 1

    # -- blocks

    def _html_block(self, token: Token) -> None:
        if not token.map:
            return
        start, end = self._span(token.map[0])[0], self._span(token.map[1] - 1)[1]
        for match in TAG_START_RE.finditer(self.text, start, end):
            if not is_escaped(self.text, match.start()):
                self.edits.append((match.start(), match.start() + 1, "&lt;"))

    def _fence(self, token: Token, in_quote: bool = False) -> None:
        """Lengthen fences another parser could close early; close one left open at the end."""
        if self.rec.view:
            self.rec.defuse |= self.rec.math_in(token.info)
            in_urls = self.rec.math_in_targets(token.content)
            if in_urls and not clear_fence(self.text, token):
                self.rec.defuse |= in_urls
        if not token.map or not token.markup:
            return
        first, stop = token.map
        char, size = token.markup[0], len(token.markup)
        body = token.content.split("\n")
        if body[-1] == "":
            body.pop()
        longest = max((leading_run(line.lstrip(" \t"), char) for line in body), default=0)
        want = longest + 1 if longest >= size else size
        opening = self.text.find(token.markup, *self._span(first))
        if opening < 0:
            return
        risky = not self.rec.view and RISKY_CODE_RE.search(token.content)
        if risky and token.level == 0:
            self._rebuild_fence(token, opening, char * want)
            return
        if want != size:
            self.edits.append((opening, opening + size, char * want))
        if risky and not token.info.strip():  # a line with an info string never closes a fence
            self.edits.append((opening + size, opening + size, "text"))
        if risky and not self._plain_nested_fence(token, opening, in_quote):
            # marked may not see this block as code: keep it code, but inert
            last = stop - 1 if stop - first - 1 > len(body) else stop
            if last > first + 1:
                self.edits += inert_edits(
                    self.text, self._span(first + 1)[0], self._span(last - 1)[1]
                )
        self.edits += info_edits(self.text, opening + size, self._span(first)[1])
        if stop - first - 1 > len(body):
            self._closing_line(stop - 1, char, want)
        elif not self.rec.view and not self.text[self._span(stop - 1)[1] :].strip():
            # unclosed at the end: close it, at the indent of its opening inside lists
            newline = "" if not self.text or self.text.endswith("\n") else "\n"
            pad = " " * (opening - self._span(first)[0]) if token.level else ""
            if token.level == 0 or (not in_quote and not pad.strip()):
                self.edits.append(
                    (len(self.text), len(self.text), f"{newline}{pad}{char * want}\n")
                )

    def _plain_nested_fence(self, token: Token, opening: int, in_quote: bool) -> bool:
        """Whether a fence inside list items is laid out so that marked reads it as code too.

        Its opening sits on a blank line's successor, on a line indented as deep, or on the
        list marker line; every later line is blank or indented at least as deep as the fence.
        """
        if token.level == 0:
            return True
        first, stop = token.map or (0, 0)
        start = self._span(first)[0]
        prefix = self.text[start:opening]
        column = len(prefix)
        if in_quote or not _PLAIN_PREFIX_RE.fullmatch(prefix):
            return False
        if prefix.strip() == "" and first:
            before = self.text[slice(*self._span(first - 1))]
            marker = _PLAIN_PREFIX_RE.match(before)
            indented = before.startswith(" " * column)
            if before.strip() and not indented and not (marker and marker.end() == column):
                return False
        for line in range(first + 1, stop):
            text = self.text[slice(*self._span(line))]
            if text.strip() and not text.startswith(" " * max(0, column - 3)):
                return False
            if text.strip() and line < stop - 1 and not text.startswith(" " * column):
                return False
        return True

    def _rebuild_fence(self, token: Token, opening: int, fence: str) -> None:
        """Write a top-level fence holding Markdown-like text the way every parser reads it.

        marked may attach an indented fence to a list above it and end it early, or take its
        opening line for the end of a fence it still sees open. At column 0, after a blank
        line, with an info string (never a closing line) and a plain closing line, the block
        is unambiguous.
        """
        first, stop = token.map or (0, 0)
        start, end = self._span(first)[0], self._span(stop - 1)[1]
        info = self.text[opening + len(token.markup) : self._span(first)[1]]
        info = apply_edits(info, info_edits(info, 0, len(info))) if info.strip() else "text"
        body = (
            token.content
            if token.content.endswith("\n") or not token.content
            else token.content + "\n"
        )
        blank = "\n" if first and self.text[slice(*self._span(first - 1))].strip() else ""
        self.edits.append((start, end, f"{blank}{fence}{info}\n{body}{fence}"))

    def _code_block(self, token: Token) -> None:
        """Indented code holding Markdown-like text becomes a fence, which parsers agree on."""
        if self.rec.view:
            self.rec.defuse |= self.rec.math_in_targets(token.content)
        if not token.map or not RISKY_CODE_RE.search(token.content):
            return
        first, stop = token.map
        start, end = self._span(first)[0], self._span(stop - 1)[1]
        indent = self.rec.code_indents.get(first)
        lines = self.text[start:end].split("\n")
        if indent is None or not all(
            not line.strip() or line.startswith(" " * (indent + 4)) for line in lines
        ):
            self.edits += inert_edits(self.text, start, end)  # tabs or `>`: inert code
            return
        pad = " " * indent
        fence = "`" * max(3, max(map(len, BACKTICKS_RE.findall(token.content)), default=0) + 1)
        body = [pad + line[indent + 4 :] if line.strip() else "" for line in lines]
        self.edits.append((start, end, "\n".join([pad + fence + "text", *body, pad + fence])))

    def _list_after_quote(self, token: Token) -> None:
        """markdown-it ends a quote with a list CommonMark (and marked) reads as a lazy line.

        A list may interrupt a paragraph only if its first item is not empty and, if ordered,
        starts at 1; after a quoted paragraph markdown-it skips that check. Escaping the marker
        makes it agree with the others.
        """
        line = token.map[0] if token.map else 0
        if not line or not self.text[slice(*self._span(line - 1))].strip():
            return
        start, end = self._span(line)
        marker = _LIST_MARKER_RE.match(self.text, start, end)
        if marker is None:
            return
        empty = not self.text[marker.end() : end].strip()
        if empty or (token.type == "ordered_list_open" and token.attrGet("start") is not None):
            at = marker.end() - 1
            self.edits.append((at, at, "\\"))

    def _closing_line(self, line: int, char: str, want: int) -> None:
        start, end = self._span(line)
        at = self.text.find(char, start, end)
        if at < 0:
            return
        size = leading_run(self.text[at:end], char)
        tail = self.text[at + size : end]
        if size < want or tail.strip(" "):  # marked does not accept a tab after the fence
            self.edits.append((at, end, char * max(size, want)))

    # -- inline tokens

    def _inline(self, token: Token, is_cell: bool) -> None:
        notes = self.rec.inlines.get(id(token))
        lazy = bool(token.map) and any(n in self.rec.lazy_lines for n in range(*token.map or ()))
        if notes is None and not is_cell and not lazy:
            return
        starts = self._locate(token, is_cell)  # cells always: later cells start after it
        if lazy and starts is not None:
            self._lazy_lines(token, starts)
        if notes is None:
            return
        runs = [(a, a + k, "") for a, _, k in notes.code_spans]
        runs += [(b - k, b, "") for _, b, k in notes.code_spans]
        mapped = runs_at = None
        if starts is not None and not notes.failed:
            mapped = self._map(token.content, starts, is_cell, notes.edits)
            runs_at = self._map(token.content, starts, is_cell, runs)
        if mapped is None or runs_at is None:
            self._fallback(token)
            return
        self.inline_edits += mapped
        half = len(runs_at) // 2
        self.code_runs += list(zip(runs_at[:half], runs_at[half:], strict=True))

    def _lazy_lines(self, token: Token, starts: list[int]) -> None:
        """marked ends a list item at a lazy line that opens a heading or HTML to it, where
        markdown-it continues the paragraph; the lines after it then read differently (code
        in later items as text). Escape what would open them (list markers: see the notes)."""
        first = token.map[0] if token.map else 0
        for index, pos in enumerate(starts):
            if first + index not in self.rec.lazy_lines or is_escaped(self.text, pos):
                continue
            if self.text.startswith("#", pos):
                self.inline_edits.append((pos, pos, "\\"))
            elif _LAZY_HTML_RE.match(self.text, pos):
                self.inline_edits.append((pos, pos + 1, "&lt;"))

    def _code_span_fences(self) -> None:
        """Give risky code spans a backtick count no other run has, so that no parser pairs
        their runs with a stray run elsewhere, whatever it takes the paragraph to be."""
        if not self.code_runs:
            return
        runs: dict[int, int] = {}
        for match in BACKTICKS_RE.finditer(self.text):
            size = len(match.group())
            runs[size] = runs.get(size, 0) + 1
            if size > 1 and is_escaped(self.text, match.start()):  # `\``: a run of one to a
                runs[size - 1] = runs.get(size - 1, 0) + 1  # parser that sees the escape
        stray = {size for size, n in runs.items() if n > self.rec.code_delimiters.get(size, 0)}
        free = next(size for size in range(1, len(runs) + 2) if size not in runs)
        for opener, closer in self.code_runs:
            if opener[1] - opener[0] in stray:
                self.inline_edits += [(opener[0], opener[1], "`" * free)]
                self.inline_edits += [(closer[0], closer[1], "`" * free)]

    def _locate(self, token: Token, is_cell: bool) -> list[int] | None:
        """Source offset of each line of the token's content (containers strip prefixes)."""
        if not token.map:
            return None
        starts = []
        for index, content_line in enumerate(token.content.split("\n")):
            line = token.map[0] + index
            floor = self.rec.bmarks.get(line)
            if floor is None or line >= token.map[1]:
                return None
            floor = max(floor, self.cursor.get(line, floor))
            needle = content_line.lstrip(" \t")
            lead = len(content_line) - len(needle)
            if is_cell:
                needle = needle.replace("|", "\\|")  # cells hold `|` where the source has `\|`
            found = self.text.find(needle, floor, self._span(line)[1])
            if found < 0:
                return None
            self.cursor[line] = found + len(needle)
            starts.append(found - lead)
        return starts

    def _map(
        self, content: str, starts: list[int], is_cell: bool, edits: list[Edit]
    ) -> list[Edit] | None:
        """Move edits from content offsets to source offsets, checking each lands right."""
        offsets = [0]
        for content_line in content.split("\n"):
            offsets.append(offsets[-1] + len(content_line) + 1)

        def to_source(pos: int) -> int:
            index = min(bisect_right(offsets, pos) - 1, len(starts) - 1)
            shift = content.count("|", 0, pos) if is_cell else 0
            return starts[index] + pos - offsets[index] + shift

        out = []
        for start, end, new in edits:
            a = to_source(start)
            b = a if end == start else to_source(end)
            if b < a or (start < len(content) and self.text[a : a + 1] != content[start]):
                return None
            out.append((a, b, new))
        return out

    def _fallback(self, token: Token) -> None:
        """Mapping failed: escape every ``<``, ``[``, ``]`` and ``!`` of the block."""
        if not token.map:
            return
        for line in range(*token.map):
            self.fallback_lines.add(line)
            start, end = self._span(line)
            self.edits += backslashes(self.text, max(start, self.rec.bmarks.get(line, start)), end)

    def _row_tail(self, row: int) -> None:
        """Cells beyond the header's count are dropped by markdown-it but maybe not elsewhere."""
        pos = self.cursor.get(row)
        if pos is None or row in self.fallback_lines:
            return
        end = self._span(row)[1]
        if self.text[pos:end].strip(" \t|"):
            self.inline_edits += backslashes(self.text, pos, end)
