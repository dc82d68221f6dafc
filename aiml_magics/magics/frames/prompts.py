"""How rows become questions: the tagged prompt of one row or of a pack of rows, and the JSON
Schema an answer must follow (one object per row; a pack answers `{"items": [...]}` with one
item per row, each carrying the row's `id`).

The layout is plain tagged text (`<condition>`, `<row>`, `<row id="3">`) so that a model reads
where each row starts and ends, and the simulator's rule-based responder can answer it.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PACK_NOTE = (
    "There are {count} rows. Answer every row, in the same order, as one item of `items` "
    "carrying the row's id."
)
CONFIDENCE = {"type": "number", "description": "how sure you are, from 0 to 1"}


@dataclass(frozen=True)
class Task:
    """One kind of question asked of each row.

    `name` is the schema name sent (`aiml_filter`, ...); `intro` says what to do; `context`
    holds the tagged parts every row shares (the condition, the criterion); `fields` are the
    JSON Schema properties of one row's answer, all required."""

    name: str
    intro: str
    fields: dict[str, Any]
    context: tuple[tuple[str, str], ...] = ()
    columns: tuple[str, ...] | None = None  # None: every column of the row
    template: str | None = None  # map: the user's template, filled per row instead
    raw: bool = False  # map without a schema: the filled template alone, a text answer

    def with_confidence(self) -> Task:
        """The same task asking how sure the model is (for a cascade)."""
        fields = {**self.fields, "confidence": CONFIDENCE}
        return dataclasses.replace(self, fields=fields, raw=False)

    def one_schema(self) -> dict[str, Any] | None:
        return None if self.raw else _object(self.fields)

    def pack_schema(self) -> dict[str, Any]:
        item = _object({"id": {"type": "integer"}, **self.fields})
        return _object({"items": {"type": "array", "items": item}})

    def one_prompt(self, row: Mapping[str, Any], fill: Any = None) -> str:
        if self.raw:
            return fill(self.template, row)
        return self._prompt([self._row_text(row, fill)], packed=False)

    def pack_prompt(self, rows: list[Mapping[str, Any]], fill: Any = None) -> str:
        return self._prompt([self._row_text(row, fill) for row in rows], packed=True)

    def _row_text(self, row: Mapping[str, Any], fill: Any) -> str:
        if self.template is not None:
            return escape(fill(self.template, row))
        return row_block(row, self.columns)

    def _prompt(self, texts: list[str], packed: bool) -> str:
        parts = [self.intro]
        if packed:
            parts[0] += " " + PACK_NOTE.format(count=len(texts))
        parts += [f"<{tag}>\n{escape(text)}\n</{tag}>" for tag, text in self.context]
        if packed:
            parts += [f'<row id="{n}">\n{t}\n</row>' for n, t in enumerate(texts, 1)]
        else:
            parts.append(f"<row>\n{texts[0]}\n</row>")
        return "\n\n".join(parts)


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def escape(text: str) -> str:
    """Row text cannot close or open a tag of the prompt's layout."""
    return re.sub(
        r"<(/?)(row|condition|criterion|labels|instructions|summary|left|right)\b",
        r"< \1\2",
        str(text),
    )


def row_block(row: Mapping[str, Any], columns: tuple[str, ...] | None = None) -> str:
    """`column: value` lines (missing values are left out), the row as a model reads it."""
    names = columns if columns is not None else tuple(k for k in row if k)
    lines = []
    for name in names:
        value = row.get(name)
        if _missing(value):
            continue
        lines.append(f"{name}: {escape(value)}")
    return "\n".join(lines)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return isinstance(value, float) and math.isnan(value)
    except TypeError:
        return False


_FIELD = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")


def named_columns(text: str, columns: list[str]) -> tuple[str, ...] | None:
    """The columns a condition names as `{column}` (None when it names none); a name that is
    no column is a clear error."""
    names = _FIELD.findall(text)
    if not names:
        return None
    unknown = [n for n in names if n not in columns]
    if unknown:
        known = ", ".join(columns[:12]) or "none"
        raise ValueError(f"{{{unknown[0]}}} names no column (columns: {known})")
    return tuple(dict.fromkeys(names))
