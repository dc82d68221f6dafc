"""Where a streaming Markdown answer may be cut into finished blocks and a live tail.

A cut is made only where every Markdown reader agrees a top-level block ended: after a blank
line followed by a line that cannot continue the block above (not indented, not the next item
of a list that was open), before a fence that opens at the margin, and after the line that
closes a fence. Never inside a fence or a `$$` math block. Cuts only decide how the answer is
shown while it streams; the finished answer is always shown in one piece.

Pure functions over text, so they are easy to test against every parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
_MATH_FENCE = re.compile(r"^ {0,3}\$\$")


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


def settled_cut(text: str) -> Cut:
    """How much of `text` is made of finished top-level blocks."""
    end = 0
    fence: Fence | None = None
    fence_start = fence_body_end = 0
    in_math = block_open = block_is_list = pending_blank = False
    position = 0
    for line in _complete_lines(text):
        start, position = position, position + len(line)
        bare = line.rstrip("\r\n")
        if fence is not None:
            if fence.closes(bare):
                fence = None
                end = position  # whatever follows a closed fence is a new block
                block_open = pending_blank = False
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
        if opener is not None:
            fence = Fence(bare, opener.group(2))
            fence_start, fence_body_end = start, position
        elif _MATH_FENCE.match(bare) and bare.count("$$") == 1:
            in_math = True
    if fence is not None:
        return Cut(end, fence, fence_start, fence_body_end)
    return Cut(end)


def _complete_lines(text: str) -> list[str]:
    """Lines that ended (with their newline); the unfinished last line is not judged yet."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines.pop()
    return lines
