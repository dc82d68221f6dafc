"""The service's own facts about models and the account, as plain data.

- Deprecations (`GET /v1/models/deprecations`, public): `deprecated` models keep serving (once
  a retirement date is set they leave `GET /v1/models`), `superseded` ids live on as aliases
  of `replaced_by`, `withdrawn` ids answer 404.
- Live speed (`GET /models/metrics?aliases=A&aliases=B`, public): p50..p99 of time to first
  token, tokens per second and duration over the last 300 s. A model without a successful
  request in that window is absent: no data, not zero.
- Balance (`GET /v2/billing`, with the key): `current_balance` and `currency`. The service's
  `/v2/billing/detail` adds the account's e-mail and user id; this client never asks for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

STATUSES = ("deprecated", "superseded", "withdrawn")
METRICS_BATCH = 100  # the most `aliases` one metrics request may carry
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_UNSAFE = re.compile(r"[^A-Za-z0-9._:-]+")


@dataclass(frozen=True)
class Deprecation:
    """One entry of the deprecation feed."""

    id: str
    status: str  # deprecated, superseded or withdrawn
    aliases: tuple[str, ...] = ()
    deprecated_at: str | None = None  # ISO dates, as the service sends them
    shutdown_at: str | None = None
    replaced_by: str | None = None
    reason: str | None = None

    @classmethod
    def from_api(cls, entry: Any) -> Deprecation | None:
        if not isinstance(entry, dict) or not entry.get("id"):
            return None
        status = str(entry.get("status") or "").lower()
        if status not in STATUSES:
            return None
        return cls(
            id=str(entry["id"]),
            status=status,
            aliases=tuple(str(a) for a in entry.get("aliases") or []),
            deprecated_at=_text(entry.get("deprecated_at")),
            shutdown_at=_text(entry.get("shutdown_at")),
            replaced_by=_text(entry.get("replaced_by")),
            reason=_text(entry.get("reason")),
        )

    def is_named(self, name: str) -> bool:
        name = name.lower()
        return any(name == n.lower() for n in (self.id, *self.aliases))

    def describe(self, name: str | None = None) -> str:
        """One sentence: what happened to the model, when, and what to use instead."""
        name = name or self.id
        use = f"; use {self.replaced_by}" if self.replaced_by else ""
        if self.status == "withdrawn":
            when = self.shutdown_at or self.deprecated_at
            return f"{name} was withdrawn{f' on {when}' if when else ''}{use}"
        if self.status == "superseded":
            target = f" by {self.replaced_by}" if self.replaced_by else ""
            since = f" since {self.deprecated_at}" if self.deprecated_at else ""
            return f"{name} is superseded{target}{since} (the id still answers as an alias)"
        retires = f"; it retires on {self.shutdown_at}" if self.shutdown_at else ""
        return f"{name} is deprecated{retires}{use}"


@dataclass(frozen=True)
class Percentiles:
    p50: float | None = None
    p75: float | None = None
    p90: float | None = None
    p99: float | None = None

    @classmethod
    def from_api(cls, data: Any) -> Percentiles:
        data = data if isinstance(data, dict) else {}
        return cls(*(_number(data.get(k)) for k in ("p50", "p75", "p90", "p99")))


@dataclass(frozen=True)
class ModelMetrics:
    """The service's measured speed of one model (for `tps`, higher percentiles are faster)."""

    alias: str
    ttft_ms: Percentiles
    tps: Percentiles
    duration_ms: Percentiles
    endpoint: str = ""
    window_seconds: int | None = None

    @classmethod
    def from_api(cls, entry: Any, window: Any = None) -> ModelMetrics | None:
        if not isinstance(entry, dict) or not entry.get("alias"):
            return None
        metrics = entry.get("metrics") if isinstance(entry.get("metrics"), dict) else {}
        return cls(
            alias=str(entry["alias"]),
            ttft_ms=Percentiles.from_api(metrics.get("ttft_ms")),
            tps=Percentiles.from_api(metrics.get("tps")),
            duration_ms=Percentiles.from_api(metrics.get("duration_ms")),
            endpoint=str(entry.get("endpoint") or ""),
            window_seconds=int(window) if isinstance(window, (int, float)) else None,
        )


@dataclass(frozen=True)
class Balance:
    current_balance: float
    currency: str = "USD"

    @classmethod
    def from_api(cls, data: Any) -> Balance | None:
        if not isinstance(data, dict):
            return None
        amount = _number(data.get("current_balance"))
        if amount is None:
            return None
        return cls(amount, str(data.get("currency") or "USD"))

    def __str__(self) -> str:
        symbol = "$" if self.currency.upper() == "USD" else ""
        tail = "" if symbol else f" {self.currency}"
        return f"{symbol}{self.current_balance:,.2f}{tail}"


def client_request_id(label: str, suffix: str = "") -> str:
    """An `X-Client-Request-Id` (1-128 of `[A-Za-z0-9._:-]`) naming a cell, e.g.
    `aiml:cell-3f2a:7c1e09`: the service's usage logs list it beside each request."""
    head = _UNSAFE.sub("-", label).strip("-") or "request"
    tail = _UNSAFE.sub("-", suffix).strip("-")
    value = f"{head[: 127 - len(tail)]}:{tail}" if tail else head[:128]
    return value if REQUEST_ID.fullmatch(value) else "request"


def is_client_request_id(value: str) -> bool:
    return bool(REQUEST_ID.fullmatch(value))


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
