"""The one door from the semantic operators to the batch engine.

Every request an operator makes is a prompt of `send_rows` (rate limits, retries, dedup, resume
from the session's answers, replay, the session budget come from there), in the session of
`current_session()` with the bar of `progress_bar`; the dry run prices requests with
`chat/estimate.py`. Nothing else in `frames/` imports the layers below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...api.errors import UsageError
from ...api.schema import OutputSchema
from ...chat.batching import (
    BatchResult,
    BatchSpec,
    NotSentError,
    Summary,
    check_template,
    fill,
    read_rows,
)
from ...chat.estimate import estimate
from ..batch import progress_bar, send_rows
from ..current import current_session, running_magics

__all__ = [
    "BatchResult",
    "Engine",
    "Sent",
    "NotSentError",
    "Summary",
    "UsageError",
    "fill_row",
    "frame_rows",
    "schema_of",
]


def schema_of(target: Any, name: str | None = None) -> OutputSchema:
    """A type hint or JSON Schema dict as the engine's output schema (SchemaError if not)."""
    return OutputSchema.of(target, name=name)


def frame_rows(frame: Any, template: str | None = None) -> list[dict[str, Any]]:
    """A DataFrame's rows as field dicts (the batch engine's reading); with `template`, a
    clear error when it names no column, as `--over` gives."""
    table = read_rows(frame)
    if template is not None:
        check_template(template, table, {})
    return table.rows


def fill_row(template: str, row: Any) -> str:
    """The template filled from one row (braces inside the row's text stay as they are)."""
    return fill(template, row, {})


@dataclass
class Price:
    """The estimated cost of some requests: a range, since output lengths are unknown."""

    requests: int = 0
    prompt_tokens: int = 0
    low_credits: float | None = 0.0
    high_credits: float | None = 0.0
    problem: str = ""

    def add(self, other: Price) -> None:
        self.requests += other.requests
        self.prompt_tokens += other.prompt_tokens
        self.low_credits = _plus(self.low_credits, other.low_credits)
        self.high_credits = _plus(self.high_credits, other.high_credits)
        self.problem = self.problem or other.problem


def _plus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a + b


@dataclass
class Sent:
    """What one batch run gave back, per prompt in order, and its summary."""

    results: list[Any]
    summary: Summary
    credits: list[float]


class Engine:
    """The session, settings and progress bar of the notebook (or of this process, on a
    Dask worker), and the calls an operator needs: `spec`, `run`, `price`."""

    def __init__(self, *, progress: bool = True, concurrency: int = 8) -> None:
        shell, magics = running_magics()
        self.session = current_session()
        self.bar: Callable[[int], Any] | None = progress_bar(shell, magics) if progress else None
        self.concurrency = concurrency

    def spec(self, model: str | None, schema: Any = None, fresh: bool = False) -> BatchSpec:
        settings = self.session.settings
        return BatchSpec(
            model=settings.resolve_model(model),
            system=settings.system_prompt,
            params=settings.default_params(),
            schema=schema,
            fresh=fresh,
        )

    def run(self, prompts: list[str], spec: BatchSpec, max_credits: float | None = None) -> Sent:
        """One batch run: `results` has a ChatResult per prompt, in order (failed or unsent
        ones carry `error`); `credits` what each prompt cost in this run."""
        run = send_rows(
            self.session,
            spec,
            prompts,
            concurrency=self.concurrency,
            max_credits=max_credits,
            bar=self.bar,
        )
        return Sent(run.results, run.summary, run.credits)

    def price(self, prompts: list[str], spec: BatchSpec) -> Price:
        """What sending `prompts` would cost: identical prompts and answers this session
        already has are left out, as the run would leave them out."""
        pending: dict[str, str] = {}
        for prompt in prompts:
            key = spec.key(prompt)
            if spec.fresh or key not in self.session.batch_answers:
                pending.setdefault(key, prompt)
        total = Price()
        params = dict(spec.params)
        if spec.schema is not None:
            params["response_format"] = spec.schema.response_format()
        for prompt in pending.values():
            messages = [{"role": "user", "content": prompt}]
            if spec.system:
                messages.insert(0, {"role": "system", "content": spec.system})
            cost = estimate(self.session.client(), spec.model, messages, params)
            total.add(
                Price(
                    1, cost.prompt_tokens, cost.low_credits, cost.high_credits, cost.pricing_problem
                )
            )
        return total
