"""Structured output: a schema sent as `response_format`, the answer parsed and validated into
typed values, one repair request when it does not fit, and the `json_object` fallback for
models without structured output.

`OutputSchema.of(target)` accepts a type hint (dataclass, TypedDict, Enum, `list[...]`,
`Literal[...]`, a pydantic model) or a JSON Schema dict. `answer_with_schema` runs the
exchange over any `send(messages, params)`: the client's `chat` and the notebook's one send
path both use it, so they behave the same.
"""

from __future__ import annotations

import dataclasses
import json
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import errors
from ..result import ChatResult, StructuredInfo, Usage
from .build import SchemaError, inline_refs, schema_for
from .check import check
from .coerce import ArgumentError, convert
from .strict import accepts_null, strict_schema

ROOT = "answer"
_FENCED = re.compile(r"^\s*(`{3,}|~{3,})[ \t]*(?:json)?[ \t]*\n(.*)\n\s*\1\s*$", re.DOTALL | re.I)
_NAME = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class OutputSchema:
    """What an answer must be: the strict schema sent, and how to turn JSON into values."""

    name: str
    target: Any  # the type hint, pydantic model or JSON Schema dict the user gave
    loose: dict[str, Any]  # the schema as built (optional fields optional), for validation
    schema: dict[str, Any]  # strict, wrapped in an object when the answer is not one
    wrap_key: str | None = None

    @classmethod
    def of(cls, target: Any, name: str | None = None) -> OutputSchema:
        """SchemaError (a usage error) for what has no strict JSON Schema form."""
        if isinstance(target, OutputSchema):
            return target
        label = _clean_name(name or _type_name(target))
        if isinstance(target, dict):
            loose = inline_refs(target, target.get("$defs") or {}, (), label)
            if not isinstance(loose, dict) or not loose:
                raise SchemaError(f"{label}: an empty JSON Schema says nothing about the answer")
        elif isinstance(target, type) or typing.get_origin(target) is not None:
            loose = schema_for(target)
        else:
            raise SchemaError(
                f"{label} is a {type(target).__name__} value, not a type or a JSON Schema dict"
            )
        inner = strict_schema(loose, label)
        wrap_key = None
        if loose.get("type") != "object":
            wrap_key = "items" if loose.get("type") == "array" else "value"
            inner = {
                "type": "object",
                "properties": {wrap_key: inner},
                "required": [wrap_key],
                "additionalProperties": False,
            }
        return cls(label, target, loose, inner, wrap_key)

    def response_format(self) -> dict[str, Any]:
        return {
            "type": "json_schema",
            "json_schema": {"name": self.name, "schema": self.schema, "strict": True},
        }

    def instructions(self) -> str:
        """For models without structured output: the schema, in the system message."""
        return (
            "Answer with one JSON object and nothing else (no prose, no Markdown fence). "
            f"It must match this JSON Schema ({self.name}):\n```json\n"
            f"{json.dumps(self.schema, ensure_ascii=False)}\n```"
        )

    def parse(self, text: str) -> tuple[Any, Any]:
        """The answer as (decoded JSON, typed value); ArgumentError names the field and
        the problem. A Markdown fence around the JSON is tolerated."""
        body = unfenced(text)
        if not body.strip():
            raise ArgumentError(f"{ROOT}: the answer is empty, expected JSON")
        try:
            data = json.loads(body)
        except ValueError as exc:
            where = f" (line {exc.lineno}, column {exc.colno})" if hasattr(exc, "lineno") else ""
            raise ArgumentError(f"{ROOT}: not JSON: {getattr(exc, 'msg', exc)}{where}") from None
        if self.wrap_key is not None and isinstance(data, dict) and set(data) == {self.wrap_key}:
            data = data[self.wrap_key]
        data = drop_optional_nulls(data, self.loose)
        if isinstance(self.target, dict):
            check(data, self.loose, ROOT)
            return data, data
        return data, convert(data, self.target, ROOT)


def unfenced(text: str) -> str:
    """The text inside a Markdown fence wrapping the whole answer, else the text itself:
    models often fence JSON even when asked not to."""
    match = _FENCED.match(text)
    return match.group(2) if match else text


def drop_optional_nulls(value: Any, schema: Any) -> Any:
    """Strict mode makes optional fields required-but-nullable; a `null` there means "left
    out", so it is removed where the field's own type does not take null."""
    if not isinstance(schema, dict):
        return value
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [drop_optional_nulls(v, schema["items"]) for v in value]
    if isinstance(value, dict):
        properties = schema.get("properties")
        if not isinstance(properties, dict):
            options = [s for s in schema.get("anyOf") or [] if isinstance(s, dict)]
            objects = [s for s in options if isinstance(s.get("properties"), dict)]
            return drop_optional_nulls(value, objects[0]) if objects else value
        required = set(schema.get("required") or [])
        kept = {}
        for key, item in value.items():
            sub = properties.get(key)
            if item is None and key not in required and sub is not None and not accepts_null(sub):
                continue
            kept[key] = drop_optional_nulls(item, sub)
        return kept
    return value


