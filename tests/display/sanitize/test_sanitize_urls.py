"""Links and images keep only safe targets: tests of the URL policy (`sanitize.urls`).

A link may point to the web, mailto or a relative target, however the target is disguised; an
image may only be an inline raster `data:` image, so the browser fetches nothing by itself.
Other links and images show as text that still names the target.
"""

from __future__ import annotations

import pytest
from sanitize_checks import assert_harmless, neutralized, permissive_render
from sanitize_corpus import HOSTILE_LINKS

from aiml_magics.display.sanitize import is_safe_markdown
from aiml_magics.display.sanitize.urls import angle_url, plain_url, url_kind

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://example.org/x", "web"),
        ("HTTP://example.org", "web"),
        ("//evil.example/x.png", "web"),
        ("/\\evil.example/x.png", "web"),
        ("mailto:a@example.org", "mailto"),
        ("a.md", "relative"),
        ("#top", "relative"),
        ("?q=1", "relative"),
        ("data:image/png;base64,iVBORw0KGgo=", "data-image"),
        ("DATA:image/WEBP;base64,AAAA", "data-image"),
        ("data:image/svg+xml;base64,PHN2Zz4=", "unsafe"),
        ("data:text/html,<script>alert(1)</script>", "unsafe"),
        # a data image only as written: in disguise, a browser reads a relative URL and fetches
        ("data:image/png;base64,AA AA", "unsafe"),
        ("\u200bdata:image/png;base64,iVBORw0KGgo=", "unsafe"),
        ("&#100;ata:image/png;base64,iVBORw0KGgo=", "unsafe"),
        ("javascript:alert(1)", "unsafe"),
        ("JaVaScRiPt:alert(1)", "unsafe"),
        (" \tjavascript:alert(1)", "unsafe"),
        ("java\nscript:alert(1)", "unsafe"),
        ("&#106;avascript:alert(1)", "unsafe"),
        ("&#x6A;avascript&colon;alert(1)", "unsafe"),
        ("javascript%3Aalert(1)", "unsafe"),
        ("%256Aavascript:alert(1)", "unsafe"),  # percent-encoded twice
        ("java\u200bscript:alert(1)", "unsafe"),
        ("vbscript:msgbox(1)", "unsafe"),
        ("file:///etc/passwd", "unsafe"),
    ],
)
def test_url_kind_sees_through_disguises(url: str, kind: str) -> None:
    assert url_kind(url) == kind


def test_plain_url_undoes_entities_escapes_and_invisible_characters() -> None:
    assert plain_url("&#x6A;ava%73cript\u00ad:x") == "javascript:x"
    assert plain_url("https://example.org/a%20b") == "https://example.org/ab"


def test_angle_url_cannot_end_its_brackets() -> None:
    assert angle_url("https://e.org/a b<c>\\d\ne") == "https://e.org/a%20b%3Cc%3E%5Cd%0Ae"


@pytest.mark.parametrize(("text", "visible"), HOSTILE_LINKS)
def test_hostile_links_and_images_render_inert_and_visible(text: str, visible: str) -> None:
    shown = assert_harmless(neutralized(text))
    assert visible in shown


@pytest.mark.parametrize(("text", "visible"), HOSTILE_LINKS)
def test_hostile_links_and_images_are_detected_before_neutralising(text: str, visible: str) -> None:
    assert not is_safe_markdown(text)


def test_neutralised_links_show_their_text_and_target() -> None:
    assert neutralized("[click](javascript:alert(1))") == r"\[click\]\(javascript:alert(1))"
    assert neutralized("<javascript:alert(1)>") == "&lt;javascript:alert(1)>"
    assert neutralized("[x][r]\n\n[r]: javascript:x") == "\\[x\\]\\[r]\n\n\\[r\\]: javascript:x"


def test_remote_images_become_links_or_stay_with_opt_in() -> None:
    text = "![chart](https://example.org/c.png)"
    assert neutralized(text) == "[image: chart](<https://example.org/c.png>)"
    assert neutralized(text, allow_remote_images=True) == text
    assert_harmless(text, allow_remote_images=True)
    # an image inside a link keeps the link and loses the image
    assert (
        neutralized("[![l](https://e.org/l.png)](https://e.org)")
        == r"[\[image: l\]](https://e.org)"
    )
    # other targets become text, showing where the image pointed
    assert neutralized("![x](javascript:alert(1))") == r"\[image: x\] ` javascript:alert(1) `"


def test_only_raster_data_images_stay_images() -> None:
    png = "![dot](data:image/png;base64,iVBORw0KGgo=)"
    assert neutralized(png) == png
    assert "<img" in permissive_render(png)
    assert "<img" not in permissive_render(neutralized(png.replace("png", "svg+xml", 1)))


@pytest.mark.parametrize(
    "text",
    [
        "![x](\u200bdata:image/png;base64,iVBORw0KGgo=)",
        # markdown-it trims the no-break space, marked and the browser keep it
        "![x](<\xa0data:image/png;base64,iVBORw0KGgo=>)",
        "![x](< data:image/png;base64,iVBORw0KGgo=>)",
        "![x](&#100;ata:image/png;base64,iVBORw0KGgo=)",
    ],
)
def test_data_images_in_disguise_do_not_stay_images(text: str) -> None:
    """A browser reads them as relative URLs and fetches them."""
    out = neutralized(text)
    assert out.startswith("\\[image: x\\]"), out
