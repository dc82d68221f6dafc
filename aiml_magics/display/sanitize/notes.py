"""What one markdown-it parse noticed, and how its link and image targets are judged.

The recording rules (``recording``) hand every span they see to these notes. ``Recorder``
holds what concerns the whole parse (container offsets, unsafe definitions, code delimiters,
math to defuse) and judges link and image targets; the edits one inline token needs are
``InlineNotes``' (``inline``, importable from here too).
"""

from __future__ import annotations

import re

from .inline import InlineNotes, plain_text
from .jupyterlab import PLACEHOLDER_RE, URL_LITERAL_RE
from .urls import LINK_KINDS, url_kind

__all__ = ["InlineNotes", "Recorder", "plain_text"]

# What follows a ``](``: the target and title of a link, as marked may read them.
_LINK_TAIL_RE = re.compile(r"\]\([^\n]*")


class Recorder:
    """What the wrapped markdown-it rules noticed in one parse; judges targets too."""

    def __init__(self, allow_remote_images: bool, view: bool) -> None:
        self.allow_remote_images = allow_remote_images
        self.view = view  # parsing JupyterLab's view: math placeholders must not reach attributes
        self.bmarks: dict[int, int] = {}  # line -> where its content starts inside containers
        self.definitions: list[int] = []  # offsets of the `[` of unsafe reference definitions
        self.code_indents: dict[int, int] = {}  # first line of indented code -> container indent
        self.lazy_lines: set[int] = set()  # paragraph lines less indented than their list item
        self.code_delimiters: dict[int, int] = {}  # backtick count -> runs opening/closing code
        self.inlines: dict[int, InlineNotes] = {}  # id(inline token) -> its notes
        self.current: InlineNotes | None = None
        self.defuse: set[int] = set()  # placeholders whose math must not be math
        self.hidden_math_in_url = False  # marked would put restored math into an href
        self.math: set[int] = set()  # placeholders standing for math, in the view

    def math_in(self, text: str | None) -> set[int]:
        """Placeholders of math (not of literal ``@@n@@`` text) found in ``text``."""
        if not self.math or not text or "@@" not in text:
            return set()
        return {int(n) for n in PLACEHOLDER_RE.findall(text)} & self.math

    def math_in_urls(self, text: str) -> set[int]:
        """Math inside what marked links as a bare URL: restored into an href."""
        if not self.math or "@@" not in text or ("://" not in text and "www." not in text):
            return set()
        return {n for m in URL_LITERAL_RE.finditer(text) for n in self.math_in(m.group())}

    def math_in_targets(self, text: str) -> set[int]:
        """Math in what marked may link should it read this code as text: bare URLs, and the
        target and title after a ``](``."""
        found = self.math_in_urls(text)
        if self.math and "](" in text and "@@" in text:
            for match in _LINK_TAIL_RE.finditer(text):
                found |= self.math_in(match.group())
        return found

    def hides_math(self, *values: str | None) -> bool:
        return any(self.math_in(value) for value in values)

    def link_ok(self, href: str | None, title: str | None = None) -> bool:
        return url_kind(href or "") in LINK_KINDS and not self.hides_math(href, title)

    def image_ok(self, src: str | None, title: str | None, alt: str | None) -> bool:
        kind = url_kind(src or "")
        allowed = kind == "data-image" or (kind == "web" and self.allow_remote_images)
        return allowed and not self.hides_math(src, title, alt)
