"""The neutralised Markdown of an answer's finished blocks, kept for the answer's end.

While an answer streams, the live view neutralises every top-level block once, when it is
published for good. At the end the whole answer is shown in one output; neutralising it again
from the start costs a pass over all of it (about two seconds for 1 MB) after everything is
already on screen. Top-level blocks separated by a blank line are read independently by every
Markdown parser, so the blocks' neutralised Markdown joined is the neutralised whole for
everyday answers (hostile text may be defused differently, never less: each block is safe by
itself), and only the text after the last block (and any block that was shown as split
pieces) needs a pass.

Blocks that touch (a fence right under a line) are neutralised together. Three things make
blocks depend on each other, and then the whole answer gets one pass:
a link reference definition (`[x]: url`, which gives meaning to `[x]` anywhere), a line break
other than `\\n` (where the block cutter and CommonMark could disagree about lines), and a
final text that does not start with what was streamed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .compose import neutralize_markdown

# Characters Python's `splitlines` (used to find block ends) breaks lines at besides "\n".
_OTHER_LINE_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


@dataclass
class SettledBlocks:
    """Top-level blocks of a streamed text: where each ends, and its neutralised Markdown
    when it was published whole (None when it was shown as split pieces)."""

    ends: list[int] = field(default_factory=list)
    markdown: list[str | None] = field(default_factory=list)
    split_open: bool = False  # the open block was already cut into pieces

    def add(self, end: int, markdown: str | None) -> None:
        self.ends.append(end)
        self.markdown.append(None if self.split_open else markdown)
        self.split_open = False

    def neutralised(self, text: str, streamed: str, *, allow_remote_images: bool) -> str:
        """`neutralize_markdown(text)`, reusing the blocks' Markdown where that is the same."""
        settled = self.ends[-1] if self.ends else 0
        if (
            not settled
            or "]:" in text
            or _OTHER_LINE_BREAKS.search(text)
            or not text.startswith(streamed[:settled])
        ):
            return neutralize_markdown(text, allow_remote_images=allow_remote_images)
        parts, start = [], 0
        for index, (end, kept) in enumerate(zip(self.ends, self.markdown, strict=True)):
            if not _blank_between(text, end):
                continue  # a fence right after a line: the two are neutralised together
            whole_block = index == 0 or self.ends[index - 1] == start
            if kept is None or not whole_block:
                kept = neutralize_markdown(text[start:end], allow_remote_images=allow_remote_images)
            parts.append(kept)
            start = end
        if text[start:]:
            parts.append(neutralize_markdown(text[start:], allow_remote_images=allow_remote_images))
        return "".join(parts)


def _blank_between(text: str, end: int) -> bool:
    """Whether a blank line ends `text[:end]` or starts `text[end:]` (the neutraliser
    separates some blocks that touch, such as a fence right under a paragraph line)."""
    before = re.search(r"\n[ \t]*\n\Z", text[max(0, end - 80) : end]) is not None
    return before or re.match(r"[ \t]*(\n|\Z)", text[end : end + 80]) is not None
