"""A credit budget for the session (`AimlMagics.budget_credits`), checked before each request.

Once the session has spent its budget, nothing more is sent. A request whose estimated cost
(the top of its range: the prompt plus `max_tokens` of output) is more than what is left is
sent only when the user confirms it; so is a request whose cost cannot be estimated (no price
in the catalogue, a variable price, no output limit): the guard fails closed, never open.
Where nobody can be asked (nbval, nbclient, a batch), both are refused. Replayed answers cost
nothing and are never checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..api import errors
from ..api.result import USD_PER_CREDIT, format_money
from .estimate import Estimate, estimate

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..api.client import AimlClient
    from .request import TurnRequest
    from .sender import Sender, Spender

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
    cached_tokens: int = 0,
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
    cost = estimate(client, model, messages, params, cached_tokens=cached_tokens)
    high, left = cost.high_credits, budget - spent
    if high is None:
        unknown_cost(cost.unknown_reason, left, ask)
        return cost
    if high <= left:
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


def unknown_cost(
    why: str, left: float, ask: Callable[[str], str] | None, subject: str = "this request"
) -> None:
    """Requests the budget cannot price: sent only when the user says so."""
    question = (
        f"The cost of {subject} cannot be estimated: {why}. {credits_text(left)} of the "
        "budget are left. Send anyway? [y/N] "
    )
    try:
        answer = (ask or input)(question)
    except (EOFError, RuntimeError, OSError):
        raise BudgetError(
            f"the cost of {subject} cannot be estimated ({why}), and this frontend cannot "
            "ask for confirmation; nothing was sent. Choose a model with token prices, set "
            "--max-tokens, or turn the budget off with %config AimlMagics.budget_credits = None."
        ) from None
    if answer.strip().lower() not in ("y", "yes"):
        raise BudgetError(
            f"not confirmed: the cost of {subject} cannot be estimated ({why}); nothing was sent."
        )


def check_many(
    session: Sender,
    request: TurnRequest,
    models: Sequence[str],
    ask: Callable[[str], str] | None,
) -> None:
    """One budget question for all the models of a comparison together (asked in the main
    thread, before any column sends)."""
    budget = session.settings.budget_credits
    if budget is None:
        return
    spent = session.spent_credits()
    left = budget - spent
    if left <= 0:
        check(session, session.client(), models[0], [], {})  # raises the usual error
    chat = session.chats.get(request.chat)
    context = chat.context(
        request.key, request.user, session.settings.context_tokens, history=request.history
    )
    costs = [estimate(session.client(), m, context.messages, request.params) for m in models]
    unknown = [c for c in costs if c.high_credits is None]
    if unknown:
        why = "; ".join(f"{c.model}: {c.unknown_reason}" for c in unknown)
        unknown_cost(why, left, ask, subject=f"{len(unknown)} of these requests")
        return
    high = sum(c.high_credits or 0.0 for c in costs)
    if high <= left:
        return
    question = (
        f"These {len(models)} requests may cost up to {credits_text(high)} together "
        f"but {credits_text(left)} of the budget are left. Send them anyway? [y/N] "
    )
    try:
        answer = (ask or input)(question)
    except (EOFError, RuntimeError, OSError):
        raise BudgetError(
            f"these {len(models)} requests may cost up to {credits_text(high)} but only "
            f"{credits_text(left)} of the budget are left, and this frontend cannot ask "
            "for confirmation; nothing was sent. Lower --max-tokens or compare fewer models."
        ) from None
    if answer.strip().lower() not in ("y", "yes"):
        raise BudgetError(
            f"not confirmed: these requests may cost up to {credits_text(high)}; nothing was sent."
        )
