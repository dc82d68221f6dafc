"""Notebook functions the model may call: JSON schemas from signatures, and running the calls.

`@aiml_magics.tool` registers a function; `%%aiml --tools a,b` offers registered functions or
plain callables from the user namespace. The schema comes from the signature, the type hints
and the docstring's `Args:` section. Arguments the model sends are checked against the same
hints (and converted: Enums, dataclasses) before the function runs; every failure becomes the
tool's result for the model, never an exception in the cell. Pure: no IPython here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import inspect
import json
import re
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import UsageError
from .result import ChatResult

REGISTRY: dict[str, Tool] = {}
SHORT_REPR = 200
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SECTION = re.compile(
    r"^\s*(Returns?|Raises|Yields?|Examples?|Notes?|See Also|Attributes)\s*:?\s*$"
)
_ARG_LINE = re.compile(r"^\s*\*{0,2}(\w+)\s*(?:\(([^)]*)\))?\s*:\s*(.*)$")


class SchemaError(UsageError):
    """A function whose signature cannot be described as a JSON schema."""


class ArgumentError(ValueError):
    """Arguments from the model that do not match the function's hints."""


@dataclass
class Tool:
    """A function offered to the model, with its JSON schema."""

    name: str
    function: Callable[..., Any]
    description: str
    parameters: dict[str, Any]

    def spec(self) -> dict[str, Any]:
        """The request's `tools` entry."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }

    def bind(self, arguments: Any) -> dict[str, Any]:
        """Checked and converted keyword arguments; ArgumentError says what is wrong."""
        if not isinstance(arguments, dict):
            raise ArgumentError(f"arguments must be a JSON object, got {_json_kind(arguments)}")
        signature = inspect.signature(self.function)
        hints = _hints(self.function)
        unknown = sorted(set(arguments) - set(signature.parameters))
        if unknown:
            raise ArgumentError(f"unexpected argument(s): {', '.join(unknown)}")
        bound: dict[str, Any] = {}
        for name, parameter in signature.parameters.items():
            if name not in arguments:
                if parameter.default is inspect.Parameter.empty:
                    raise ArgumentError(f"missing required argument {name!r}")
                continue
            hint = (
                hints.get(name, str) if parameter.annotation is not inspect.Parameter.empty else str
            )
            bound[name] = convert(arguments[name], hint, name)
        return bound


@dataclass
class ToolRun:
    """One call the model asked for, and what came of it (`_aiml.tool_calls` lists these)."""

    id: str
    name: str
    arguments: str
    round: int = 1
    result: Any = None
    error: str | None = None
    declined: bool = False
    content: str = ""
    parsed: Any = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.declined

    def message(self) -> dict[str, Any]:
        """The `tool` message sent back to the model."""
        return {"role": "tool", "tool_call_id": self.id, "content": self.content}

    def summary(self) -> str:
        """One line for the output: `→ result`, `✗ error` or `declined`."""
        if self.declined:
            return f"{self.name}: declined, the model was told"
        if self.error is not None:
            return f"{self.name} ✗ {shorten(self.error)}"
        return f"{self.name} → {shorten(repr(self.result))}"


def tool(function: Callable[..., Any] | None = None, *, name: str | None = None) -> Any:
    """Decorator: offer `function` to `%%aiml --tools NAME` (schema checked now).

    Use as `@tool` or `@tool(name="other_name")`; the function itself is returned unchanged.
    """

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        described = describe(fn, name=name)
        REGISTRY[described.name] = described
        with contextlib.suppress(AttributeError, TypeError):
            fn.__aiml_tool__ = described  # type: ignore[attr-defined]
        return fn

    return register(function) if function is not None else register


def describe(function: Callable[..., Any], name: str | None = None) -> Tool:
    """A `Tool` for `function`, or SchemaError naming what cannot be described."""
    label = name or getattr(function, "__name__", None) or type(function).__name__
    if not callable(function):
        raise SchemaError(f"{label!r} is not a function")
    if not _NAME.match(label):
        raise SchemaError(
            f"tool name {label!r} must be 1-64 letters, digits, '_' or '-' (use name=...)"
        )
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        raise SchemaError(f"cannot read the signature of {label!r}") from None
    try:
        hints = _hints(function)
    except Exception as exc:
        raise SchemaError(f"cannot resolve the type hints of {label!r}: {exc}") from None
    summary, arg_docs = parse_docstring(inspect.getdoc(function) or "")
    properties: dict[str, Any] = {}
    required: list[str] = []
    for pname, parameter in signature.parameters.items():
        if parameter.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            star = "*" if parameter.kind is inspect.Parameter.VAR_POSITIONAL else "**"
            raise SchemaError(
                f"cannot offer {label!r} as a tool: {star}{pname} cannot be described as "
                "named JSON arguments; give it explicit parameters"
            )
        if parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
            raise SchemaError(
                f"cannot offer {label!r} as a tool: {pname!r} is positional-only "
                "(the model passes arguments by name)"
            )
        hint = hints.get(pname, str) if parameter.annotation is not inspect.Parameter.empty else str
        try:
            prop = schema_for(hint)
        except SchemaError as exc:
            raise SchemaError(
                f"cannot offer {label!r} as a tool: parameter {pname!r}: {exc.message}"
            ) from None
        if pname in arg_docs:
            prop = {**prop, "description": arg_docs[pname]}
        if parameter.default is inspect.Parameter.empty:
            required.append(pname)
        elif _json_default(parameter.default):
            prop = {**prop, "default": _default_value(parameter.default)}
        properties[pname] = prop
    parameters: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        parameters["required"] = required
    return Tool(label, function, summary or f"The notebook function {label}.", parameters)


def parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """The summary (text before any section) and Google-style `Args:` descriptions."""
    lines = doc.splitlines()
    summary: list[str] = []
    args: dict[str, str] = {}
    index = 0
    while index < len(lines) and not _is_section(lines[index]):
        summary.append(lines[index])
        index += 1
    current: str | None = None
    in_args = False
    indent = None
    for line in lines[index:]:
        stripped = line.strip()
        if re.match(r"^\s*(Args|Arguments|Parameters)\s*:\s*$", line):
            in_args, current, indent = True, None, None
            continue
        if _SECTION.match(line):
            in_args = False
            continue
        if not in_args or not stripped:
            continue
        width = len(line) - len(line.lstrip())
        match = _ARG_LINE.match(line)
        if match and (indent is None or width <= indent):
            indent = width
            current = match.group(1)
            args[current] = match.group(3).strip()
        elif current is not None:
            args[current] = f"{args[current]} {stripped}".strip()
    return " ".join(" ".join(summary).split()), args


def _is_section(line: str) -> bool:
    return bool(re.match(r"^\s*(Args|Arguments|Parameters)\s*:\s*$", line) or _SECTION.match(line))


def _hints(function: Callable[..., Any]) -> dict[str, Any]:
    target = function if inspect.isroutine(function) else type(function).__call__
    return typing.get_type_hints(target, include_extras=False)


# -- schemas -----------------------------------------------------------------------------------

_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    type(None): {"type": "null"},
    None: {"type": "null"},
}


def schema_for(hint: Any, _seen: tuple[Any, ...] = ()) -> dict[str, Any]:
    """The JSON schema of one type hint; SchemaError for what JSON cannot carry."""
    if hint in _SCALARS:
        return dict(_SCALARS[hint])
    if hint is Any:
        return {}
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Literal:
        kinds = {type(a) for a in args}
        if not all(isinstance(a, (str, int, float, bool)) or a is None for a in args):
            raise SchemaError("Literal values must be strings, numbers, booleans or None")
        schema: dict[str, Any] = {"enum": list(args)}
        if len(kinds) == 1:
            schema["type"] = _SCALARS[kinds.pop()]["type"]
        return schema
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if len(options) == len(args):
            return {"anyOf": [schema_for(a, _seen) for a in options]}
        if len(options) == 1:
            inner = schema_for(options[0], _seen)
            if isinstance(inner.get("type"), str):
                nullable = {**inner, "type": [inner["type"], "null"]}
                if "enum" in nullable:
                    nullable["enum"] = [*nullable["enum"], None]
                return nullable
            return {"anyOf": [inner, {"type": "null"}]}
        return {"anyOf": [*(schema_for(a, _seen) for a in options), {"type": "null"}]}
    if origin in (list, typing.List, tuple) or hint in (list, typing.List):  # noqa: UP006
        if origin is tuple:
            raise SchemaError("tuples are not supported; use list[...]")
        if not args:
            return {"type": "array"}
        return {"type": "array", "items": schema_for(args[0], _seen)}
    if origin in (dict, typing.Dict) or hint in (dict, typing.Dict):  # noqa: UP006
        if not args:
            return {"type": "object"}
        if args[0] is not str:
            raise SchemaError("dict keys must be str (JSON object keys are strings)")
        return {"type": "object", "additionalProperties": schema_for(args[1], _seen)}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        values = [member.value for member in hint]
        if not all(isinstance(v, (str, int, float, bool)) for v in values):
            raise SchemaError(f"the values of enum {hint.__name__} must be strings or numbers")
        schema = {"enum": values}
        kinds = {type(v) for v in values}
        if len(kinds) == 1:
            schema["type"] = _SCALARS[kinds.pop()]["type"]
        return schema
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        if hint in _seen:
            raise SchemaError(f"{hint.__name__} refers to itself; recursive types are refused")
        hints = typing.get_type_hints(hint)
        properties = {}
        required = []
        for f in dataclasses.fields(hint):
            properties[f.name] = schema_for(hints.get(f.name, str), (*_seen, hint))
            no_default = f.default is dataclasses.MISSING
            if no_default and f.default_factory is dataclasses.MISSING:  # type: ignore[misc]
                required.append(f.name)
        return _object(properties, required)
    if typing.is_typeddict(hint):
        if hint in _seen:
            raise SchemaError(f"{hint.__name__} refers to itself; recursive types are refused")
        hints = typing.get_type_hints(hint)
        properties = {k: schema_for(v, (*_seen, hint)) for k, v in hints.items()}
        required = [k for k in hints if k in getattr(hint, "__required_keys__", set(hints))]
        return _object(properties, required)
    name = getattr(hint, "__name__", None) or repr(hint)
    raise SchemaError(
        f"type {name} cannot be described as JSON (use str, int, float, bool, None, list, "
        "dict[str, ...], Literal, an Enum, a dataclass or a TypedDict)"
    )


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema


def _json_default(value: Any) -> bool:
    try:
        json.dumps(_default_value(value))
    except (TypeError, ValueError):
        return False
    return True


def _default_value(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


# -- checking and converting arguments ---------------------------------------------------------


def convert(value: Any, hint: Any, where: str) -> Any:
    """`value` (decoded JSON) as the hinted type; ArgumentError when it does not fit."""
    if hint is Any:
        return value
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
    if hint is str:
        if not isinstance(value, str):
            raise _mismatch(where, "a string", value)
        return value
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Literal:
        for allowed in args:
            if value == allowed and type(value) is type(allowed):
                return allowed
        raise ArgumentError(f"{where}: expected one of {list(args)!r}, got {value!r}")
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        problems = []
        for option in args:
            if option is type(None):
                continue
            try:
                return convert(value, option, where)
            except ArgumentError as exc:
                problems.append(str(exc))
        raise ArgumentError(
            problems[0] if len(problems) == 1 else f"{where}: no type fits {value!r}"
        )
    if origin in (list, typing.List) or hint in (list, typing.List):  # noqa: UP006
        if not isinstance(value, list):
            raise _mismatch(where, "an array", value)
        item = args[0] if args else Any
        return [convert(v, item, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin in (dict, typing.Dict) or hint in (dict, typing.Dict):  # noqa: UP006
        if not isinstance(value, dict):
            raise _mismatch(where, "an object", value)
        item = args[1] if args else Any
        return {k: convert(v, item, f"{where}.{k}") for k, v in value.items()}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        for member in hint:
            if member.value == value and type(member.value) is type(value):
                return member
        allowed = [m.value for m in hint]
        raise ArgumentError(f"{where}: expected one of {allowed!r}, got {value!r}")
    if (dataclasses.is_dataclass(hint) and isinstance(hint, type)) or typing.is_typeddict(hint):
        if not isinstance(value, dict):
            raise _mismatch(where, "an object", value)
        hints = typing.get_type_hints(hint)
        if typing.is_typeddict(hint):
            required = set(getattr(hint, "__required_keys__", set(hints)))
        else:
            required = {
                f.name
                for f in dataclasses.fields(hint)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING  # type: ignore[misc]
            }
        extra = sorted(set(value) - set(hints))
        if extra:
            raise ArgumentError(f"{where}: unexpected field(s) {', '.join(extra)}")
        missing = sorted(required - set(value))
        if missing:
            raise ArgumentError(f"{where}: missing field(s) {', '.join(missing)}")
        fields = {k: convert(v, hints[k], f"{where}.{k}") for k, v in value.items()}
        return fields if typing.is_typeddict(hint) else hint(**fields)
    return value


def _mismatch(where: str, expected: str, value: Any) -> ArgumentError:
    return ArgumentError(
        f"{where}: expected {expected}, got {_json_kind(value)} {shorten(repr(value), 40)}"
    )


def _json_kind(value: Any) -> str:
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


# -- choosing the tools of a cell --------------------------------------------------------------


def resolve(names: str, namespace: dict[str, Any]) -> list[Tool]:
    """The tools named in `--tools a,b`: the user's callables first, then registered names."""
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    if not wanted:
        raise UsageError("--tools expects comma-separated function names, e.g. --tools f,g")
    found: dict[str, Tool] = {}
    for name in wanted:
        value = namespace.get(name)
        registered = getattr(value, "__aiml_tool__", None) if value is not None else None
        if isinstance(registered, Tool):
            described = registered
        elif value is not None and callable(value) and not isinstance(value, type):
            described = describe(value, name=name if _NAME.match(name) else None)
        elif name in REGISTRY:
            described = REGISTRY[name]
        elif value is not None:
            raise UsageError(f"--tools: {name!r} is not a function ({type(value).__name__})")
        else:
            raise UsageError(
                f"--tools: no function named {name!r} in the notebook "
                "(define it, or register it with @aiml_magics.tool)"
            )
        if described.name in found:
            raise UsageError(f"--tools: {described.name!r} is offered twice")
        found[described.name] = described
    return list(found.values())


