"""What an operator tells besides its rows: how it went (`Report`, kept in the answer's
`attrs["aiml"]`) or, with `dry_run=True`, what it would send and cost (`DryRun`).

Plain text of the package's own numbers only: no model text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .engine import Price, Summary
from .runner import Outcome


@dataclass
class Report:
    """How an operator went: requests, credits, failures, and a cascade's agreement."""

    operator: str
    rows: int
    requests: int
    credits: float
    failed: int
    not_sent: int
    reused: int
    agreement: float | None = None  # share of rows both cascade models answered alike
    both: int = 0
    notes: list[str] = field(default_factory=list)
    summaries: list[Summary] = field(default_factory=list)

    @classmethod
    def of(cls, operator: str, outcome: Outcome, notes: list[str] | None = None) -> Report:
        errors = [e for e in outcome.errors if e is not None]
        return cls(
            operator=operator,
            rows=len(outcome.values),
            requests=sum(s.requests for s in outcome.summaries),
            credits=outcome.spent,
            failed=sum(1 for e in errors if not e.startswith("Not sent")),
            not_sent=sum(1 for e in errors if e.startswith("Not sent")),
            reused=sum(s.reused + s.replayed for s in outcome.summaries),
            agreement=outcome.agreement,
            both=outcome.both,
            notes=list(notes or []),
            summaries=list(outcome.summaries),
        )

    def lines(self) -> list[str]:
        head = f"{self.operator}: {self.rows:,} rows · {self.requests:,} requests"
        head += f" · {self.credits:,.0f} credits"
        if self.reused:
            head += f" · {self.reused:,} answers reused"
        lines = [head]
        if self.failed or self.not_sent:
            lines.append(
                f"{self.failed:,} failed, {self.not_sent:,} not sent (kept, with `error`); "
                "run it again to send only those"
            )
        if self.both:
            lines.append(
                f"cascade: the strong model answered {self.both:,} unsure rows and agreed "
                f"with the cheap one on {self.agreement:.0%}"
            )
        return lines + self.notes

    def __str__(self) -> str:
        return "\n".join(self.lines())


@dataclass
class DryRun:
    """What an operator would send: requests and estimated credits per step; nothing sent."""

    operator: str
    steps: list[tuple[str, Price]]
    notes: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(price.requests for _, price in self.steps)

    @property
    def price(self) -> Price:
        total = Price()
        for _, price in self.steps:
            total.add(price)
        return total

    def lines(self) -> list[str]:
        lines = [f"Dry run of {self.operator}: nothing was sent."]
        for label, price in self.steps:
            lines.append(f"{label}: {price.requests:,} requests, {_credits(price)}")
        total = self.price
        lines.append(f"In all: {total.requests:,} requests, {_credits(total)}")
        return lines + self.notes

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


def _credits(price: Price) -> str:
    if price.requests == 0:
        return "nothing to send (answered already)"
    if price.low_credits is None:
        return f"~{price.prompt_tokens:,} prompt tokens, cost unknown ({price.problem})"
    high = "output not bounded" if price.high_credits is None else f"{price.high_credits:,.0f}"
    return (
        f"~{price.prompt_tokens:,} prompt tokens, estimated {price.low_credits:,.0f} to "
        f"{high} credits"
    )
