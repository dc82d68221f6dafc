"""Tool schemas from signatures, hints and docstrings; argument checking; running one call."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from typing import Any, Literal, Optional, TypedDict

import pytest

from aiml_magics.api.errors import UsageError
from aiml_magics.api.result import ToolCall
from aiml_magics.chat import tools


def params_of(function) -> dict[str, Any]:
    return tools.describe(function).parameters


def prop(function, name: str) -> dict[str, Any]:
    return params_of(function)["properties"][name]


class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


@dataclass
class Point:
    x: float
    y: float = 0.0


@dataclass
class Route:
    start: Point
    stops: list[Point] = field(default_factory=list)


class Person(TypedDict):
    name: str
    age: int


def test_scalars_and_required() -> None:
    def f(a: str, b: int, c: float, d: bool, e: None = None) -> None: ...

    schema = params_of(f)
    assert schema["type"] == "object"
    assert schema["required"] == ["a", "b", "c", "d"]
    types = {k: v["type"] for k, v in schema["properties"].items()}
    assert types == {"a": "string", "b": "integer", "c": "number", "d": "boolean", "e": "null"}


def test_unhinted_parameters_are_strings_and_defaults_are_kept() -> None:
    def f(a, b="x", c: int = 3): ...

    assert prop(f, "a") == {"type": "string"}
    assert prop(f, "b") == {"type": "string", "default": "x"}
    assert prop(f, "c") == {"type": "integer", "default": 3}
    assert params_of(f)["required"] == ["a"]


def test_optional_and_union() -> None:
    def f(a: Optional[int] = None, b: str | None = None, c: int | str = 1): ...  # noqa: UP045

    assert prop(f, "a")["type"] == ["integer", "null"]
    assert prop(f, "b")["type"] == ["string", "null"]
    assert prop(f, "c")["anyOf"] == [{"type": "integer"}, {"type": "string"}]


def test_list_and_dict() -> None:
    def f(a: list[str], b: dict[str, float], c: list[list[int]]): ...

    assert prop(f, "a") == {"type": "array", "items": {"type": "string"}}
    assert prop(f, "b") == {"type": "object", "additionalProperties": {"type": "number"}}
    assert prop(f, "c")["items"] == {"type": "array", "items": {"type": "integer"}}


def test_literal_and_enum() -> None:
    def f(mode: Literal["fast", "slow"], colour: Colour = Colour.RED): ...

    assert prop(f, "mode") == {"type": "string", "enum": ["fast", "slow"]}
    assert prop(f, "colour") == {"type": "string", "enum": ["red", "green"], "default": "red"}


def test_nested_dataclass_and_typeddict() -> None:
    def f(route: Route, who: Person): ...

    route = prop(f, "route")
    assert route["type"] == "object" and route["required"] == ["start"]
    assert route["properties"]["start"]["properties"]["x"] == {"type": "number"}
    assert route["properties"]["stops"]["items"]["required"] == ["x"]
    who = prop(f, "who")
    assert who["properties"] == {"name": {"type": "string"}, "age": {"type": "integer"}}
    assert who["required"] == ["name", "age"]


def test_docstring_summary_and_args() -> None:
    def lookup_price(ticker: str, day: str = "today") -> float:
        """Closing price of a stock.

        Args:
            ticker: exchange symbol, e.g. "AAPL".
            day: ISO date or "today",
                or "yesterday".

        Returns:
            The price.
        """
        return 1.0

    spec = tools.describe(lookup_price).spec()
    assert spec["type"] == "function"
    function = spec["function"]
    assert function["name"] == "lookup_price"
    assert function["description"] == "Closing price of a stock."
    props = function["parameters"]["properties"]
    assert props["ticker"]["description"] == 'exchange symbol, e.g. "AAPL".'
    assert props["day"]["description"] == 'ISO date or "today", or "yesterday".'


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("def f(*args): ...", "*args"),
        ("def f(a, **options): ...", "**options"),
        ("def f(a, /, b): ...", "positional-only"),
        ("def f(a: set[int]): ...", "type set"),
        ("def f(a: tuple[int, int]): ...", "tuple"),
        ("def f(a: dict[int, str]): ...", "dict keys must be str"),
        ("def f(a: object): ...", "type object"),
    ],
)
def test_undescribable_signatures_are_refused(source: str, fragment: str) -> None:
    namespace: dict[str, Any] = {}
    exec(source, namespace)
    with pytest.raises(tools.SchemaError) as caught:
        tools.describe(namespace["f"])
    assert fragment in str(caught.value) and "'f'" in str(caught.value)


@dataclass
class Node:
    child: Node | None = None


def test_recursive_dataclass_is_refused() -> None:
    def f(node: Node): ...

    with pytest.raises(tools.SchemaError, match="recursive"):
        tools.describe(f)


def test_decorator_registers_and_returns_the_function() -> None:
    @tools.tool
    def double(x: int) -> int:
        """Twice x."""
        return 2 * x

    assert double(2) == 4
    assert tools.REGISTRY["double"].function is double

    @tools.tool(name="triple_it")
    def triple(x: int) -> int:
        return 3 * x

    assert tools.REGISTRY["triple_it"].function is triple


def test_decorator_refuses_at_definition_time() -> None:
    with pytest.raises(tools.SchemaError, match=r"\*args"):

        @tools.tool
        def bad(*args): ...


def test_package_exports_tool_lazily() -> None:
    import aiml_magics

    assert aiml_magics.tool is tools.tool


def test_resolve_prefers_namespace_and_reports_unknown_names() -> None:
    def area(w: float, h: float) -> float:
        return w * h

    found = tools.resolve("area", {"area": area})
    assert [t.name for t in found] == ["area"]
    with pytest.raises(UsageError, match="no function named 'nope'"):
        tools.resolve("area,nope", {"area": area})
    with pytest.raises(UsageError, match="not a function"):
        tools.resolve("x", {"x": 3})
    with pytest.raises(UsageError, match="offered twice"):
        tools.resolve("area, area", {"area": area})


def test_tool_params_and_choice() -> None:
    def f(a: int): ...

    offered = [tools.describe(f)]
    assert tools.tool_params(offered, "required", False) == {
        "tools": [offered[0].spec()],
        "tool_choice": "required",
        "parallel_tool_calls": False,
    }
    assert tools.tool_params(offered, "f", None)["tool_choice"] == {
        "type": "function",
        "function": {"name": "f"},
    }
    tools.check_choice("f", offered)
    with pytest.raises(UsageError, match="--tool-choice"):
        tools.check_choice("g", offered)


def test_bind_converts_and_checks() -> None:
    def f(route: Route, colour: Colour, n: int = 1, ratio: float = 1.0): ...

    tool = tools.describe(f)
    bound = tool.bind({"route": {"start": {"x": 1}}, "colour": "green", "ratio": 2})
    assert bound["route"] == Route(start=Point(1.0))
    assert bound["colour"] is Colour.GREEN and bound["ratio"] == 2.0
    for bad, message in [
        ({"colour": "red"}, "missing required argument 'route'"),
        ({"route": {"start": {"x": 1}}, "colour": "blue"}, "colour: expected one of"),
        ({"route": {"start": {}}, "colour": "red"}, "missing field(s) x"),
        ({"route": {"start": {"x": 1}}, "colour": "red", "n": "2"}, "n: expected an integer"),
        ({"route": {"start": {"x": 1}}, "colour": "red", "z": 1}, "unexpected argument(s): z"),
    ]:
        with pytest.raises(tools.ArgumentError) as caught:
            tool.bind(bad)
        assert message in str(caught.value)


def call(name: str, arguments: Any, id_: str = "call_1") -> ToolCall:
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return ToolCall(id=id_, name=name, arguments=text)


def test_run_call_outcomes() -> None:
    def add(a: int, b: int) -> int:
        return a + b

    def boom() -> None:
        raise RuntimeError("no network")

    def opaque() -> object:
        return object()  # not JSON

    offered = {t.name: t for t in map(tools.describe, (add, boom, opaque))}
    ok = tools.run_call(call("add", {"a": 1, "b": 2}), offered)
    assert ok.ok and ok.result == 3 and ok.content == "3"
    assert ok.message() == {"role": "tool", "tool_call_id": "call_1", "content": "3"}
    raised = tools.run_call(call("boom", {}), offered)
    assert raised.error == "RuntimeError: no network"
    assert json.loads(raised.content) == {"error": "RuntimeError: no network"}
    malformed = tools.run_call(call("add", '{"a": 1,'), offered)
    assert "invalid arguments for add" in malformed.error
    unknown = tools.run_call(call("sub", {}), offered)
    assert "unknown function 'sub'" in unknown.error and "add, boom, opaque" in unknown.error
    declined = tools.run_call(call("add", {"a": 1, "b": 2}), offered, confirm=lambda n, a: False)
    assert declined.declined and "declined" in declined.content and declined.result is None
    assert isinstance(tools.run_call(call("opaque", {}), offered).content, str)


def test_keyboard_interrupt_escapes_run_call() -> None:
    def slow() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        tools.run_call(call("slow", {}), {"slow": tools.describe(slow)})


def test_result_content_is_json_or_repr() -> None:
    assert tools.result_content({"a": [1, 2]}) == '{"a": [1, 2]}'
    assert tools.result_content("text") == '"text"'
    assert tools.result_content(Point(1.0)) == '{"x": 1.0, "y": 0.0}'
    assert tools.result_content({1, 2}) == "{1, 2}"
    assert tools.result_content(float("nan")) == "nan"
