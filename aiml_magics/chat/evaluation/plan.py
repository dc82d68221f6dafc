"""What an evaluation will ask: every data row with every prompt, of every model, repeated;
then the judge calls those answers need. Plain data, built before anything is sent, so the
dry run counts exactly what the run would send.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from ...api.errors import UsageError
from . import verdicts
from .metrics import ANSWER, JUDGE, PAIRWISE, Metric, judge


@dataclass(frozen=True)
class Ask:
    """One answer of the grid: `row` asked with prompt `prompt` of `model`, repeat `repeat`."""

    row: int
    prompt: str
    model: str
    repeat: int
    text: str  # the filled prompt sent


@dataclass(frozen=True)
class JudgeCall:
    """One request to the judge: a rubric score of answer `asks[0]`, or a pairwise verdict
    with `asks[0]` shown first (A) and `asks[1]` second (B)."""

    metric: str
    asks: tuple[int, ...]  # indices into Plan.asks
    text: str


@dataclass
class Plan:
    """The grid of answers and the metrics that score them."""

    rows: list[dict[str, Any]]
    prompts: dict[str, str]
    models: list[str]
    repeats: int
    metrics: list[Metric]
    judge_model: str | None
    asks: list[Ask] = field(default_factory=list)

    @property
    def answer_metrics(self) -> list[Metric]:
        return [m for m in self.metrics if m.kind == ANSWER]

    @property
    def judge_metrics(self) -> list[Metric]:
        return [m for m in self.metrics if m.kind == JUDGE]

    @property
    def pairwise_metrics(self) -> list[Metric]:
        return [m for m in self.metrics if m.kind == PAIRWISE]

    def groups(self) -> dict[tuple[str, int], list[int]]:
        """The asks of each (model, repeat): one batch each, since a batch has one model."""
        grouped: dict[tuple[str, int], list[int]] = {}
        for number, ask in enumerate(self.asks):
            grouped.setdefault((ask.model, ask.repeat), []).append(number)
        return grouped

    def judge_call_count(self) -> int:
        """Judge requests the run will send at most (identical ones are sent once)."""
        rubric = len(self.asks) * len(self.judge_metrics)
        pairs = len(list(combinations(self.models, 2)))
        per_pair = len(self.rows) * len(self.prompts) * self.repeats * 2
        return rubric + pairs * per_pair * len(self.pairwise_metrics)

    def judge_calls(self, answers: Sequence[str | None]) -> list[JudgeCall]:
        """The judge requests for these answers (`answers[i]` is the text of `asks[i]`, None
        when it failed: a failed answer is not judged)."""
        calls = []
        for metric in self.judge_metrics:
            for number, ask in enumerate(self.asks):
                if answers[number] is None:
                    continue
                row = self.rows[ask.row]
                reference = row.get(metric.reference) if metric.reference else None
                text = verdicts.rubric_prompt(
                    metric.rubric, metric.scale, ask.text, answers[number] or "", reference
                )
                calls.append(JudgeCall(metric.name, (number,), text))
        index = {(a.row, a.prompt, a.model, a.repeat): n for n, a in enumerate(self.asks)}
        for metric in self.pairwise_metrics:
            for ask in self.asks:
                for other in self.models[self.models.index(ask.model) + 1 :]:
                    a = index[(ask.row, ask.prompt, ask.model, ask.repeat)]
                    b = index[(ask.row, ask.prompt, other, ask.repeat)]
                    if answers[a] is None or answers[b] is None:
                        continue
                    for first, second in ((a, b), (b, a)):
                        text = verdicts.pairwise_prompt(
                            metric.rubric, ask.text, answers[first] or "", answers[second] or ""
                        )
                        calls.append(JudgeCall(metric.name, (first, second), text))
        return calls


def make_plan(
    rows: list[dict[str, Any]],
    filled: Mapping[str, list[str]],
    prompts: Mapping[str, str],
    models: Sequence[str],
    repeats: int,
    metrics: list[Metric],
    judge_model: str | None,
) -> Plan:
    """The grid, checked: distinct models, a judge exactly when a metric needs one, and every
    column a metric reads present in the rows. `filled[name][row]` is a filled prompt."""
    if not isinstance(repeats, int) or isinstance(repeats, bool) or repeats < 1:
        raise UsageError(f"repeats must be a whole number of at least 1, got {repeats!r}")
    if len(set(models)) != len(models):
        raise UsageError("a model is named twice in models")
    if judge_model and not any(m.kind in (JUDGE, PAIRWISE) for m in metrics):
        metrics = [*metrics, judge()]  # a judge with nothing to judge scores by the rubric
    needs_judge = [m.name for m in metrics if m.kind in (JUDGE, PAIRWISE)]
    if needs_judge and not judge_model:
        raise UsageError(f"the metric {needs_judge[0]} needs a judge model: judge='MODEL'")
    if any(m.kind == PAIRWISE for m in metrics) and len(models) < 2:
        raise UsageError("pairwise compares models: give at least two")
    if not metrics:
        raise UsageError("no metrics: give metrics=['exact'] or another (see the README)")
    fields = {k for row in rows for k in row}
    for metric in metrics:
        missing = [c for c in metric.columns if c not in fields]
        if missing and rows:
            known = ", ".join(sorted(f for f in fields if f)[:12])
            raise UsageError(
                f"the metric {metric.name} reads the column {missing[0]!r}, which the data "
                f"does not have (columns: {known})"
            )
    plan = Plan(list(rows), dict(prompts), list(models), repeats, metrics, judge_model)
    for model in models:
        for repeat in range(repeats):
            for name in prompts:
                for row, text in enumerate(filled[name]):
                    plan.asks.append(Ask(row, name, model, repeat, text))
    return plan
