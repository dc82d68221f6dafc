"""The dry run's layout: the facts (the cost) first, the request body collapsed under them."""

from __future__ import annotations

import json
import re

from markdown_it import MarkdownIt

from aiml_magics.api.pricing import Pricing
from aiml_magics.chat.dryrun import DryRun
from aiml_magics.chat.estimate import Estimate
from aiml_magics.chat.mediacost import MediaEstimate, MediaPlan
from aiml_magics.display.dryrun import dry_run_bundle, media_dry_run_bundle
from aiml_magics.display.sanitize import is_safe_markdown

HOSTILE = "````\n</details><img src=x onerror=alert(1)> $5 and $6 <script>x</script>"
BODY = {
    "model": "openai/gpt-4o",
    "messages": [
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": HOSTILE},
        {"role": "user", "content": "And now?"},
    ],
    "max_tokens": 300,
}


def chat_plan(**changes) -> DryRun:
    estimate = Estimate(
        model="openai/gpt-4o",
        prompt_tokens=40,
        max_output=300,
        output_limit_from="max_tokens",
        pricing=Pricing(input=2.5, output=10.0),
    )
    fields = dict(body=BODY, included=["'first' (~2 tokens)"], estimate=estimate)
    return DryRun(**{**fields, **changes})


def without_our_wrapper(markdown: str) -> str:
    """Our `<details>`/`<summary>` wrapper is the one piece of HTML the dry run writes."""
    markdown = re.sub(r"<details><summary>[^<]*</summary>", "", markdown)
    return markdown.replace("</details>", "")


def blocks(markdown: str) -> list[tuple[str, str]]:
    """Top-level block tokens as CommonMark reads them: (type, info or html)."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [(t.type, t.info or t.content.strip()) for t in tokens if t.level == 0]


def test_the_cost_comes_before_a_closed_request_body():
    markdown = dry_run_bundle(chat_plan())["text/markdown"]
    cost = markdown.index("Estimated cost")
    details = markdown.index("<details>")
    assert markdown.startswith("**Dry run") and cost < details
    size = len(json.dumps(BODY, indent=2, ensure_ascii=False).encode())
    lines = json.dumps(BODY, indent=2, ensure_ascii=False).count("\n") + 1
    summary = f"<details><summary>Request body ({size:,} bytes / {lines} lines, JSON)</summary>"
    assert summary in markdown, "closed by default, and says how big the body is"
    assert "<details open" not in markdown


def test_the_body_inside_the_details_is_a_json_code_block():
    markdown = dry_run_bundle(chat_plan())["text/markdown"]
    shape = [kind for kind, _ in blocks(markdown)]
    opening = shape.index("html_block")
    assert shape[opening : opening + 3] == ["html_block", "fence", "html_block"]
    fence = [t for t in MarkdownIt("commonmark").parse(markdown) if t.type == "fence"][0]
    assert fence.info == "json" and json.loads(fence.content) == BODY
    assert blocks(markdown)[opening + 2] == ("html_block", "</details>")


def test_untrusted_text_in_the_body_stays_inert():
    markdown = dry_run_bundle(chat_plan())["text/markdown"]
    html = [info for kind, info in blocks(markdown) if kind == "html_block"]
    assert len(html) == 2 and html[1] == "</details>", "a `</details>` in the body stays code"
    assert is_safe_markdown(without_our_wrapper(markdown))


def test_the_notebook_context_is_collapsed_after_the_body():
    plan = chat_plan(
        context={"parts": [{"label": "@df", "tokens": 12}], "tokens": 12, "budget": 3000},
        context_text="@df: DataFrame <img src=y onerror=alert(2)>",
    )
    markdown = dry_run_bundle(plan)["text/markdown"]
    body_at = markdown.index("<summary>Request body")
    context_at = markdown.index("<details><summary>Context sent (1 part, ~12 tokens of 3,000)")
    assert markdown.index("Estimated cost") < body_at < context_at
    assert is_safe_markdown(without_our_wrapper(markdown))
    assert "```text\n@df: DataFrame" in markdown


def test_the_plain_text_has_the_same_order():
    plan = chat_plan(context={"parts": [{"label": "@df", "tokens": 12}]}, context_text="@df: 1")
    plain = dry_run_bundle(plan)["text/plain"]
    lines = plain.split("\n")
    assert lines[0].startswith("Dry run") and lines[-2].startswith("Context sent (1 part")
    heading = next(i for i, line in enumerate(lines) if line.startswith("Request body ("))
    assert any(line.startswith("Estimated cost: ") for line in lines[:heading])
    end = lines.index("}", heading)
    assert json.loads("\n".join(lines[heading + 1 : end + 1])) == BODY


def test_a_media_dry_run_has_the_same_order():
    plan = MediaPlan(
        kind="image",
        endpoint="/v1/images/generations",
        body={"model": "flux", "prompt": "a cat", "n": 1},
        estimate=MediaEstimate(credits=6300, basis="per image"),
    )
    bundle = media_dry_run_bundle(plan)
    markdown, plain = bundle["text/markdown"], bundle["text/plain"]
    assert markdown.index("Estimated cost: 6,300 credits") < markdown.index("<details><summary>")
    assert [kind for kind, _ in blocks(markdown)][-3:] == ["html_block", "fence", "html_block"]
    assert plain.index("Estimated cost") < plain.index("Request body (") < plain.index("{")
