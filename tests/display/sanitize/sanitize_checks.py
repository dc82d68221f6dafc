"""How the sanitizer tests judge a result: render it, then hold the HTML to an allow-list.

Two renderers: markdown-it set up as a frontend that trusts its input (raw HTML on, every link
target accepted), in process; and JupyterLab's own steps in Node (`jupyterlab_render.mjs`:
the math pre-pass, then `marked` as JupyterLab configures it), the parser that really renders
notebook outputs. Either way the HTML may only use an allow-list of tags and attributes, no
`on*` attribute, and no target that runs script or makes the browser fetch by itself.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

from markdown_it import MarkdownIt

from aiml_magics.display.sanitize import is_safe_markdown, neutralize_markdown

ALLOWED_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "code",
    "em", "strong", "s", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "br", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"href", "src", "alt", "title", "class", "style", "start"}
MARKED_TAGS = ALLOWED_TAGS | {"del", "input"}
MARKED_ATTRIBUTES = ALLOWED_ATTRIBUTES | {"id", "align", "checked", "disabled", "type"}

RASTER_DATA_IMAGE_RE = re.compile(r"data:image/(?:png|jpeg|gif|webp)[;,]", re.IGNORECASE)
TEXT_ALIGN_RE = re.compile(r"text-align:\s*(?:left|center|right);?")

NODE_MODULES = Path(__file__).resolve().parents[3] / "labextension" / "node_modules"
RENDER_MJS = Path(__file__).with_name("jupyterlab_render.mjs")
NODE_PARTS = ("marked", "marked-gfm-heading-id", "marked-mangle", "@jupyterlab/rendermime")


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
    """No script, and no fetch the browser makes by itself: raster `data:` images only."""
    if tag == "img" and name == "src":
        remote = allow_remote_images and browser_scheme(value) in (None, "http", "https")
        return bool(RASTER_DATA_IMAGE_RE.match(value.strip())) or remote
    if name == "href":
        return browser_scheme(value) in (None, "http", "https", "mailto")
    return True


def problems(
    html: str,
    tags: set[str] = ALLOWED_TAGS,
    attributes: set[str] = ALLOWED_ATTRIBUTES,
    allow_remote_images: bool = False,
) -> list[str]:
    """What in ``html`` is outside the allow-list; empty when the page is harmless."""
    page = inspect(html)
    found = [f"tag {tag}" for tag in sorted(set(page.tags) - tags)]
    for tag, name, value in page.attributes:
        if name not in attributes or name.startswith("on"):
            found.append(f"attribute {tag} {name}={value!r}")
        elif not safe_target(tag, name, value, allow_remote_images):
            found.append(f"target {tag} {name}={value!r}")
        elif name == "class" and not value.startswith("language-"):
            found.append(f"class {tag} {value!r}")
        elif name == "style" and not TEXT_ALIGN_RE.fullmatch(value):
            found.append(f"style {tag} {value!r}")
        elif name == "type" and value != "checkbox":
            found.append(f"input type {value!r}")
    return found


def assert_harmless(markdown: str, allow_remote_images: bool = False) -> str:
    """Render `markdown` permissively and check the allow-list; return the visible text."""
    html = permissive_render(markdown)
    assert not problems(html, allow_remote_images=allow_remote_images), (markdown, html)
    return "".join(inspect(html).text)


def marked_problems(html: str) -> list[str]:
    """``problems`` for a page JupyterLab rendered: marked adds task boxes, ids, alignment."""
    return problems(html, MARKED_TAGS, MARKED_ATTRIBUTES)


def neutralized(text: str, **options: bool) -> str:
    """``neutralize_markdown``, checking that its result verifies."""
    out = neutralize_markdown(text, **options)
    assert is_safe_markdown(out, **options), out
    return out


def assert_neutralised_to(text: str, expected: str) -> None:
    """``text`` comes out as ``expected``, which verifies and renders inert."""
    assert neutralized(text) == expected
    assert_harmless(expected)


class JupyterLab:
    """JupyterLab's Markdown rendering, in one Node process kept for the whole session."""

    def __init__(self) -> None:
        # a file, as a pipe nobody reads could fill and block Node; closed by close()
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115
        self.process = subprocess.Popen(
            [shutil.which("node") or "node", str(RENDER_MJS), str(NODE_MODULES)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
            encoding="utf-8",
        )

    def pages(self, markdowns: list[str]) -> list[dict[str, str | None]]:
        """{html, view, error} of each text: the HTML, the text marked got, a render error."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(markdowns) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            self.stderr.seek(0)
            stderr = self.stderr.read().decode("utf-8", "replace")
            raise RuntimeError(f"the Node renderer stopped: {stderr[-3000:]}")
        return json.loads(line)

    def __call__(self, markdowns: list[str]) -> list[str]:
        """The HTML JupyterLab shows for each text."""
        return [page["html"] or "" for page in self.pages(markdowns)]

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.stderr.close()


def jupyterlab_missing() -> str | None:
    """Why the Node renderer cannot run here, or None."""
    needs = [] if shutil.which("node") else ["node on the PATH"]
    missing = [part for part in NODE_PARTS if not (NODE_MODULES / part).is_dir()]
    needs += [f"{', '.join(missing)} in {NODE_MODULES}"] if missing else []
    if not needs:
        return None
    return (
        f"the check against JupyterLab's marked needs {' and '.join(needs)}: "
        "run `pip install -e '.[test]'`, which builds labextension/node_modules"
    )
