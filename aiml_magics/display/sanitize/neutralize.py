"""The driver: neutralise, verify, and fall back to a code block when in doubt.

Each round parses the text as written, then as JupyterLab's math pre-pass leaves it, and
applies the edits the notes ask for; the result of the last round must verify as safe on both
readings, else the whole text comes back in a fence no line can close. The verifier is the same
parse with the edits left out, so what is checked is exactly what was rewritten.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import TYPE_CHECKING

from .jupyterlab import (
    FENCE_LINE_RE,
    MathView,
    clear_fence,
    defuse,
    info_quotes,
    math_spans,
    protected_code,
    table_tails,
)
from .notes import Recorder, plain_text
from .recording import MAX_NESTING, parse
from .rewrite import Rewriter
from .text import BACKTICKS_RE, Edit, apply_edits, normalize

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = ["is_safe_markdown", "neutralize_markdown"]

_MAX_ROUNDS = 5
_LT_BEFORE_TAG_RE = re.compile(r"&lt;(?=[A-Za-z/!?])")


def neutralize_markdown(text: str, *, allow_remote_images: bool = False) -> str:
    """Return ``text`` with raw HTML, unsafe links and fetching images defused.

    Everything else (headings, lists, tables, code, math, http(s) and mailto links) is kept, so
    frontends render it as before. Never raises: input the rewrite cannot settle comes back as
    one fenced code block.
    """
    try:
        source = normalize(text)
    except Exception:  # an object whose str() fails: nothing we could show
        return _fenced("")
    try:
        result = _rewrite(source, allow_remote_images)
        if result is not None:
            result = _readable_math(result, allow_remote_images)
    except Exception:  # a parser edge case must not break the display
        result = None
    return result if result is not None else _fenced(source)


def _readable_math(text: str, allow_remote_images: bool) -> str:
    """Inside math, MathJax shows an escaped ``&lt;`` literally; ``< `` followed by the letter
    is just as inert for every HTML parser (no tag starts with a space) and is what TeX reads
    as ``<``. Kept only when the whole result still verifies as safe."""
    if "&lt;" not in text:
        return text
    pieces, last = [], 0
    protected = protected_code(text)  # code JupyterLab knows: MathJax does not typeset it
    code_ends = [b for _, b in protected]
    for start, end, _ in sorted(math_spans(text)):
        if start < last or text[start] == "@":  # nested in math already seen, or `@@n@@` text
            continue
        index = bisect_right(code_ends, start)  # the first code region ending after start
        if index < len(protected) and protected[index][0] < end:
            continue
        pieces += [text[last:start], _LT_BEFORE_TAG_RE.sub("< ", text[start:end])]
        last = end
    candidate = "".join(pieces) + text[last:]
    if candidate == text or not is_safe_markdown(
        candidate, allow_remote_images=allow_remote_images
    ):
        return text
    return candidate


def is_safe_markdown(text: str, *, allow_remote_images: bool = False) -> bool:
    """Tell whether markdown-it finds no raw HTML, unsafe link or fetching image in ``text``,
    nor a table marked would go on with where markdown-it ends it.

    The text is checked as written and as JupyterLab's math pre-pass leaves it. This is the
    verifier ``neutralize_markdown`` relies on; it is exposed for tests.
    """
    try:
        source = normalize(text)
        if _scan(source, Recorder(allow_remote_images, view=False), rewrite=False)[1]:
            return False
        return not _scan_view(source, allow_remote_images, rewrite=False)[1]
    except Exception:  # unknown means unsafe
        return False


def _rewrite(text: str, allow_remote_images: bool) -> str | None:
    """Edit, re-parse and repeat until nothing is left; None if that does not settle."""
    for _ in range(_MAX_ROUNDS):
        edits, unsafe = _pending_edits(text, allow_remote_images)
        if not edits:
            return None if unsafe else text
        text = apply_edits(text, edits)
    return None


def _pending_edits(text: str, allow_remote_images: bool) -> tuple[list[Edit], bool]:
    """Edits still needed, looking at the text as written first, then as JupyterLab sees it."""
    edits, unsafe = _scan(text, Recorder(allow_remote_images, view=False))
    if edits or unsafe:
        return edits, unsafe
    return _scan_view(text, allow_remote_images)


def _fenced(text: str) -> str:
    """The safe-by-construction fallback: no line inside can close this fence."""
    longest = max((len(run) for run in BACKTICKS_RE.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text if not text or text.endswith("\n") else text + "\n"
    return f"{fence}text\n{body}{fence}\n"


def _scan(text: str, rec: Recorder, rewrite: bool = True) -> tuple[list[Edit], bool]:
    """Parse once; return the edits the text needs and whether markdown-it sees danger."""
    tokens = parse(text, rec)
    unsafe = rec.hidden_math_in_url or any(_unsafe_token(token, rec, text) for token in tokens)
    unsafe = unsafe or _quoted_info(text, tokens) or bool(table_tails(text, tokens))
    edits = Rewriter(text, rec).run(tokens) if rewrite else []
    if rec.view:
        unsafe = _math_in_fence_lines(text, tokens, rec) or unsafe
    return edits, unsafe


def _scan_view(
    text: str, allow_remote_images: bool, rewrite: bool = True
) -> tuple[list[Edit], bool]:
    """Scan what ``marked`` gets in JupyterLab, mapping its edits back onto ``text``."""
    view = MathView.of(text)
    if view is None or not view.may_matter():
        return [], False
    rec = Recorder(allow_remote_images, view=True)
    rec.math = view.math
    edits, unsafe = _scan(view.text, rec, rewrite)
    mapped = [edit for edit in map(view.to_source, edits) if edit is not None]
    mapped += [defuse(text, view.starts[n]) for n in sorted(rec.defuse) if n in view.starts]
    return mapped, unsafe


def _unsafe_token(token: Token, rec: Recorder, text: str) -> bool:
    """The verifier: raw HTML, an unsafe link or a fetching image, per markdown-it."""
    if token.level >= MAX_NESTING - 1 or token.type == "html_block":
        return True
    if token.type in ("fence", "code_block"):  # marked may read it as text: links, URLs
        if rec.math_in(token.info):
            return True
        return bool(rec.math_in_targets(token.content)) and not clear_fence(text, token)
    if token.type != "inline":
        return False
    for child in token.children or ():
        if child.type == "html_inline":
            return True
        if child.type == "link_open" and not rec.link_ok(
            child.attrGet("href"), child.attrGet("title")
        ):
            return True
        if child.type == "image" and not rec.image_ok(
            child.attrGet("src"), child.attrGet("title"), plain_text(child.children)
        ):
            return True
    return False


def _quoted_info(text: str, tokens: list[Token]) -> bool:
    """Whether the info string of a fence holds a ``"`` JupyterLab would write unescaped."""
    fences = [t for t in tokens if t.type == "fence" and '"' in t.info]  # `&quot;` too: look
    lines = text.split("\n") if fences else []
    for token in fences:
        line = lines[token.map[0]] if token.map else ""
        at = line.find(token.markup)
        if at < 0 or info_quotes(line, at + len(token.markup), len(line)):
            return True
    return False


def _math_in_fence_lines(text: str, tokens: list[Token], rec: Recorder) -> bool:
    """Note math in what marked may read as a fence's info string (a class name) for defusing.

    Any line may be a fence opening to marked, except inside a clear fence, which every
    parser reads as code (the fallback is one).
    """
    fences = [t for t in tokens if t.type == "fence" and t.map and not t.level]
    fence_starts = [t.map[0] for t in fences if t.map]
    clear: dict[int, bool] = {}
    found: set[int] = set()
    line = last = 0
    for match in FENCE_LINE_RE.finditer(text):
        in_info = rec.math_in(match.group(1))
        if not in_info:
            continue
        line += text.count("\n", last, match.start())
        last = match.start()
        index = bisect_right(fence_starts, line) - 1
        fence = fences[index] if index >= 0 else None
        if fence and fence.map and fence.map[0] < line < fence.map[1] - 1:
            if index not in clear:
                clear[index] = clear_fence(text, fence)
            if clear[index]:
                continue
        found |= in_info
    rec.defuse |= found
    return bool(found)
