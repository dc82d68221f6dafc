"""How `%%aiml --dry-run` shows a planned request: Markdown and plain text.

The facts (what was left out, the estimated cost) come first: they are what a reader wants
before deciding to send. The request body follows, collapsed in Markdown, since it can run to
hundreds of lines. The body holds earlier answers (model output, untrusted): it is shown as
JSON inside a code fence longer than any run of backticks in it, each piece passes the
neutraliser, and the only HTML written here is our own `<details>`/`<summary>` wrapper.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from ..api.result import format_money
from .compose import escape_markdown_inline, neutralize_markdown


def dry_run_lines(plan: Any) -> list[str]:
    """The facts above the body, one line each (shared by both forms)."""
    lines = ["Dry run: nothing was sent and nothing was recorded."]
    included = ", ".join(plan.included) if plan.included else "none"
    lines.append(f"Earlier turns included: {included}.")
    if plan.dropped:
        lines.append(
            f"Left out for the context budget (AimlMagics.context_tokens = "
            f"{plan.context_tokens:,}): {', '.join(plan.dropped)}."
        )
    cost = plan.estimate
    if cost is not None:
        lines.append(f"Estimated prompt tokens: ~{cost.prompt_tokens:,}.")
        lines.append(_cost_line(cost))
    if plan.tool_rounds:
        lines.append(
            "With tools, each round of calls sends one more request, priced like this one."
        )
    if plan.replay:
        lines.append(plan.replay[0].upper() + plan.replay[1:] + ".")
    return lines


def _cost_line(cost: Any) -> str:
    if cost.pricing is None:
        return f"Estimated cost: unknown ({cost.pricing_problem})."
    low = f"{cost.low_credits:,.0f} credits ({format_money(cost.low_dollars)})"
    pricing = cost.pricing
    prices = f"${pricing.input:g} / ${pricing.output:g} per 1M prompt / output tokens"
    if pricing.cached_input is not None:
        prices += f", ${pricing.cached_input:g} per 1M cached prompt tokens"
        if cost.cached_tokens:
            prices += f" (~{min(cost.cached_tokens, cost.prompt_tokens):,} cached)"
    if cost.high_credits is None:
        return f"Estimated cost: from {low}, output not bounded (no max_tokens); {prices}."
    high = f"{cost.high_credits:,.0f} credits ({format_money(cost.high_dollars)})"
    limit = f"{cost.max_output:,} output tokens, {cost.output_limit_from}"
    return f"Estimated cost: {low} to {high} (up to {limit}); {prices}."


def _fenced(text: str, language: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def context_section(plan: Any) -> tuple[str, str]:
    """The notebook context the user message starts with, exactly as it would be sent,
    under the list of its parts (Markdown collapsed under its title, plain); ("", "") when
    nothing is attached."""
    if not plan.context:
        return "", ""
    from .context import context_line, context_title, part_lines

    items = "\n".join(f"- {escape_markdown_inline(line)}" for line in part_lines(plan.context))
    inner = neutralize_markdown(f"{items}\n\n{_fenced(plan.context_text, 'text')}")
    markdown = _collapsed(context_title(plan.context), inner)
    return markdown, f"{context_line(plan.context)}\n{plan.context_text}"


def _collapsed(summary: str, markdown: str) -> str:
    """A closed `<details>` around neutralised Markdown; the blank lines let JupyterLab's
    renderer read the inside as Markdown (a code fence stays a code block)."""
    return (
        f"<details><summary>{html.escape(summary)}</summary>\n\n{markdown.strip()}\n\n"
        "</details>\n\n"
    )


def body_title(body: str) -> str:
    """`Request body (1,234 bytes / 56 lines, JSON)`: the size says whether to open it."""
    size = len(body.encode("utf-8"))
    lines = body.count("\n") + 1
    return f"Request body ({size:,} bytes / {lines:,} line{'' if lines == 1 else 's'}, JSON)"


def dry_run_bundle(plan: Any) -> dict[str, str]:
    return _bundle(plan.body, dry_run_lines(plan), *context_section(plan))


def media_dry_run_lines(plan: Any) -> list[str]:
    """A `--make` dry run: the endpoint, and the price from the catalogue's `pricing`."""
    lines = ["Dry run: nothing was sent and nothing was recorded."]
    lines.append(f"{plan.kind.capitalize()} request: POST {plan.endpoint}.")
    guess = plan.estimate
    if guess.credits is None:
        lines.append(f"Estimated cost: {guess.basis}.")
    else:
        money = format_money(guess.dollars or 0.0)
        lines.append(f"Estimated cost: {guess.credits:,.0f} credits ({money}); {guess.basis}.")
    if plan.replay:
        lines.append(plan.replay[0].upper() + plan.replay[1:] + ".")
    return lines


def media_dry_run_bundle(plan: Any) -> dict[str, str]:
    return _bundle(plan.body, media_dry_run_lines(plan))


def _bundle(
    request_body: Any, lines: list[str], context_markdown: str = "", context_plain: str = ""
) -> dict[str, str]:
    """The facts first, then the request body (collapsed in Markdown), then the context."""
    body = json.dumps(request_body, indent=2, ensure_ascii=False)
    facts = neutralize_markdown(
        f"**{escape_markdown_inline(lines[0])}**\n\n"
        + "\n".join(f"- {escape_markdown_inline(line)}" for line in lines[1:])
    )
    markdown = (
        f"{facts.strip()}\n\n"
        + _collapsed(body_title(body), neutralize_markdown(_fenced(body, "json")))
        + context_markdown
    )
    plain = [*lines, f"{body_title(body)}:", body, *([context_plain] if context_plain else [])]
    return {"text/markdown": markdown.rstrip() + "\n", "text/plain": "\n".join(plain)}