def tool_params(tools: Iterable[Tool], choice: str | None, parallel: bool | None) -> dict[str, Any]:
    """The request fields for the offered tools."""
    tools = list(tools)
    params: dict[str, Any] = {}
    if tools:
        params["tools"] = [t.spec() for t in tools]
    if choice is not None:
        if choice in ("auto", "none", "required"):
            params["tool_choice"] = choice
        else:
            params["tool_choice"] = {"type": "function", "function": {"name": choice}}
    if parallel is not None and tools:
        params["parallel_tool_calls"] = parallel
    return params


def check_choice(choice: str | None, tools: list[Tool]) -> None:
    if choice is None or choice in ("auto", "none", "required"):
        return
    if not tools:
        raise UsageError("--tool-choice needs --tools")
    names = [t.name for t in tools]
    if choice not in names:
        raise UsageError(
            f"--tool-choice must be auto, none, required or one of the offered tools "
            f"({', '.join(names)}), got {choice!r}"
        )


# -- running one call --------------------------------------------------------------------------


def run_call(
    call: Any,
    tools: dict[str, Tool],
    *,
    round_number: int = 1,
    confirm: Callable[[str, str], bool] | None = None,
) -> ToolRun:
    """Run one requested call. Every failure becomes the result; KeyboardInterrupt escapes."""
    run = ToolRun(id=call.id, name=call.name, arguments=call.arguments, round=round_number)
    chosen = tools.get(call.name)
    if chosen is None:
        offered = ", ".join(tools) or "none"
        return _failed(run, f"unknown function {call.name!r}; the offered tools are: {offered}")
    try:
        run.parsed = json.loads(call.arguments or "{}")
        kwargs = chosen.bind(run.parsed)
    except ValueError as exc:  # JSONDecodeError and ArgumentError
        return _failed(run, f"invalid arguments for {call.name}: {exc}")
    if confirm is not None and not confirm(call.name, call.arguments):
        run.declined = True
        run.content = json.dumps({"error": "the user declined to run this call"})
        return run
    try:
        run.result = chosen.function(**kwargs)
    except Exception as exc:
        return _failed(run, f"{type(exc).__name__}: {exc}")
    run.content = result_content(run.result)
    return run


