"""What one line of a growing block leaves open, for the live splitter (`blocks.py`): a
math pair of JupyterLab's pre-pass, or an inline span (emphasis, code, link, raw HTML) that
a later line may close. A piece may only end where neither is open."""

from __future__ import annotations

import re

from .sanitize.jupyterlab import MATH_TOKENS

# JupyterLab's math pre-pass (rendermime's latex.js): the tokens it pairs, and the inline
# code spans whose `$` it leaves alone
_MATH_TOKEN = re.compile(MATH_TOKENS, re.IGNORECASE | re.ASCII)
_MATH_CODE_SPAN = re.compile(r"(^|[^\\])(`+)([^\n]*?[^`\n])\2(?!`)")
_AUTOLINK = re.compile(r"<[A-Za-z][A-Za-z0-9.+-]{1,31}:[^\s<>]*>")
_LINK_DESTINATION = re.compile(r"\(([^\s()<>\\]*)\)")
_OPEN_ANGLE = re.compile(r"<[^<>]*(?:<|$)")  # a `<` that no `>` closes on its line
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


class MathPairs:
    """JupyterLab's math pre-pass over the lines of a block: it pairs `$...$`, `$$...$$`,
    `\\\\(...\\\\)`, `\\\\[...\\\\]` and `\\begin{..}...\\end{..}` across line breaks (not a blank
    line), whatever the Markdown around them, so a piece may not end between a pair."""

    def __init__(self) -> None:
        self.end: str | None = None  # the delimiter that closes the open math
        self.braces = 0

    @property
    def open(self) -> bool:
        return self.end is not None

    def blank(self) -> None:
        self.end, self.braces = None, 0

    def line(self, line: str) -> str:
        """Follow one line; returns it with its math (as the pre-pass hides it) blanked out."""
        if "`" in line:  # the pre-pass leaves `$` in one-line code spans alone
            line = _MATH_CODE_SPAN.sub(lambda m: m[0].replace("$", "\0"), line)
        hidden, done = [], 0
        if self.end is not None:
            hidden.append("x")
        for token in _MATH_TOKEN.finditer(line):
            text = token[0]
            if self.end is None:
                if text in ("$", "$$", "\\\\(", "\\\\["):
                    self.end = {"\\\\(": "\\\\)", "\\\\[": "\\\\]"}.get(text, text)
                elif text[1:6] == "begin":
                    self.end = "\\end" + text[6:]
                else:
                    continue
                self.braces = 0
                hidden.append(line[done : token.start()] + "x")
            elif text == self.end and not self.braces:
                self.end = None
                done = token.end()
            elif text == "{":
                self.braces += 1
            elif text == "}" and self.braces:
                self.braces -= 1
        if self.end is None:
            hidden.append(line[done:])
        return "".join(hidden).replace("\0", "$")


def _kind(char: str) -> str:
    """What a delimiter run's neighbour counts as for emphasis: space (or the line's edge),
    ASCII punctuation, a letter or digit; anything else is not judged."""
    if char in ("", " ", "\t"):
        return "space"
    if char in _ASCII_PUNCTUATION:
        return "punctuation"
    return "word" if char.isalnum() else "unknown"


def _can_open_close(char: str, before: str, after: str) -> tuple[bool, bool]:
    """Whether a run of `char` between `before` and `after` may open or close emphasis
    (CommonMark's flanking rules; `~` as marked's strikethrough)."""
    left, right = _kind(before), _kind(after)
    if char == "~":
        return right != "space", left != "space"
    left_flanking = right != "space" and (right != "punctuation" or left != "word")
    right_flanking = left != "space" and (left != "punctuation" or right != "word")
    if char == "_":
        return (
            left_flanking and (not right_flanking or left == "punctuation"),
            right_flanking and (not left_flanking or right == "punctuation"),
        )
    return left_flanking, right_flanking


def inline_closed(line: str) -> bool:
    """Whether nothing inline that starts on this line of a paragraph can end on a later
    one: every code span, emphasis, strikethrough and link of it closes on it. Cautious: a
    line it cannot judge (raw HTML, a nested link, a neighbour it does not know) is open.

    marked also hides from its emphasis rules what lies between two backticks and between
    `<` and `>`, pairing them naively over lines, so these must pair on the line too."""
    if line.count("`") % 2 or _OPEN_ANGLE.search(line):
        return False
    stack: list[str] = []  # open emphasis runs and "[", innermost last
    i, n = 0, len(line)
    while i < n:
        char = line[i]
        if char == "\\" and i + 1 < n and line[i + 1] in _ASCII_PUNCTUATION:
            i += 2
        elif char == "`":
            run = len(line[i:]) - len(line[i:].lstrip("`"))
            close = re.compile(rf"(?<!`)`{{{run}}}(?!`)").search(line, i + run)
            if close is None:
                return False
            i = close.end()
        elif char == "<":
            autolink = _AUTOLINK.match(line, i)
            if autolink is None and re.match(r"<[A-Za-z/!?]", line[i:]):
                return False  # raw HTML may go on over lines
            i = autolink.end() if autolink else i + 1
        elif char == "[":
            if "[" in stack:
                return False
            stack.append("[")
            i += 1
        elif char == "]":
            if stack and stack[-1] != "[":
                return False  # emphasis open inside the brackets
            i += 1
            if not stack:
                continue
            stack.pop()
            if line[i : i + 1] == "(":  # a link's destination is not Markdown
                destination = _LINK_DESTINATION.match(line, i)
                if destination is None:
                    return False
                i = destination.end()
        elif char in "*_~":
            end = i + len(line[i:]) - len(line[i:].lstrip(char))
            run = line[i:end]
            before, after = line[i - 1 : i], line[end : end + 1]
            if "unknown" in (_kind(before), _kind(after)) or (char == "~" and len(run) > 2):
                return False
            opens, closes = _can_open_close(char, before, after)
            if opens and closes:
                return False
            if closes and stack and stack[-1] == run:
                stack.pop()
            elif closes and stack and stack[-1] != "[":
                return False  # a closer that does not match the innermost opener
            elif opens:
                stack.append(run)
            i = end
        else:
            i += 1
    return not stack
