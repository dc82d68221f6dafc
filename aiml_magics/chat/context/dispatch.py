"""`describe(value)`: pick the describer (see `registry` for the order) and bound its text."""

from __future__ import annotations

import re
from typing import Any

from . import builtin  # noqa: F401  (registers the built-in describers)
from .registry import (
    DESCRIPTION_LIMIT,
    Describer,
    bounded_repr,
    builtin_describers,
    cut,
    fallback,
    registered_describers,
    type_name,
)

# `<Thing object at 0x7f...>`: an address changes every run and would change the replay key
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+(?=>)")


def describe(value: Any, limit: int = DESCRIPTION_LIMIT) -> str:
    """A bounded description of `value` for the model; never raises."""
    function = find_describer(value)
    try:
        text = function(value)
        if not isinstance(text, str):
            raise TypeError(f"a describer returned {type(text).__name__}, not str")
    except Exception as exc:
        text = f"{type_name(value)} (its description failed: {type(exc).__name__}: {exc})"
        text = bounded_repr(text)
    return cut(_ADDRESS.sub("", text), limit)


def find_describer(value: Any) -> Describer:
    """The user's describer for the type, else `_repr_llm_`, else a built-in, else repr."""
    mro = type(value).__mro__
    registered = registered_describers()
    for cls in mro:
        if cls in registered:
            return registered[cls]
    own = getattr(type(value), "_repr_llm_", None)
    if callable(own):
        return lambda v: own(v)
    builtins = builtin_describers()
    for cls in mro:
        found = builtins.get(((cls.__module__ or "").split(".")[0], cls.__qualname__))
        if found is not None:
            return found
    return fallback
