"""Describe a kernel value for the model, bounded in size: a registry of describers by type.

Which describer runs, first match wins:
1. one the user registered (`register_describer` / `@describer`) for the value's type or a
   base class;
2. the value's own `_repr_llm_()` method (looked up on its type, so `__getattr__` tricks and
   mocks do not count), which must return a string;
3. a built-in describer (pandas, numpy, containers, functions, classes, modules, exceptions),
   matched by the defining package and class name, so pandas and numpy are imported only
   when the value is one of theirs;
4. the fallback: the type and a `reprlib`-bounded `repr`.

The dispatch is in `dispatch.describe`, which loads the built-in describers on first use.

The decision about the fallback: it calls the value's own `__repr__`, because the user named
this value with `@` (as `{name}` calls `str`), and a repr is what they see for it in the
notebook. It is bounded (reprlib limits, then cut) and any exception it raises is reported in
place of the text. Nothing else of the user's objects is called here: `vars` reads only types,
and lengths or shapes of known types.
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable
from typing import Any, TypeVar

DESCRIPTION_LIMIT = 6000  # characters of one description, whatever the describer returns
CUT = "\n[... cut]"

Describer = Callable[[Any], str]
T = TypeVar("T", bound=type)

_registered: dict[type, Describer] = {}
# (top-level package, class qualname) -> describer; filled by `builtin.py` and `frames.py`
_builtin: dict[tuple[str, str], Describer] = {}


def register_describer(cls: type, function: Describer) -> None:
    """Describe values of `cls` (and its subclasses) with `function(value) -> str`."""
    if not isinstance(cls, type):
        raise TypeError(f"register_describer needs a class, got {cls!r}")
    if not callable(function):
        raise TypeError(f"register_describer needs a function, got {function!r}")
    _registered[cls] = function


def describer(cls: type) -> Callable[[Describer], Describer]:
    """Decorator form: `@aiml_magics.describer(MyType)` above `def describe(value) -> str`."""

    def register(function: Describer) -> Describer:
        register_describer(cls, function)
        return function

    return register


def unregister_describer(cls: type) -> None:
    """Forget a user's describer (tests, and users changing their mind)."""
    _registered.pop(cls, None)


def registered_describers() -> dict[type, Describer]:
    return _registered


def builtin_describers() -> dict[tuple[str, str], Describer]:
    return _builtin


def builtin(package: str, qualname: str) -> Callable[[Describer], Describer]:
    """Register a built-in describer by name, so its library is not imported to match it."""

    def register(function: Describer) -> Describer:
        _builtin[(package, qualname)] = function
        return function

    return register


def type_name(value: Any) -> str:
    """`pandas.DataFrame`, `int`, `mymodule.Thing`: the type as a user would write it."""
    cls = type(value)
    package = (cls.__module__ or "").split(".")[0]
    return cls.__qualname__ if package in ("builtins", "__main__") else f"{package}.{cls.__name__}"


def cut(text: str, limit: int) -> str:
    """`text` up to `limit` characters, cut at a line end when one is near, marked as cut."""
    if len(text) <= limit:
        return text
    head = text[: max(0, limit - len(CUT))]
    newline = head.rfind("\n")
    if newline > len(head) * 3 // 4:
        head = head[:newline]
    return head + CUT


_REPR = reprlib.Repr()
_REPR.maxstring = 200
_REPR.maxother = 400
_REPR.maxlist = _REPR.maxtuple = _REPR.maxset = _REPR.maxdict = 8
_REPR.maxlevel = 3


def bounded_repr(value: Any) -> str:
    """`reprlib`'s bounded repr; a failing `__repr__` is reported instead of raised."""
    try:
        return _REPR.repr(value)
    except Exception as exc:
        return f"<{type_name(value)} object (repr failed: {type(exc).__name__})>"


def fallback(value: Any) -> str:
    """The type, a bounded repr and, for plain objects, their attribute names and types."""
    lines = [f"{type_name(value)}: {bounded_repr(value)}"]
    attributes = getattr(value, "__dict__", None)
    if type(attributes) is dict and attributes:
        shown = [f"{k}: {type_name(v)}" for k, v in list(attributes.items())[:20] if k[:1] != "_"]
        if shown:
            lines.append("attributes: " + ", ".join(shown))
    return "\n".join(lines)
