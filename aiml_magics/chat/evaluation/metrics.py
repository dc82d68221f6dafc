"""How an answer is scored: against a reference column, a pattern, a JSON Schema, a number,
a function of the user's, or a judge model.

A `Metric` is plain data. Answer metrics carry `score(answer, row) -> float` (1.0 right, 0.0
wrong, or any number a custom function returns); `judge` and `pairwise` metrics carry what
the judge is asked, and the runner sends those calls. Metrics name the row fields they read,
so a missing column is reported before anything is sent.
"""

from __future__ import annotations

import inspect
import json as _json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ...api.errors import UsageError

ANSWER, JUDGE, PAIRWISE = "answer", "judge", "pairwise"
REFERENCE = "expected"  # the reference column a metric reads unless told another
DEFAULT_RUBRIC = "How correct, complete and clear is the answer?"
DEFAULT_CRITERIA = "Which answer is more correct, complete and clear?"
_NUMBER = re.compile(r"[-+]?(?:\d[\d,]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")

Scorer = Callable[[str, Mapping[str, Any]], float]


@dataclass(frozen=True)
class Metric:
    """One score per answer (`kind` "answer" or "judge"), or per pair of answers ("pairwise")."""

    name: str
    kind: str = ANSWER
    score: Scorer | None = None
    columns: tuple[str, ...] = ()  # row fields it reads
    rubric: str = ""  # judge: what the judge scores; pairwise: what it compares
    scale: tuple[int, int] = (1, 5)  # judge: the lowest and highest score
    reference: str | None = None  # judge: a column holding a reference answer, if any

    def __repr__(self) -> str:
        return f"Metric({self.name!r}, {self.kind})"


def _normal(text: Any) -> str:
    return " ".join(str(text).split()).casefold()


def exact(column: str = REFERENCE, *, name: str = "exact") -> Metric:
    """1.0 when the answer equals the reference, ignoring case and runs of whitespace."""
    return Metric(
        name,
        score=lambda answer, row: float(_normal(answer) == _normal(row[column])),
        columns=(column,),
    )


def contains(column: str = REFERENCE, *, name: str = "contains") -> Metric:
    """1.0 when the reference appears in the answer (case and whitespace ignored)."""
    return Metric(
        name,
        score=lambda answer, row: float(_normal(row[column]) in _normal(answer)),
        columns=(column,),
    )


def regex(pattern: str | None = None, *, column: str | None = None, name: str = "regex") -> Metric:
    """1.0 when `pattern` (or the pattern in `column` of each row) matches the answer."""
    if (pattern is None) == (column is None):
        raise UsageError("regex needs a pattern or a column holding one (not both)")
    if pattern is not None:
        compiled = _compile(pattern)
        return Metric(name, score=lambda answer, row: float(bool(compiled.search(answer))))
    return Metric(
        name,
        score=lambda answer, row: float(bool(_compile(str(row[column])).search(answer))),
        columns=(column,),
    )


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise UsageError(f"the regex {pattern!r} does not compile: {exc}") from None


def json(schema: Any = None, *, name: str = "json") -> Metric:
    """1.0 when the answer is JSON (a Markdown fence around it is tolerated) that fits
    `schema` (a type hint or a JSON Schema dict, checked by the project's schema module)."""
    from ...api.schema import OutputSchema
    from ...api.schema.answer import unfenced

    shape = OutputSchema.of(schema) if schema is not None else None

    def score(answer: str, row: Mapping[str, Any]) -> float:
        try:
            if shape is None:
                _json.loads(unfenced(answer))
            else:
                shape.parse(answer)
        except (ValueError, TypeError):
            return 0.0
        return 1.0

    return Metric(name, score=score)


def numeric(
    column: str = REFERENCE,
    *,
    tolerance: float = 0.0,
    relative: float = 0.0,
    name: str = "numeric",
) -> Metric:
    """1.0 when the last number in the answer is within `tolerance` (absolute) or `relative`
    (a fraction of the reference) of the reference number."""

    def score(answer: str, row: Mapping[str, Any]) -> float:
        found = _NUMBER.findall(answer)
        if not found:
            return 0.0
        try:
            value = float(found[-1].replace(",", ""))
            wanted = float(str(row[column]).replace(",", ""))
        except ValueError:
            return 0.0
        allowed = max(tolerance, relative * abs(wanted))
        return float(math.isfinite(value) and abs(value - wanted) <= allowed + 1e-12)

    return Metric(name, score=score, columns=(column,))


