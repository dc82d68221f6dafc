"""Neutralise untrusted Markdown (model output) before a browser renders it.

JupyterLab renders ``text/markdown`` outputs of cells run in the session with ``marked`` and
does not sanitise them, so raw HTML or a ``javascript:`` link written by a (possibly
prompt-injected) model would be live in the notebook. We keep the Markdown, so frontends still
render math, tables and code highlighting, and rewrite only the dangerous spans of the source:

* raw HTML outside code shows as text: its ``<`` becomes ``&lt;``;
* a link whose target is not http(s), mailto or relative loses its brackets (``\\[``, ``\\]``,
  ``\\(``) and shows as the text the model wrote;
* an image other than an inline ``data:image/(png|jpeg|gif|webp)`` one becomes a link (http(s))
  or text, so the browser fetches nothing by itself;
* an unclosed code fence at the end is closed, so Markdown appended after it stays Markdown.

Spans are found with markdown-it's tokens, not with regular expressions over the text, and
every result is parsed again and verified; whatever the rewrite cannot settle falls back to the
whole text in a code block.

markdown-it is not the parser that renders, though. Where ``marked`` (and JupyterLab's math
pre-pass, which hides ``$...$`` from it) read the same text differently, markup markdown-it saw
as code or text could come alive. So the rewrite also makes the text unambiguous: ``<tag``-like
text is escaped wherever markdown-it leaves it as text, code holding Markdown-like text gets a
layout every parser reads as code (longer or rebuilt fences, one-line code spans with a unique
backtick count), blank lines and tabs are normalised, odd definitions become text, and the text
is parsed a second time as JupyterLab's math pre-pass leaves it.
"""

from __future__ import annotations

import functools
import html
import re
from bisect import bisect_right, insort
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.ruler import Ruler
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_core import StateCore
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

__all__ = ["escape_markdown_inline", "is_safe_markdown", "neutralize_markdown"]

Edit = tuple[int, int, str]
"""Replace ``text[start:end]`` by the string; ``start == end`` inserts."""

_KEY = "aiml_magics.display.sanitize"
_MAX_NESTING = 40  # markdown-it drops what lies deeper, we treat reaching it as unsafe; deeper
# limits let adversarial brackets cost more (markdown-it scans labels to this depth)
_MAX_ROUNDS = 5
_LINK_KINDS = frozenset({"web", "mailto", "relative"})

_PLACEHOLDER_RE = re.compile(r"@@(\d+)@@")
_INVISIBLE_RE = re.compile(
    r"[\s\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_DATA_IMAGE_RE = re.compile(
    r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/]*={0,2}", re.IGNORECASE | re.ASCII
)
# `<` that some parser (marked's tag grammar is looser than CommonMark's) or a browser could
# take for a tag, comment, declaration or autolink.
_SUSPECT_LT_RE = re.compile(
    r"<(?:[!?]|/?[A-Za-z][A-Za-z0-9_:.\-]*(?:\s|[/>]|\Z)|[A-Za-z][A-Za-z0-9+.\-]*:)"
)
_TAG_START_RE = re.compile(r"<(?=[A-Za-z/!?])")
# Markdown that would be live if another parser did not take the lines for code.
_RISKY_CODE_RE = re.compile(r"<[A-Za-z/!?]|\][ \t]*[(:\[]|!\[")
# A reference definition every parser reads the same way: one line, spaces only, plain target.
_PLAIN_DEFINITION_RE = re.compile(
    r" {0,3}\[[^\]\n]+\]: *(?:<(?:(?=[A-Za-z][A-Za-z0-9+.\-]*:)|(?![A-Za-z/!?]))[^<>\n]*>"
    r"|[^<\s\[\]][^<\s\[\]]*)"
    r"""(?: +(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))? *"""
)
# Blank lines and bare list markers with trailing blanks: marked reads `\t`, `> ` or `* ` lines
# differently from CommonMark, stripped they read the same everywhere.
_BLANKISH_LINE_RE = re.compile(r"^[ \t>]*(?:(?:[*+\-]|\d{1,9}[.)])[ \t]*)?[ \t]$", re.MULTILINE)
_PLAIN_PREFIX_RE = re.compile(r" *(?:(?:[*+\-]|\d{1,9}[.)]) +)?")
_TAB_INDENT_RE = re.compile(r"^[ >]*\t[ \t>]*(?=\S)", re.MULTILINE)
_LIST_MARKER_RE = re.compile(r"[ \t>]*(?:[*+\-]|\d{1,9}[.)])")
_RISKY_LINK_RE = re.compile(r"\](?=[ \t]*[(:\[])|!(?=\[)")
# A bare URL as marked's GFM extension reads it: it swallows everything up to a space or `<`.
_URL_LITERAL_RE = re.compile(r"(?:[Hh][Tt][Tt][Pp][Ss]?://|[Ff][Tt][Pp]://|www\.)[^\s<]*")
_LOOSE_TARGET_RE = re.compile(r"\s*(?:<([^>\n]*)|(\S*))")
_FALLBACK_CHARS_RE = re.compile(r"[<\[\]!]")
_BACKTICKS_RE = re.compile(r"`+")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")

