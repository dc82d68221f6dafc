"""Python type hints as JSON Schema: the one schema builder, for tool parameters and for
structured answers alike."""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from typing import Any

from ..errors import UsageError


class SchemaError(UsageError):
    """A function whose signature cannot be described as a JSON schema."""


_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    type(None): {"type": "null"},
    None: {"type": "null"},
}


def schema_for(hint: Any, _seen: tuple[Any, ...] = ()) -> dict[str, Any]:
    """The JSON schema of one type hint; SchemaError for what JSON cannot carry.

    `_seen` holds the record types being described, so a type that contains itself is
    refused instead of recursing forever."""
    if hint in _SCALARS:
        return dict(_SCALARS[hint])
    if hint is Any:
        return {}
    if is_pydantic_model(hint):
        _refuse_recursion(hint, _seen)
        return pydantic_schema(hint)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Literal:
        return _literal_schema(args)
    if origin in (typing.Union, types.UnionType):
        return _union_schema(args, _seen)
    if origin in (list, typing.List, tuple) or hint in (list, typing.List):  # noqa: UP006
        return _array_schema(origin, args, _seen)
    if origin in (dict, typing.Dict) or hint in (dict, typing.Dict):  # noqa: UP006
        return _dict_schema(args, _seen)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum_schema(hint)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass_schema(hint, _seen)
    if typing.is_typeddict(hint):
        return _typeddict_schema(hint, _seen)
    name = getattr(hint, "__name__", None) or repr(hint)
    raise SchemaError(
        f"type {name} cannot be described as JSON (use str, int, float, bool, None, list, "
        "dict[str, ...], Literal, an Enum, a dataclass or a TypedDict)"
    )


def _refuse_recursion(hint: Any, seen: tuple[Any, ...]) -> None:
    if hint in seen:
        raise SchemaError(f"{hint.__name__} refers to itself; recursive types are refused")


def _literal_schema(values: tuple[Any, ...]) -> dict[str, Any]:
    if not all(isinstance(a, (str, int, float, bool)) or a is None for a in values):
        raise SchemaError("Literal values must be strings, numbers, booleans or None")
    return _enum_of(list(values))


def _enum_schema(hint: type[enum.Enum]) -> dict[str, Any]:
    values = [member.value for member in hint]
    if not all(isinstance(v, (str, int, float, bool)) for v in values):
        raise SchemaError(f"the values of enum {hint.__name__} must be strings or numbers")
    return _enum_of(values)


def _enum_of(values: list[Any]) -> dict[str, Any]:
    """`{"enum": values}`, with their `type` when they all share one."""
    schema: dict[str, Any] = {"enum": values}
    kinds = {type(v) for v in values}
    if len(kinds) == 1:
        schema["type"] = _SCALARS[kinds.pop()]["type"]
    return schema


def _union_schema(args: tuple[Any, ...], seen: tuple[Any, ...]) -> dict[str, Any]:
    """`anyOf` the options; `X | None` of a simple type as `"type": [X, "null"]`."""
    options = [a for a in args if a is not type(None)]
    if len(options) == len(args):
        return {"anyOf": [schema_for(a, seen) for a in options]}
    if len(options) == 1:
        inner = schema_for(options[0], seen)
        if isinstance(inner.get("type"), str):
            nullable = {**inner, "type": [inner["type"], "null"]}
            if "enum" in nullable:
                nullable["enum"] = [*nullable["enum"], None]
            return nullable
        return {"anyOf": [inner, {"type": "null"}]}
    return {"anyOf": [*(schema_for(a, seen) for a in options), {"type": "null"}]}


def _array_schema(origin: Any, args: tuple[Any, ...], seen: tuple[Any, ...]) -> dict[str, Any]:
    if origin is tuple:
        raise SchemaError("tuples are not supported; use list[...]")
    if not args:
        return {"type": "array"}
    return {"type": "array", "items": schema_for(args[0], seen)}


