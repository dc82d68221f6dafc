"""Hypothesis strategies for hostile model Markdown, for the sanitizer's fuzz tests.

A document mixes what a prompt-injected model could write: raw HTML (script, event attributes,
frames, SVG, comments and declarations, tags split over lines or left open), links, images and
definitions with every URL scheme in disguise (case, blanks, control and invisible characters,
entities, percent-escapes), autolinks and bare URLs, code spans and fences of every length
(backticks and tildes, nested, unclosed, odd closing lines, hostile info strings), math in all
of JupyterLab's delimiters, tables, headings, and quotes and lists (ordered, nested, lazy)
holding any of these. Strategies are built once, at import: generating is the costly part.
"""

from __future__ import annotations

from hypothesis import strategies as st

# ---------------------------------------------------------------- URLs

SCHEMES = st.sampled_from(
    ["http", "https", "javascript", "vbscript", "file", "mailto", "ftp", "blob", "jar", "ws"]
)
SCHEME_TAILS = st.sampled_from(
    ["//evil.example/x.png", "alert(1)", "alert(document.cookie)//", "a@example.org"]
)
DATA_TAILS = st.sampled_from(
    [
        "image/png;base64,iVBORw0KGgo=",
        "image/jpeg;base64,/9j/4AAQ",
        "image/gif;base64,R0lGODlh",
        "image/webp;base64,UklGRg==",
        "image/PNG;base64,iVBORw0KGgo=",
        "image/png,raw",
        "image/svg+xml;base64,PHN2Zz4=",
        "image/svg+xml,<svg onload=alert(1)>",
        "text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "text/html,<script>alert(1)</script>",
        "application/javascript,alert(1)",
        ";base64,iVBORw0KGgo=",
    ]
)
RELATIVE = st.sampled_from(["a.md", "./x.png", "../up", "#top", "?q=1", "/abs/x.png", "x y", ""])
PROTOCOL_RELATIVE = st.sampled_from(
    ["//evil.example/x.png", "\\\\evil.example/x.png", "/\\evil.example", "///e"]
)
URL_KINDS = st.sampled_from(["scheme", "scheme", "data", "relative", "protocol-relative"])
# What a browser or a lenient renderer undoes, put into or before the scheme.
TRICKS = st.sampled_from(["case", "lead", "hide", "encode", "entity"])
LEADS = st.sampled_from([" ", "\t", "\x01", "\x00", "\u00a0", "\ufeff"])
HIDING = st.sampled_from(["\t", "\n", "\x01", "\u200b", "\u00ad", "&#x09;", "&Tab;", "%09", " "])
COLONS = st.sampled_from(["&colon;", "&#58;", "%3A", "%253A", "\\:"])


@st.composite
def urls(draw: st.DrawFn) -> str:
    """A link or image target: any scheme, data, relative, protocol-relative; disguised."""
    kind = draw(URL_KINDS)
    if kind == "relative":
        return draw(RELATIVE)
    if kind == "protocol-relative":
        return draw(PROTOCOL_RELATIVE)
    scheme = "data" if kind == "data" else draw(SCHEMES)
    tail = draw(DATA_TAILS if kind == "data" else SCHEME_TAILS)
    colon = ":"
    for _ in range(draw(st.integers(0, 2))):
        trick, at = draw(TRICKS), draw(st.integers(0, len(scheme)))
        if trick == "case":
            scheme = scheme[:at] + scheme[at:].upper()
        elif trick == "lead":
            scheme = draw(LEADS) + scheme
        elif trick == "hide":
            scheme = scheme[:at] + draw(HIDING) + scheme[at:]
        elif trick == "encode":
            colon = draw(COLONS)
        elif scheme[:1].isalpha():
            scheme = f"&#{ord(scheme[0])};{scheme[1:]}"
    return scheme + colon + tail


URLS = urls()
TITLES = st.sampled_from(
    ["", ' "t"', " 't'", " (t)", ' "$" onmouseover="alert(1)$"', ' "a\\"b"', '\n"t"']
)
REFERENCES = st.sampled_from(["r0", "r1", "R0", "r 2"])
LINK_FORMS = st.sampled_from(
    [
        "[{text}]({url}{title})",
        "[{text}](<{url}>{title})",
        "![{text}]({url}{title})",
        "![{text}](<{url}>)",
        "[![{text}]({url})]({other})",
        "[a [{text}]({url})]({other})",
        "[{text}][{ref}]",
        "![{text}][{ref}]",
        "[{ref}][]",
        "[{ref}]",
        "<{url}>",
        "{url} ",
        "https://e.example/{text}",
        "www.e.example/{text}",
        "[{text}]({url}",
        "[{text}]\n({url})",
    ]
)
DEFINITION_FORMS = st.sampled_from(
    ["[{ref}]: {url}{title}", "[{ref}]:\n{url}", "[{ref}]: <{url}>", " [{ref}]:{url}{title}"]
)


