"""Block layout every parser agrees on: tests of the rewrite (`sanitize.rewrite`).

Fences are closed, lengthened or rebuilt, indented code becomes a fence, blank lines and tab
indents are normalised, and a list markdown-it ends a quote with is escaped, so that `marked`
reads code as code and Markdown appended after an answer stays Markdown.
"""

from __future__ import annotations

import pytest
from sanitize_checks import assert_neutralised_to, neutralized, permissive_render

from aiml_magics.display.sanitize import is_safe_markdown

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("```python\nprint(1)", "```python\nprint(1)\n```\n"),
        ("intro\n\n~~~\ncode\n", "intro\n\n~~~\ncode\n~~~\n"),
        ("````md\n```\nnested\n", "````md\n```\nnested\n````\n"),
        ("```", "```\n```\n"),
        # a content line that could close the fence elsewhere makes the fence longer
        ("```\n```~\nx\n", "````\n```~\nx\n````\n"),
    ],
)
def test_open_fence_at_the_end_is_closed(text: str, expected: str) -> None:
    assert neutralized(text) == expected


def test_appended_markdown_is_not_swallowed_by_a_code_block() -> None:
    for answer in ("```python\nx = 1", "- step\n\n  ```sh\n  ls", "> ```\n> y"):
        page = permissive_render(neutralized(answer) + "\n\n**footer**\n")
        assert "<strong>footer</strong>" in page, answer


# Code blocks that hold Markdown-like text (`<tag`, `](`, `![`) are made unambiguous, so that a
# parser other than markdown-it (JupyterLab's marked) cannot read them as Markdown. The code
# itself renders the same.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # marked closes ``` with "```~": the fence gets longer than any run inside
        pytest.param(
            "```\n```~\n<img src=x onerror=alert(1)>\n```\n",
            "````text\n```~\n<img src=x onerror=alert(1)>\n````\n",
            id="early-close",
        ),
        # marked does not close with "```<tab>": clean closing line; and a top-level fence
        # holding HTML starts at column 0 after a blank line, with an info string
        pytest.param(
            "```\nx\n```\t\n```\n<img src=x onerror=1>\n```\n",
            "```\nx\n```\n\n```text\n<img src=x onerror=1>\n```\n",
            id="tab-after-closing",
        ),
        # indented code becomes a fence (parsers disagree about indentation and tabs)
        pytest.param(
            "Text:\n\n    <b>x</b>\n    y\n", "Text:\n\n```text\n<b>x</b>\ny\n```\n", id="indented"
        ),
        pytest.param(
            "- a\n\n      <b>x</b>\n", "- a\n\n  ```text\n  <b>x</b>\n  ```\n", id="in-list"
        ),
        # where that is not possible, the code stays code but shows escaped
        pytest.param("> q\n>\n>     <b>x</b>\n", "> q\n>\n>     &lt;b>x&lt;/b>\n", id="in-quote"),
        pytest.param(">\t  ftp://e.example", ">\t  ftp\\://e.example", id="ftp-in-quote"),
        # an open fence in a list item is closed at its own indent
        pytest.param(
            "1. Run:\n   ```sh\n   echo <b>", "1. Run:\n   ```sh\n   echo <b>\n   ```\n", id="open"
        ),
    ],
)
def test_code_blocks_that_look_like_markdown_are_made_unambiguous(text: str, expected: str) -> None:
    assert_neutralised_to(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # marked reads a line of blanks, "> " or "* " differently from CommonMark
        pytest.param("a\n\t\n<b>", "a\n\n&lt;b>", id="blank-with-tab"),
        pytest.param("*\t\n    x", "*\n    x", id="bare-marker"),
        # indentation tabs become spaces (CommonMark's own reading of them)
        pytest.param("-\tx\n\t\t<b>", "-\tx\n        &lt;b>", id="tabs"),
        # marked ends a list item at a lazy line opening HTML, a heading or a list item to it
        pytest.param(
            "0. e\n<http:>\n0. ```\n   <img>",
            "0. e\n&lt;http:>\n0. ```text\n   <img>\n   ```\n",
            id="lazy-autolink",
        ),
        pytest.param("- a\n#b\n- c", "- a\n\\#b\n- c", id="lazy-hash"),
        # markdown-it ends a quote with a list that CommonMark and marked read as a lazy line
        pytest.param("> a\n2) b", "> a\n2\\) b", id="list-after-quote"),
        # markdown-it ends a table where marked reads the next line as a row: a blank line
        pytest.param(
            "- |a|b|\n  |-|-|\n`c|<b>`", "- |a|b|\n  |-|-|\n\n`c|<b>`", id="lazy-line-after-table"
        ),
        pytest.param("> |a|b|\n> |-|-|\n> 2. c", "> |a|b|\n> |-|-|\n>\n> 2. c", id="quoted-table"),
        pytest.param("1. |a|b|\n   |-|-|\n2. c", "1. |a|b|\n   |-|-|\n2. c", id="item-after-table"),
    ],
)
def test_structure_other_parsers_read_differently_is_normalised(text: str, expected: str) -> None:
    assert_neutralised_to(text, expected)


# JupyterLab writes the info string of a highlighted fence, unescaped, into
# `<code class="language-...">`: a `"` would end the attribute. `&quot;` reads the same.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            '```x" tabindex=0 onfocus="alert(1)\ncode\n```',
            "```x&quot; tabindex=0 onfocus=&quot;alert(1)\ncode\n```",
            id="top-level",
        ),
        pytest.param(
            '- ```x"onmouseover="alert(1)\n  code\n  ```',
            "- ```x&quot;onmouseover=&quot;alert(1)\n  code\n  ```",
            id="in-list",
        ),
        pytest.param(
            '```{r, echo="x"}\n<b>\n```', "```{r, echo=&quot;x&quot;}\n<b>\n```", id="rebuilt"
        ),
        # code to markdown-it (indented, after a tab), a fence to marked
        pytest.param(
            '>\t  ~~~" onmouseover="alert(1)',
            ">\t  ~~~&quot; onmouseover=&quot;alert(1)",
            id="code",
        ),
        pytest.param(
            '>+ >\t ~~~" onmouseover="alert(1)',
            ">+ >\t ~~~&quot; onmouseover=&quot;alert(1)",
            id="code-in-nested-containers",
        ),
        # text to markdown-it (a lazy line), a list holding a fence to marked
        pytest.param(
            '+ /\n  2) ~~~" onmouseover="alert(1)',
            "+ /\n  2\\) ~~~&quot; onmouseover=&quot;alert(1)",
            id="lazy-line",
        ),
    ],
)
def test_quotes_in_fence_info_strings_become_entities(text: str, expected: str) -> None:
    assert neutralized(text) == expected


def test_the_verifier_rejects_a_quote_in_an_info_string() -> None:
    assert not is_safe_markdown('```x"\ny\n```')
    assert not is_safe_markdown('- a\n\n  ~~~ x\\"y\n  ~~~')
    assert is_safe_markdown("```x&quot;\ny\n```")


def test_the_verifier_rejects_a_table_marked_would_go_on_with() -> None:
    assert not is_safe_markdown("- |a|b|\n  |-|-|\n`c|<b>`")
    assert not is_safe_markdown("|a|b|\n|-|-|\n2. `c|<b>`")
    assert is_safe_markdown("- |a|b|\n  |-|-|\n\n`c|<b>`")
