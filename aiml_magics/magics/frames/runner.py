"""Asking a task of many rows: one request per row, `pack=K` rows per request, and the
`cascade=(cheap, strong)` that asks the strong model only where the cheap one is unsure.

Each step is one batch run on the engine, so a re-run sends only what is missing: the packs
and the rows already answered come back from the session (or the replay recording).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .engine import Engine, Price, Summary, UsageError, schema_of
from .prompts import Task

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Options:
    """What every operator takes besides its question."""

    model: str | None = None
    concurrency: int = 8
    max_credits: float | None = None
    dry_run: bool = False
    progress: bool = True
    pack: int | None = None
    cascade: tuple[str, str] | None = None
    unsure_below: float = 0.7
    fresh: bool = False

    def check(self) -> None:
        if self.pack is not None and (not isinstance(self.pack, int) or self.pack < 1):
            raise UsageError(f"pack is a number of rows per request (1 or more), got {self.pack!r}")
        if self.cascade is not None and (
            not isinstance(self.cascade, (tuple, list)) or len(self.cascade) != 2
        ):
            raise UsageError("cascade is a pair of models: cascade=('cheap-model', 'strong-model')")
        if self.cascade is not None and self.model is not None:
            raise UsageError("give either model= or cascade=(cheap, strong), not both")


@dataclass
class Outcome:
    """The answers of a task, aligned with its rows."""

    values: list[dict[str, Any] | None]
    credits: list[float]
    errors: list[str | None]
    models: list[str | None]
    summaries: list[Summary] = field(default_factory=list)
    both: int = 0  # rows both models of a cascade answered
    agreed: int = 0  # ... and on which they agreed
    price: list[tuple[str, Price]] = field(default_factory=list)  # the dry run, per step

    @classmethod
    def empty(cls, size: int) -> Outcome:
        return cls([None] * size, [0.0] * size, [None] * size, [None] * size)

    @property
    def spent(self) -> float:
        return sum(s.credits for s in self.summaries)

    @property
    def agreement(self) -> float | None:
        return self.agreed / self.both if self.both else None


def ask(
    engine: Engine,
    task: Task,
    rows: list[Row],
    options: Options,
    fill: Callable[[str, Row], str] | None = None,
) -> Outcome:
    """`task` asked of every row under `options`; nothing is sent with `dry_run`."""
    options.check()
    if options.cascade is None:
        model = engine.spec(options.model).model
        return _ask_model(engine, task, rows, model, options, fill, Outcome.empty(len(rows)))
    cheap, strong = options.cascade
    sure = task.with_confidence()
    outcome = _ask_model(engine, sure, rows, cheap, options, fill, Outcome.empty(len(rows)))
    if options.dry_run:
        unsure = list(range(len(rows)))  # at most every row goes on to the strong model
    else:
        unsure = [
            n
            for n, v in enumerate(outcome.values)
            if v is not None and not _sure(v.get("confidence"), options.unsure_below)
        ]
    second = _ask_model(
        engine,
        sure,
        [rows[n] for n in unsure],
        strong,
        options,
        fill,
        Outcome.empty(len(unsure)),
        spent=outcome.spent,
        label="strong model, at most",
    )
    _merge(outcome, second, unsure, decisions=[k for k in task.fields if k != "reason"])
    return outcome


def _sure(confidence: Any, threshold: float) -> bool:
    return isinstance(confidence, (int, float)) and confidence >= threshold


def _merge(first: Outcome, second: Outcome, rows: list[int], decisions: list[str]) -> None:
    """The strong model's answers replace the cheap one's where it answered."""
    first.summaries += second.summaries
    first.price += second.price
    for number, row in enumerate(rows):
        first.credits[row] += second.credits[number]
        cheap, strong = first.values[row], second.values[number]
        if strong is None:
            continue
        first.both += 1
        first.agreed += all(cheap.get(k) == strong.get(k) for k in decisions)
        first.values[row] = strong
        first.models[row] = second.models[number]
        first.errors[row] = None


def _ask_model(
    engine: Engine,
    task: Task,
    rows: list[Row],
    model: str,
    options: Options,
    fill: Callable[[str, Row], str] | None,
    outcome: Outcome,
    spent: float = 0.0,
    label: str = "",
) -> Outcome:
    """Packs first (when asked), then the rows no pack answered, one per request."""
    singles = list(range(len(rows)))
    if options.pack and options.pack > 1 and rows:
        singles = _ask_packs(engine, task, rows, model, options, fill, outcome, spent)
    if not singles:
        return outcome
    schema = task.one_schema()
    spec = engine.spec(model, schema and schema_of(schema, task.name), options.fresh)
    prompts = [task.one_prompt(rows[n], fill) for n in singles]
    if options.dry_run:
        outcome.price.append(
            (f"{model}: {label or 'one row per request'}", engine.price(prompts, spec))
        )
        return outcome
    result = _run(engine, prompts, spec, options, spent + outcome.spent)
    if result is not None:
        outcome.summaries.append(result.summary)
    for number, row in enumerate(singles):
        answer = result.results[number] if result else None
        outcome.models[row] = model
        if result is None:
            outcome.errors[row] = "Not sent: max_credits reached; run it again to send the rest"
            continue
        outcome.credits[row] += float(result.credits[number])
        if answer.error is not None:
            outcome.errors[row] = str(answer.error)
        else:
            outcome.values[row] = dict(answer.parsed) if schema else {_text(task): answer.text}
    return outcome


def _run(engine: Engine, prompts: list[str], spec: Any, options: Options, spent: float) -> Any:
    """One batch run within what is left of `max_credits` (None when nothing is left)."""
    left = None
    if options.max_credits is not None:
        left = options.max_credits - spent
        if left <= 0:
            return None
    return engine.run(prompts, spec, max_credits=left)


def _ask_packs(
    engine: Engine,
    task: Task,
    rows: list[Row],
    model: str,
    options: Options,
    fill: Callable[[str, Row], str] | None,
    outcome: Outcome,
    spent: float,
) -> list[int]:
    """`pack` rows per request; the rows of a pack that failed or did not come back with one
    item per row are returned, to go one by one."""
    size = int(options.pack or 1)
    groups = [list(range(s, min(s + size, len(rows)))) for s in range(0, len(rows), size)]
    spec = engine.spec(model, schema_of(task.pack_schema(), task.name + "_rows"), options.fresh)
    prompts = [task.pack_prompt([rows[n] for n in group], fill) for group in groups]
    if options.dry_run:
        outcome.price.append((f"{model}: packs of {size}", engine.price(prompts, spec)))
        return []
    result = _run(engine, prompts, spec, options, spent)
    if result is None:
        return []
    outcome.summaries.append(result.summary)
    alone: list[int] = []
    for number, group in enumerate(groups):
        answer = result.results[number]
        items = _items(answer.parsed, len(group)) if answer.error is None else None
        if items is None:
            if "Not sent" not in str(answer.error):
                alone += group
            else:
                for row in group:
                    outcome.errors[row] = str(answer.error)
            continue
        share = float(result.credits[number]) / len(group)
        for row, item in zip(group, items, strict=True):
            outcome.values[row] = item
            outcome.credits[row] += share
            outcome.models[row] = model
    return alone


def _items(parsed: Any, count: int) -> list[dict[str, Any]] | None:
    """The items of a pack's answer in row order, without their ids; None unless there is
    exactly one per row (ids 1..count)."""
    items = parsed.get("items") if isinstance(parsed, dict) else None
    if not isinstance(items, list) or len(items) != count:
        return None
    by_id = {item.get("id"): item for item in items if isinstance(item, dict)}
    if sorted(k for k in by_id if isinstance(k, int)) != list(range(1, count + 1)):
        return None
    return [{k: v for k, v in by_id[n].items() if k != "id"} for n in range(1, count + 1)]


def _text(task: Task) -> str:
    """The one field a text answer fills."""
    return next(iter(task.fields))
