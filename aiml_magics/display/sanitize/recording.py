"""markdown-it with recording rules: the parse that finds what needs a change.

Spans are found with markdown-it's own rules, not with regular expressions over the text: each
rule that matters (leaf blocks, indented code, definitions, code spans, links, images,
autolinks, raw HTML) is wrapped so that, when it matches, it tells the ``notes`` what it saw and
where; a last inline rule looks at the ``<`` and ``]`` no rule took. The parse itself is
markdown-it's, so the tokens stay what the verifier checks.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .jupyterlab import BARE_FTP_RE, SUSPECT_LT_RE
from .notes import InlineNotes, Recorder

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.ruler import Ruler
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_core import StateCore
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

__all__ = ["MAX_NESTING", "parse"]

_KEY = "aiml_magics.display.sanitize"
MAX_NESTING = 40  # markdown-it drops what lies deeper, we treat reaching it as unsafe; deeper
# limits let adversarial brackets cost more (markdown-it scans labels to this depth)


# A reference definition every parser reads the same way: one line, spaces only, plain target.
_PLAIN_DEFINITION_RE = re.compile(
    r" {0,3}\[[^\]\n]+\]: *(?:<(?:(?=[A-Za-z][A-Za-z0-9+.\-]*:)|(?![A-Za-z/!?]))[^<>\n]*>"
    r"|[^<\s\[\]][^<\s\[\]]*)"
    r"""(?: +(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))? *"""
)


def parse(text: str, rec: Recorder) -> list[Token]:
    """Parse ``text`` with the recording rules, which note what they see in ``rec``."""
    return _parser().parse(text, {_KEY: rec})


@functools.cache
def _parser() -> MarkdownIt:
    """markdown-it as the frontends use it (CommonMark + GFM tables), with recording rules."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"])
    md.validateLink = _any_link  # type: ignore[method-assign]  # we judge targets ourselves
    for name in ("paragraph", "heading", "lheading", "table"):
        _wrap(md.block.ruler, name, _block_noting(_note_leaf))
    _wrap(md.block.ruler, "code", _block_noting(_note_code_block))
    _wrap(md.block.ruler, "reference", _reference_rule)
    _wrap(md.inline.ruler, "backticks", _inline_noting(_note_code_span))
    _wrap(md.inline.ruler, "link", _inline_noting(_note_link))
    _wrap(md.inline.ruler, "image", _inline_noting(_note_image))
    _wrap(md.inline.ruler, "autolink", _inline_noting(_note_autolink))
    _wrap(md.inline.ruler, "html_inline", _inline_noting(_note_html))
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


def _block_noting(
    note: Callable[[Recorder, StateBlock, int], None],
) -> Callable[[Callable[..., bool]], Callable[..., bool]]:
    """A wrapper for block rules: once the rule matched (for real), ``note`` what it took."""

    def wrap(original: Callable[..., bool]) -> Callable[..., bool]:
        def rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
            if not original(state, start_line, end_line, silent):
                return False
            rec = state.env.get(_KEY)
            if not silent and isinstance(rec, Recorder):
                note(rec, state, start_line)
            return True

        return rule

    return wrap


def _note_leaf(rec: Recorder, state: StateBlock, start_line: int) -> None:
    """Remember where container markers (``>``, list indent) end on each line of the block,
    and which lines are lazy: less indented than the list item they continue."""
    for line in range(start_line, state.line):
        rec.bmarks[line] = state.bMarks[line]
        if state.sCount[line] < state.blkIndent:
            rec.lazy_lines.add(line)


def _note_code_block(rec: Recorder, state: StateBlock, start_line: int) -> None:
    """Remember the container indent of indented code, to turn it into a fence if needed."""
    rec.code_indents[start_line] = state.blkIndent


