"""Fenced code blocks of an answer, for `%%aiml --to-cell`.

A CommonMark parser finds them, so fences inside lists or quotes and fences of tildes or of
four backticks are handled the way a renderer sees them.
"""

from __future__ import annotations

from dataclasses import dataclass

PYTHON_INFOS = {"python", "py", "python3", "ipython", "ipython3", "py3"}


@dataclass(frozen=True)
class CodeBlock:
    language: str
    code: str

    @property
    def is_python(self) -> bool:
        return self.language.lower() in PYTHON_INFOS


def fenced_blocks(markdown: str) -> list[CodeBlock]:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(markdown)
    return [
        CodeBlock(t.info.strip().split(" ")[0] if t.info else "", t.content)
        for t in tokens
        if t.type == "fence"
    ]


def select_code(blocks: list[CodeBlock], which: str) -> tuple[str, str] | None:
    """The code to insert and a description of it, or None when nothing matches.

    `which` is "python" (the first Python block, else the first untagged one), a 1-based
    block number, or "all" (every block, joined by blank lines).
    """
    if not blocks:
        return None
    if which == "all":
        code = "\n".join(block.code.rstrip("\n") + "\n" for block in blocks)
        return code, f"all {len(blocks)} code blocks"
    if which.isdigit():
        number = int(which)
        if not 1 <= number <= len(blocks):
            return None
        return blocks[number - 1].code, f"code block {number} of {len(blocks)}"
    for candidates in ([b for b in blocks if b.is_python], [b for b in blocks if not b.language]):
        if candidates:
            number = blocks.index(candidates[0]) + 1
            return candidates[0].code, f"code block {number} of {len(blocks)}"
    return None
