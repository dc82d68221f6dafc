"""What a request would cost before it is sent: estimated tokens, priced from the catalogue.

The prompt side is an estimate (about four characters a token, images at a fixed estimate);
the output side is a range from nothing up to `max_tokens` (or the model's output limit),
because nobody knows beforehand how long an answer will be.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
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
# Output tokens a budget plans for, without --max-tokens, before a model answered in the session.
ASSUMED_OUTPUT = 4096
PERCENTILE_FROM = 10  # answers needed before the 90th percentile replaces the longest one


def likely_output(observed: Sequence[int]) -> tuple[int, str]:
    """The output a request without --max-tokens most likely stays under, and why: a high
    percentile of what this model's answers in the session used (the model's whole output
    limit, often 64,000 tokens, would make a budget ask before every cell)."""
    if not observed:
        return ASSUMED_OUTPUT, "assumed: no answer of this model in this session yet"
    ordered = sorted(observed)
    count = len(ordered)
    if count < PERCENTILE_FROM:
        return ordered[-1], f"the longest of this model's {count} answer(s) in this session"
    rank = math.ceil(0.9 * count) - 1
    return ordered[rank], f"the 90th percentile of this model's {count} answers in this session"


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
    # Without --max-tokens: the output the answer will likely stay under, and why.
    likely_output: int | None = None
    likely_from: str = ""

    @property
    def planned_credits(self) -> float | None:
        """What a budget plans with: the top of the range when --max-tokens bounds it, else
        the likely output (never above the model's output limit); None without a price."""
        if self.pricing is None:
            return None
        if self.output_limit_from == "max_tokens" or self.likely_output is None:
            return self.high_credits
        output = min(self.likely_output, self.max_output or self.likely_output)
        dollars = self.pricing.dollars(self.prompt_tokens, output, self.cached_tokens)
        return dollars / USD_PER_CREDIT

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
    observed: Sequence[int] | None = None,
) -> Estimate:
    """Price one request with the catalogue's pricing (`?include=pricing`); with `observed`
    (output tokens of this model's answers so far) and no --max-tokens, also the likely cost."""
    info, problem = model_info(client, model)
    pricing = info.pricing if info is not None else None
    if info is not None and pricing is None:
        problem = f"{model}: {info.pricing_problem or 'the catalogue has no token prices'}"
    max_output, source = params.get("max_tokens"), "max_tokens"
    if not isinstance(max_output, int) or isinstance(max_output, bool):
        max_output, source = (info.max_output if info else None), "the model's output limit"
    if max_output is None:
        source = ""
    likely, likely_from = (None, "")
    if observed is not None and source != "max_tokens":
        likely, likely_from = likely_output(observed)
    return Estimate(
        model=model,
        prompt_tokens=prompt_tokens(messages, params),
        max_output=int(max_output) if max_output else None,
        output_limit_from=source,
        pricing=pricing,
        pricing_problem=problem,
        cached_tokens=max(0, int(cached_tokens)),
        likely_output=likely,
        likely_from=likely_from,
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
