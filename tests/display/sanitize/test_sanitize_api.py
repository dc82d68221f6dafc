"""The public functions of `aiml_magics.display.sanitize`, and the driver behind them.

`neutralize_markdown` leaves benign answers as they are, never raises, settles in one pass
(neutralising again changes nothing) and stays fast on pathological input; whatever comes out
verifies with `is_safe_markdown` and renders inert. `escape_markdown_inline` makes a short
string plain text for our own Markdown.
"""

from __future__ import annotations

import random
import subprocess
import sys

import pytest
from sanitize_checks import assert_harmless, inspect, neutralized, permissive_render
from sanitize_corpus import (
    BENIGN_ANSWER,
    FRAGMENTS,
    HOSTILE,
    SEPARATORS,
    random_line,
)

from aiml_magics.display.sanitize import (
    escape_markdown_inline,
    is_safe_markdown,
    neutralize_markdown,
)
from aiml_magics.display.sanitize.jupyterlab import MathView

pytestmark = pytest.mark.unit


# ---------------------------------------------------------------- benign input is unchanged


def test_realistic_answer_is_unchanged() -> None:
    assert neutralized(BENIGN_ANSWER) == BENIGN_ANSWER
    assert_harmless(BENIGN_ANSWER)


@pytest.mark.parametrize(
    "text",
    [
        "a < b, x<5, p < 0.05, ->, =>, <=, <-, 1 <2",
        "`<script>alert(1)</script>` in a code span",
        "```html\n<script>alert(1)</script>\n```\n",
        '1. Write:\n   ```html\n   <div id="app"></div>\n   ```\n2. Run `open index.html`.\n',
        "    plain indented code, nothing Markdown-like in it\n",
        "Math stays math: $a<b$, $x_1 > y$ and $$\\frac{1}{2}$$",
        "| a | b |\n|---|---|\n| `x\\|y` | [ok](https://ok.example) |",
        "[mail](mailto:a@example.org), [up](../x), [top](#top), [q](?q=1)",
        "1. one\n2. two\n\n- [ ] task\n- [x] done",
    ],
)
def test_benign_markdown_is_unchanged(text: str) -> None:
    assert neutralized(text) == text


# ---------------------------------------------------------------- escape_markdown_inline


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("gpt-4o-mini", "gpt-4o-mini"),
        ("<b>bold</b> & co", "<b>bold</b> & co"),
        ("*not em* _nor_ `code` ~~del~~", "*not em* _nor_ `code` ~~del~~"),
        ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),
        ("# not a heading", "# not a heading"),
        ("1. not a list", "1. not a list"),
        ("two\nlines\r\n\n  and  spaces", "two lines and spaces"),
        ("$x$ and @@0@@ | pipe \\ backslash", "$x$ and @@0@@ | pipe \\ backslash"),
        ("<javascript:alert(1)>", "<javascript:alert(1)>"),
    ],
)
def test_escape_markdown_inline_shows_the_string_as_text(text: str, shown: str) -> None:
    escaped = escape_markdown_inline(text)
    assert "\n" not in escaped
    page = inspect(permissive_render(f"# Model {escaped}\n\n{escaped}\n"))
    assert page.tags == ["h1", "p"]
    # The page keeps `\$`, which MathJax (processEscapes) shows as `$` and never typesets.
    seen = "".join(page.text).replace("\\$", "$")
    assert seen.strip().split("\n") == [f"Model {shown}", shown]
    assert MathView.of(escaped) is None  # no `$...$` for JupyterLab either


def test_escaped_at_signs_cannot_form_a_math_placeholder() -> None:
    """marked turns `\\@\\@0\\@\\@` into `@@0@@`, which JupyterLab fails to restore (it throws)."""
    assert escape_markdown_inline("@@0@@ a@b") == "&#64;&#64;0&#64;&#64; a\\@b"
    assert neutralize_markdown("![@@0@@]()") == "\\[image: &#64;&#64;0&#64;&#64;\\]"


# ---------------------------------------------------------------- never raises


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00",
        "\x00<script>\x00",
        "\ud800 lone surrogate \udfff<b>",
        "\r\n\r<b>\r",
        "\u2028<script>\u2029",
        "\ufeff\x7f\x1b[31m",
        ">" * 300 + " <script>",
        "- " * 150 + "<b>x</b>",
        "[" * 2000 + "](javascript:x)",
        "*" * 3000,
        "`" * 3000 + "<b>",
        "<" * 3000,
        "$" * 3000 + "<b>$",
        "\\" * 3000,
        "![" * 500 + "](http://e/x.png)" * 500,
        "|a|\n|-|\n" + "|<b>|\n" * 500,
    ],
)
def test_odd_input_never_raises_and_comes_out_safe(text: str) -> None:
    out = neutralize_markdown(text)
    assert isinstance(out, str)
    assert is_safe_markdown(out)
    assert_harmless(out)


def test_non_string_input_is_tolerated() -> None:
    assert neutralize_markdown(b"<b>x</b>") == "&lt;b>x&lt;/b>"  # type: ignore[arg-type]
    assert neutralize_markdown(None) == ""  # type: ignore[arg-type]


def test_random_mixtures_always_come_out_safe() -> None:
    rng = random.Random(20240601)
    for index in range(600):
        if index % 2:
            text = "\n".join(random_line(rng) for _ in range(rng.randint(1, 12)))
        else:
            pieces = (rng.choice(FRAGMENTS) + rng.choice(SEPARATORS) for _ in range(30))
            text = "".join(pieces)[: rng.randint(1, 400)]
        out = neutralize_markdown(text)
        assert is_safe_markdown(out), (text, out)
        assert_harmless(out)


def test_neutralising_twice_changes_nothing() -> None:
    rng = random.Random(3)
    texts = [param.values[0] for param in HOSTILE] + [BENIGN_ANSWER]
    texts += ["\n".join(random_line(rng) for _ in range(rng.randint(1, 10))) for _ in range(300)]
    for text in texts:
        once = neutralize_markdown(text)
        assert neutralize_markdown(once) == once, text


# ---------------------------------------------------------------- cost


def test_importing_the_module_does_not_load_the_parser() -> None:
    code = "import sys, aiml_magics.display.sanitize; print('markdown_it' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "text",
    [
        "```x\n" * 20000,  # many fences that never close
        "~~~~~~~~~~\n" * 5000 + "~~~\n" * 5000,
        "`a``b" * 20000,  # one long line of unmatched backtick runs
        "$`$\n" * 20000,
        "<a " * 20000,
    ],
    ids=["open-fences", "tilde-fences", "backtick-runs", "dollar-code", "open-tags"],
)
def test_pathological_input_stays_fast(text: str) -> None:
    assert is_safe_markdown(neutralize_markdown(text))
