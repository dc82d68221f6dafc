"""URL policy: which link and image targets may stay live.

A target is judged as a browser finally reads it (entities, percent-escapes and invisible
characters undone, up to three times), not as it is written, so a disguised ``javascript:``
shows. Links may go to the web, mailto or relative targets; images may only be inline raster
``data:`` images, so the browser fetches nothing by itself.
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

__all__ = ["LINK_KINDS", "angle_url", "plain_url", "url_kind"]

LINK_KINDS = frozenset({"web", "mailto", "relative"})
"""The ``url_kind`` values a link may keep."""

_INVISIBLE_RE = re.compile(
    r"[\s\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_DATA_IMAGE_RE = re.compile(
    r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/]*={0,2}", re.IGNORECASE | re.ASCII
)


def plain_url(url: str) -> str:
    """Undo what a browser or a lenient renderer might undo, so disguised schemes show."""
    plain = url
    for _ in range(3):
        decoded = _INVISIBLE_RE.sub("", html.unescape(unquote(plain)))
        if decoded == plain:
            break
        plain = decoded
    return plain


def url_kind(url: str) -> str:
    """Classify a target as 'web', 'mailto', 'relative', 'data-image' or 'unsafe'.

    A data image must be one as written: disguised (``\u200bdata:...``), a browser reads it
    as a relative URL and fetches it.
    """
    if _DATA_IMAGE_RE.fullmatch(url):
        return "data-image"
    plain = plain_url(url)
    if _DATA_IMAGE_RE.fullmatch(plain):
        return "unsafe"
    match = _SCHEME_RE.match(plain)
    if match is None:
        return "web" if plain[:2].replace("\\", "/") == "//" else "relative"
    scheme = match.group(1).lower()
    if scheme in ("http", "https"):
        return "web"
    return "mailto" if scheme == "mailto" else "unsafe"


def angle_url(url: str) -> str:
    """``url`` written to stand between ``<`` and ``>`` as a link destination."""
    for char, code in (("\\", "%5C"), ("<", "%3C"), (">", "%3E"), ("\n", "%0A"), (" ", "%20")):
        url = url.replace(char, code)
    return url
