"""Token prices from the catalogue's `pricing` block, in every shape the service documents.

The service sends `{"kind": "fixed", "currency": "USD", "units": [...]}` where each unit is a
charge: `{"name": "token", "measure": "output", "price": 3.25, "per": 1000000}`, or, as the
service's own integrations read it, keyed by `origin` (`provided` = input, `generated` =
output, `cached` = cache read, `cache_write`) with `content: "text"`, `phase: "inference"`.
`price` is always read with `per` (1,000,000 for most token rates, 1,000 for some).
`kind: "variants"` (a price per resolution, per second, ...) and `kind: "variable"` cannot be
quoted per token ahead of a request: they give no `Pricing`, and a reason that says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

PER_MILLION = 1_000_000
# A unit's role, by `origin` (what the service's integrations key on), else by `measure`.
ORIGINS = {"provided": "input", "generated": "output", "cached": "cached_input"}
ORIGINS["cache_write"] = "cache_write"
MEASURES = {"input": "input", "output": "output", "cached_input": "cached_input"}
MEASURES.update(cached="cached_input", cache_read="cached_input", cache_write="cache_write")


@dataclass(frozen=True)
class Pricing:
    """USD per million tokens: prompt (`input`), answer (`output`), and the cache rates when
    the catalogue has them (long chats are mostly cached prompt, billed at `cached_input`)."""

    input: float
    output: float
    cached_input: float | None = None
    cache_write: float | None = None

    @classmethod
    def from_api(cls, data: Any) -> Pricing | None:
        """The token prices of a `pricing` block, or None when it cannot be read."""
        return read_pricing(data)[0]

    def dollars(self, prompt_tokens: int, completion_tokens: int, cached_tokens: int = 0) -> float:
        """The price of a request; `cached_tokens` of the prompt are billed at the cache-read
        rate when the catalogue has one (else at the input rate)."""
        cached = max(0, min(cached_tokens, prompt_tokens)) if self.cached_input is not None else 0
        fresh = prompt_tokens - cached
        total = fresh * self.input + cached * (self.cached_input or 0.0)
        return (total + completion_tokens * self.output) / PER_MILLION


def read_pricing(data: Any) -> tuple[Pricing | None, str]:
    """(token prices, "") or (None, why there are none, in words for the user)."""
    if not isinstance(data, dict) or not data:
        return None, "the catalogue has no prices for this model"
    currency = str(data.get("currency") or "USD").upper()
    if currency != "USD":
        return None, f"its prices are in {currency}, not USD"
    kind = str(data.get("kind") or "fixed").lower()
    if kind == "variable":
        return None, "its price is variable and cannot be quoted ahead of a request"
    if kind == "variants":
        dimensions = ", ".join(str(d) for d in data.get("dimensions") or []) or "its options"
        return None, f"its price depends on {dimensions} and cannot be quoted per token"
    if kind != "fixed":
        return None, f"its pricing kind {kind!r} is not one this client can read"
    rates = _token_rates(data.get("units"))
    missing = [role for role in ("input", "output") if role not in rates]
    if missing:
        return None, f"the catalogue gives no {' or '.join(missing)} token price for it"
    return (
        Pricing(
            rates["input"],
            rates["output"],
            cached_input=rates.get("cached_input"),
            cache_write=rates.get("cache_write"),
        ),
        "",
    )


def _token_rates(units: Any) -> dict[str, float]:
    """USD per 1M tokens by role, from the text-token units (the first unit of a role wins)."""
    rates: dict[str, float] = {}
    for unit in units if isinstance(units, list) else []:
        if not isinstance(unit, dict) or not _is_text_token(unit):
            continue
        role = ORIGINS.get(str(unit.get("origin", "")).lower()) or MEASURES.get(
            str(unit.get("measure", "")).lower()
        )
        rate = _per_million(unit.get("price"), unit.get("per", PER_MILLION))
        if role and rate is not None:
            rates.setdefault(role, rate)
    return rates


def _is_text_token(unit: dict[str, Any]) -> bool:
    """A charge per text token at inference (image, audio and search units are not)."""
    if str(unit.get("name", "")).lower() != "token":
        return False
    if unit.get("type") not in (None, "charge"):
        return False
    return unit.get("content") in (None, "text") and unit.get("phase") in (None, "inference")


def _per_million(price: Any, per: Any) -> float | None:
    try:
        price, per = float(price), float(per)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(price) and math.isfinite(per)) or price < 0 or per <= 0:
        return None
    return price / per * PER_MILLION
