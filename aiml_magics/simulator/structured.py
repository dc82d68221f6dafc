"""Structured output in the simulator: a value generated from the request's JSON Schema
(deterministically), and the ways a real model gets it wrong, on demand.

`json_schema` requests get a value of their schema. `json_object` requests whose system
message carries a JSON Schema in a ```json fence (the client's fallback for models without
structured output) get one too, so the fallback is testable end to end.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

_FENCED_SCHEMA = re.compile(r"```json\s*\n(\{.*?\})\s*\n```", re.DOTALL)


def request_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON Schema a request asks its answer to follow, if any."""
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema")
        return schema if isinstance(schema, dict) else None
    if response_format.get("type") == "json_object":
        for message in body.get("messages") or []:
            content = message.get("content") if isinstance(message, dict) else None
            if message.get("role") == "system" and isinstance(content, str):
                for found in _FENCED_SCHEMA.findall(content):
                    try:
                        schema = json.loads(found)
                    except ValueError:
                        continue
                    if isinstance(schema, dict):
                        return schema
    return None


def example(schema: Any, name: str = "value", index: int = 1) -> Any:
    """A value that conforms to `schema`, the same every time."""
    if not isinstance(schema, dict):
        return None
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        options = [s for s in schema.get(key) or [] if s != {"type": "null"}]
        if options:
            return example(options[0], name, index)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        return {k: example(v, k, index) for k, v in (schema.get("properties") or {}).items()}
    if kind == "array":
        count = max(2, int(schema.get("minItems") or 0))
        return [example(schema.get("items"), name, i) for i in range(1, count + 1)]
    if kind == "integer":
        return max(int(schema.get("minimum", 0)), index)
    if kind == "number":
        return max(float(schema.get("minimum", 0)), index + 0.5)
    if kind == "boolean":
        return index % 2 == 1
    if kind == "null":
        return None
    return f"{name} {index}"


def answer_for(schema: dict[str, Any], fault: str | None) -> str:
    """The answer text: a conforming value, or one broken the way `fault` says."""
    value = example(schema)
    if fault == "not_json":
        return "Sure! Here is the record you asked for: " + json.dumps(value)[:-1]
    if fault == "fenced":
        return "```json\n" + json.dumps(value, indent=2) + "\n```"
    if fault in ("missing_field", "wrong_type", "bad_enum"):
        value = copy.deepcopy(value)
        if not _break(value, schema, fault):
            raise ValueError(f"schema_fault={fault!r}: the schema has nothing to break that way")
    return json.dumps(value)


def _break(value: Any, schema: dict[str, Any], fault: str) -> bool:
    """Break the first place (depth first) where `fault` applies; True when it did."""
    if isinstance(value, list):
        return bool(value) and _break(value[0], _items(schema), fault)
    if not isinstance(value, dict):
        return False
    properties = _properties(schema)
    if fault == "missing_field":  # in the innermost first object: `items[0].name`, not `items`
        for key in list(value):
            if isinstance(value[key], (dict, list)) and _break(
                value[key], properties.get(key) or {}, fault
            ):
                return True
        if value:
            del value[next(iter(value))]
            return True
        return False
    for key in list(value):
        sub = properties.get(key) or {}
        if fault == "bad_enum" and sub.get("enum"):
            value[key] = "not-one-of-them"
            return True
        if fault == "wrong_type" and isinstance(value[key], (str, int, float, bool)):
            value[key] = 42 if isinstance(value[key], str) else "forty-two"
            return True
        if _break(value[key], sub, fault):
            return True
    return False


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    if isinstance(schema.get("properties"), dict):
        return schema["properties"]
    for option in schema.get("anyOf") or []:
        if isinstance(option, dict) and isinstance(option.get("properties"), dict):
            return option["properties"]
    return {}


def _items(schema: dict[str, Any]) -> dict[str, Any]:
    if isinstance(schema.get("items"), dict):
        return schema["items"]
    for option in schema.get("anyOf") or []:
        if isinstance(option, dict) and isinstance(option.get("items"), dict):
            return option["items"]
    return {}