def _failed(run: ToolRun, error: str) -> ToolRun:
    run.error = error
    run.content = json.dumps({"error": error})
    return run


def result_content(value: Any) -> str:
    """A tool message's string content: JSON when the result serialises, else its repr."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            try:
                return json.dumps(dataclasses.asdict(value), ensure_ascii=False)
            except (TypeError, ValueError):
                pass
        return repr(value)


def shorten(text: str, limit: int = SHORT_REPR) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def call_line(name: str, arguments: str) -> str:
    """`name(arguments)` for the output, shortened."""
    return f"{name}({shorten(arguments or '', SHORT_REPR)})"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def confirm_call(name: str, arguments: str) -> bool:
    """Ask before running a call (`--confirm-tools`); no way to ask counts as declined."""
    shown = _CONTROL.sub(" ", call_line(name, arguments))
    try:
        answer = input(f"The model wants to run {shown}. Run it? [y/N] ")
    except (EOFError, RuntimeError, OSError):  # StdinNotImplementedError is a RuntimeError
        return False
    return answer.strip().lower() in ("y", "yes")


# -- the results of a cell that ran tools -------------------------------------------------------


def assistant_message(result: ChatResult) -> dict[str, Any]:
    """The assistant message that asked for tools, as it goes back to the model."""
    return {
        "role": "assistant",
        "content": result.text or None,
        "tool_calls": [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments or "{}"},
            }
            for call in result.tool_calls
        ],
    }


@dataclass(repr=False)
class ToolChatResult(ChatResult):
    """The outcome of a cell that offered tools: the last answer, with usage and cost added
    up over every request; `tool_calls` lists each `ToolRun` (arguments and result)."""

    tool_rounds: int = 0
    requests: int = 1
    exchange: list[dict[str, Any]] = field(default_factory=list)

    def provenance(self) -> dict[str, Any]:
        data = super().provenance()
        data["tool_rounds"] = self.tool_rounds
        data["requests"] = self.requests
        data["tool_calls"] = [
            {"id": r.id, "name": r.name, "arguments": r.arguments, "ok": r.ok}
            for r in self.tool_calls
        ]
        return data


def combine(
    results: list[ChatResult],
    runs: list[ToolRun],
    exchange: list[dict[str, Any]],
    offered: dict[str, Tool],
) -> ToolChatResult:
    """One result for the whole cell: the last request's answer, totals over all requests."""
    last = results[-1]
    base = {f.name: getattr(last, f.name) for f in dataclasses.fields(ChatResult)}
    usages = [r.usage for r in results if r.usage is not None]
    credits = [r.credits_used for r in results if r.credits_used is not None]
    dollars = [r.dollars for r in results if r.dollars is not None]
    durations = [r.duration for r in results if r.duration is not None]
    params = {k: v for k, v in last.params.items() if k != "tools"}
    params["tools"] = list(offered)
    base.update(
        reasoning="\n\n".join(r.reasoning for r in results if r.reasoning),
        usage=sum(usages[1:], usages[0]) if usages else None,
        credits_used=sum(credits) if credits else None,
        usd_spent=sum(dollars) if dollars else None,
        duration=sum(durations) if durations else None,
        tool_calls=list(runs),
        params=params,
    )
    rounds = len({r.round for r in runs})
    return ToolChatResult(
        **base, tool_rounds=rounds, requests=len(results), exchange=list(exchange)
    )
