"""A batch's data in and out: rows from dicts, strings or pandas, prompts filled per row, and
answers put back in the input's shape (same index, one column per schema field).

pandas is optional and only touched when the data is a pandas object.
"""

from __future__ import annotations

import dataclasses
import re
from collections import ChainMap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ...api.errors import UsageError
from ...api.result import ChatResult
from ..interpolate import _PLACEHOLDER, interpolate

_EMPTY = re.compile(r"(?<!\{)\{\}(?!\})")  # `{}`: the whole row when it is a string
STRING_FIELD = "text"
_WHOLE_ROW = "_aiml_whole_row"


@dataclass
class Table:
    """The rows of a batch's input and what is needed to answer in the same shape."""

    kind: str  # "frame", "series" or "list"
    rows: list[dict[str, Any]]
    index: Any = None  # the pandas index, for frames and series
    name: Any = None  # a series' name
    columns: list[str] | None = None  # a frame's columns (known even when it has no rows)

    def fields(self) -> set[str]:
        names = {k for row in self.rows for k in row if k}
        return names | set(self.columns or ())


def _pandas_kind(data: Any) -> str | None:
    module = type(data).__module__ or ""
    name = type(data).__name__
    if module.startswith("dask"):
        raise UsageError(
            "a dask DataFrame is batched partition by partition: "
            "ddf.map_partitions(lambda part: aiml_magics.batch(PROMPT, part, progress=False), "
            "meta=aiml_magics.batch(PROMPT, ddf._meta))"
        )
    if module.startswith("pandas"):
        if name == "DataFrame":
            return "frame"
        if name == "Series":
            return "series"
    return None


def read_rows(data: Any) -> Table:
    """The rows of `data` as field dicts; a clear UsageError for anything else."""
    kind = _pandas_kind(data)
    if kind == "frame":
        columns = [str(c) for c in data.columns]
        rows = [dict(zip(columns, values, strict=True)) for values in data.itertuples(index=False)]
        return Table("frame", rows, index=data.index, columns=columns)
    if kind == "series":
        extra = str(data.name) if isinstance(data.name, str) and data.name else None
        rows = [_string_row(value, extra) for value in data.tolist()]
        names = [STRING_FIELD, *([extra] if extra else [])]
        return Table("series", rows, index=data.index, name=data.name, columns=names)
    if isinstance(data, (str, bytes, Mapping)) or not isinstance(data, Iterable):
        raise UsageError(
            f"batch data must be rows: a list of dicts or strings, a pandas Series or "
            f"DataFrame; got a {type(data).__name__}"
        )
    rows = []
    for number, row in enumerate(data):
        if isinstance(row, Mapping):
            rows.append({str(k): v for k, v in row.items()})
        elif isinstance(row, str):
            rows.append(_string_row(row))
        else:
            raise UsageError(
                f"row {number} is a {type(row).__name__}; rows are dicts (fields by name) "
                "or strings (filling {} or {text})"
            )
    return Table("list", rows)


def _string_row(value: Any, name: str | None = None) -> dict[str, Any]:
    row = {STRING_FIELD: value, "": value}
    if name:
        row[name] = value
    return row


def check_template(template: str, table: Table, namespace: Mapping[str, Any]) -> None:
    """Every `{field}` must name a field of the rows (or a notebook variable), and at least one
    must come from the rows: otherwise every row would ask the same question."""
    fields = table.fields()
    if not fields and not table.rows:
        return  # an empty list: nothing to check, nothing to send
    uses_row = bool(_EMPTY.search(template)) and any("" in row for row in table.rows)
    for match in _PLACEHOLDER.finditer(template):
        path = match.group(2)
        if path is None:
            continue  # `{{literal}}`
        root = re.match(r"[A-Za-z_]\w*", path).group(0)  # type: ignore[union-attr]
        if root in fields:
            uses_row = True
        elif root not in namespace:
            known = ", ".join(sorted(fields)[:12]) or "none"
            raise UsageError(
                f"{{{path}}} names no field of the rows (fields: {known}) and no variable in "
                "the notebook; use {{...}} for a literal brace"
            )
    if table.rows and not uses_row:
        raise UsageError(
            "the prompt names no field of the rows, so every row would ask the same question; "
            "put a field in braces, e.g. {" + (sorted(fields) or [STRING_FIELD])[0] + "}"
        )


def fill(template: str, row: Mapping[str, Any], namespace: Mapping[str, Any]) -> str:
    """The prompt of one row: its fields first, then the namespace (`interpolate`'s rules)."""
    fields = dict(row)
    if "" in fields:  # one pass, so braces inside the row's text are never read as fields
        template = _EMPTY.sub("{" + _WHOLE_ROW + "}", template)
        fields[_WHOLE_ROW] = fields[""]
    return interpolate(template, ChainMap(fields, dict(namespace)))


# -- answers back in the input's shape --------------------------------------------------------


def schema_fields(schema: Any) -> list[str] | None:
    """The columns a structured answer spreads into (None: one column holds the value)."""
    if schema is None or schema.wrap_key is not None:
        return None
    return list((schema.loose.get("properties") or {}).keys()) or None


def as_fields(value: Any) -> dict[str, Any]:
    """A parsed structured answer as a dict of its fields."""
    if value is None:
        return {}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    dump = getattr(value, "model_dump", None)  # pydantic
    if callable(dump):
        return dict(dump())
    if isinstance(value, Mapping):
        return dict(value)
    return {}


def answer_value(result: ChatResult, schema: Any, json_mode: bool) -> Any:
    """What a row's answer column holds: the text, the parsed JSON or the typed value."""
    if result.error is not None or not result.complete:
        return None
    if schema is not None:
        return result.parsed
    if json_mode:
        return result.json
    return result.text


def assemble(
    table: Table,
    results: list[ChatResult],
    *,
    out_col: str = "answer",
    schema: Any = None,
    json_mode: bool = False,
    credits: list[float] | None = None,
) -> Any:
    """Answers aligned with the input: a DataFrame (same index, answer or schema columns plus
    `credits` and `error`), a Series (same index), or the list of ChatResult."""
    if table.kind == "list":
        return results
    import pandas as pd

    values = [answer_value(r, schema, json_mode) for r in results]
    if table.kind == "series":
        return pd.Series(values, index=table.index, name=out_col, dtype=object)
    columns: dict[str, list[Any]] = {}
    fields = schema_fields(schema)
    if fields is None:
        columns[out_col] = values
    else:
        spread = [as_fields(v) for v in values]
        for name in fields:
            columns[name] = [row.get(name) for row in spread]
    columns["error"] = [str(r.error) if r.error is not None else None for r in results]
    # object columns: a missing answer stays None (pandas would infer strings and NaN)
    series = {name: pd.Series(v, index=table.index, dtype=object) for name, v in columns.items()}
    series["credits"] = pd.Series(
        credits if credits is not None else [0.0] * len(results), index=table.index, dtype=float
    )
    order = [name for name in columns if name != "error"] + ["credits", "error"]
    return pd.DataFrame({name: series[name] for name in order}, index=table.index)
