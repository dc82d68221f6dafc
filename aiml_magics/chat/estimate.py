"""What a request would cost before it is sent: estimated tokens, priced from the catalogue.

The prompt side is an estimate (about four characters a token, images at a fixed estimate);
the output side is a range from nothing up to `max_tokens` (or the model's output limit),
because nobody knows beforehand how long an answer will be.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..api import errors
from ..api.catalogue import ModelInfo, Pricing
from ..api.result import USD_PER_CREDIT
from .conversation import CHARS_PER_TOKEN, message_tokens

if TYPE_CHECKING:
    from ..api.client import AimlClient
    from .request import TurnRequest
    from .session import Session

MODEL_LIST_TIMEOUT = (3.0, 5.0)  # connect, read: a price must not hold a cell up for long


def prompt_tokens(messages: list[dict[str, Any]], params: dict[str, Any]) -> int:
    """Estimated prompt tokens: the messages plus the tool schemas, which are sent too."""
    tokens = sum(message_tokens(m) for m in messages)
    if params.get("tools"):
        tokens += -(-len(json.dumps(params["tools"])) // CHARS_PER_TOKEN)
    return tokens


@dataclass(frozen=True)
class Estimate:
    """Estimated cost of one request; the dollar and credit fields are None without a price."""

    model: str
    prompt_tokens: int
    max_output: int | None  # the most output tokens the request allows, if known
    output_limit_from: str  # "max_tokens", "the model's output limit" or ""
    pricing: Pricing | None
    pricing_problem: str = ""  # why there is no price, when there is none
    # Prompt tokens the chat's previous request reported as cached: the same prefix goes
    # again, and models with a cache-read price bill it at that rate.
    cached_tokens: int = 0

    @property
    def low_dollars(self) -> float | None:
        if self.pricing is None:
            return None
        return self.pricing.dollars(self.prompt_tokens, 0, self.cached_tokens)

    @property
    def high_dollars(self) -> float | None:
        if self.pricing is None or self.max_output is None:
            return None
        return self.pricing.dollars(self.prompt_tokens, self.max_output, self.cached_tokens)

    @property
    def unknown_reason(self) -> str:
        """Why the top of the range cannot be known ('' when it can)."""
        if self.pricing is None:
            return self.pricing_problem or f"no price is known for {self.model}"
        if self.max_output is None:
            return "the output is not bounded (no --max-tokens, no output limit known)"
        return ""

    @property
    def low_credits(self) -> float | None:
        low = self.low_dollars
        return None if low is None else low / USD_PER_CREDIT

    @property
    def high_credits(self) -> float | None:
        high = self.high_dollars
        return None if high is None else high / USD_PER_CREDIT


def model_info(client: AimlClient, model: str) -> tuple[ModelInfo | None, str]:
    """The catalogue entry of `model` (id or alias: the list, else the model's own card,
    which deprecated models off the list still have), or None and why not."""
    try:
        client.models(retries=0, timeout=MODEL_LIST_TIMEOUT)
    except errors.AimlError as exc:
        return None, f"the model list could not be fetched ({exc.title})"
    info = client.find_model(model)
    if info is None:
        return None, f"the service does not know {model}"
    return info, ""


def estimate(
    client: AimlClient,
    model: str,
    messages: list[dict[str, Any]],
    params: dict[str, Any],
    *,
    cached_tokens: int = 0,
) -> Estimate:
    """Price one request with the catalogue's pricing (`?include=pricing`)."""
    info, problem = model_info(client, model)
    pricing = info.pricing if info is not None else None
    if info is not None and pricing is None:
        problem = f"{model}: {info.pricing_problem or 'the catalogue has no token prices'}"
    max_output, source = params.get("max_tokens"), "max_tokens"
    if not isinstance(max_output, int) or isinstance(max_output, bool):
        max_output, source = (info.max_output if info else None), "the model's output limit"
    if max_output is None:
        source = ""
    return Estimate(
        model=model,
        prompt_tokens=prompt_tokens(messages, params),
        max_output=int(max_output) if max_output else None,
        output_limit_from=source,
        pricing=pricing,
        pricing_problem=problem,
        cached_tokens=max(0, int(cached_tokens)),
    )


def cached_prefix_tokens(turns: list[Any], model: str) -> int:
    """Cached prompt tokens the last turn on `model` reported: its prefix is sent again."""
    for turn in reversed(turns):
        if turn.requested_model == model and turn.usage is not None:
            return turn.usage.cached_tokens
    return 0


def cached_prefix(session: Session, request: TurnRequest, model: str) -> int:
    """Cached prompt tokens the chat's last answer on this model reported (0 for a row)."""
    if request.row or not request.history or request.chat not in session.chats:
        return 0
    return cached_prefix_tokens(session.chats.get(request.chat).turns, model)