def custom(function: Callable[..., Any], *, name: str | None = None) -> Metric:
    """A function of the answer, or of the answer and the row (a dict of its fields),
    returning a number or a bool."""
    label = name or getattr(function, "__name__", "custom")
    if label == "<lambda>":
        label = "custom"
    takes_row = _arity(function) >= 2

    def score(answer: str, row: Mapping[str, Any]) -> float:
        value = function(answer, dict(row)) if takes_row else function(answer)
        if not isinstance(value, (bool, int, float)):
            raise UsageError(
                f"the metric {label} returned a {type(value).__name__}; return a number or a bool"
            )
        return float(value)

    return Metric(label, score=score)


def _arity(function: Callable[..., Any]) -> int:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return 1
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return 2
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)


def judge(
    rubric: str = DEFAULT_RUBRIC,
    *,
    scale: tuple[int, int] = (1, 5),
    reference: str | None = None,
    name: str = "judge",
) -> Metric:
    """The judge model scores each answer by `rubric` on the integer `scale` (low, high),
    seeing the question, the answer and, with `reference`, that column's reference answer."""
    low, high = scale
    if not (isinstance(low, int) and isinstance(high, int) and low < high):
        raise UsageError(f"a judge scale is two integers, lowest first; got {scale!r}")
    columns = (reference,) if reference else ()
    return Metric(
        name, kind=JUDGE, rubric=rubric, scale=(low, high), reference=reference, columns=columns
    )


def pairwise(criteria: str = DEFAULT_CRITERIA, *, name: str = "pairwise") -> Metric:
    """The judge picks the better of two models' answers to the same row, asked in both orders."""
    return Metric(name, kind=PAIRWISE, rubric=criteria)


_BY_NAME: dict[str, Callable[..., Metric]] = {
    "exact": exact,
    "contains": contains,
    "numeric": numeric,
    "json": lambda: json(),
    "judge": lambda: judge(),
    "pairwise": lambda: pairwise(),
}


def from_text(spec: str) -> Metric:
    """`exact`, `exact:COLUMN`, `contains:COLUMN`, `regex:PATTERN`, `numeric:COLUMN[:TOL]`,
    `json`, `judge`, `pairwise`: the forms a cell option can name."""
    kind, _, rest = spec.strip().partition(":")
    if kind == "regex":
        if not rest:
            raise UsageError("regex needs a pattern: regex:PATTERN")
        return regex(rest)
    if kind == "numeric" and rest:
        column, _, tolerance = rest.partition(":")
        try:
            return numeric(column or REFERENCE, tolerance=float(tolerance or 0))
        except ValueError:
            raise UsageError(f"numeric:{rest}: the tolerance must be a number") from None
    if kind in ("exact", "contains") and rest:
        return _BY_NAME[kind](rest)
    if kind not in _BY_NAME or rest:
        known = "exact, contains, regex:PATTERN, numeric, json, judge, pairwise"
        raise UsageError(f"unknown metric {spec!r}; known: {known} (or a Python function)")
    return _BY_NAME[kind]()


def resolve(metrics: Iterable[Any] | Any) -> list[Metric]:
    """Metrics from names, Metric objects and functions; names must be distinct."""
    if isinstance(metrics, (str, Metric)) or callable(metrics):
        metrics = [metrics]
    resolved = []
    for item in metrics:
        if isinstance(item, Metric):
            resolved.append(item)
        elif isinstance(item, str):
            resolved.append(from_text(item))
        elif callable(item):
            resolved.append(custom(item))
        else:
            raise UsageError(
                f"a metric is a name, a Metric or a function; got a {type(item).__name__}"
            )
    names = [m.name for m in resolved]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UsageError(f"two metrics are named {', '.join(twice)}; give one a name=")
    return resolved
