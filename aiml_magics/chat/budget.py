"""A credit budget for the session (`AimlMagics.budget_credits`), checked before each request.

Once the session has spent its budget, nothing more is sent. A request whose planned cost is
more than what is left is sent only when the user confirms it. The plan is the prompt plus
`max_tokens` of output when the cell sets it; without it, what answers of the model used in
this session (a high percentile; 4,096 tokens before the first), since the model's whole
output limit would make the budget ask before every cell. A request whose cost cannot be
estimated (no price in the catalogue, a variable price) is sent only when the user says so:
the guard fails closed, never open.
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
    from ..api.service import Balance
    from .request import TurnRequest
    from .sender import Sender, Spender
    from .view import AnswerView

RAISE_IT = (
    "Raise it with %config AimlMagics.budget_credits = N (2,000,000 credits = $1) "
    "or in %aiml panel."
)
# The question stays on the page above the answer to it: the refusal does not repeat it.
NOT_CONFIRMED = "not confirmed; nothing was sent."


class BudgetError(errors.AimlError):
    title = "Budget"
    spent = False  # True when nothing is left, not only too little for this request


class CannotAsk(RuntimeError):
    """Raised by an `ask` where nobody can answer (a batch row); its text says why."""


def row_cannot_ask(question: str) -> str:
    """A batch row's `ask`: rows run in worker threads, where nobody can answer."""
    raise CannotAsk("a batch row cannot ask for confirmation")


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


def against_balance(session: Spender, balance: Balance) -> str:
    """The budget stated against the service's balance, or '' without a budget: what is left
    of it, and whether the balance (USD only: credits are priced in dollars) covers it."""
    budget = session.settings.budget_credits
    if budget is None:
        return ""
    left = max(0.0, budget - session.spent_credits())
    text = f"budget: {left:,.0f} credits left of {budget:,.0f}"
    if balance.currency.upper() != "USD":
        return text
    covered = balance.current_balance / USD_PER_CREDIT
    if covered < left:
        return f"{text}; the balance ({covered:,.0f} credits) runs out first"
    return f"{text}; the balance covers it ({covered:,.0f} credits)"


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
        exhausted = BudgetError(
            f"this session has spent {credits_text(spent)} of its budget of "
            f"{credits_text(budget)}; nothing was sent. {RAISE_IT}"
        )
        exhausted.spent = True
        raise exhausted
    observed = session.output_tokens(model)
    cost = estimate(client, model, messages, params, cached_tokens=cached_tokens, observed=observed)
    planned, left = cost.planned_credits, budget - spent
    if planned is None:
        unknown_cost(cost.unknown_reason, left, ask)
        return cost
    if planned <= left:
        return cost
    cost_text = planned_text(cost, planned)
    question = f"{cost_text} but {credits_text(left)} of the budget are left. Send it anyway? "
    question += "[y/N] "
    try:
        answer = (ask or input)(question)
    except (EOFError, RuntimeError, OSError) as exc:  # StdinNotImplementedError: RuntimeError
        raise BudgetError(
            f"{cost_text[0].lower()}{cost_text[1:]} but only {credits_text(left)} of the budget "
            f"are left, and {_why_not_asked(exc)}; nothing was sent. Lower --max-tokens, or "
            f"{RAISE_IT[0].lower()}{RAISE_IT[1:]}"
        ) from None
    if answer.strip().lower() not in ("y", "yes"):
        raise BudgetError(NOT_CONFIRMED)
    return cost


def _why_not_asked(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, CannotAsk) else "this frontend cannot ask for confirmation"


def planned_text(cost: Estimate, planned: float) -> str:
    """What the budget planned with, and the assumption behind it."""
    if cost.likely_output is None or cost.output_limit_from == "max_tokens":
        return (
            f"This request may cost up to {credits_text(planned)} (~{cost.prompt_tokens:,} "
            f"prompt tokens, up to {cost.max_output:,} output tokens)"
        )
    return (
        f"This request will likely cost about {credits_text(planned)} (~{cost.prompt_tokens:,} "
        f"prompt tokens, ~{cost.likely_output:,} output tokens: {cost.likely_from}; "
        "--max-tokens sets a bound)"
    )


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
    except (EOFError, RuntimeError, OSError) as exc:
        raise BudgetError(
            f"the cost of {subject} cannot be estimated ({why}), and {_why_not_asked(exc)}; "
            "nothing was sent. Choose a model with token prices, set "
            "--max-tokens, or turn the budget off with %config AimlMagics.budget_credits = None."
        ) from None
    if answer.strip().lower() not in ("y", "yes"):
        raise BudgetError(NOT_CONFIRMED)


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
    costs = [
        estimate(
            session.client(),
            model,
            context.messages,
            request.params,
            observed=session.output_tokens(model),
        )
        for model in models
    ]
    unknown = [c for c in costs if c.planned_credits is None]
    if unknown:
        why = "; ".join(f"{c.model}: {c.unknown_reason}" for c in unknown)
        unknown_cost(why, left, ask, subject=f"{len(unknown)} of these requests")
        return
    high = sum(c.planned_credits or 0.0 for c in costs)
    if high <= left:
        return
    bounded = all(c.output_limit_from == "max_tokens" for c in costs)
    likely = "may cost up to" if bounded else "will likely cost about"
    question = (
        f"These {len(models)} requests {likely} {credits_text(high)} together "
        f"({_outputs_planned(costs)}) but {credits_text(left)} of the budget are left. "
        "Send them anyway? [y/N] "
    )
    try:
        answer = (ask or input)(question)
    except (EOFError, RuntimeError, OSError):
        raise BudgetError(
            f"these {len(models)} requests {likely} {credits_text(high)} but only "
            f"{credits_text(left)} of the budget are left, and this frontend cannot ask "
            "for confirmation; nothing was sent. Lower --max-tokens or compare fewer models."
        ) from None
    if answer.strip().lower() not in ("y", "yes"):
        raise BudgetError(NOT_CONFIRMED)


def _outputs_planned(costs: Sequence[Estimate]) -> str:
    """The output each request of a comparison was planned with, and why."""
    plans = [
        f"up to {c.max_output:,}"
        if c.likely_output is None or c.output_limit_from == "max_tokens"
        else f"~{c.likely_output:,} ({c.likely_from})"
        for c in costs
    ]
    if len(set(plans)) == 1:
        return f"{plans[0]} output tokens each; --max-tokens sets a bound"
    each = "; ".join(f"{c.model}: {plan}" for c, plan in zip(costs, plans, strict=True))
    return f"output tokens planned: {each}; --max-tokens sets a bound"


def asking(view: AnswerView, ask: Callable[[str], str] | None) -> Callable[[str], str]:
    """The budget's question (`input` unless told otherwise), with the view's status line
    saying it waits for the user, not that it is sending."""

    def asking(question: str) -> str:
        waiting = getattr(view, "waiting", None)  # views with a status line have it
        if waiting is not None:
            waiting("waiting for your confirmation")
        try:
            return (ask or input)(question)
        finally:
            if waiting is not None:
                waiting("sending...")

    return asking
