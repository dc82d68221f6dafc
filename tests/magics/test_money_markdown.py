"""Dollar amounts in the package's own Markdown never read as math. JupyterLab hides `$...$`
pairs from marked (its math pre-pass), then MathJax typesets any `$...$` pair left in the
rendered page; with processEscapes it shows `\\$` in the page as `$`. So every `$` we write
must neither start a span of the pre-pass nor reach the page without its backslash."""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt

from aiml_magics.display.sanitize.jupyterlab import math_spans

GPT, SEED = "openai/gpt-4o", "bytedance/seed-1-8"
MONEY = re.compile(r"\$\d")


def money_as_math(markdown: str) -> list[str]:
    """Our dollar amounts JupyterLab would typeset: spans of its math pre-pass that start at
    one, and amounts whose `$` reaches the rendered page bare (MathJax pairs those)."""
    spans = [markdown[a:b] for a, b, _ in math_spans(markdown) if MONEY.match(markdown, a)]
    page = html.unescape(MarkdownIt("commonmark").enable("table").render(markdown))
    return spans + re.findall(r"(?<!\\)\$\d[\d.,]*", page)


def markdowns(out) -> list[str]:
    return [o.data["text/markdown"] for o in out.outputs if "text/markdown" in o.data]


def test_every_markdown_output_keeps_its_dollars_plain(run, ip, aiml_simulator):
    cells = [
        "%%aiml\nhello",
        "%%aiml\nand again",
        "%%aiml --dry-run --max-tokens 5000\nhow much?",
        "%aiml usage",
        f"%%aiml --compare {GPT},{SEED}\nhello",
        "%aiml history",
    ]
    seen = []
    for source in cells:
        out = run(source)
        assert out.error is None, source
        seen += markdowns(out)
    ip.user_ns["rows"] = ["a", "b", "c"]
    out = run("%%aiml --over rows\nsay {text}")
    assert out.error is None
    seen += markdowns(out)
    ip.user_ns["questions"] = [{"q": "one", "expected": "1"}, {"q": "two", "expected": "2"}]
    out = run(f"%%aiml --eval questions --compare {GPT},{SEED} --metric exact\nsay {{q}}")
    assert out.error is None
    seen += markdowns(out)
    with_money = [m for m in seen if MONEY.search(m.replace("\\\\$", "$"))]
    assert len(with_money) >= 6, "answers, dry run, usage, compare, batch and eval show amounts"
    assert [money_as_math(m) for m in seen if money_as_math(m)] == []


def test_a_batch_summary_keeps_its_dollars_plain():
    from aiml_magics.chat.batching import Summary
    from aiml_magics.display.batch import summary_bundle

    summary = Summary(rows=3, answered=3, requests=3, credits=2_000, dollars=0.001, seconds=1.5)
    markdown = summary_bundle(summary)["text/markdown"]
    doubled = markdown + "  \n" + markdown.replace("**Batch:** ", "")
    assert MONEY.search(markdown.replace("\\\\$", "$"))
    assert money_as_math(doubled) == []
