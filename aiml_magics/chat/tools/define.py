"""Which functions a cell offers, and their `tools` entries: the decorator, the registry,
descriptions from signatures and docstrings, and the request fields."""

from __future__ import annotations

import contextlib
import inspect
import re
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ...api.errors import UsageError
from ...api.schema.build import SchemaError, default_value, json_default, schema_for
from ...api.schema.coerce import ArgumentError, convert, json_kind

REGISTRY: dict[str, Tool] = {}
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SECTION = re.compile(
    r"^\s*(Returns?|Raises|Yields?|Examples?|Notes?|See Also|Attributes)\s*:?\s*$"
)
_ARG_LINE = re.compile(r"^\s*\*{0,2}(\w+)\s*(?:\(([^)]*)\))?\s*:\s*(.*)$")


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
            raise ArgumentError(f"arguments must be a JSON object, got {json_kind(arguments)}")
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
        elif json_default(parameter.default):
            prop = {**prop, "default": default_value(parameter.default)}
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


def offerable(namespace: dict[str, Any]) -> list[str]:
    """What TAB offers after `--tools`: the notebook's own functions and registered tools
    (`resolve` also takes any other callable, but imported ones would drown these)."""
    own = {
        name
        for name, value in namespace.items()
        if not name.startswith("_")
        and (
            isinstance(getattr(value, "__aiml_tool__", None), Tool)
            or (inspect.isfunction(value) and value.__module__ == "__main__")
        )
    }
    return sorted(own | set(REGISTRY))


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
        raise UsageError("--tool-choice needs --tools or --mcp")
    names = [t.name for t in tools]
    if choice not in names:
        raise UsageError(
            f"--tool-choice must be auto, none, required or one of the offered tools "
            f"({', '.join(names)}), got {choice!r}"
        )
