"""What a batch reports: its progress at a moment (`Snapshot`, for a bar), how it went
(`Summary`), and the finished batch in `_aiml` (`BatchResult`). The engine that produces them
is `engine.py`; the display layer and the widgets read these types only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...api import errors
from ...api.result import USD_PER_CREDIT, ChatResult, format_money


class NotSentError(errors.AimlError):
    """A row the batch did not send (stopped before its turn); the next run sends it."""

    title = "Not sent"


@dataclass(frozen=True)
class Snapshot:
    """The progress of a batch at one moment, for a bar."""

    total: int
    done: int
    failed: int
    in_flight: int
    credits: float
    elapsed: float
    rate: float  # rows per second answered by requests of this run
    eta: float | None
    limit: int
    finished: bool = False


@dataclass
class Summary:
    """How a batch went: counts, failures by kind, time, tokens and money."""

    rows: int = 0
    answered: int = 0
    failed: int = 0
    not_sent: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    requests: int = 0  # answers that came from the service in this run
    replayed: int = 0  # answers from the replay recording
    reused: int = 0  # rows answered by an earlier run of the same batch
    duplicates: int = 0  # rows that asked what another row asked
    tokens: int = 0
    credits: float = 0.0
    dollars: float = 0.0
    stopped: str | None = None  # why scheduling stopped early, if it did

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def lines(self) -> list[str]:
        """The summary as short lines of plain text (no model text in it)."""
        head = f"{self.rows:,} rows: {self.answered:,} answered"
        if self.failed:
            kinds = ", ".join(f"{n} {kind.lower()}" for kind, n in sorted(self.failures.items()))
            head += f", {self.failed:,} failed ({kinds})"
        if self.not_sent:
            head += f", {self.not_sent:,} not sent"
        head += f" · {self.seconds:.1f} s"
        sources = [f"{self.requests:,} requests"]
        if self.duplicates:
            sources.append(f"{self.duplicates:,} duplicate rows sent once")
        if self.reused:
            sources.append(f"{self.reused:,} from an earlier run")
        if self.replayed:
            sources.append(f"{self.replayed:,} replayed")
        cost = (
            f"{self.tokens:,} tokens · {self.credits:,.0f} credits "
            f"({format_money(self.dollars or self.credits * USD_PER_CREDIT)})"
        )
        lines = [head, " · ".join(sources), cost]
        if self.stopped:
            lines.append(f"Stopped: {self.stopped.rstrip('.')}; run it again to send the rest.")
        elif self.failed:
            lines.append("Run it again to retry the failed rows (answered rows are not resent).")
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())


@dataclass
class BatchResult:
    """A finished batch: the answers in the input's shape (`data`), how it went (`summary`),
    and the ChatResult of every row (failed rows carry their `error`)."""

    data: Any
    summary: Summary
    results: list[ChatResult]

    def __repr__(self) -> str:
        return f"BatchResult({self.summary.lines()[0]})"
