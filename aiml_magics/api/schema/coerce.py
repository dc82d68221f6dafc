"""Decoded JSON checked against a type hint and converted to it (Enums, dataclasses, ...).

The counterpart of `build.schema_for`: what the schema promised the model, this checks
the model kept, with an error that names the field.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from typing import Any

from .build import is_pydantic_model, typeddict_fields

SHORT_VALUE = 40


class ArgumentError(ValueError):
    """Arguments from the model that do not match the function's hints."""


def convert(value: Any, hint: Any, where: str) -> Any:
    """`value` (decoded JSON) as the hinted type; ArgumentError when it does not fit."""
    if hint is Any:
        return value
    if hint is None or any(hint is plain for plain in _PLAIN_TYPES):
        return _scalar(value, hint, where)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Literal:
        return _literal(value, args, where)
    if origin in (typing.Union, types.UnionType):
        return _union(value, args, where)
    if origin in (list, typing.List) or hint in (list, typing.List):  # noqa: UP006
        return _array(value, args, where)
    if origin in (dict, typing.Dict) or hint in (dict, typing.Dict):  # noqa: UP006
        return _mapping(value, args, where)
    if is_pydantic_model(hint):
        return _pydantic(value, hint, where)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum_member(value, hint, where)
    if (dataclasses.is_dataclass(hint) and isinstance(hint, type)) or typing.is_typeddict(hint):
        return _record(value, hint, where)
    return value


_PLAIN_TYPES = (type(None), bool, int, float, str)


def _scalar(value: Any, hint: Any, where: str) -> Any:
    """null, boolean, integer (a whole float counts), number or string; bool is no number."""
    if hint is None or hint is type(None):
        if value is not None:
            raise _mismatch(where, "null", value)
        return None
    if hint is bool:
        if not isinstance(value, bool):
            raise _mismatch(where, "a boolean", value)
        return value
    if hint is int:
        if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        ):
            raise _mismatch(where, "an integer", value)
        return int(value)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _mismatch(where, "a number", value)
        return float(value)
    if not isinstance(value, str):
        raise _mismatch(where, "a string", value)
    return value


def _literal(value: Any, allowed: tuple[Any, ...], where: str) -> Any:
    """One of the literal values, of the same type (True is not 1)."""
    for candidate in allowed:
        if value == candidate and type(value) is type(candidate):
            return candidate
    raise ArgumentError(f"{where}: expected one of {list(allowed)!r}, got {value!r}")


def _union(value: Any, options: tuple[Any, ...], where: str) -> Any:
    """The first option that fits; a single option's own error when only one was tried."""
    if value is None and type(None) in options:
        return None
    problems = []
    for option in options:
        if option is type(None):
            continue
        try:
            return convert(value, option, where)
        except ArgumentError as exc:
            problems.append(str(exc))
    raise ArgumentError(problems[0] if len(problems) == 1 else f"{where}: no type fits {value!r}")


def _array(value: Any, args: tuple[Any, ...], where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _mismatch(where, "an array", value)
    item = args[0] if args else Any
    return [convert(v, item, f"{where}[{i}]") for i, v in enumerate(value)]


def _mapping(value: Any, args: tuple[Any, ...], where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _mismatch(where, "an object", value)
    item = args[1] if args else Any
    return {k: convert(v, item, f"{where}.{k}") for k, v in value.items()}


def _enum_member(value: Any, hint: type[enum.Enum], where: str) -> enum.Enum:
    """The member whose value is `value` (same type: the string "1" is not the member 1)."""
    for member in hint:
        if member.value == value and type(member.value) is type(value):
            return member
    allowed = [m.value for m in hint]
    raise ArgumentError(f"{where}: expected one of {allowed!r}, got {value!r}")


def _record(value: Any, hint: Any, where: str) -> Any:
    """A dataclass or TypedDict: no unknown field, every required one, each field converted."""
    if not isinstance(value, dict):
        raise _mismatch(where, "an object", value)
    hints, required = _record_fields(hint)
    extra = sorted(set(value) - set(hints))
    if extra:
        raise ArgumentError(f"{where}: unexpected field(s) {', '.join(extra)}")
    missing = sorted(required - set(value))
    if missing:
        raise ArgumentError(f"{where}: missing field(s) {', '.join(missing)}")
    fields = {k: convert(v, hints[k], f"{where}.{k}") for k, v in value.items()}
    return fields if typing.is_typeddict(hint) else hint(**fields)


def _record_fields(hint: Any) -> tuple[dict[str, Any], set[str]]:
    """(field hints, names without a default) of a dataclass or TypedDict."""
    if typing.is_typeddict(hint):
        return typeddict_fields(hint)
    hints = typing.get_type_hints(hint)
    required = {
        f.name
        for f in dataclasses.fields(hint)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING  # type: ignore[misc]
    }
    return hints, required


def _pydantic(value: Any, model: Any, where: str) -> Any:
    """`model.model_validate`, its first error reported like ours (path, then problem)."""
    if not isinstance(value, dict):
        raise _mismatch(where, "an object", value)
    try:
        return model.model_validate(value)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        problems = exc.errors() if callable(getattr(exc, "errors", None)) else []
        if not problems:
            raise ArgumentError(f"{where}: {exc}") from None
        first = problems[0]
        path = where + "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in first.get("loc", ())
        )
        given = first.get("input")
        problem = str(first.get("msg", "invalid"))
        if first.get("type") != "missing" and not isinstance(given, (dict, list)):
            problem += f", got {json_kind(given)} {_shorten(repr(given))}"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ArgumentError(f"{path}: {problem}{more}") from None


def _mismatch(where: str, expected: str, value: Any) -> ArgumentError:
    return ArgumentError(f"{where}: expected {expected}, got {describe_value(value)}")


def describe_value(value: Any) -> str:
    """`string 'forty'`: the JSON kind and a short repr, for error messages."""
    return f"{json_kind(value)} {_shorten(repr(value))}"


def json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHORT_VALUE else text[: SHORT_VALUE - 1] + "…"
