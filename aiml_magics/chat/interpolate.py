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
_PATH = rf"{_NAME}(?:{_ACCESSOR})*"
_PLACEHOLDER = re.compile(rf"\{{\{{({_PATH})\}}\}}|\{{({_PATH})\}}")
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
    root = re.match(_NAME, path).group(0)  # type: ignore[union-attr]
    if root not in namespace:
        return _MISSING
    value = namespace[root]
    for step in _STEP.finditer(path, len(root)):
        attr, key = step.group(1), step.group(2)
        try:
            if attr is not None:
                if attr.startswith("_"):
                    return _MISSING
                value = getattr(value, attr)
            else:
                value = value[ast.literal_eval(key)]
        except Exception:
            return _MISSING
    return value