def _dict_schema(args: tuple[Any, ...], seen: tuple[Any, ...]) -> dict[str, Any]:
    if not args:
        return {"type": "object"}
    if args[0] is not str:
        raise SchemaError("dict keys must be str (JSON object keys are strings)")
    return {"type": "object", "additionalProperties": schema_for(args[1], seen)}


def _dataclass_schema(hint: type, seen: tuple[Any, ...]) -> dict[str, Any]:
    """Every field a property; those without a default (or factory) required."""
    _refuse_recursion(hint, seen)
    hints = typing.get_type_hints(hint)
    properties = {}
    required = []
    for f in dataclasses.fields(hint):
        properties[f.name] = schema_for(hints.get(f.name, str), (*seen, hint))
        no_default = f.default is dataclasses.MISSING
        if no_default and f.default_factory is dataclasses.MISSING:  # type: ignore[misc]
            required.append(f.name)
    return _object(properties, required)


def _typeddict_schema(hint: Any, seen: tuple[Any, ...]) -> dict[str, Any]:
    _refuse_recursion(hint, seen)
    hints, required_keys = typeddict_fields(hint)
    properties = {k: schema_for(v, (*seen, hint)) for k, v in hints.items()}
    return _object(properties, [k for k in hints if k in required_keys])


# typing.NotRequired and typing.Required (Python 3.11+).
_OPTIONALITY = tuple(getattr(typing, name, None) for name in ("NotRequired", "Required"))


def typeddict_fields(hint: Any) -> tuple[dict[str, Any], set[str]]:
    """A TypedDict's field hints (without Required/NotRequired) and its required keys;
    the wrappers are read from the hints, so string annotations count too."""
    extras = typing.get_type_hints(hint, include_extras=True)
    required = set(getattr(hint, "__required_keys__", set(extras)))
    hints = {}
    for name, value in extras.items():
        origin = typing.get_origin(value)
        if origin is not None and origin in _OPTIONALITY:
            (value,) = typing.get_args(value)
            if origin is _OPTIONALITY[0]:
                required.discard(name)
            else:
                required.add(name)
        while typing.get_origin(value) is typing.Annotated:
            value = typing.get_args(value)[0]
        hints[name] = value
    return hints, required


def is_pydantic_model(hint: Any) -> bool:
    """A pydantic v2 model class, recognised without importing pydantic (it is optional)."""
    return (
        isinstance(hint, type)
        and callable(getattr(hint, "model_json_schema", None))
        and callable(getattr(hint, "model_validate", None))
    )


def pydantic_schema(model: Any) -> dict[str, Any]:
    """A pydantic model's own JSON Schema with its `$defs` inlined and titles dropped."""
    schema = model.model_json_schema()
    return inline_refs(schema, schema.get("$defs") or {}, (), model.__name__)


def inline_refs(
    schema: Any, defs: dict[str, Any], _seen: tuple[str, ...] = (), where: str = "the schema"
) -> Any:
    """`schema` without `$ref`/`$defs` (every reference replaced by its definition) and
    without `title`s; SchemaError for a recursive definition, which has no inline form."""
    if isinstance(schema, list):
        return [inline_refs(s, defs, _seen, where) for s in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if not ref.startswith("#/$defs/") or name not in defs:
            raise SchemaError(f"{where}: the reference {ref!r} points to no definition in $defs")
        if name in _seen:
            raise SchemaError(f"{where}: {name} refers to itself; recursive types are refused")
        extra = {k: v for k, v in schema.items() if k not in ("$ref", "$defs", "title")}
        resolved = inline_refs(defs[name], defs, (*_seen, name), where)
        return {**resolved, **inline_refs(extra, defs, _seen, where)}
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("$defs", "title"):
            continue
        if key == "properties" and isinstance(value, dict):
            result[key] = {k: inline_refs(v, defs, _seen, where) for k, v in value.items()}
        elif key in ("enum", "const", "default", "examples", "required"):
            result[key] = value
        else:
            result[key] = inline_refs(value, defs, _seen, where)
    return result


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema


def json_default(value: Any) -> bool:
    try:
        json.dumps(default_value(value))
    except (TypeError, ValueError):
        return False
    return True


def default_value(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value