_INLINE_ESCAPES = {ord(c): "\\" + c for c in "\\`*_{}[]()#+-.!|~$@="} | {
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord(">"): "&gt;",
}


# ---------------------------------------------------------------- public API


def neutralize_markdown(text: str, *, allow_remote_images: bool = False) -> str:
    """Return ``text`` with raw HTML, unsafe links and fetching images defused.

    Everything else (headings, lists, tables, code, math, http(s) and mailto links) is kept, so
    frontends render it as before. Never raises: input the rewrite cannot settle comes back as
    one fenced code block.
    """
    try:
        source = _normalize(text)
    except Exception:  # an object whose str() fails: nothing we could show
        return _fenced("")
    try:
        result = _rewrite(source, allow_remote_images)
        if result is not None:
            result = _readable_math(result, allow_remote_images)
    except Exception:  # a parser edge case must not break the display
        result = None
    return result if result is not None else _fenced(source)


_LT_BEFORE_TAG_RE = re.compile(r"&lt;(?=[A-Za-z/!?])")


def _readable_math(text: str, allow_remote_images: bool) -> str:
    """Inside math, MathJax shows an escaped ``&lt;`` literally; ``< `` followed by the letter
    is just as inert for every HTML parser (no tag starts with a space) and is what TeX reads
    as ``<``. Kept only when the whole result still verifies as safe."""
    if "&lt;" not in text:
        return text
    pieces, last = [], 0
    protected = _protected(text)  # code JupyterLab knows: MathJax does not typeset it
    code_ends = [b for _, b in protected]
    for start, end, _ in sorted(_math_spans(text)):
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


def escape_markdown_inline(text: str) -> str:
    """Escape a short string (model id, chat name) for use inside our own Markdown.

    Markdown punctuation is backslash-escaped, ``<``, ``>`` and ``&`` become entities and all
    whitespace, newlines included, collapses to single spaces, so the string stays one inline
    run of text whatever it contains.
    """
    collapsed = " ".join(_normalize(text).split())
    return collapsed.translate(_INLINE_ESCAPES)


def is_safe_markdown(text: str, *, allow_remote_images: bool = False) -> bool:
    """Tell whether markdown-it finds no raw HTML, unsafe link or fetching image in ``text``.

    The text is checked as written and as JupyterLab's math pre-pass leaves it. This is the
    verifier ``neutralize_markdown`` relies on; it is exposed for tests.
    """
    try:
        source = _normalize(text)
        if _scan(source, _Recorder(allow_remote_images, view=False), rewrite=False)[1]:
            return False
        return not _scan_view(source, allow_remote_images, rewrite=False)[1]
    except Exception:  # unknown means unsafe
        return False


# ---------------------------------------------------------------- driver


