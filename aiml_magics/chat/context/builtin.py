"""Built-in describers for Python's own kinds of values (pandas and numpy live in `frames`).

Each returns a few labelled lines: what the value is, its size, and a bounded look inside.
"""

from __future__ import annotations

import inspect
import traceback
import types
from typing import Any

from . import frames  # noqa: F401  (registers the pandas and numpy describers)
from .registry import bounded_repr, builtin, cut, type_name
from .tracebacks import private_paths_removed

ITEMS_SHOWN = 5
KEYS_SHOWN = 30
SOURCE_LIMIT = 3000  # characters of a function's or class's source
TRACEBACK_FRAMES = 6


@builtin("builtins", "str")
def describe_str(value: str) -> str:
    lines = value.count("\n") + 1
    return f"str, {len(value):,} characters, {lines:,} lines:\n{cut(value, 1500)}"


@builtin("builtins", "dict")
def describe_dict(value: dict) -> str:
    keys = list(value)
    shown = ", ".join(bounded_repr(k) for k in keys[:KEYS_SHOWN])
    more = f", ... ({len(keys) - KEYS_SHOWN:,} more)" if len(keys) > KEYS_SHOWN else ""
    items = "\n".join(f"  {bounded_repr(k)}: {bounded_repr(value[k])}" for k in keys[:ITEMS_SHOWN])
    return f"{type_name(value)} of {len(keys):,} items\nkeys: {shown}{more}\nfirst items:\n{items}"


def describe_collection(value: Any) -> str:
    items = (
        list(value)[:ITEMS_SHOWN] if isinstance(value, (set, frozenset)) else value[:ITEMS_SHOWN]
    )
    kinds = sorted({type_name(item) for item in list(value)[:1000]})
    element = f" of {', '.join(kinds[:5])}" if kinds else ""
    shown = "\n".join(f"  {bounded_repr(item)}" for item in items)
    head = "first items" if not isinstance(value, (set, frozenset)) else "some items"
    return f"{type_name(value)} of {len(value):,} items{element}\n{head}:\n{shown}"


for _name in ("list", "tuple", "set", "frozenset"):
    builtin("builtins", _name)(describe_collection)


def _source(value: Any) -> str:
    try:
        return cut(inspect.getsource(value), SOURCE_LIMIT)
    except (OSError, TypeError):
        return ""


def _signature(value: Any) -> str:
    try:
        return str(inspect.signature(value))
    except (TypeError, ValueError):
        return "(...)"


def describe_function(value: Any) -> str:
    name = getattr(value, "__qualname__", None) or getattr(value, "__name__", "function")
    lines = [f"{type_name(value)} {name}{_signature(value)}"]
    source = _source(value)
    if source:
        lines.append("source:\n" + source)
    else:
        doc = inspect.getdoc(value)
        if doc:
            lines.append("doc: " + cut(doc, 800))
    return "\n".join(lines)


for _name in ("function", "builtin_function_or_method", "method"):
    builtin("builtins", _name)(describe_function)


@builtin("builtins", "type")
def describe_class(value: type) -> str:
    bases = ", ".join(b.__qualname__ for b in value.__bases__ if b is not object)
    lines = [f"class {value.__qualname__}({bases}) from {value.__module__}"]
    lines.append(f"constructor: {value.__qualname__}{_signature(value)}")
    methods = [n for n, v in vars(value).items() if not n.startswith("_") and callable(v)]
    if methods:
        lines.append("methods: " + ", ".join(methods[:40]))
    source = _source(value)
    if source:
        lines.append("source:\n" + source)
    elif inspect.getdoc(value):
        lines.append("doc: " + cut(inspect.getdoc(value) or "", 800))
    return "\n".join(lines)


@builtin("builtins", "module")
def describe_module(value: types.ModuleType) -> str:
    name = value.__name__
    version = getattr(value, "__version__", None)
    if not isinstance(version, str):
        version = _installed_version(name)
    lines = [f"module {name}" + (f" version {version}" if version else "")]
    doc = (inspect.getdoc(value) or "").strip().splitlines()
    if doc:
        lines.append("doc: " + cut(doc[0], 300))
    return "\n".join(lines)


def _installed_version(name: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(name.split(".")[0])
    except Exception:
        return None


@builtin("builtins", "BaseException")
def describe_exception(value: BaseException) -> str:
    return exception_text(value)


def exception_text(error: BaseException, depth: int = TRACEBACK_FRAMES) -> str:
    """Type, message and the last few frames of the traceback, without IPython's own frames."""
    try:
        message = str(error)
    except Exception:
        message = "(its message could not be read)"
    lines = [f"{type_name(error)}: {cut(message, 1000)}"]
    stack = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if "/IPython/" not in frame.filename.replace("\\", "/")
    ]
    if stack:
        lines.append("Traceback (most recent call last):")
        frames_text = "".join(traceback.format_list(stack[-depth:]))
        lines.append(private_paths_removed(frames_text).rstrip("\n"))
    cause = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    if cause is not None:
        lines.append(f"caused by {type_name(cause)}: {cut(str(cause), 300)}")
    return "\n".join(lines)
