"""A JSON Schema made strict-compatible: what `"strict": true` structured output accepts.

Strict mode wants every object closed (`additionalProperties: false`) with every property
listed in `required`; a field that may be left out becomes required but nullable. Schemas
without such a form (free-form objects, arrays without `items`, `Any`) are refused here,
before anything is sent.
"""

from __future__ import annotations

import copy
from typing import Any

from .build import SchemaError, inline_refs

# Keywords strict mode does not take; they only describe, so dropping them loses nothing.
UNSUPPORTED = ("default", "examples", "$schema", "$id")


def strict_schema(schema: dict[str, Any], where: str = "answer") -> dict[str, Any]:
    """A strict-compatible copy of `schema` (references inlined); SchemaError names the
    part that has no strict form."""
    if not isinstance(schema, dict):
        raise SchemaError(f"{where}: a JSON Schema must be an object (a dict)")
    inlined = inline_refs(copy.deepcopy(schema), schema.get("$defs") or {}, (), where)
    return _strict(inlined, where)


def accepts_null(schema: Any) -> bool:
    """Whether `null` is valid for `schema` (as far as its type, enum and anyOf say)."""
    if not isinstance(schema, dict):
        return False
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    if "enum" in schema and None in schema["enum"]:
        return True
    return any(accepts_null(s) for s in schema.get("anyOf") or schema.get("oneOf") or [])


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """`anyOf: [schema, null]`; a `type: [X, "null"]` is split into the same form."""
    if any(isinstance(s, dict) and s.get("type") == "null" for s in schema.get("anyOf") or []):
        return schema
    kinds = schema.get("type")
    if isinstance(kinds, list) and "null" in kinds:
        rest = [k for k in kinds if k != "null"]
        schema = {**schema, "type": rest[0] if len(rest) == 1 else rest}
        if "enum" in schema:
            schema["enum"] = [v for v in schema["enum"] if v is not None]
    return {"anyOf": [schema, {"type": "null"}]}


def _strict(schema: Any, where: str) -> Any:
    if not isinstance(schema, dict):
        raise SchemaError(f"{where}: expected a JSON Schema object, got {schema!r}")
    schema = {k: v for k, v in schema.items() if k not in UNSUPPORTED}
    meaningful = set(schema) - {"description", "title"}
    if not meaningful:
        raise SchemaError(
            f"{where}: any value at all (Any, or an empty schema) has no strict form; "
            "give it a type"
        )
    kinds = schema.get("type")
    kinds = set(kinds) if isinstance(kinds, list) else {kinds}
    if "object" in kinds or "properties" in schema:
        schema = _strict_object(schema, where)
    if "array" in kinds or "items" in schema:
        if not isinstance(schema.get("items"), dict):
            raise SchemaError(f"{where}: a list needs an item type (list[str], list[Person], ...)")
        schema["items"] = _strict(schema["items"], f"{where}[]")
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            schema[key] = [_strict(s, where) for s in schema[key]]
    return schema


def _strict_object(schema: dict[str, Any], where: str) -> dict[str, Any]:
    properties = schema.get("properties")
    extra = schema.get("additionalProperties", False)
    if not isinstance(properties, dict) or not properties or extra not in (False, None):
        raise SchemaError(
            f"{where}: an object with free-form keys (dict, dict[str, ...]) has no strict form; "
            "use a dataclass, a TypedDict or a model with named fields"
        )
    required = set(schema.get("required") or [])
    closed = {}
    for name, sub in properties.items():
        field = _strict(sub, f"{where}.{name}")
        closed[name] = field if name in required else nullable(field)
    return {**schema, "properties": closed, "required": list(closed), "additionalProperties": False}
