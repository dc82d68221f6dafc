"""Decoded JSON checked against a JSON Schema `dict`: the subset structured output uses.

Covers `type`, `enum`, `const`, `properties`/`required`/`additionalProperties`, `items`,
`anyOf`/`oneOf`/`allOf` and the simple bounds (`minimum`, `maxLength`, `minItems`, ...).
Other keywords are left to the service. Errors name the field, like `coerce.convert`.
"""

from __future__ import annotations

import math
from typing import Any

from .coerce import ArgumentError, describe_value, json_kind

_KINDS = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (
        isinstance(v, int)
        and not isinstance(v, bool)
        or isinstance(v, float)
        and math.isfinite(v)
        and v.is_integer()
    ),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}
_ARTICLE = {"integer": "an integer", "array": "an array", "object": "an object"}
_BOUNDS = (
    ("minimum", lambda v, b: v >= b, "at least"),
    ("maximum", lambda v, b: v <= b, "at most"),
    ("exclusiveMinimum", lambda v, b: v > b, "more than"),
    ("exclusiveMaximum", lambda v, b: v < b, "less than"),
)


def check(value: Any, schema: Any, where: str) -> None:
    """Raise ArgumentError (naming the field) when `value` does not fit `schema`."""
    if not isinstance(schema, dict) or not schema:
        return
    if "const" in schema and value != schema["const"]:
        raise ArgumentError(f"{where}: expected {schema['const']!r}, got {describe_value(value)}")
    if "enum" in schema and not any(_same(value, a) for a in schema["enum"]):
        raise ArgumentError(
            f"{where}: expected one of {list(schema['enum'])!r}, got {describe_value(value)}"
        )
    kinds = schema.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if not any(_KINDS.get(k, lambda v: True)(value) for k in kinds):
            expected = " or ".join(_ARTICLE.get(k, f"a {k}") for k in kinds)
            raise ArgumentError(f"{where}: expected {expected}, got {describe_value(value)}")
    for key in ("anyOf", "oneOf"):
        if key in schema:
            _any_of(value, schema[key], where)
    for sub in schema.get("allOf") or []:
        check(value, sub, where)
    if isinstance(value, dict):
        _object(value, schema, where)
    elif isinstance(value, list):
        _array(value, schema, where)
    elif isinstance(value, str):
        _length(len(value), schema, where, "minLength", "maxLength", "characters")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        for key, fits, words in _BOUNDS:
            bound = schema.get(key)
            if isinstance(bound, (int, float)) and not fits(value, bound):
                raise ArgumentError(f"{where}: must be {words} {bound:g}, got {value!r}")


def _any_of(value: Any, options: list[Any], where: str) -> None:
    problems = []
    for option in options:
        try:
            check(value, option, where)
            return
        except ArgumentError as exc:
            problems.append(str(exc))
    non_null = [p for o, p in zip(options, problems, strict=True) if o != {"type": "null"}]
    raise ArgumentError(
        non_null[0]
        if len(non_null) == 1
        else f"{where}: no allowed type fits {describe_value(value)}"
    )


def _object(value: dict[str, Any], schema: dict[str, Any], where: str) -> None:
    properties = schema.get("properties") or {}
    missing = [k for k in schema.get("required") or [] if k not in value]
    if missing:
        raise ArgumentError(f"{where}: missing field(s) {', '.join(missing)}")
    extra = schema.get("additionalProperties", True)
    unexpected = sorted(k for k in value if k not in properties)
    if extra is False and unexpected:
        raise ArgumentError(f"{where}: unexpected field(s) {', '.join(unexpected)}")
    for key, item in value.items():
        sub = properties.get(key, extra if isinstance(extra, dict) else None)
        check(item, sub, f"{where}.{key}")


def _array(value: list[Any], schema: dict[str, Any], where: str) -> None:
    _length(len(value), schema, where, "minItems", "maxItems", "items")
    for i, item in enumerate(value):
        check(item, schema.get("items"), f"{where}[{i}]")


def _length(size: int, schema: dict[str, Any], where: str, low: str, high: str, unit: str) -> None:
    if isinstance(schema.get(low), int) and size < schema[low]:
        raise ArgumentError(f"{where}: needs at least {schema[low]} {unit}, got {size}")
    if isinstance(schema.get(high), int) and size > schema[high]:
        raise ArgumentError(f"{where}: allows at most {schema[high]} {unit}, got {size}")


def _same(value: Any, allowed: Any) -> bool:
    return value == allowed and json_kind(value) == json_kind(allowed)
