"""`df.aiml.rank`: a score per row on a stated scale, best first, and the top k.

Scores are integers, so rows tie. Only the tie at the cut matters for a top k (the rows
scoring what the k-th row scores, some in, some out); those rows alone are compared in
pairs (every pair, once, in one batch run), and the most wins go first.
"""

from __future__ import annotations

import itertools
from typing import Any

import pandas as pd

from .engine import Engine, UsageError, frame_rows, schema_of
from .operators import _columns_of, beside, field_values
from .prompts import Task, escape, row_block
from .report import DryRun, Report
from .runner import Options, ask

COMPARE = {"better": {"type": "string", "enum": ["A", "B"]}}


def rank(
    frame: pd.DataFrame,
    criterion: str,
    k: int | None,
    scale: tuple[int, int],
    columns: Any,
    options: Options,
) -> Any:
    """The frame with `score` (and `rank`), sorted best first, cut to the top `k`; rows whose
    score failed come last, with their `error`."""
    low, high = _scale(scale)
    if k is not None and (not isinstance(k, int) or k < 1):
        raise UsageError(f"k is how many rows to keep (1 or more), got {k!r}")
    chosen = _columns_of(frame, criterion, columns)
    stated = f"{criterion}\nScore from {low} (meets it least) to {high} (meets it most)."
    fields = {"score": {"type": "integer", "minimum": low, "maximum": high}}
    task = Task(
        "aiml_score", "Score the row on the criterion.", fields, (("criterion", stated),), chosen
    )
    engine = Engine(progress=options.progress, concurrency=options.concurrency)
    rows = frame_rows(frame)
    outcome = ask(engine, task, rows, options)
    if options.dry_run:
        note = "Plus one request per pair of rows tied at the k-th place (known after scoring)."
        return DryRun("rank", outcome.price, [note] if k else [])
    scores = field_values(outcome, "score")
    order = sorted((n for n, s in enumerate(scores) if s is not None), key=lambda n: -scores[n])
    notes = [f"scores from {low} to {high}"]
    if k is not None and len(order) > k:
        order, compared = _break_tie(
            engine, criterion, rows, chosen, scores, order, k, options, outcome
        )
        notes.append(f"{compared} pairwise comparisons broke the tie at place {k}")
        order = order[:k]
    failed = [n for n, s in enumerate(scores) if s is None]
    full = beside(frame, {"score": scores}, outcome, Report.of("rank", outcome, notes))
    out = full.iloc[order + failed].copy()
    out.insert(
        len(frame.columns) + 1, "rank", list(range(1, len(order) + 1)) + [None] * len(failed)
    )
    out.attrs["aiml"] = full.attrs["aiml"]
    return out


def _scale(scale: Any) -> tuple[int, int]:
    try:
        low, high = (int(v) for v in scale)
    except (TypeError, ValueError):
        raise UsageError("scale is a pair of whole numbers, e.g. scale=(1, 10)") from None
    if low >= high:
        raise UsageError(f"scale goes from low to high, got {scale!r}")
    return low, high


def _break_tie(
    engine: Engine,
    criterion: str,
    rows: list[dict],
    columns: Any,
    scores: list[Any],
    order: list[int],
    k: int,
    options: Options,
    outcome: Any,
) -> tuple[list, int]:
    """`order` with the rows tied at place k reordered by pairwise wins (ties among wins keep
    the frame's order); and how many comparisons it took."""
    cut = scores[order[k - 1]]
    tied = [n for n in order if scores[n] == cut]
    if tied[-1] in order[:k]:
        return order, 0  # the whole tie is inside the top k
    pairs = list(itertools.combinations(tied, 2))
    prompts = [_compare_prompt(criterion, rows[a], rows[b], columns) for a, b in pairs]
    spec = engine.spec(
        options.model or (options.cascade or (None, None))[1],
        schema_of(_object(), "aiml_compare"),
        options.fresh,
    )
    left = None if options.max_credits is None else options.max_credits - outcome.spent
    if left is not None and left <= 0:
        return order, 0  # nothing left to compare with: the frame's order stands
    result = engine.run(prompts, spec, left)
    outcome.summaries.append(result.summary)
    wins = dict.fromkeys(tied, 0)
    for (a, b), answer in zip(pairs, result.results, strict=True):
        if answer.error is None:
            wins[a if answer.parsed.get("better") == "A" else b] += 1
    ranked = sorted(tied, key=lambda n: (-wins[n], tied.index(n)))
    start = order.index(tied[0])
    return order[:start] + ranked + order[start + len(tied) :], len(pairs)


def _object() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": COMPARE,
        "required": ["better"],
        "additionalProperties": False,
    }


def _compare_prompt(criterion: str, a: dict, b: dict, columns: Any) -> str:
    return "\n\n".join(
        [
            "Which row meets the criterion better, A or B?",
            f"<criterion>\n{escape(criterion)}\n</criterion>",
            f'<row id="A">\n{row_block(a, columns)}\n</row>',
            f'<row id="B">\n{row_block(b, columns)}\n</row>',
        ]
    )
