"""A structured answer shown as values: a compact table above the pretty JSON.

One row per item for a list, one row per field for an object. Every cell, header and the
JSON are model output: cells go through the inline escaper, the JSON through the neutraliser
inside a fence longer than any backtick run it contains.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import re
from typing import Any

from ..api.result import ChatResult
from .tables import markdown_table, plain_table

MAX_ROWS = 50
MAX_CELL = 60
_BACKTICKS = re.compile(r"`+")


def table_of(data: Any) -> tuple[list[str], list[list[str]]]:
    """Headers and rows (as short text) for a decoded JSON value."""
    if isinstance(data, list):
        if data and all(isinstance(item, dict) for item in data):
            headers: list[str] = []
            for item in data:
                headers += [k for k in item if k not in headers]
            rows = [[cell_text(item.get(h, "")) for h in headers] for item in data]
            return headers, rows
        return ["value"], [[cell_text(item)] for item in data]
    if isinstance(data, dict):
        return ["field", "value"], [[str(k), cell_text(v)] for k, v in data.items()]
    return ["value"], [[cell_text(data)]]


def cell_text(value: Any) -> str:
    """Strings as they are, null as nothing, everything else as compact JSON; one line,
    shortened."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(text.split())
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def as_plain(value: Any) -> Any:
    """The parsed value as plain JSON-like data (defaults filled in, Enums as their values),
    so the table shows what `_aiml.parsed` holds."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if callable(getattr(value, "model_dump", None)) and not isinstance(value, type):
        return value.model_dump(mode="json")
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): as_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_plain(v) for v in value]
    return value


def structured_markdown(result: ChatResult) -> str:
    from .sanitize import escape_markdown_inline, neutralize_markdown

    headers, rows = table_of(as_plain(result.parsed))
    more = len(rows) - MAX_ROWS
    headers = [escape_markdown_inline(cell_text(h)) for h in headers]
    table = markdown_table(headers, rows[:MAX_ROWS])
    if more > 0:
        table += f"\n\n*… {more} more row{'s' if more != 1 else ''} (all of them are below)*"
    pretty = json.dumps(result.json, indent=2, ensure_ascii=False)
    longest = max((len(run) for run in _BACKTICKS.findall(pretty)), default=0)
    fence = "`" * max(3, longest + 1)
    code = neutralize_markdown(f"{fence}json\n{pretty}\n{fence}")
    return f"{table}\n\n{code}"


def structured_plain(result: ChatResult) -> str:
    headers, rows = table_of(as_plain(result.parsed))
    pretty = json.dumps(result.json, indent=2, ensure_ascii=False)
    return f"{plain_table(headers, rows[:MAX_ROWS])}\n\n{pretty}"
