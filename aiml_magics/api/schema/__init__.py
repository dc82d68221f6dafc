"""JSON Schemas from Python types, and JSON checked back against them: the one schema
builder, used for tool parameters (`schema_for`, `convert`) and structured answers
(`OutputSchema`, `answer_with_schema`)."""

from .answer import OutputSchema, answer_with_schema, repair_prompt
from .build import SchemaError, inline_refs, is_pydantic_model, schema_for
from .check import check
from .coerce import ArgumentError, convert, json_kind
from .strict import strict_schema

__all__ = [
    "ArgumentError",
    "OutputSchema",
    "SchemaError",
    "answer_with_schema",
    "check",
    "convert",
    "inline_refs",
    "is_pydantic_model",
    "json_kind",
    "repair_prompt",
    "schema_for",
    "strict_schema",
]
