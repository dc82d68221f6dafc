"""`{name}` interpolation of cell bodies that leaves code, JSON and f-strings alone.

Only a placeholder whose root name exists in the namespace is replaced, and only through
attribute and item access: nothing is called or evaluated. `{{placeholder}}` is the escape
for a literal `{placeholder}`. Any other brace, including the `}}` that closes nested JSON,
stays exactly as typed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import Any

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_ACCESSOR = rf"""(?:\.{_NAME}|\[\s*(?:-?\d+|"[^"\\\n]*"|'[^'\\\n]*')\s*\])"""
PATH = rf"{_NAME}(?:{_ACCESSOR})*"  # `root.attr[0]["key"]`, shared with `@name` mentions
_PLACEHOLDER = re.compile(rf"\{{\{{({PATH})\}}\}}|\{{({PATH})\}}")
_STEP = re.compile(rf"\.({_NAME})|\[\s*(-?\d+|\"[^\"\\\n]*\"|'[^'\\\n]*')\s*\]")

_MISSING = object()


def interpolate(text: str, namespace: Mapping[str, Any]) -> str:
    """Replace `{name...}` placeholders whose root exists in `namespace` with `str(value)`."""

    def substitute(match: re.Match[str]) -> str:
        escaped, path = match.group(1), match.group(2)
        if escaped is not None:
            return "{" + escaped + "}"
        value = resolve(path, namespace)
        return match.group(0) if value is _MISSING else str(value)

    return _PLACEHOLDER.sub(substitute, text)


def resolve(path: str, namespace: Mapping[str, Any]) -> Any:
    """Follow `root.attr[0]["key"]`; `_MISSING` when any step fails or is private."""
    try:
        return walk(path, namespace)
    except LookupError:
        return _MISSING


def walk(path: str, namespace: Mapping[str, Any]) -> Any:
    """Follow `root.attr[0]["key"]` by attribute and item access only (nothing is called).

    Raises `LookupError` saying which step failed: a missing root, a private (`_`) attribute,
    or an attribute or item the value does not have.
    """
    root = re.match(_NAME, path).group(0)  # type: ignore[union-attr]
    if root not in namespace:
        raise LookupError(f"no variable named {root!r}")
    value, walked = namespace[root], root
    for step in _STEP.finditer(path, len(root)):
        attr, key = step.group(1), step.group(2)
        if attr is not None and attr.startswith("_"):
            raise LookupError(f"{walked}.{attr} is private (names starting with _ are refused)")
        try:
            value = getattr(value, attr) if attr is not None else value[ast.literal_eval(key)]
        except Exception as exc:
            what = f"attribute {attr!r}" if attr is not None else f"item {key}"
            raise LookupError(f"{walked} has no {what} ({type(exc).__name__})") from None
        walked += step.group(0)
    return value