def _reference_rule(original: Callable[..., bool]) -> Callable[..., bool]:
    """Note reference definitions with unsafe targets (duplicates included), and those other
    parsers may read differently (over several lines, odd targets): both become text."""

    def rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        rec = state.env.get(_KEY)
        if silent or not isinstance(rec, Recorder):
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
    recording = isinstance(rec, Recorder)
    for index, token in enumerate(state.tokens):
        if token.type != "inline":
            continue
        if token.children is None:
            token.children = []
        notes = InlineNotes(token.content, rec) if recording else None
        if recording:
            rec.current = notes
        state.md.inline.parse(token.content, state.md, state.env, token.children)
        if notes is not None:
            notes.url_literals()
            if index and state.tokens[index - 1].type == "paragraph_open":
                notes.paragraph_lines()
        if notes is not None and (notes.edits or notes.failed or notes.code_spans):
            rec.inlines[id(token)] = notes
    if recording:
        rec.current = None


def _notes(state: StateInline, silent: bool) -> InlineNotes | None:
    """Notes for this inline parse, unless it is a look-ahead or an image's alt text."""
    if silent:
        return None
    rec = state.env.get(_KEY)
    notes = rec.current if isinstance(rec, Recorder) else None
    return notes if notes is not None and notes.src is state.src else None


def _inline_noting(
    note: Callable[[InlineNotes, StateInline, int, int], None],
) -> Callable[[Callable[..., bool]], Callable[..., bool]]:
    """A wrapper for inline rules: once the rule matched in the parse we record, ``note`` the
    span it took (from its start and the number of tokens before it)."""

    def wrap(original: Callable[..., bool]) -> Callable[..., bool]:
        def rule(state: StateInline, silent: bool) -> bool:
            start, count = state.pos, len(state.tokens)
            if not original(state, silent):
                return False
            notes = _notes(state, silent)
            if notes is not None:
                note(notes, state, start, count)
            return True

        return rule

    return wrap


def _note_code_span(notes: InlineNotes, state: StateInline, start: int, count: int) -> None:
    """Make code spans holding Markdown-like text read as code in other parsers too."""
    if _first_of(state.tokens, count, "code_inline") is not None:
        notes.code_span(start, state.pos)


def _note_link(notes: InlineNotes, state: StateInline, start: int, count: int) -> None:
    opener = _first_of(state.tokens, count, "link_open")
    if opener is not None:
        label_end = functools.partial(state.md.helpers.parseLinkLabel, state, start, True)
        notes.link(start, state.pos, opener, label_end)


def _note_image(notes: InlineNotes, state: StateInline, start: int, count: int) -> None:
    label_end = functools.partial(state.md.helpers.parseLinkLabel, state, start + 1, False)
    notes.image(
        start, state.pos, state.tokens[-1], in_link=state.linkLevel > 0, label_end=label_end
    )


def _note_autolink(notes: InlineNotes, state: StateInline, start: int, count: int) -> None:
    opener = _first_of(state.tokens, count, "link_open")
    if opener is not None and not notes.rec.link_ok(opener.attrGet("href")):
        notes.edits.append((start, start + 1, "&lt;"))


def _note_html(notes: InlineNotes, state: StateInline, start: int, count: int) -> None:
    notes.escape_lts(start, state.pos)


def _suspect_rule(state: StateInline, silent: bool) -> bool:
    """Last inline rule, reached by text no other rule took; it only takes notes."""
    if silent or state.src[state.pos] not in "<]:":
        return False
    notes = _notes(state, silent)
    if notes is None:
        return False
    pos = state.pos
    if state.src[pos] == "<":
        if SUSPECT_LT_RE.match(state.src, pos):
            notes.edits.append((pos, pos + 1, "&lt;"))
    elif state.src[pos] == ":":
        if pos >= 3 and BARE_FTP_RE.match(state.src, pos - 3):  # `ftp\://` is no link
            notes.edits.append((pos, pos, "\\"))
    elif notes.suspect_bracket(pos):
        notes.escape_bracket(pos)
    return False


def _first_of(tokens: list[Token], start: int, kind: str) -> Token | None:
    for index in range(start, len(tokens)):
        if tokens[index].type == kind:
            return tokens[index]
    return None
