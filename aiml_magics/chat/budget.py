"""A credit budget for the session (`AimlMagics.budget_credits`), checked before each request.

Once the session has spent its budget, nothing more is sent. A request whose estimated cost
(the top of its range: the prompt plus `max_tokens` of output) is more than what is left is
sent only when the user confirms it; where nobody can be asked (nbval, nbclient, a batch),
it is refused. Replayed answers cost nothing and are never checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..api import errors
from ..api.result import USD_PER_CREDIT, format_money
from .estimate import Estimate, estimate

if TYPE_CHECKING:
    from ..api.client import AimlClient
    from .sender import Spender

RAISE_IT = (
    "Raise it with %config AimlMagics.budget_credits = N (2,000,000 credits = $1) "
    "or in %aiml panel."
)


class BudgetError(errors.AimlError):
    title = "Budget"


def credits_text(amount: float) -> str:
    return f"{amount:,.0f} credits ({format_money(amount * USD_PER_CREDIT)})"


def summary(session: Spender) -> str:
    """`Budget: ... · spent ... · left ...` ('' when the session has no budget)."""
    budget = session.settings.budget_credits
    if budget is None:
        return ""
    spent = session.spent_credits()
    return (
        f"Budget: {credits_text(budget)} · spent {credits_text(spent)} · "
        f"left {credits_text(max(0.0, budget - spent))}"
    )


def check(
    session: Spender,
    client: AimlClient,
    model: str,
    messages: list[dict[str, Any]],
    params: dict[str, Any],
    *,
    ask: Callable[[str], str] | None = None,
) -> Estimate | None:
    """Raise `BudgetError` when this request may not be sent; the estimate when one was made."""
    budget = session.settings.budget_credits
    if budget is None:
        return None
    spent = session.spent_credits()
    if spent >= budget:
        raise BudgetError(
            f"this session has spent {credits_text(spent)} of its budget of "
            f"{credits_text(budget)}; nothing was sent. {RAISE_IT}"
        )
    cost = estimate(client, model, messages, params)
    high, left = cost.high_credits, budget - spent
    if high is None or high <= left:
        return cost
    question = (
        f"This request may cost up to {credits_text(high)} "
        f"(~{cost.prompt_tokens:,} prompt tokens, up to {cost.max_output:,} output tokens) "
        f"but {credits_text(left)} of the budget are left. Send it anyway? [y/N] "
    )
    try:
        answer = (ask or input)(question)
    except (EOFError, RuntimeError, OSError):  # StdinNotImplementedError is a RuntimeError
        raise BudgetError(
            f"this request may cost up to {credits_text(high)} but only {credits_text(left)} "
            "of the budget are left, and this frontend cannot ask for confirmation; nothing "
            f"was sent. Lower --max-tokens, or {RAISE_IT[0].lower()}{RAISE_IT[1:]}"
        ) from None
    if answer.strip().lower() not in ("y", "yes"):
        raise BudgetError(
            f"not confirmed: this request may cost up to {credits_text(high)} and "
            f"{credits_text(left)} of the budget are left; nothing was sent."
        )
    return cost
