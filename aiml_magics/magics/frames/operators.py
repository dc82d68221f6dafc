"""The row-wise operators on a pandas DataFrame: map, extract, classify and filter.

Each builds a `Task`, asks it of every row through the runner (one batch run per step on the
engine) and puts the answers back beside the rows: same index, same order, `credits` and
`error` per row. With `dry_run=True` they return a `DryRun` and send nothing.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .engine import Engine, UsageError, fill_row, frame_rows, schema_of
from .prompts import Task, named_columns
from .report import DryRun, Report
from .runner import Options, Outcome, ask


def run_task(frame: pd.DataFrame, task: Task, options: Options, name: str) -> Outcome | DryRun:
    """`task` over the frame's rows; a DryRun when nothing is to be sent."""
    engine = Engine(progress=options.progress, concurrency=options.concurrency)
    rows = frame_rows(frame, task.template)
    outcome = ask(engine, task, rows, options, fill_row)
    if options.dry_run:
        return DryRun(name, outcome.price)
    return outcome


def beside(frame: pd.DataFrame, columns: dict[str, Any], outcome: Outcome, report: Report) -> Any:
    """The frame with the answer columns, then `credits` and `error`, and the report in
    `attrs["aiml"]`."""
    out = frame.copy()
    for name, values in columns.items():
        out[name] = values if isinstance(values, pd.Categorical) else _objects(values, out.index)
    out["credits"] = pd.Series(outcome.credits, index=out.index, dtype=float)
    out["error"] = _objects(outcome.errors, out.index)
    if outcome.both:
        out["model"] = _objects(outcome.models, out.index)
    out.attrs["aiml"] = report
    return out


def _objects(values: list[Any], index: pd.Index) -> pd.Series:
    return pd.Series(values, index=index, dtype=object)


def field_values(outcome: Outcome, name: str) -> list[Any]:
    return [v.get(name) if v is not None else None for v in outcome.values]


def _columns_of(frame: pd.DataFrame, text: str, columns: Any) -> tuple[str, ...] | None:
    if columns is not None:
        chosen = (columns,) if isinstance(columns, str) else tuple(columns)
        missing = [c for c in chosen if c not in frame.columns]
        if missing:
            raise UsageError(f"columns: {missing[0]!r} is no column of the frame")
        return chosen
    try:
        return named_columns(text, [str(c) for c in frame.columns])
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def map_rows(frame: pd.DataFrame, prompt: str, schema: Any, out: str, options: Options) -> Any:
    """`prompt` (a `{column}` template) asked per row: a text column `out`, or one column per
    field of `schema`."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise UsageError("map needs a prompt template such as 'Translate: {text}'")
    if schema is None:
        fields = {out: {"type": "string"}}
    else:
        fields = dict(schema_of(schema).loose.get("properties") or {})
        if not fields:
            raise UsageError("map's schema must be an object with fields (a dataclass, ...)")
    raw = schema is None and not options.pack and options.cascade is None
    task = Task("aiml_map", "Answer the request in the row.", fields, template=prompt, raw=raw)
    outcome = run_task(frame, task, options, "map")
    if isinstance(outcome, DryRun):
        return outcome
    columns = {name: field_values(outcome, name) for name in fields}
    return beside(frame, columns, outcome, Report.of("map", outcome))


def extract(
    frame: pd.DataFrame, schema: Any, columns: Any, prompt: str | None, options: Options
) -> Any:
    """One column per field of `schema`, read from each row."""
    fields = dict(schema_of(schema).loose.get("properties") or {})
    if not fields:
        raise UsageError("extract needs a schema with fields: a dataclass, TypedDict or model")
    intro = "Extract the fields of the answer from the row; null where the row does not say."
    context = (("instructions", prompt),) if prompt else ()
    task = Task("aiml_extract", intro, fields, context, _columns_of(frame, prompt or "", columns))
    outcome = run_task(frame, task, options, "extract")
    if isinstance(outcome, DryRun):
        return outcome
    values = {name: field_values(outcome, name) for name in fields}
    return beside(frame, values, outcome, Report.of("extract", outcome))


def classify(
    frame: pd.DataFrame, column_or_prompt: str, labels: Any, out: str, options: Options
) -> Any:
    """A categorical column `out` with one of `labels` per row (NaN where a row failed)."""
    labels = [str(label) for label in (labels or [])]
    if len(labels) < 2 or len(set(labels)) != len(labels):
        raise UsageError("classify needs at least two distinct labels: labels=['a', 'b']")
    if column_or_prompt in frame.columns:
        columns, context = (column_or_prompt,), ()
    else:
        columns = _columns_of(frame, column_or_prompt, None)
        context = (("instructions", column_or_prompt),)
    intro = "Classify the row: choose exactly one of the labels."
    fields = {"label": {"type": "string", "enum": labels}}
    task = Task("aiml_classify", intro, fields, (*context, ("labels", "\n".join(labels))), columns)
    outcome = run_task(frame, task, options, "classify")
    if isinstance(outcome, DryRun):
        return outcome
    chosen = pd.Categorical(field_values(outcome, "label"), categories=labels)
    extra = {"confidence": field_values(outcome, "confidence")} if options.cascade else {}
    return beside(frame, {out: chosen, **extra}, outcome, Report.of("classify", outcome))


def filter_rows(
    frame: pd.DataFrame, condition: str, keep_reason: bool, columns: Any, options: Options
) -> Any:
    """The rows the model says meet `condition`, in their order with their index; rows whose
    question failed are kept too (with `error`), so nothing disappears unseen."""
    if not isinstance(condition, str) or not condition.strip():
        raise UsageError("filter needs a condition such as 'complains about delivery'")
    fields: dict[str, Any] = {"keep": {"type": "boolean"}}
    if keep_reason:  # the reason first: the decision follows from it
        fields = {"reason": {"type": "string"}, **fields}
    intro = "Decide whether the row meets the condition (keep: true) or not (keep: false)."
    task = Task(
        "aiml_filter",
        intro,
        fields,
        (("condition", condition),),
        _columns_of(frame, condition, columns),
    )
    outcome = run_task(frame, task, options, "filter")
    if isinstance(outcome, DryRun):
        return outcome
    keep = field_values(outcome, "keep")
    extra = {"keep": keep, "reason": field_values(outcome, "reason")} if keep_reason else {}
    if options.cascade:
        extra["confidence"] = field_values(outcome, "confidence")
    full = beside(frame, extra, outcome, Report.of("filter", outcome))
    mask = [k is True or e is not None for k, e in zip(keep, outcome.errors, strict=True)]
    kept = full.iloc[[n for n, m in enumerate(mask) if m]]  # a list: an empty frame works
    kept.attrs["aiml"] = full.attrs["aiml"]
    return kept
