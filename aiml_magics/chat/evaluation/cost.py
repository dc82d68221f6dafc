"""What an evaluation would send and cost, before anything is sent (`dry_run=True`).

Each answer request is priced by `chat/estimate.py` like a single cell: from its prompt
alone (an empty answer) up to an answer as long as `max_tokens` or the model's output limit
allows. A judge request quotes the answers it judges, which do not exist yet: its low end
counts them as empty and its high end as that long. The message says both assumptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...api.result import USD_PER_CREDIT, format_money
from ..estimate import Estimate, estimate
from .plan import Plan

if TYPE_CHECKING:
    from ...api.client import AimlClient


@dataclass
class DryRun:
    """Requests and estimated credits of an evaluation; nothing was sent."""

    answers: int
    judge_calls: int
    low_credits: float = 0.0
    high_credits: float | None = 0.0  # None: some output is not bounded
    unpriced: list[str] = field(default_factory=list)  # why some requests have no price
    limits: list[str] = field(default_factory=list)  # what bounds the answers: max_tokens, ...

    @property
    def requests(self) -> int:
        return self.answers + self.judge_calls

    def lines(self) -> list[str]:
        lines = [
            "Dry run: nothing was sent.",
            f"{self.requests:,} requests: {self.answers:,} answers and "
            f"{self.judge_calls:,} judge calls (identical requests are sent once, answers "
            "from an earlier run or the replay recording cost nothing).",
        ]
        low = f"{self.low_credits:,.0f} credits ({format_money(self.low_credits * USD_PER_CREDIT)})"
        lines.append(f"Estimated cost: at least {low}, the prompts alone (answers counted empty).")
        if self.high_credits is None:
            lines.append("No upper estimate: some answers have no length limit (set --max-tokens).")
        else:
            high = self.high_credits
            bound = " or ".join(dict.fromkeys(self.limits)) or "its limit"
            lines.append(
                f"At most {high:,.0f} credits ({format_money(high * USD_PER_CREDIT)}), assuming "
                f"every answer is as long as {bound} allows"
                + (" and every judge prompt quotes answers that long" if self.judge_calls else "")
                + "; real answers are usually much shorter."
            )
        lines += [f"Not priced: {why}." for why in dict.fromkeys(self.unpriced)]
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __repr__(self) -> str:
        return f"DryRun({self.answers} answers, {self.judge_calls} judge calls)"


def _messages(system: str | None, text: str) -> list[dict[str, Any]]:
    messages = [{"role": "user", "content": text}]
    return [{"role": "system", "content": system}, *messages] if system else messages


def _add(dry: DryRun, cost: Estimate, extra_prompt_tokens: int | None = 0) -> None:
    if cost.pricing is None:
        dry.unpriced.append(cost.pricing_problem)
        return
    dry.low_credits += cost.low_credits or 0.0
    if cost.output_limit_from:
        dry.limits.append(cost.output_limit_from)
    if dry.high_credits is None or cost.max_output is None or extra_prompt_tokens is None:
        dry.high_credits = None
        return
    dollars = cost.pricing.dollars(cost.prompt_tokens + extra_prompt_tokens, cost.max_output)
    dry.high_credits += dollars / USD_PER_CREDIT


def dry_run(
    client: AimlClient,
    plan: Plan,
    *,
    system: str | None,
    params: dict[str, Any],
    judge_params: dict[str, Any],
) -> DryRun:
    """Count and price every request the plan would send."""
    dry = DryRun(answers=len(plan.asks), judge_calls=plan.judge_call_count())
    longest: dict[str, int | None] = {}
    for ask in plan.asks:
        cost = estimate(client, ask.model, _messages(system, ask.text), params)
        longest[ask.model] = cost.max_output
        _add(dry, cost)
    if plan.judge_model is None or not dry.judge_calls:
        return dry
    empty = [""] * len(plan.asks)
    for call in plan.judge_calls(empty):
        quoted = [longest.get(plan.asks[n].model) for n in call.asks]
        extra = None if None in quoted else sum(q or 0 for q in quoted)
        cost = estimate(client, plan.judge_model, _messages(None, call.text), judge_params)
        _add(dry, cost, extra)
    return dry