@st.composite
def filled(draw: st.DrawFn, forms: st.SearchStrategy[str], text: st.SearchStrategy[str]) -> str:
    """One of ``forms`` with only the parts it uses drawn."""
    form = draw(forms)
    parts = {"text": text, "url": URLS, "other": URLS, "title": TITLES, "ref": REFERENCES}
    return form.format(
        **{name: draw(part) if f"{{{name}}}" in form else "" for name, part in parts.items()}
    )


# ---------------------------------------------------------------- raw HTML

TAGS = st.sampled_from(
    [
        "script", "SCRIPT", "img", "svg", "iframe", "a", "div", "details", "style", "object",
        "embed", "form", "input", "body", "video", "audio", "source", "math", "textarea", "base",
        "meta", "link", "b", "span", "a_b", "x:y", "pre", "table", "noscript", "template",
    ]
)  # fmt: skip
ATTRIBUTES = st.sampled_from(
    [
        "onerror=alert(1)", 'onclick="alert(1)"', "onload='alert(1)'", "onmouseover=alert(1)",
        "onfocus=alert(1) autofocus tabindex=1", "open ontoggle=alert(1)", "src=x",
        "src=//evil.example/x.js", 'href="javascript:alert(1)"', "href=//evil.example",
        "srcdoc='<script>alert(1)</script>'", 'style="background:url(//evil.example/x)"',
        'srcset="//evil.example/x.png 2x"', "data=x.swf", "action=//evil.example",
        "formaction=javascript:alert(1)", "poster=//evil.example/p.png", 'x="y>"',
    ]
)  # fmt: skip
HTML_PIECES = st.sampled_from(
    [
        "<!-- x -->", "<!--", "-->", "<!DOCTYPE html>", "<![CDATA[<script>alert(1)</script>]]>",
        "<?xml-stylesheet href=x?>", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
        "<iframe src=javascript:alert(1)></iframe>", "<svg><script>alert(1)</script></svg>",
        "<a href=javascript:alert(1)>x</a>", "<style>@import url(//evil.example)</style>",
        "</x:y onclick=alert(1)>", "<javascript:alert(1)>", "<https://e.example>", "<a@b.example>",
    ]
)  # fmt: skip
ATTRIBUTE_SEPARATORS = st.sampled_from([" ", " ", "\n", "/", "\t"])
TAG_ENDS = st.sampled_from([">", ">", "/>", "", " >", "\n>"])


@st.composite
def tags(draw: st.DrawFn) -> str:
    """An opening or closing tag with hostile attributes, maybe split over lines or open."""
    tag, separator = draw(TAGS), draw(ATTRIBUTE_SEPARATORS)
    attributes = "".join(separator + a for a in draw(st.lists(ATTRIBUTES, max_size=3)))
    closing = "/" if draw(st.integers(0, 3)) == 0 else ""
    return f"<{closing}{tag}{attributes}{draw(TAG_ENDS)}"


RAW_HTML = st.one_of(HTML_PIECES, tags())

# ---------------------------------------------------------------- inline

WORDS = st.sampled_from(
    [
        "text", "a b", "x<5", "p < 0.05", "a -> b", "*em*", "**strong**", "_u_", "~~del~~", "~",
        "\\", "\\*", "\\<", "\\[", "\\@", "&amp;", "&lt;", "&#106;", "&quot;", '"', "'", "@@0@@",
        "@@1@@", "@", "{", "}", "|", "\\|", "#", "!", "[", "]", "(", ")", "](", "![", "<", ">",
        "&", "*", "_", "$", "$$", "\\$", "\t", "  ", "\u00a0", "www.", "://", "\\]", "\\(",
        "[[", "]]", "<x y>",
    ]
)  # fmt: skip
LABEL_WORDS = st.sampled_from(["x", "a b", "*x*", "<b>", "`c`", "$y$", "", "[", "]", "!["])
CODE_PREFIXES = st.sampled_from(["", "", "", "~", "\\", "www.e.example"])
MATH_DELIMITERS = st.sampled_from(
    [("$", "$"), ("$$", "$$"), ("\\\\(", "\\\\)"), ("\\\\[", "\\\\]"),
     ("\\begin{x}", "\\end{x}"), ("$", ""), ("$", "\n$"), ("${", "}$")]
)  # fmt: skip


@st.composite
def code_spans(draw: st.DrawFn, content: st.SearchStrategy[str]) -> str:
    """Backtick runs of 1 to 4 around ``content``, closed by as many, fewer, more or none."""
    size = draw(st.integers(1, 4))
    close = draw(st.sampled_from([size, size, size - 1, size + 1, 0]))
    return f"{draw(CODE_PREFIXES)}{'`' * size}{draw(content)}{'`' * close}"


@st.composite
def math(draw: st.DrawFn, content: st.SearchStrategy[str]) -> str:
    opening, closing = draw(MATH_DELIMITERS)
    return f"{opening}{draw(content)}{closing}"


