"""Running an evaluation's plan on the batch engine (`batch.send_rows`): one batch per model
and repeat, then one batch of judge calls. Each batch gets what is left of `max_credits`; a
batch that stops (the budget, an interrupt) stops the evaluation, and what completed is kept.

Only `send_rows` and `BatchSpec` of the batch engine are used, so its rate limits, retries,
deduplication, resume (answers of an earlier run are not sent again), replay and session
budget apply to every answer and every judge call. Nothing here touches the namespace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..api.result import ChatResult
from ..chat.batching import BatchSpec, NotSentError, Summary
from ..chat.evaluation.plan import JudgeCall, Plan
from ..chat.evaluation.progress import Stages
from ..chat.evaluation.tidy import answer_text
from ..chat.session import Session
from .batch import send_rows


@dataclass
class Outcome:
    """The replies of a run, aligned with the plan's asks and judge calls."""

    answers: list[ChatResult | None]
    calls: list[JudgeCall] = field(default_factory=list)
    verdicts: list[ChatResult | None] = field(default_factory=list)
    summary: Summary = field(default_factory=Summary)


@dataclass
class Runner:
    """Sends a plan: answers first, then the judge calls those answers need."""

    session: Session
    plan: Plan
    system: str | None
    params: dict[str, Any]
    judge_params: dict[str, Any]
    concurrency: int = 8
    max_credits: float | None = None
    fresh: bool = False
    bar: Callable[[int], Any] | None = None

    def run(self) -> Outcome:
        stages = Stages(self.bar, len(self.plan.asks) + self.plan.judge_call_count())
        answers: list[ChatResult | None] = [None] * len(self.plan.asks)
        for (model, repeat), numbers in self.plan.groups().items():
            spec = BatchSpec(
                model=model, system=self.system, params=self._params(repeat), fresh=self.fresh
            )
            replies = self._batch(stages, spec, [self.plan.asks[n].text for n in numbers])
            for number, reply in zip(numbers, replies, strict=True):
                answers[number] = reply
        outcome = Outcome(answers)
        if self.plan.judge_model is not None:
            outcome.calls = self.plan.judge_calls([answer_text(a) for a in answers])
            stages.total = len(self.plan.asks) + len(outcome.calls)
            judge = BatchSpec(model=self.plan.judge_model, params=dict(self.judge_params))
            outcome.verdicts = self._batch(stages, judge, [c.text for c in outcome.calls])
        outcome.summary = stages.finish()
        return outcome

    def _params(self, repeat: int) -> dict[str, Any]:
        """With repeats, repeat k asks with `seed` k+1 (the API takes seeds from 1): each
        repeat is a request of its own, sent, recorded and resumed on its own."""
        if self.plan.repeats == 1:
            return dict(self.params)
        return {**self.params, "seed": repeat + 1}

    def _batch(self, stages: Stages, spec: BatchSpec, texts: list[str]) -> list[ChatResult | None]:
        """One batch through the batch engine; nothing is sent once an earlier one stopped."""
        stopped = next((s.stopped for s in stages.summaries if s.stopped), None)
        left = self._credits_left(stages)
        if not texts:
            return []
        if stopped or (left is not None and left <= 0):
            why = stopped or f"max_credits ({self.max_credits:,.0f}) reached"
            error = NotSentError(f"{why}; run the evaluation again")
            stages.summaries.append(Summary(rows=len(texts), not_sent=len(texts), stopped=why))
            return [ChatResult(complete=False, error=error) for _ in texts]
        run = send_rows(
            self.session,
            spec,
            texts,
            concurrency=self.concurrency,
            max_credits=left,
            bar=stages.stage if stages.bar is not None else None,
        )
        stages.summaries.append(run.summary)
        return list(run.results)

    def _credits_left(self, stages: Stages) -> float | None:
        if self.max_credits is None:
            return None
        return self.max_credits - sum(s.credits for s in stages.summaries)
