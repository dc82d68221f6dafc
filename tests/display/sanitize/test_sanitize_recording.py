"""Raw HTML, definitions and code spans, as the recording rules note them.

Tests of `sanitize.recording` and `sanitize.notes`: markdown-it's rules find raw HTML (shown
as text), reference definitions other parsers may read otherwise (made text), stray brackets a
looser parser could still close, and code spans holding Markdown-like text (laid out so that
`marked` reads them as code too).
"""

from __future__ import annotations

import pytest
from sanitize_checks import assert_harmless, assert_neutralised_to, neutralized
from sanitize_corpus import HOSTILE_HTML, LOOSE_PARSER_ONLY

from aiml_magics.display.sanitize import is_safe_markdown

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("text", "visible"), HOSTILE_HTML)
def test_raw_html_renders_inert_and_visible(text: str, visible: str) -> None:
    shown = assert_harmless(neutralized(text))
    assert visible in shown


@pytest.mark.parametrize(
    ("text", "visible"),
    [p for p in HOSTILE_HTML if not any(marker in p.values[0] for marker in LOOSE_PARSER_ONLY)],
)
def test_raw_html_is_detected_before_neutralising(text: str, visible: str) -> None:
    assert not is_safe_markdown(text)


# Code spans that hold Markdown-like text (`<tag`, `](`, `![`) are made unambiguous, so that a
# parser other than markdown-it (JupyterLab's marked) cannot read them as Markdown. The code
# itself renders the same.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a code span over two lines is joined (line ends render as spaces anyway)
        pytest.param("a `x\n<b>` c", "a `x <b>` c", id="code-span-lines"),
        # ... and gets a backtick count no stray backtick run has
        pytest.param("x ` y\n\n`<i>`", "x ` y\n\n``<i>``", id="code-span-fence"),
        # marked's ~strike~ may run from before any earlier code span into this one
        pytest.param("~a`<b>` ``<i>`~``", "\\~a```<b>``` ``<i>`~``", id="strike-over-code"),
        # ... counting an escaped backtick's run as one shorter too
        pytest.param("x \\`` y\n\n``<i>``", "x \\`` y\n\n```<i>```", id="escaped-backtick"),
        # marked reads "~`" as text, and lets a bare URL swallow backticks
        pytest.param("~`<b>`", "\\~`<b>`", id="tilde"),
        pytest.param("www.x.org`<b>`", "www.x.org\\`&lt;b>`", id="bare-url"),
    ],
)
def test_code_spans_that_look_like_markdown_are_made_unambiguous(text: str, expected: str) -> None:
    assert_neutralised_to(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a definition marked might not read as one becomes text
        pytest.param("[r]:\n<b>", "\\[r\\]:\n&lt;b>", id="definition-next-line"),
        pytest.param("[r]:<b>", "\\[r\\]:&lt;b>", id="definition-angle-tag"),
        # ... and text marked might read as a definition does too
        pytest.param("[r]: javascript:x", "\\[r\\]: javascript:x", id="definition-unsafe"),
        # a stray `](` that a looser parser could still close into a link
        pytest.param("[a `]` b](javascript:x)", None, id="stray-bracket"),
    ],
)
def test_definitions_and_brackets_other_parsers_read_differently_become_text(
    text: str, expected: str | None
) -> None:
    out = neutralized(text)
    if expected is not None:
        assert out == expected
    assert_harmless(out)


# What marked reads differently from markdown-it, found by the fuzz tests.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # marked links bare ftp:// URLs, even inside a word: `\:` keeps them text
        pytest.param(
            "see ftp://e.example/a, FTP://b or sftp://c",
            "see ftp\\://e.example/a, FTP\\://b or sftp\\://c",
            id="bare-ftp",
        ),
        pytest.param("`ftp://e.example`", "`ftp://e.example`", id="ftp-in-code"),
        # a stray target is judged as marked unescapes it
        pytest.param(
            "[[]()](javascript\\:alert(1))",
            "[[]()\\]\\(javascript\\:alert(1))",
            id="escaped-target",
        ),
        # ... skipping what JavaScript takes for blanks (a byte order mark) before it
        pytest.param(
            "[x](\ufeff javascript:alert(1))",
            "[x\\]\\(\ufeff javascript:alert(1))",
            id="bom-before-target",
        ),
        # a stray target running into a code span: marked's link would cut the code span
        pytest.param(
            "[](````()<img src=x onerror=alert(1)>````",
            "[\\]\\(````()<img src=x onerror=alert(1)>````",
            id="target-into-code",
        ),
        # a paragraph line marked may read as a table's delimiter row stays text
        pytest.param(
            "- |`|<img src=x onerror=alert(1)>|`\n-|-|-",
            "- |`|<img src=x onerror=alert(1)>|`\n\\-|-|-",
            id="lazy-table-row",
        ),
        # a link or image whose `[` marked's bare URL swallows is a link in neither parser
        pytest.param(
            "http://e![ ](<data:image/png;base64,>)",
            "http://e!\\[ \\]\\(&lt;data:image/png;base64,>)",
            id="url-swallows-image",
        ),
        # a `<...>` target is written plainly where marked, reading no link, would see a tag
        pytest.param(
            "[[[x]]](<img src=x onerror=alert(1)>)",
            "[[[x]]](img%20src=x%20onerror=alert%281%29)",
            id="angle-target",
        ),
        pytest.param("[a](<https://e.example/x>)", "[a](<https://e.example/x>)", id="autolink"),
        # in a link's text marked unescapes `\[` and `\]`: the `(` after them is escaped too
        pytest.param("[[](javascript:x(])]()", "[[\\]\\(javascript:x(])]()", id="bracket-in-link"),
        pytest.param(
            "[![x](https://e.example/x.png)(javascript:alert(1))](https://ok)",
            "[\\[image: x\\]\\(javascript:alert(1))](https://ok)",
            id="stand-in-in-link",
        ),
        # markdown-it parses an image's label apart; marked may read a link in it
        pytest.param(
            "![ftp://e`[`c`](data:image/png;base64,)",
            "![ftp\\://e`[`c`](data:image/png;base64,)",
            id="image-label-ftp",
        ),
        pytest.param(
            "![<i> [x](javascript:](data:image/png;base64,)",
            "![&lt;i> \\[x\\]\\(javascript:\\]\\(data:image/png;base64,)",
            id="image-label",
        ),
    ],
)
def test_text_marked_reads_as_markup_stays_text(text: str, expected: str) -> None:
    assert_neutralised_to(text, expected)
