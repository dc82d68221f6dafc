"""The answers and verdicts of a run as two tidy tables: one row per data row x prompt x
model x repeat (scores, cost, latency, tokens), and one row per judged pair.

A failed answer has no score (NaN, counted in `error`), so a broken connection is never
read as a wrong answer. A judge reply that cannot be read leaves its score NaN and keeps
the reply in `<metric>_reply`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ...api.errors import UsageError
from ...api.result import USD_PER_CREDIT, ChatResult
from . import verdicts
from .plan import JudgeCall, Plan

ANSWER_COLUMNS = ("row", "prompt", "model", "repeat", "answer", "error")
COST_COLUMNS = (
    "credits",
    "dollars",
    "latency_s",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "replayed",
    "judge_credits",
)


def answer_text(result: ChatResult | None) -> str | None:
    """The text an answer is scored on; None for an answer that failed."""
    if result is None or result.error is not None or not result.complete:
        return None
    return result.text


def _cost(result: ChatResult | None) -> dict[str, Any]:
    usage = result.usage if result is not None else None
    replayed = bool(result is not None and result.replayed)
    credits = 0.0 if replayed or result is None else (result.credits_used or 0.0)
    dollars = 0.0 if replayed or result is None else (result.dollars or 0.0)
    if replayed:  # what the recorded answer cost when it was asked: the cost of the model
        credits = result.credits_saved or 0.0
        dollars = credits * USD_PER_CREDIT
    return {
        "credits": credits,
        "dollars": dollars,
        "latency_s": result.duration if result is not None and result.duration else math.nan,
        "prompt_tokens": usage.prompt_tokens if usage else 0,
        "completion_tokens": usage.completion_tokens if usage else 0,
        "total_tokens": usage.total_tokens if usage else 0,
        "replayed": replayed,
        "judge_credits": 0.0,
    }


def answer_records(plan: Plan, results: Sequence[ChatResult | None]) -> list[dict[str, Any]]:
    """One record per ask, scored by the answer metrics."""
    records = []
    for ask, result in zip(plan.asks, results, strict=True):
        text = answer_text(result)
        error = getattr(result, "error", None) if result is not None else "not sent"
        record: dict[str, Any] = {
            "row": ask.row,
            "prompt": ask.prompt,
            "model": ask.model,
            "repeat": ask.repeat,
            "answer": text,
            "error": None if error is None else str(error),
        }
        row = plan.rows[ask.row]
        for metric in plan.answer_metrics:
            record[metric.name] = math.nan if text is None else _scored(metric, text, row, ask)
        for metric in plan.judge_metrics:
            record[metric.name] = math.nan
            record[f"{metric.name}_reply"] = None
        record.update(_cost(result))
        records.append(record)
    return records


def _scored(metric: Any, text: str, row: dict[str, Any], ask: Any) -> float:
    try:
        return metric.score(text, row)
    except UsageError:
        raise
    except Exception as exc:
        raise UsageError(
            f"the metric {metric.name} failed on row {ask.row} ({ask.model}, prompt "
            f"{ask.prompt}): {type(exc).__name__}: {exc}. The answers are kept: fix the "
            "metric and run the evaluation again (nothing is sent twice)"
        ) from None


def add_verdicts(
    plan: Plan,
    records: list[dict[str, Any]],
    calls: Sequence[JudgeCall],
    replies: Sequence[ChatResult | None],
) -> list[dict[str, Any]]:
    """Put rubric scores into `records` and return the pairwise rows."""
    metrics = {m.name: m for m in plan.metrics}
    pending: dict[tuple[str, int, int], str | None] = {}
    for call, reply in zip(calls, replies, strict=True):
        metric = metrics[call.metric]
        text = answer_text(reply)
        first = records[call.asks[0]]
        first["judge_credits"] += _cost(reply)["credits"]
        if len(call.asks) == 1:
            score = verdicts.parse_score(text or "", metric.scale) if text is not None else None
            first[metric.name] = math.nan if score is None else score
            first[f"{metric.name}_reply"] = text if text is not None else _failure(reply)
        else:
            pending[(call.metric, *call.asks)] = (
                verdicts.parse_choice(text) if text is not None else None
            )
    return _pairs(plan, pending)


def _failure(reply: ChatResult | None) -> str:
    return f"(no verdict: {getattr(reply, 'error', None) or 'not sent'})"


def _pairs(plan: Plan, pending: dict[tuple[str, int, int], str | None]) -> list[dict[str, Any]]:
    rows = []
    for (metric, a, b), a_first in pending.items():
        if plan.models.index(plan.asks[a].model) > plan.models.index(plan.asks[b].model):
            continue  # the swapped order of a pair listed with its first order
        b_first = pending.get((metric, b, a))
        ask_a, ask_b = plan.asks[a], plan.asks[b]
        outcome = verdicts.pair_outcome(a_first, b_first)
        rows.append(
            {
                "metric": metric,
                "row": ask_a.row,
                "prompt": ask_a.prompt,
                "repeat": ask_a.repeat,
                "model_a": ask_a.model,
                "model_b": ask_b.model,
                "a_first": a_first,
                "b_first": b_first,
                "winner": {"a": ask_a.model, "b": ask_b.model}.get(outcome, "tie"),
            }
        )
    return rows
