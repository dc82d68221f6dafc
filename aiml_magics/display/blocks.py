"""Where a streaming Markdown answer may be cut into finished blocks and a live tail.

A cut is made only where every Markdown reader agrees a top-level block ended: after a blank
line followed by a line that cannot continue the block above (not indented, not the next item
of a list that was open), before a fence that opens at the margin, and after the line that
closes a fence. Never inside a fence or a `$$` math block. Cuts only decide how the answer is
shown while it streams; the finished answer is always shown in one piece.

A block that keeps growing (a list of a thousand items, a long table, a paragraph of
soft-wrapped lines) also reports where it may be split into consecutive pieces that read as
one: before an item of the same list (an ordered list's piece starts with its own number; a
wider number only before an item of one line, whose content it cannot move; a loose list
only where both pieces keep two items with a blank line between them), before a table row
(the piece repeats the header), before a paragraph line that starts a paragraph by itself
when nothing inline (emphasis, a code span, a link) is still open, before a `> ` line of a
simple quotation, between two lines of an indented code block. Never where JupyterLab's math
pre-pass, which pairs `$` across lines whatever the Markdown, is inside math. Not split:
raw HTML, `$$` blocks, quotations holding other blocks, one item's endless sub-items.

Pure functions over text, so they are easy to test against every parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .block_lines import MathPairs, inline_closed

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
_MATH_FENCE = re.compile(r"^ {0,3}\$\$")
_BULLET = re.compile(r"^( {0,3})([-+*])(?:[ \t]|$)")
_ORDERED = re.compile(r"^( {0,3})(\d{1,9})([.)])(?:[ \t]|$)")
_TABLE_DELIMITER = re.compile(r"^ {0,3}\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_THEMATIC_BREAK = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_INDENTED_CODE = re.compile(r"^(?: {4}| {0,3}\t)")
_QUOTE = re.compile(r"^> ?(.*)$")
_DEFINITION = re.compile(r"^ {0,3}\[(?:[^\[\]\\]|\\.)*\]:")
# a line that reads the same as the first line of a paragraph as in the middle of one: not
# indented, no block marker (list, quote, heading, rule, setext line, table, HTML, fence,
# link definition), so a piece may start with it
_PARAGRAPH_LINE = re.compile(r"^[A-Za-z\u00c0-\uffff(\"'0-9]")
# `**bold**`, `_emphasis_`, `` `code` ``, `$x$`, `[a link](...)`: paragraph text too, unless
# the line is a rule, a bullet, a fence or a link reference definition
_EMPHASIS_LINE = re.compile(r"^(?:\*[^ \t*]|\*\*|_)")
_LINK_LINE = re.compile(r"^\[(?:[^\[\]\\]|\\.)*\](?!:)")


@dataclass(frozen=True)
class Fence:
    """An open code fence: its opening line and the run of backticks or tildes that opened it."""

    opener: str
    marker: str

    def closes(self, line: str) -> bool:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" "))
        return (
            indent <= 3 and len(stripped) >= len(self.marker) and set(stripped) == {self.marker[0]}
        )


@dataclass(frozen=True)
class Cut:
    """The settled prefix `text[:end]`. When the live tail is inside a fence, `fence` is set,
    with where its opening line starts and where its last complete line ends, so a long fence
    can be shown as consecutive pieces."""

    end: int
    fence: Fence | None = None
    fence_start: int = 0
    fence_body_end: int = 0
    split: Split | None = None


@dataclass(frozen=True)
class Split:
    """Where the open block may be cut: the next piece starts at `at` (which is after
    `block_start`), with `skip` characters there replaced by `carry` (a table's header and
    delimiter rows, or an ordered item's own number)."""

    block_start: int
    at: int
    skip: int = 0
    carry: str = ""


def starts_paragraph(line: str) -> bool:
    """Whether `line` (not indented) reads the same at the top of a piece as in the middle of
    a paragraph: plain text, not a block marker."""
    if _ORDERED.match(line) or _BULLET.match(line) or _SETEXT_UNDERLINE.match(line):
        return False
    if _PARAGRAPH_LINE.match(line):
        return True
    if _EMPHASIS_LINE.match(line):
        return not _THEMATIC_BREAK.match(line)
    if line.startswith("`"):
        return not line.startswith("```")
    if line.startswith("$"):
        return True
    return bool(_LINK_LINE.match(line))


@dataclass
class _Item:
    """An item of the open list: where it starts, its marker as written and as numbered."""

    start: int
    written: str
    numbered: str
    gap_before: bool  # a blank line separates it from the item above
    math_open: bool  # JupyterLab's math pre-pass is inside a pair where it starts
    one_line: bool = True


class _OpenBlock:
    """Follows the lines of the open block and remembers its last safe split."""

    def __init__(self, line: str, start: int) -> None:
        self.start = start
        self.split: Split | None = None
        self.math = MathPairs()
        self._begin(line, start)

    def _begin(self, line: str, start: int) -> None:
        """The block (or, after an indented code block, the next one) starts with `line`."""
        self.kind = "paragraph"
        self.first = line
        self.header = ""
        self.open_inline = False  # something inline may still be open in the paragraph
        self.quote_blank = False
        hidden = self.math.line(line)
        ordered, bullet = _ORDERED.match(line), _BULLET.match(line)
        quote = _QUOTE.match(line)
        if ordered or bullet:
            self.kind = "list"
            indent, marker = (ordered[1], ordered[3]) if ordered else (bullet[1], bullet[2])
            self.marker = (indent, marker)
            self.number = int(ordered[2]) if ordered else None
            self.items = [_Item(start, "", "", False, False)]
            self.unsure = False  # a blank line inside an item: looseness not followed
        elif _INDENTED_CODE.match(line):
            self.kind = "code"
        elif quote is not None:
            content, hidden_quote = quote[1], _QUOTE.match(hidden)
            self.kind = "quote" if not content.strip() or starts_paragraph(content) else "other"
            self.quote_blank = not content.strip()
            self.open_inline = hidden_quote is None or not inline_closed(hidden_quote[1])
        elif line.lstrip(" ").startswith(("<", "```", "~~~", ">")) or _DEFINITION.match(line):
            self.kind = "other"
        else:
            self.kind = "table?" if "|" in line else "paragraph"
            self.open_inline = not inline_closed(hidden)

    def math_line(self, line: str) -> None:
        """A line of the block that is not Markdown to split (inside a `$$` block)."""
        if line.strip():
            self.math.line(line)
        else:
            self.math.blank()

    def _split_here(self, start: int, skip: int = 0, carry: str = "") -> None:
        if not self.math.open:
            self.split = Split(self.start, start, skip, carry)

    def feed(self, line: str, start: int, after_blank: bool = False) -> None:
        """One more complete line of the block (not inside a fence or math); `after_blank`
        when a blank line came before it."""
        if after_blank:
            self.math.blank()
        if self.kind == "table?":
            if _TABLE_DELIMITER.match(line):
                self.kind, self.header = "table", self.first + "\n" + line + "\n"
                self.math.line(line)
                return
            self.kind = "paragraph"
        if self.kind == "table":
            if after_blank:  # the table ended; an indented line: not followed
                self.kind = "other"
            elif "|" in line:
                self._split_here(start, 0, self.header)
        elif self.kind == "list":
            self._item(line, start, after_blank)
            return
        elif self.kind == "code":
            self._code_line(line, start, after_blank)
            return
        elif after_blank and self.kind in ("paragraph", "quote"):
            # an indented line after a blank one (the only kind that does not end the block)
            self.kind = "code" if _INDENTED_CODE.match(line) else "other"
            if self.kind == "code":
                self._split_here(start)
        elif self.kind == "paragraph":
            self._paragraph_line(line, start)
            return
        elif self.kind == "quote":
            self._quote_line(line, start)
            return
        self.math.line(line)

    def _item(self, line: str, start: int, after_blank: bool) -> None:
        ordered, bullet = _ORDERED.match(line), _BULLET.match(line)
        if ordered and self.number is not None and self.marker == (ordered[1], ordered[3]):
            written = ordered[1] + ordered[2] + ordered[3]
            numbered = f"{ordered[1]}{self.number + len(self.items)}{ordered[3]}"
        elif bullet and self.number is None and self.marker == (bullet[1], bullet[2]):
            written = numbered = ""
        else:  # a line of the last item (its text, a nested list)
            self.items[-1].one_line = False
            self.unsure = self.unsure or after_blank
            self.math.line(line)
            return
        self.items.append(_Item(start, written, numbered, after_blank, self.math.open))
        # inside math JupyterLab sees no item here: the items below it are counted otherwise
        self.unsure = self.unsure or self.math.open
        self.split = None
        for k in (len(self.items) - 1, len(self.items) - 2):  # before this item, the one above
            if self._may_split_before(k):
                item = self.items[k]
                self.split = Split(self.start, item.start, len(item.written), item.numbered)
                break
        self.math.line(line)

    def _may_split_before(self, k: int) -> bool:
        """Whether the list may be cut before its item `k` (0-based): both pieces number,
        nest and space their items as the whole list does."""
        if k < 1 or self.unsure or self.items[k].math_open:
            return False
        item, complete = self.items[k], k < len(self.items) - 1
        if len(item.written) != len(item.numbered) and not (complete and item.one_line):
            return False  # a wider number would move the item's other lines
        if not any(other.gap_before for other in self.items):
            return True  # a tight list, cut into tight pieces
        # a loose list: each piece must hold two items with a blank line between them
        above = any(other.gap_before for other in self.items[1:k])
        return above and complete and self.items[k + 1].gap_before

    def _code_line(self, line: str, start: int, after_blank: bool) -> None:
        if _INDENTED_CODE.match(line):
            if not after_blank:  # a piece's code may not start or end with a blank line
                self._split_here(start)
            self.math.line(line)
        elif starts_paragraph(line) or _LIST_ITEM.match(line):
            self._split_here(start)  # the code block ended: a paragraph or a list begins
            self._begin(line, start)
        else:
            self.kind = "other"
            self.math.line(line)

    def _paragraph_line(self, line: str, start: int) -> None:
        ordered, bullet = _ORDERED.match(line), _BULLET.match(line)
        interrupts = (bullet or (ordered and ordered[2] == "1")) and line[
            (ordered or bullet).end() :
        ].strip()
        if _SETEXT_UNDERLINE.match(line):  # the lines above become a heading
            self.kind, self.split = "other", None
        elif interrupts:  # a list interrupts the paragraph
            self._split_here(start)
            self._begin(line, start)
            return
        elif line.lstrip(" ").startswith((">", "<", "|")):
            self.kind = "other"  # a quote, HTML or a table interrupts it: no more splits
        elif starts_paragraph(line) and not self.open_inline:
            self._split_here(start)
        hidden = self.math.line(line)
        self.open_inline = self.open_inline or not inline_closed(hidden)

    def _quote_line(self, line: str, start: int) -> None:
        quote = _QUOTE.match(line)
        content = quote[1] if quote else ""
        if quote is None or not (not content.strip() or starts_paragraph(content)):
            # a lazy line, a nested block: not followed; a setext line makes a heading
            self.kind = "other"
            if quote is not None and _SETEXT_UNDERLINE.match(content):
                self.split = None
            self.math.line(line)
            return
        if not content.strip():
            self.quote_blank, self.open_inline = True, False
            self.math.line(line)
            return
        if self.quote_blank or not self.open_inline:
            self._split_here(start)
        self.quote_blank = False
        hidden = _QUOTE.match(self.math.line(line))
        self.open_inline = self.open_inline or hidden is None or not inline_closed(hidden[1])


def settled_cut(text: str) -> Cut:
    """How much of `text` is made of finished top-level blocks."""
    end = 0
    fence: Fence | None = None
    fence_start = fence_body_end = 0
    in_math = block_open = block_is_list = pending_blank = False
    block: _OpenBlock | None = None
    position = 0
    for line in _complete_lines(text):
        start, position = position, position + len(line)
        bare = line.rstrip("\r\n")
        if fence is not None:
            if fence.closes(bare):
                fence = None
                end = position  # whatever follows a closed fence is a new block
                block_open = pending_blank = False
                block = None
            else:
                fence_body_end = position
            continue
        if in_math:
            in_math = "$$" not in bare
            if block is not None:
                block.math_line(bare)
            continue
        if not bare.strip():
            pending_blank = pending_blank or block_open
            continue
        at_margin = not bare.startswith((" ", "\t"))
        is_item = bool(_LIST_ITEM.match(bare))
        opener = _FENCE.match(bare)
        ends_block = pending_blank and at_margin and not (block_is_list and is_item)
        interrupts = opener is not None and at_margin and block_open and not block_is_list
        if ends_block or interrupts:
            end, block_open = start, False
        after_blank, pending_blank = pending_blank, False
        if not block_open:
            block_open, block_is_list = True, is_item
            block = _OpenBlock(bare, start)
        elif block is not None:
            block.feed(bare, start, after_blank)
        if opener is not None:
            fence = Fence(bare, opener.group(2))
            fence_start, fence_body_end = start, position
        elif _MATH_FENCE.match(bare) and bare.count("$$") == 1:
            in_math = True
    if fence is not None:
        return Cut(end, fence, fence_start, fence_body_end)
    return Cut(end, split=block.split if block_open and block is not None else None)


def _complete_lines(text: str) -> list[str]:
    """Lines that ended (with their newline); the unfinished last line is not judged yet."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines.pop()
    return lines


@dataclass(frozen=True)
class Progress:
    """What a streaming view does next: show `finished` pieces for good (in order), keep
    `settled` characters of the text and the `carry` as done, show `tail` live."""

    finished: list[str]
    settled: int
    carry: str
    tail: str
    block_end: int | None = None  # where the last finished top-level block ends, if one did


def next_pieces(text: str, settled: int, carry: str, piece_size: int) -> Progress:
    """Finished blocks, then (when the open block grew past `piece_size` since its last
    piece) a piece of it: a fence closed and reopened, or a cut at its last safe split.

    Only the unsettled part is scanned (a settled boundary is a fresh start, or the top of a
    block whose carry is repeated), so the work per update does not grow with the text."""
    pending = carry + text[settled:]
    shift = settled - len(carry)  # position in `pending` -> in `text`
    cut = settled_cut(pending)
    finished: list[str] = []
    block_end = None
    if cut.end > len(carry):
        finished.append(pending[: cut.end])
        settled, carry = cut.end + shift, ""
        block_end = settled
    fence, split = cut.fence, cut.split
    if fence is not None:
        body_end = cut.fence_body_end + shift
        if body_end - max(settled, cut.fence_start + shift) > piece_size:
            finished.append(f"{carry}{text[settled:body_end]}{fence.marker}\n")
            settled, carry = body_end, fence.opener + "\n"
    elif split is not None:
        at = split.at + shift
        if at - max(settled, split.block_start + shift) > piece_size:
            finished.append(carry + text[settled:at])
            settled, carry = at + split.skip, split.carry
    return Progress(finished, settled, carry, carry + text[settled:], block_end)