def answer_with_schema(
    send: Callable[[list[dict[str, Any]], dict[str, Any]], ChatResult],
    messages: list[dict[str, Any]],
    params: dict[str, Any],
    schema: OutputSchema,
    *,
    retries: int = 1,
    native: bool | None = True,
    notice: Callable[[str], None] | None = None,
    on_refused: Callable[[], None] | None = None,
) -> ChatResult:
    """Ask for `schema`, validate, repair up to `retries` times; the result carries `parsed`.

    `native=False` (the catalogue says the model has no structured output) asks for
    `json_object` with the schema in the system message; so does a 400 about
    `response_format` (then `on_refused` is told, so the next answer goes straight there).
    SchemaAnswerError (with the attempts so far as `partial`) when no answer fits.
    """
    tell = notice or (lambda _: None)
    fallback = None if native is not False else "its catalogue entry lists no structured_output"
    attempts: list[ChatResult] = []
    exchange: list[dict[str, Any]] = []
    while True:
        body, fields = _request(messages + exchange, params, schema, fallback is not None)
        try:
            result = send(body, fields)
        except errors.BadRequestError as exc:
            if fallback is None and not attempts and "response_format" in exc.message:
                fallback = _fall_back_to_json_object(tell, on_refused)
                continue
            if attempts and exc.partial is None:
                exc.partial = combine(attempts, schema, params, fallback)
            raise
        attempts.append(result)
        try:
            data, parsed = schema.parse(result.text)
        except ArgumentError as exc:
            if len(attempts) > max(0, retries):
                partial = combine(attempts, schema, params, fallback)
                raise _does_not_fit(schema, exc, len(attempts) - 1, partial) from None
            tell(
                f"↻ the answer does not fit {schema.name} ({exc}); asking the model to repair "
                f"it (repair {len(attempts)} of {retries})"
            )
            exchange += [
                {"role": "assistant", "content": result.text},
                {"role": "user", "content": repair_prompt(schema, str(exc))},
            ]
            continue
        final = combine(attempts, schema, params, fallback)
        final.json, final.parsed = data, parsed
        return final


def _fall_back_to_json_object(
    tell: Callable[[str], None], on_refused: Callable[[], None] | None
) -> str:
    """The service refused `response_format` json_schema: say so, and return why we fall back."""
    reason = "the service refused response_format json_schema"
    if on_refused is not None:
        on_refused()
    tell(
        f"↪ no structured output for this model ({reason}): asking for "
        "json_object with the schema in the system message"
    )
    return reason


def _does_not_fit(
    schema: OutputSchema, problem: ArgumentError, repairs: int, partial: ChatResult
) -> errors.SchemaAnswerError:
    """The error once repairs are used up; `partial` keeps what the attempts cost."""
    after = f" after {repairs} repair request{'s' if repairs != 1 else ''}" if repairs else ""
    return errors.SchemaAnswerError(
        f"the answer does not fit {schema.name}{after}: {problem}. "
        "Nothing was added to the conversation.",
        partial=partial,
    )


def repair_prompt(schema: OutputSchema, problem: str) -> str:
    return (
        f"Your answer does not match the required JSON schema {schema.name}: {problem}. "
        "Reply again with only the corrected JSON, nothing else."
    )


def combine(
    attempts: list[ChatResult],
    schema: OutputSchema,
    params: dict[str, Any],
    fallback: str | None,
) -> ChatResult:
    """The last attempt's answer, with usage, cost and time added up over every attempt."""
    last = attempts[-1]
    usage: Usage | None = None
    for attempt in attempts:
        usage = attempt.usage if usage is None else usage + attempt.usage
    credits = [a.credits_used for a in attempts if a.credits_used is not None]
    dollars = [a.dollars for a in attempts if a.dollars is not None]
    durations = [a.duration for a in attempts if a.duration is not None]
    recorded = {k: v for k, v in params.items() if k != "response_format"}
    return dataclasses.replace(
        last,
        usage=usage,
        credits_used=sum(credits) if credits else None,
        usd_spent=sum(dollars) if dollars else None,
        duration=sum(durations) if durations else None,
        params={**recorded, "schema": schema.name},
        structured=StructuredInfo(
            schema=schema.name,
            mode="json_object" if fallback else "json_schema",
            repairs=len(attempts) - 1,
            fallback=fallback,
        ),
    )


def _request(
    messages: list[dict[str, Any]], params: dict[str, Any], schema: OutputSchema, fallback: bool
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    if not fallback:
        return messages, {**params, "response_format": schema.response_format()}
    messages = list(messages)
    if (
        messages
        and messages[0].get("role") == "system"
        and isinstance(messages[0].get("content"), str)
    ):
        system = messages[0]["content"]
        messages[0] = {**messages[0], "content": f"{system}\n\n{schema.instructions()}"}
    else:
        messages.insert(0, {"role": "system", "content": schema.instructions()})
    return messages, {**params, "response_format": {"type": "json_object"}}


def _type_name(target: Any) -> str:
    """`Person`, `list_Person`, `Literal`: a readable name for the schema."""
    if isinstance(target, dict):
        return str(target.get("title") or ROOT)
    origin = typing.get_origin(target)
    if origin is None:
        return str(getattr(target, "__name__", ROOT))
    if origin is typing.Literal:
        return "Literal"
    inner = "_".join(_type_name(a) for a in typing.get_args(target) if a is not type(None))
    return f"{getattr(origin, '__name__', None) or getattr(origin, '_name', None) or ROOT}_{inner}"


def _clean_name(name: str) -> str:
    """`json_schema.name` allows letters, digits, `_` and `-`, at most 64 characters."""
    return _NAME.sub("_", name).strip("_")[:64] or ROOT