def _normalize(text: Any) -> str:
    """Apply the line-ending and NUL rules of CommonMark ourselves, so offsets match tokens."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    elif not isinstance(text, str):
        text = "" if text is None else str(text)
    for old in ("\r\n", "\r", "\u2028", "\u2029"):
        text = text.replace(old, "\n")
    text = text.replace("\x00", "\ufffd")
    if _SURROGATE_RE.search(text):
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _rewrite(text: str, allow_remote_images: bool) -> str | None:
    """Edit, re-parse and repeat until nothing is left; None if that does not settle."""
    for _ in range(_MAX_ROUNDS):
        edits, unsafe = _pending_edits(text, allow_remote_images)
        if not edits:
            return None if unsafe else text
        text = _apply(text, edits)
    return None


def _pending_edits(text: str, allow_remote_images: bool) -> tuple[list[Edit], bool]:
    """Edits still needed, looking at the text as written first, then as JupyterLab sees it."""
    edits, unsafe = _scan(text, _Recorder(allow_remote_images, view=False))
    if edits or unsafe:
        return edits, unsafe
    return _scan_view(text, allow_remote_images)


def _apply(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits; inserts go first and an outer replacement wins."""
    out: list[str] = []
    pos = 0
    for start, end, new in sorted(set(edits), key=lambda e: (e[0], e[1] != e[0], -e[1])):
        if start < pos:
            continue
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _fenced(text: str) -> str:
    """The safe-by-construction fallback: no line inside can close this fence."""
    longest = max((len(run) for run in _BACKTICKS_RE.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text if not text or text.endswith("\n") else text + "\n"
    return f"{fence}text\n{body}{fence}\n"


def _scan(text: str, rec: _Recorder, rewrite: bool = True) -> tuple[list[Edit], bool]:
    """Parse once; return the edits the text needs and whether markdown-it sees danger."""
    tokens = _parser().parse(text, {_KEY: rec})
    unsafe = rec.hidden_math_in_url or any(_unsafe_token(token, rec, text) for token in tokens)
    edits = _Rewriter(text, rec).run(tokens) if rewrite else []
    return edits, unsafe


def _scan_view(
    text: str, allow_remote_images: bool, rewrite: bool = True
) -> tuple[list[Edit], bool]:
    """Scan what ``marked`` gets in JupyterLab, mapping its edits back onto ``text``."""
    view = _MathView.of(text)
    if view is None or not view.may_matter():
        return [], False
    rec = _Recorder(allow_remote_images, view=True)
    rec.math = view.math
    edits, unsafe = _scan(view.text, rec, rewrite)
    for line in _FENCE_LINE_RE.finditer(view.text):  # an info string to marked: a class name
        found = rec.math_in(line.group(1))
        rec.defuse |= found
        unsafe = unsafe or bool(found)
    mapped = [edit for edit in map(view.to_source, edits) if edit is not None]
    mapped += [_defuse(text, view.starts[n]) for n in sorted(rec.defuse) if n in view.starts]
    return mapped, unsafe


def _clear_fence(text: str, token: Token) -> bool:
    """A closed top-level fence at column 0, with an info string, after a blank line: every
    parser reads it as code (this is how ``_fenced`` and rebuilt fences look)."""
    if token.type != "fence" or token.level or not token.map or not token.info.strip():
        return False
    first, last = token.map[0], token.map[1] - 1
    lines = text.split("\n", last + 1)  # called only for fences with math in bare URLs
    body = token.content.count("\n") + (not token.content.endswith("\n") and bool(token.content))
    return (
        lines[first].startswith(token.markup)
        and (first == 0 or not lines[first - 1].strip())
        and last - first - 1 == body
        and lines[last].strip() == token.markup
    )


def _unsafe_token(token: Token, rec: _Recorder, text: str) -> bool:
    """The verifier: raw HTML, an unsafe link or a fetching image, per markdown-it."""
    if token.level >= _MAX_NESTING - 1 or token.type == "html_block":
        return True
    if token.type in ("fence", "code_block"):  # marked may read it as text, linking URLs
        if rec.math_in(token.info):
            return True
        return bool(rec.math_in_urls(token.content)) and not _clear_fence(text, token)
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
            child.attrGet("src"), child.attrGet("title"), _plain_text(child.children)
        ):
            return True
    return False


# ---------------------------------------------------------------- URL judgement


def _plain_url(url: str) -> str:
    """Undo what a browser or a lenient renderer might undo, so disguised schemes show."""
    plain = url
    for _ in range(3):
        decoded = _INVISIBLE_RE.sub("", html.unescape(unquote(plain)))
        if decoded == plain:
            break
        plain = decoded
    return plain


def _url_kind(url: str) -> str:
    """Classify a target as 'web', 'mailto', 'relative', 'data-image' or 'unsafe'."""
    plain = _plain_url(url)
    if _DATA_IMAGE_RE.fullmatch(plain):
        return "data-image"
    match = _SCHEME_RE.match(plain)
    if match is None:
        return "web" if plain[:2].replace("\\", "/") == "//" else "relative"
    scheme = match.group(1).lower()
    if scheme in ("http", "https"):
        return "web"
    return "mailto" if scheme == "mailto" else "unsafe"


class _Recorder:
    """What the wrapped markdown-it rules noticed in one parse; judges targets too."""

    def __init__(self, allow_remote_images: bool, view: bool) -> None:
        self.allow_remote_images = allow_remote_images
        self.view = view  # parsing JupyterLab's view: math placeholders must not reach attributes
        self.bmarks: dict[int, int] = {}  # line -> where its content starts inside containers
        self.definitions: list[int] = []  # offsets of the `[` of unsafe reference definitions
        self.code_indents: dict[int, int] = {}  # first line of indented code -> container indent
        self.code_delimiters: dict[int, int] = {}  # backtick count -> runs opening/closing code
        self.inlines: dict[int, _InlineNotes] = {}  # id(inline token) -> its notes
        self.current: _InlineNotes | None = None
        self.defuse: set[int] = set()  # placeholders whose math must not be math
        self.hidden_math_in_url = False  # marked would put restored math into an href
        self.math: set[int] = set()  # placeholders standing for math, in the view

    def math_in(self, text: str | None) -> set[int]:
        """Placeholders of math (not of literal ``@@n@@`` text) found in ``text``."""
        if not self.math or not text or "@@" not in text:
            return set()
        return {int(n) for n in _PLACEHOLDER_RE.findall(text)} & self.math

    def math_in_urls(self, text: str) -> set[int]:
        """Math inside what marked links as a bare URL: restored into an href."""
        if not self.math or "@@" not in text or ("://" not in text and "www." not in text):
            return set()
        return {n for m in _URL_LITERAL_RE.finditer(text) for n in self.math_in(m.group())}

    def hides_math(self, *values: str | None) -> bool:
        return any(self.math_in(value) for value in values)

    def link_ok(self, href: str | None, title: str | None = None) -> bool:
        return _url_kind(href or "") in _LINK_KINDS and not self.hides_math(href, title)

    def image_ok(self, src: str | None, title: str | None, alt: str | None) -> bool:
        kind = _url_kind(src or "")
        allowed = kind == "data-image" or (kind == "web" and self.allow_remote_images)
        return allowed and not self.hides_math(src, title, alt)


# ---------------------------------------------------------------- parser and recording rules


@functools.cache
def _parser() -> MarkdownIt:
    """markdown-it as the frontends use it (CommonMark + GFM tables), with recording rules."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True, "maxNesting": _MAX_NESTING})
    md.enable(["table", "strikethrough"])
    md.validateLink = _any_link  # type: ignore[method-assign]  # we judge targets ourselves
    for name in ("paragraph", "heading", "lheading", "table"):
        _wrap(md.block.ruler, name, _leaf_rule)
    _wrap(md.block.ruler, "code", _code_rule)
    _wrap(md.block.ruler, "reference", _reference_rule)
    _wrap(md.inline.ruler, "backticks", _backticks_rule)
    _wrap(md.inline.ruler, "link", _link_rule)
    _wrap(md.inline.ruler, "image", _image_rule)
    _wrap(md.inline.ruler, "autolink", _autolink_rule)
    _wrap(md.inline.ruler, "html_inline", _html_inline_rule)
    md.inline.ruler.push("aiml_suspect", _suspect_rule)
    md.core.ruler.at("inline", _inline_core)
    return md


def _any_link(url: str) -> bool:
    """Let every target become a link token, as in ``marked``, so we see and judge it."""
    return True


def _wrap(ruler: Ruler[Any], name: str, make: Callable[[Any], Any]) -> None:
    """Replace a rule by a recording wrapper, keeping its terminator chains."""
    for rule in ruler.__rules__:
        if rule.name == name:
            ruler.at(name, make(rule.fn), {"alt": list(rule.alt)})
            return
    raise KeyError(name)


def _leaf_rule(original: Callable[..., bool]) -> Callable[..., bool]:
    """Remember where container markers (``>``, list indent) end on each line of the block."""

    def rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        if not original(state, start_line, end_line, silent):
            return False
        rec = state.env.get(_KEY)
        if not silent and isinstance(rec, _Recorder):
            for line in range(start_line, state.line):
                rec.bmarks[line] = state.bMarks[line]
        return True

    return rule


def _code_rule(original: Callable[..., bool]) -> Callable[..., bool]:
    """Remember the container indent of indented code, to turn it into a fence if needed."""

    def rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        if not original(state, start_line, end_line, silent):
            return False
        rec = state.env.get(_KEY)
        if not silent and isinstance(rec, _Recorder):
            rec.code_indents[start_line] = state.blkIndent
        return True

    return rule


def _reference_rule(original: Callable[..., bool]) -> Callable[..., bool]:
    """Note reference definitions with unsafe targets (duplicates included), and those other
    parsers may read differently (over several lines, odd targets): both become text."""

    def rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        rec = state.env.get(_KEY)
        if silent or not isinstance(rec, _Recorder):
            return original(state, start_line, end_line, silent)
        known = state.env.get("references")
        state.env["references"] = {}
        try:
            found = original(state, start_line, end_line, silent)
        finally:
            fresh = state.env.get("references") or {}
            merged = known if known is not None else {}
            for label, ref in fresh.items():
                merged.setdefault(label, ref)  # the first definition wins
            state.env["references"] = merged
        if not found:
            return False
        start = state.bMarks[start_line] + state.tShift[start_line]
        plain = state.line == start_line + 1 and _PLAIN_DEFINITION_RE.fullmatch(
            state.src, start, state.eMarks[start_line]
        )  # else marked may read text, or a block, where markdown-it sees a definition
        following = state.src[state.bMarks[state.line] : state.eMarks[state.line]].lstrip()
        plain = plain and not following.startswith(('"', "'", "("))  # a title to marked
        if not plain or any(not rec.link_ok(r.get("href"), r.get("title")) for r in fresh.values()):
            rec.definitions.append(start)
        return True

    return rule


def _inline_core(state: StateCore) -> None:
    """markdown-it's core 'inline' rule, telling the recording rules which token is parsed."""
    rec = state.env.get(_KEY)
    recording = isinstance(rec, _Recorder)
    for token in state.tokens:
        if token.type != "inline":
            continue
        if token.children is None:
            token.children = []
        notes = _InlineNotes(token.content, rec) if recording else None
        if recording:
            rec.current = notes
        state.md.inline.parse(token.content, state.md, state.env, token.children)
        if notes is not None:
            notes.url_literals()
        if notes is not None and (notes.edits or notes.failed or notes.code_spans):
            rec.inlines[id(token)] = notes
    if recording:
        rec.current = None


class _InlineNotes:
    """Edits wanted inside one inline token, in offsets of its content."""

    def __init__(self, src: str, rec: _Recorder) -> None:
        self.src = src
        self.rec = rec
        self.edits: list[Edit] = []
        self.failed = False
        self._bangs: list[int] | None = None
        self.image_starts: list[int] = []  # sorted
        self._bangs_closed = 0  # bangs before this index were settled by close_bangs
        self._image_set: set[int] = set()
        self._urls: list[tuple[int, int]] | None = None
        self.code_spans: list[tuple[int, int, int]] = []  # risky ones: start, end, fence size
        self._code_end = 0  # end of the last risky code span

    def escape_lts(self, start: int, end: int) -> None:
        pos = self.src.find("<", start, end)
        while pos >= 0:
            if not _is_escaped(self.src, pos):
                self.edits.append((pos, pos + 1, "&lt;"))
            pos = self.src.find("<", pos + 1, end)

    def link(self, start: int, end: int, opener: Token, label_end: Callable[[], int]) -> None:
        href, title = opener.attrGet("href"), opener.attrGet("title")
        if not self.rec.link_ok(href, title):
            self.unlink(start, label_end())
        elif self.image_opened_before(start) and not self.rec.image_ok(href, title, ""):
            self.close_bangs(start)  # marked may read `![...[x](target)` as an image
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

    def image(self, start: int, end: int, token: Token, in_link: bool) -> None:
        insort(self.image_starts, start)
        self._image_set.add(start)
        src, alt = token.attrGet("src") or "", _plain_text(token.children)
        if self.rec.image_ok(src, token.attrGet("title"), alt):
            return
        self.edits.append((start, end, _image_stand_in(src, alt, in_link, self.rec)))
        if start and self.src[start - 1] == "!" and not _is_escaped(self.src, start - 1):
            self.edits.append((start - 1, start - 1, "\\"))  # else `!` + `[...](...)` = image

    def code_span(self, start: int, end: int) -> None:
        """Make sure other parsers read this code span as code too.

        marked reads ``~`` + backticks as text and lets a bare URL swallow backticks; both
        shift how later backticks pair up. Parsers also split lines differently, so a code span
        holding Markdown-like text is joined onto one line (line ends render as spaces anyway).
        """
        size = _run(self.src[start:end], "`")
        risky = bool(_RISKY_CODE_RE.search(self.src, start, end))
        if start and self.src[start - 1] == "~" and not _is_escaped(self.src, start - 1):
            self.edits.append((start - 1, start - 1, "\\"))
        if any(a < start < b for a, b in self._url_runs()):
            self.edits.append((start, start, "\\"))  # no code span in either parser then
            return
        if risky or "\n" not in self.src[start:end]:  # a multi-line span may pair otherwise
            self.rec.code_delimiters[size] = self.rec.code_delimiters.get(size, 0) + 2
        if not risky:
            return
        # marked's ~strike~, *emphasis* (when it fails to mask the code: backticks or a
        # backslash in it) and [link label] may start before the code and end inside it:
        # escape such delimiters before it
        content = self.src[start + size : end - size]
        delimiters = set(content) & {"~", "*", "_"}
        if "`" not in content and "\\" not in content:
            delimiters -= {"*", "_"}
        if "]" in content:
            delimiters.add("[")
        for pos in range(self._code_end, start):
            if self.src[pos] in delimiters and not _is_escaped(self.src, pos):
                self.edits.append((pos, pos, "\\"))
        self._code_end = end
        self.code_spans.append((start, end, size))
        newline = self.src.find("\n", start, end)
        while newline >= 0:
            self.edits.append((newline, newline + 1, " "))
            newline = self.src.find("\n", newline + 1, end)

    def _url_runs(self) -> list[tuple[int, int]]:
        if self._urls is None:
            self._urls = [m.span() for m in _URL_LITERAL_RE.finditer(self.src)]
        return self._urls

    def url_literals(self) -> None:
        """A bare URL in marked swallows a ``\\`` or a backtick that kept the next ``<`` inert."""
        if "://" not in self.src and "www." not in self.src:
            return
        if self.rec.view:  # marked links bare URLs: restored math would land in an href
            found = self.rec.math_in_urls(self.src)
            self.rec.defuse |= found
            self.rec.hidden_math_in_url = self.rec.hidden_math_in_url or bool(found)
        for _, end in self._url_runs():
            if not _SUSPECT_LT_RE.match(self.src, end):
                continue
            if _is_escaped(self.src, end):
                self.edits.append((end - 1, end + 1, "&lt;"))
            else:
                self.edits.append((end, end + 1, "&lt;"))

    def close_bangs(self, pos: int) -> None:
        """Escape the ``!`` of each ``![`` before ``pos`` that opened no image."""
        if self._bangs is None:
            self.image_opened_before(pos)
        stop = bisect_right(self._bangs or [], pos - 1)
        for bang in (self._bangs or [])[self._bangs_closed : stop]:
            if bang not in self._image_set and not _is_escaped(self.src, bang):
                self.edits.append((bang, bang, "\\"))
                insort(self.image_starts, bang)  # settled: no longer an open `![`
        self._bangs_closed = max(self._bangs_closed, stop)

    def image_opened_before(self, pos: int) -> bool:
        """Whether a ``![`` that opened no image comes before: marked may still close it."""
        if self._bangs is None:
            self._bangs = [m.start() for m in re.finditer(r"!\[", self.src)]
        return bisect_right(self._bangs, pos - 1) > bisect_right(self.image_starts, pos - 1)

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
        if not target or "\n" in (match.group(0) if match else ""):
            return True  # other parsers may take the target from the next line
        if not self.rec.link_ok(target):
            return True
        if self.image_opened_before(pos) and not self.rec.image_ok(target, "", ""):
            self.close_bangs(pos)
        return False


def _notes(state: StateInline, silent: bool) -> _InlineNotes | None:
    """Notes for this inline parse, unless it is a look-ahead or an image's alt text."""
    if silent:
        return None
    rec = state.env.get(_KEY)
    notes = rec.current if isinstance(rec, _Recorder) else None
    return notes if notes is not None and notes.src is state.src else None


def _backticks_rule(original: Callable[..., bool]) -> Callable[..., bool]:
    """Make code spans holding Markdown-like text read as code in other parsers too."""

    def rule(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        if not original(state, silent):
            return False
        notes = _notes(state, silent)
        if notes is not None and _first_of(state.tokens, count, "code_inline") is not None:
            notes.code_span(start, state.pos)
        return True

    return rule


def _link_rule(original: Callable[..., bool]) -> Callable[..., bool]:
    def rule(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        if not original(state, silent):
            return False
        notes = _notes(state, silent)
        opener = _first_of(state.tokens, count, "link_open") if notes is not None else None
        if notes is not None and opener is not None:
            notes.link(
                start,
                state.pos,
                opener,
                lambda: state.md.helpers.parseLinkLabel(state, start, True),
            )
        return True

    return rule


def _image_rule(original: Callable[..., bool]) -> Callable[..., bool]:
    def rule(state: StateInline, silent: bool) -> bool:
        start = state.pos
        if not original(state, silent):
            return False
        notes = _notes(state, silent)
        if notes is not None:
            notes.image(start, state.pos, state.tokens[-1], in_link=state.linkLevel > 0)
        return True

    return rule


def _autolink_rule(original: Callable[..., bool]) -> Callable[..., bool]:
    def rule(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        if not original(state, silent):
            return False
        notes = _notes(state, silent)
        opener = _first_of(state.tokens, count, "link_open") if notes is not None else None
        if (
            notes is not None
            and opener is not None
            and not notes.rec.link_ok(opener.attrGet("href"))
        ):
            notes.edits.append((start, start + 1, "&lt;"))
        return True

    return rule


def _html_inline_rule(original: Callable[..., bool]) -> Callable[..., bool]:
    def rule(state: StateInline, silent: bool) -> bool:
        start = state.pos
        if not original(state, silent):
            return False
        notes = _notes(state, silent)
        if notes is not None:
            notes.escape_lts(start, state.pos)
        return True

    return rule


def _suspect_rule(state: StateInline, silent: bool) -> bool:
    """Last inline rule, reached by text no other rule took; it only takes notes."""
    if silent or state.src[state.pos] not in "<]":
        return False
    notes = _notes(state, silent)
    if notes is None:
        return False
    pos = state.pos
    if state.src[pos] == "<":
        if _SUSPECT_LT_RE.match(state.src, pos):
            notes.edits.append((pos, pos + 1, "&lt;"))
    elif notes.suspect_bracket(pos):
        notes.edits.append((pos, pos, "\\"))
    return False


def _first_of(tokens: list[Token], start: int, kind: str) -> Token | None:
    for index in range(start, len(tokens)):
        if tokens[index].type == kind:
            return tokens[index]
    return None


def _plain_text(tokens: Iterable[Token] | None) -> str:
    """What an image's alt text reads as, markup dropped and raw HTML kept as text."""
    parts: list[str] = []
    for token in tokens or ():
        if token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image":
            parts.append(_plain_text(token.children))
        elif token.type in ("text", "text_special", "code_inline", "html_inline"):
            parts.append(token.content)
    return "".join(parts)


def _image_stand_in(url: str, alt: str, in_link: bool, rec: _Recorder) -> str:
    """``[image: alt](url)`` for a web image, else ``\\[image: alt\\]`` plus the target."""
    label = f"image: {escape_markdown_inline(alt)}" if alt.strip() else "image"
    if not in_link and _url_kind(url) == "web" and not rec.hides_math(url):
        return f"[{label}](<{_angle_url(url)}>)"
    text = f"\\[{label}\\]"
    if not in_link and url:
        text += " " + _code_span(url if len(url) <= 100 else url[:99] + "\u2026")
    return text


def _angle_url(url: str) -> str:
    for char, code in (("\\", "%5C"), ("<", "%3C"), (">", "%3E"), ("\n", "%0A"), (" ", "%20")):
        url = url.replace(char, code)
    return url


def _code_span(text: str) -> str:
    fence = "`" * (max((len(run) for run in _BACKTICKS_RE.findall(text)), default=0) + 1)
    return f"{fence} {text} {fence}"


def _is_escaped(text: str, pos: int) -> bool:
    """Whether an odd number of backslashes precede ``text[pos]``."""
    start = pos
    while start > 0 and text[start - 1] == "\\":
        start -= 1
    return (pos - start) % 2 == 1


# ---------------------------------------------------------------- notes -> source edits


class _Rewriter:
    """Turns the notes of one parse into edits of the source text."""

    def __init__(self, text: str, rec: _Recorder) -> None:
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
        for match in _TAG_START_RE.finditer(self.text, start, end):
            if not _is_escaped(self.text, match.start()):
                self.edits.append((match.start(), match.start() + 1, "&lt;"))

    def _fence(self, token: Token, in_quote: bool = False) -> None:
        """Lengthen fences another parser could close early; close one left open at the end."""
        if self.rec.view:
            self.rec.defuse |= self.rec.math_in(token.info)
            in_urls = self.rec.math_in_urls(token.content)
            if in_urls and not _clear_fence(self.text, token):
                self.rec.defuse |= in_urls
        if not token.map or not token.markup:
            return
        first, stop = token.map
        char, size = token.markup[0], len(token.markup)
        body = token.content.split("\n")
        if body[-1] == "":
            body.pop()
        longest = max((_run(line.lstrip(" \t"), char) for line in body), default=0)
        want = longest + 1 if longest >= size else size
        opening = self.text.find(token.markup, *self._span(first))
        if opening < 0:
            return
        risky = not self.rec.view and _RISKY_CODE_RE.search(token.content)
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
                self.edits += _inert_edits(
                    self.text, self._span(first + 1)[0], self._span(last - 1)[1]
                )
        # markdown-it unescapes the info string, so the class name stays the same
        self.edits += _inert_edits(self.text, opening + size, self._span(first)[1])
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
        info = _apply(info, _inert_edits(info, 0, len(info))) if info.strip() else "text"
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
            self.rec.defuse |= self.rec.math_in_urls(token.content)
        if not token.map or not _RISKY_CODE_RE.search(token.content):
            return
        first, stop = token.map
        start, end = self._span(first)[0], self._span(stop - 1)[1]
        indent = self.rec.code_indents.get(first)
        lines = self.text[start:end].split("\n")
        if indent is None or not all(
            not line.strip() or line.startswith(" " * (indent + 4)) for line in lines
        ):
            self.edits += _inert_edits(self.text, start, end)  # tabs or `>`: inert code
            return
        pad = " " * indent
        fence = "`" * max(3, max(map(len, _BACKTICKS_RE.findall(token.content)), default=0) + 1)
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
        size = _run(self.text[at:end], char)
        tail = self.text[at + size : end]
        if size < want or tail.strip(" "):  # marked does not accept a tab after the fence
            self.edits.append((at, end, char * max(size, want)))

    # -- inline tokens

    def _inline(self, token: Token, is_cell: bool) -> None:
        notes = self.rec.inlines.get(id(token))
        if notes is None and not is_cell:
            return
        starts = self._locate(token, is_cell)  # cells always: later cells start after it
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

    def _code_span_fences(self) -> None:
        """Give risky code spans a backtick count no other run has, so that no parser pairs
        their runs with a stray run elsewhere, whatever it takes the paragraph to be."""
        if not self.code_runs:
            return
        runs: dict[int, int] = {}
        for match in _BACKTICKS_RE.finditer(self.text):
            runs[len(match.group())] = runs.get(len(match.group()), 0) + 1
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
        """Mapping failed: backslash-escape every ``<``, ``[``, ``]`` and ``!`` of the block."""
        if not token.map:
            return
        for line in range(*token.map):
            self.fallback_lines.add(line)
            start, end = self._span(line)
            self.edits += _backslashes(self.text, max(start, self.rec.bmarks.get(line, start)), end)

    def _row_tail(self, row: int) -> None:
        """Cells beyond the header's count are dropped by markdown-it but maybe not elsewhere."""
        pos = self.cursor.get(row)
        if pos is None or row in self.fallback_lines:
            return
        end = self._span(row)[1]
        if self.text[pos:end].strip(" \t|"):
            self.inline_edits += _backslashes(self.text, pos, end)


def _inert_edits(text: str, start: int, end: int) -> list[Edit]:
    """Edits that keep ``text[start:end]`` from being HTML or a link if a parser reads it."""
    edits = [(m.start(), m.start() + 1, "&lt;") for m in _TAG_START_RE.finditer(text, start, end)]
    for match in _RISKY_LINK_RE.finditer(text, start, end):
        if not _is_escaped(text, match.start()):
            edits.append((match.start(), match.start(), "\\"))
    return edits


def _run(text: str, char: str) -> int:
    return len(text) - len(text.lstrip(char))


def _backslashes(text: str, start: int, end: int) -> list[Edit]:
    return [
        (m.start(), m.start(), "\\")
        for m in _FALLBACK_CHARS_RE.finditer(text, start, end)
        if not _is_escaped(text, m.start())
    ]


# ---------------------------------------------------------------- JupyterLab's math pre-pass

# JupyterLab (rendermime's latex.ts, ``removeMath``) replaces math by ``@@n@@`` before calling
# ``marked``, after protecting ``$`` in code fences at column 0 and one-line code spans. Math
# can therefore hide a code boundary from ``marked`` (a fence in a list, a code span running
# over two lines) and turn code that markdown-it saw into markup, or put a placeholder inside
# an attribute where the restored math (``<>&`` escaped, quotes not) could end the attribute.
# We reproduce the pre-pass here and check its result like the text itself.

_JS_SPACE = "\t\n\x0b\x0c\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_MATHSPLIT_RE = re.compile(
    r"\$\$?|\\(?:begin|end)\{[a-z]*\*?\}|\\[{}$]|[{}]|(?:\n["
    + _JS_SPACE
    + r"]*)+|@@\d+@@|\\\\(?:\(|\)|\[|\])",
    re.IGNORECASE | re.ASCII,
)
# What math could hide part of, or sit inside of, in a way that matters: links, images and
# definitions, fences (info strings), autolinks and the bare URLs marked turns into links.
_STRUCTURE_NEAR_MATH_RE = re.compile(r"[\[\]]|```|~~~|://|www\.|<[A-Za-z][A-Za-z0-9+.\-]{1,31}:")
_FENCE_LINE_RE = re.compile(
    r"^[ \t>]*(?:(?:[*+\-]|\d{1,9}[.)])[ \t]+)*(?:`{3,}|~{3,})(.*)$", re.MULTILINE
)
_JS_FENCE_OPEN_RE = re.compile(r"(`{3,}|~{3,})[^`\n]*")


class _MathView:
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
    def of(cls, source: str) -> _MathView | None:
        if "$" not in source and "\\" not in source and "@@" not in source:
            return None
        spans = _math_spans(source)
        if not spans:
            return None
        parts: list[str] = []
        segments: list[tuple[int, int, int]] = []
        pos = view_pos = 0
        starts = {}
        for start, end, number in sorted(spans):
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


def _defuse(text: str, start: int) -> Edit:
    """Turn a math opening delimiter into entities, so the pre-pass skips it."""
    if text.startswith("$$", start):
        return (start, start + 2, "&#36;&#36;")
    if text.startswith("$", start):
        return (start, start + 1, "&#36;")
    return (start, start + 1, "&#92;" if text.startswith("\\", start) else "&#64;")


def _math_spans(text: str) -> list[tuple[int, int, int]]:
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
    protected = _protected(text)
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


def _protected(text: str) -> list[tuple[int, int]]:
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
        size = _run(line, "~")
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
        (m.start(), m.end() - m.start()) for m in _BACKTICKS_RE.finditer(text, line_start, line_end)
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
