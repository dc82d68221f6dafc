"""Where a streaming Markdown answer may be cut into finished blocks and a live tail.

A cut is made only where every Markdown reader agrees a top-level block ended: after a blank
line followed by a line that cannot continue the block above (not indented, not the next item
of a list that was open), before a fence that opens at the margin, and after the line that
closes a fence. Never inside a fence or a `$$` math block. Cuts only decide how the answer is
shown while it streams; the finished answer is always shown in one piece.

A block that keeps growing (a list of a thousand items, a long table, a paragraph of
soft-wrapped lines) also reports where it may be split into consecutive pieces that read as
one: before an item of the same list (an ordered list's piece starts with its own number),
before a table row (the piece repeats the header), before a paragraph line that starts a
paragraph by itself.

Pure functions over text, so they are easy to test against every parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
_MATH_FENCE = re.compile(r"^ {0,3}\$\$")
_BULLET = re.compile(r"^( {0,3})([-+*])(?:[ \t]|$)")
_ORDERED = re.compile(r"^( {0,3})(\d{1,9})([.)])(?:[ \t]|$)")
_TABLE_DELIMITER = re.compile(r"^ {0,3}\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
# a line that reads the same as the first line of a paragraph as in the middle of one: not
# indented, no block marker (list, quote, heading, rule, setext line, table, HTML, fence,
# link definition), so a piece may start with it
_PARAGRAPH_LINE = re.compile(r"^[A-Za-z\u00c0-\uffff(\"'0-9]")


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


class _OpenBlock:
    """Follows the lines of the open block and remembers its last safe split."""

    def __init__(self, line: str, start: int) -> None:
        self.start = start
        self.kind = "paragraph"
        self.first = line
        self.split: Split | None = None
        self.header = ""
        self._list(line, start)
        if self.kind == "paragraph" and line.lstrip(" ").startswith((">", "<", "```", "~~~")):
            self.kind = "other"
        elif self.kind == "paragraph" and "|" in line:
            self.kind = "table?"

    def _list(self, line: str, start: int) -> None:
        ordered, bullet = _ORDERED.match(line), _BULLET.match(line)
        if ordered:
            self.kind, self.items = "list", 1
            self.marker = (ordered.group(1), ordered.group(3))
            self.number = int(ordered.group(2))
        elif bullet:
            self.kind, self.items = "list", 1
            self.marker = (bullet.group(1), bullet.group(2))
            self.number = None
        self.list_start = start

    def feed(self, line: str, start: int) -> None:
        """One more complete line of the block (not inside a fence or math)."""
        if self.kind == "table?":
            if _TABLE_DELIMITER.match(line):
                self.kind, self.header = "table", self.first + "\n" + line + "\n"
                return
            self.kind = "paragraph"
        if self.kind == "table":
            if "|" in line:
                self.split = Split(self.start, start, 0, self.header)
        elif self.kind == "list":
            self._item(line, start)
        elif self.kind == "paragraph":
            self._paragraph_line(line, start)

    def _item(self, line: str, start: int) -> None:
        ordered = _ORDERED.match(line)
        if ordered and self.number is not None and self.marker == (ordered[1], ordered[3]):
            self.items += 1
            old = ordered[1] + ordered[2] + ordered[3]
            new = f"{ordered[1]}{self.number + self.items - 1}{ordered[3]}"
            if len(new) == len(old):  # a wider number would move the item's content
                self.split = Split(self.start, start, len(old), new)
            return
        bullet = _BULLET.match(line)
        if bullet and self.number is None and self.marker == (bullet[1], bullet[2]):
            self.items += 1
            self.split = Split(self.start, start)

    def _paragraph_line(self, line: str, start: int) -> None:
        ordered, bullet = _ORDERED.match(line), _BULLET.match(line)
        if bullet or (ordered and ordered[2] == "1"):  # a list interrupts the paragraph
            self._list(line, start)
            self.split = Split(self.start, start)
        elif line.lstrip(" ").startswith((">", "<", "|")):
            self.kind = "other"  # a quote, HTML or a table interrupts it: no more splits
        elif _PARAGRAPH_LINE.match(line) and not ordered:
            self.split = Split(self.start, start)


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
        pending_blank = False
        if not block_open:
            block_open, block_is_list = True, is_item
            block = _OpenBlock(bare, start)
        elif block is not None:
            block.feed(bare, start)
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
