"""The one schema builder in its strict form, the JSON Schema checker and answer parsing."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, Literal, NotRequired, Optional, TypedDict

import pytest

from aiml_magics.api.schema import (
    ArgumentError,
    OutputSchema,
    SchemaError,
    check,
    schema_for,
    strict_schema,
)


@dataclasses.dataclass
class Address:
    city: str
    zip: Optional[str] = None  # noqa: UP045 - the typing form must work too


@dataclasses.dataclass
class Person:
    name: str
    address: Address
    tags: list[str] = dataclasses.field(default_factory=list)
    kind: Literal["a", "b"] = "a"


class Movie(TypedDict):
    title: str
    year: NotRequired[int]


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


def test_strict_closes_every_object_and_requires_every_field():
    schema = strict_schema(schema_for(Person))
    assert schema["required"] == ["name", "address", "tags", "kind"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["tags"] == {
        "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]
    }
    assert schema["properties"]["kind"] == {
        "anyOf": [{"enum": ["a", "b"], "type": "string"}, {"type": "null"}]
    }
    address = schema["properties"]["address"]
    assert address["additionalProperties"] is False and address["required"] == ["city", "zip"]
    assert address["properties"]["zip"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}


def test_tool_schemas_are_unchanged_by_strictness():
    loose = schema_for(Person)
    strict_schema(loose)
    assert loose["required"] == ["name", "address"]  # not mutated
    assert loose["properties"]["address"]["properties"]["zip"] == {"type": ["string", "null"]}


@pytest.mark.parametrize(
    ("hint", "words"),
    [
        (dict[str, int], "free-form keys"),
        (list, "item type"),
        (Any, "any value at all"),
        (set[int], "cannot be described as JSON"),
        (tuple[int, int], "tuples are not supported"),
    ],
)
def test_what_has_no_strict_form_is_refused(hint, words):
    with pytest.raises(SchemaError, match=words):
        OutputSchema.of(hint)


def test_refusals_name_the_field():
    @dataclasses.dataclass
    class Bag:
        items: dict[str, int]

    with pytest.raises(SchemaError, match=r"Bag\.items: an object with free-form keys"):
        OutputSchema.of(Bag)


def test_pydantic_models_inline_their_definitions_and_refuse_recursion():
    pydantic = pytest.importorskip("pydantic")

    class City(pydantic.BaseModel):
        name: str

    class Trip(pydantic.BaseModel):
        stops: list[City]
        days: int = 1

    schema = OutputSchema.of(Trip).schema
    assert schema["properties"]["stops"]["items"] == {
        "properties": {"name": {"type": "string"}},
        "required": ["name"],
        "type": "object",
        "additionalProperties": False,
    }
    assert schema["properties"]["days"] == {"anyOf": [{"type": "integer"}, {"type": "null"}]}

    class Tree(pydantic.BaseModel):
        children: list[Tree]

    Tree.model_rebuild()
    with pytest.raises(SchemaError, match="recursive"):
        OutputSchema.of(Tree)


def test_json_schema_dict_is_made_strict_and_refs_are_inlined():
    given = {
        "type": "object",
        "$defs": {"Tag": {"type": "string", "enum": ["x", "y"]}},
        "properties": {"tag": {"$ref": "#/$defs/Tag"}, "n": {"type": "integer", "default": 3}},
        "required": ["tag"],
    }
    out = OutputSchema.of(given, name="my schema!")
    assert out.name == "my_schema"
    assert out.schema == {
        "type": "object",
        "properties": {
            "tag": {"type": "string", "enum": ["x", "y"]},
            "n": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
        },
        "required": ["tag", "n"],
        "additionalProperties": False,
    }
    assert out.parse('{"tag": "x", "n": null}') == ({"tag": "x"}, {"tag": "x"})
    with pytest.raises(ArgumentError, match=r"answer.tag: expected one of \['x', 'y'\]"):
        out.parse('{"tag": "z", "n": 1}')


def test_non_objects_are_wrapped_and_unwrapped():
    people = OutputSchema.of(list[Person])
    assert people.name == "list_Person" and people.wrap_key == "items"
    assert people.schema["required"] == ["items"]
    value = (
        '{"items": [{"name": "A", "address": {"city": "C", "zip": null}, "tags": null, '
        '"kind": null}]}'
    )
    data, parsed = people.parse(value)
    assert parsed == [Person("A", Address("C"))]
    assert data == [{"name": "A", "address": {"city": "C", "zip": None}}]
    color = OutputSchema.of(Color)
    assert color.wrap_key == "value" and color.parse('{"value": "blue"}')[1] is Color.BLUE
    assert OutputSchema.of(Movie).parse('{"title": "T", "year": null}')[1] == {"title": "T"}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "the answer is empty"),
        ("Here you go: {", "not JSON"),
        ('{"name": "A"}', "answer: missing field(s) address"),
        ('{"name": 1, "address": {"city": "C"}}', "answer.name: expected a string"),
        ('{"name": "A", "address": {"city": "C"}, "kind": "c"}', "answer.kind: expected one of"),
        ('{"name": "A", "address": {"city": "C"}, "x": 1}', "unexpected field(s) x"),
    ],
)
def test_parse_errors_name_the_field(text, problem):
    with pytest.raises(ArgumentError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        OutputSchema.of(Person).parse(text)


def test_a_markdown_fence_is_tolerated():
    parsed = OutputSchema.of(Movie).parse('```json\n{"title": "T", "year": 1999}\n```')[1]
    assert parsed == {"title": "T", "year": 1999}


def test_checker_subset():
    schema = {
        "type": "object",
        "properties": {
            "n": {"type": "integer", "minimum": 1},
            "s": {"type": "string", "maxLength": 3},
            "xs": {"type": "array", "items": {"type": "number"}, "minItems": 1},
            "o": {"anyOf": [{"type": "boolean"}, {"type": "null"}]},
        },
        "required": ["n"],
        "additionalProperties": False,
    }
    check({"n": 2, "s": "abc", "xs": [1.5], "o": None}, schema, "a")
    for value, problem in [
        ({"n": 0}, "a.n: must be at least 1"),
        ({"n": True}, "a.n: expected an integer, got boolean"),
        ({"n": 1, "s": "abcd"}, "a.s: allows at most 3 characters"),
        ({"n": 1, "xs": []}, "a.xs: needs at least 1 items"),
        ({"n": 1, "xs": ["x"]}, r"a.xs\[0\]: expected a number"),
        ({"n": 1, "o": "yes"}, "a.o: expected a boolean"),
        ({"n": 1, "z": 1}, r"unexpected field\(s\) z"),
    ]:
        with pytest.raises(ArgumentError, match=problem):
            check(value, schema, "a")