def joined(bits: st.SearchStrategy[str], max_size: int, separators: list[str]):
    """A run of ``bits`` with the separators between them drawn too."""
    pairs = st.lists(st.tuples(bits, st.sampled_from(separators)), min_size=1, max_size=max_size)
    return pairs.map(lambda items: "".join(b + s for b, s in items).strip("\n"))


SMALL = joined(st.one_of(WORDS, RAW_HTML, filled(LINK_FORMS, LABEL_WORDS)), 3, [" ", ""])
INLINE = joined(
    st.one_of(
        WORDS,
        RAW_HTML,
        filled(LINK_FORMS, st.one_of(LABEL_WORDS, SMALL)),
        code_spans(SMALL),
        math(SMALL),
    ),
    6,
    ["", " ", " ", " ", "\n"],
)
"""One line or a few of inline Markdown, hostile bits among ordinary ones."""

# ---------------------------------------------------------------- blocks

INFO_STRINGS = st.sampled_from(
    [
        "", "", "python", "text", "html", 'x" onmouseover="alert(1)', 'x" tabindex=0 autofocus',
        "<img src=x onerror=alert(1)>", "$x$", "`x", '{r, echo="x"}', " md ", "~~~", 'x\\"y',
    ]
)  # fmt: skip
FENCE_LIKE = st.sampled_from(["```", "~~~", "````", "```~", "```\t", "~~~~~", "``` x"])
FENCE_BODY = st.lists(st.one_of(INLINE, RAW_HTML, FENCE_LIKE), max_size=4)
CLOSING_TAILS = st.sampled_from(["", "", "", "\t", "~", " x"])


@st.composite
def fences(draw: st.DrawFn) -> str:
    """A fence of backticks or tildes, indented or not, closed by a line of any kind or open."""
    char, size = draw(st.sampled_from("`~")), draw(st.integers(3, 6))
    opening = " " * draw(st.integers(0, 3)) + char * size + draw(INFO_STRINGS)
    closing = char * draw(st.sampled_from([size, size, size + 1, size - 1, 0]))
    closing += draw(CLOSING_TAILS) if closing else ""
    return "\n".join([opening, *draw(FENCE_BODY)] + ([closing] if closing else []))


ALIGNMENTS = st.sampled_from(["---", ":-:", "--:", ":--"])
CELLS = INLINE.map(lambda text: text.replace("\n", " "))


@st.composite
def tables(draw: st.DrawFn) -> str:
    width = draw(st.integers(1, 3))
    rows = draw(
        st.lists(st.lists(CELLS, min_size=width, max_size=width + 1), min_size=1, max_size=3)
    )
    delimiter = "|" + "|".join(draw(ALIGNMENTS) for _ in range(width)) + "|"
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join([lines[0], delimiter, *lines[1:]])


LEAF_BLOCKS = st.one_of(
    INLINE,
    INLINE.map(lambda text: "## " + text.replace("\n", " ")),
    fences(),
    INLINE.map(lambda text: "    " + text.replace("\n", "\n    ")),
    INLINE.map(lambda text: "\t" + text),
    RAW_HTML.map(lambda tag: f"{tag}\n{tag}"),
    st.just("<div>\n<img src=x onerror=alert(1)>\n</div>"),
    tables(),
    filled(DEFINITION_FORMS, st.just("")),
    st.sampled_from(["---", "***", "", "\t", "> ", "- ", "1."]),
)
QUOTE_MARKERS = st.sampled_from(["> ", ">", "> > ", ">\t"])
ITEM_MARKERS = st.sampled_from(["- ", "* ", "+ ", "1. ", "2) ", "10. "])


@st.composite
def quoted(draw: st.DrawFn, block: st.SearchStrategy[str]) -> str:
    """A quote; its continuation lines may be lazy (no marker)."""
    marker, lazy = draw(QUOTE_MARKERS), draw(st.booleans())
    lines = draw(block).split("\n")
    return "\n".join(line if lazy and index else marker + line for index, line in enumerate(lines))


@st.composite
def listed(draw: st.DrawFn, block: st.SearchStrategy[str]) -> str:
    """A list of one to three items, indented as the marker wants, or less, or not at all."""
    items = []
    for text in draw(st.lists(block, min_size=1, max_size=3)):
        marker = draw(ITEM_MARKERS)
        indent = " " * draw(st.sampled_from([len(marker), len(marker), 2, 4, 0]))
        first, *rest = text.split("\n")
        items.append("\n".join([marker + first, *(indent + line for line in rest)]))
    return draw(st.sampled_from(["\n", "\n\n"])).join(items)


BLOCKS = st.recursive(
    LEAF_BLOCKS, lambda children: st.one_of(quoted(children), listed(children)), max_leaves=4
)
DOCUMENTS = joined(BLOCKS, 5, ["\n", "\n\n", "\n\n", "\n\n\n"])
"""A whole answer: a few blocks, separated by blank lines or not."""
