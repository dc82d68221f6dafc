"""How `%%aiml --dry-run` shows a planned request: Markdown and plain text.

The body holds earlier answers (model output, untrusted): it is shown as JSON inside a code
fence longer than any run of backticks in it, and the whole Markdown passes the neutraliser.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..api.result import format_money
from .compose import escape_markdown_inline, neutralize_markdown


def dry_run_lines(plan: Any) -> list[str]:
    """The facts under the body, one line each (shared by both forms)."""
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
    prices = f"${cost.pricing.input:g} / ${cost.pricing.output:g} per 1M prompt / output tokens"
    if cost.high_credits is None:
        return f"Estimated cost: from {low}, output not bounded (no max_tokens); {prices}."
    high = f"{cost.high_credits:,.0f} credits ({format_money(cost.high_dollars)})"
    limit = f"{cost.max_output:,} output tokens, {cost.output_limit_from}"
    return f"Estimated cost: {low} to {high} (up to {limit}); {prices}."


def dry_run_bundle(plan: Any) -> dict[str, str]:
    return _bundle(plan.body, dry_run_lines(plan))


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


def _bundle(request_body: Any, lines: list[str]) -> dict[str, str]:
    """The body as fenced JSON (a fence longer than any backtick run in it), then the lines."""
    body = json.dumps(request_body, indent=2, ensure_ascii=False)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    markdown = (
        f"**{escape_markdown_inline(lines[0])}**\n\n"
        f"{fence}json\n{body}\n{fence}\n\n"
        + "\n".join(f"- {escape_markdown_inline(line)}" for line in lines[1:])
        + "\n"
    )
    return {
        "text/markdown": neutralize_markdown(markdown),
        "text/plain": "\n".join([lines[0], body, *lines[1:]]),
    }
