"""Do the pieces a streaming answer is cut into render as the whole text does?

A live answer shows a block that keeps growing as consecutive pieces, each a Markdown output
of its own (`blocks.next_pieces`). Rendered one by one and put side by side, they must read as
the whole: the same lists numbered the same, as tight or loose, nested the same, the same
table, the same quotation, the same code, the same math. Where one piece ends and the next
begins, HTML that only a cut makes is allowed, and only that:

- a list, a quotation or a table ends and the same one starts again (a table piece repeats
  the header: it must be the same header);
- a code block ends and one with the same info string starts again (a fence closed and
  reopened, an indented code block cut between two lines);
- where the cut falls between two lines of one paragraph, the paragraph ends and another
  starts (it reads as two paragraphs until the end).

Every ordered item is given the number its list shows, so numbering is compared, not the
`start` attributes that carry it. Math is compared as what JupyterLab's math pre-pass pairs
(`<math>` below), since that decides what MathJax typesets (outside code, which it skips).
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

from markdown_it import MarkdownIt

from aiml_magics.display.blocks import next_pieces

MARKDOWN_IT = MarkdownIt("commonmark").enable("table")
BLOCK_TAGS = "p|li|ol|ul|blockquote|table|thead|tbody|tr|th|td|h[1-6]|hr|pre"
AROUND_BLOCK_TAG = re.compile(rf"\s*(</?(?:{BLOCK_TAGS})\b[^>]*>)\s*")
PRE = re.compile(r"(<pre>.*?</pre>)", re.S)


def stream_pieces(text: str, chunk: int, piece_size: int) -> list[str]:
    """What a live view shows once `text` has streamed in chunks: finished pieces, the tail."""
    settled, carry, shown = 0, "", []
    for end in range(chunk, len(text) + chunk, chunk):
        progress = next_pieces(text[:end], settled, carry, piece_size)
        shown += progress.finished
        settled, carry = progress.settled, progress.carry
    return [*shown, progress.tail]


class _Numbered(HTMLParser):
    """Rewrites HTML with each ordered item's number as `value`, no `start` or `id`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[int | None] = []  # the next number of each open list (None: ul)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kept = {name: value for name, value in attrs if name not in ("start", "id")}
        if tag == "ol":
            self.lists.append(int(dict(attrs).get("start") or 1))
        elif tag == "ul":
            self.lists.append(None)
        elif tag == "li" and self.lists and self.lists[-1] is not None:
            kept["value"] = str(self.lists[-1])
            self.lists[-1] += 1
        shown = "".join(f' {name}="{value}"' for name, value in sorted(kept.items()))
        self.out.append(f"<{tag}{shown}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ol", "ul") and self.lists:
            self.lists.pop()
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(escape(data, quote=False))  # one spelling of each character


def normalised(html: str) -> str:
    """The HTML with items numbered, and white space only where it shows (kept in code)."""
    parser = _Numbered()
    parser.feed(html)
    parser.close()
    parts = PRE.split(re.sub(r"\n+</code></pre>", "</code></pre>", "".join(parser.out)))
    for index in range(0, len(parts), 2):  # outside <pre>
        parts[index] = AROUND_BLOCK_TAG.sub(r"\1", re.sub(r"\s+", " ", parts[index]))
    for index in range(1, len(parts), 2):  # MathJax leaves code alone, whatever was paired
        parts[index] = re.sub(r"</?math>", "", parts[index])
    return "".join(parts).strip()


def _join(left: str, right: str, mid_paragraph: bool) -> str:
    """Two pieces side by side, without what only the cut between them made."""
    while True:
        closing = re.search(r"</(ol|ul|blockquote|table)>$", left)
        if closing is None or not right.startswith(f"<{closing[1]}>"):
            break
        tag = closing[1]
        left, right = left[: closing.start()], right[len(tag) + 2 :]
        if tag == "table":
            header = re.match(r"<thead>.*?</thead>", right)
            assert header is not None and header[0] in left, ("a table piece's header", right)
            right = right[header.end() :]
            if left.endswith("</tbody>") and right.startswith("<tbody>"):
                left, right = left[: -len("</tbody>")], right[len("<tbody>") :]
            return left + right
    code = re.match(r"<pre><code[^>]*>", right)
    if code is not None and left.endswith("</code></pre>"):
        assert left.rfind(code[0]) >= 0, ("a code piece's info string", right)
        return left[: -len("</code></pre>")] + "\n" + right[code.end() :]
    if mid_paragraph and left.endswith("</p>") and right.startswith("<p>"):
        return left[: -len("</p>")] + " " + right[len("<p>") :]
    return left + right


def as_one(pieces: list[str], htmls: list[str]) -> str:
    """The rendered pieces joined as the whole would render."""
    shown = normalised(htmls[0])
    for piece, html in zip(pieces[:-1], htmls[1:], strict=True):
        last_line = piece.rstrip("\n").rsplit("\n", 1)[-1]
        mid_paragraph = bool(last_line.lstrip(" >").strip()) and piece.endswith("\n")
        shown = _join(shown, normalised(html), mid_paragraph)
    return shown


def with_math(page: dict) -> str:
    """JupyterLab's HTML with each span its math pre-pass paired shown as `<math>`."""
    return re.sub(
        r"@@(\d+)@@", lambda match: f"<math>{page['math'][int(match[1])]}</math>", page["marked"]
    )


def rendered_as_whole(render, pieces: list[str], whole: str) -> tuple[str, str]:
    """(the pieces rendered and joined, the whole rendered), `render` taking a list of texts
    to a list of HTML pages."""
    htmls = render([*pieces, whole])
    return as_one(pieces, htmls[:-1]), normalised(htmls[-1])


def markdown_it(texts: list[str]) -> list[str]:
    """CommonMark as markdown-it renders it (VS Code's renderer, rich's in a terminal)."""
    return [MARKDOWN_IT.render(text) for text in texts]
