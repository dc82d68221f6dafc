"""Keep secrets home: text that looks like a key or token never reaches the attached context.

Three nets, applied to every part's text:
- literal values known to be secret: the API key (given by the caller) and the string values
  of variables, or dict items, whose names contain a secret word (`SECRET_WORDS`), wherever
  they appear (a printed password in an output, a key inside a cell);
- shapes of well-known credentials: `sk-...`, `Bearer ...`, AWS access keys (`AKIA...`) and
  40-character secrets after an aws-named key, GitHub tokens (`ghp_...`, `github_pat_...`),
  JSON Web Tokens (`eyJ...`);
- assignments to secret-named names in code, JSON or environment listings
  (`db_password = "..."`, `"api_key": "..."`, `TOKEN=abc123...`).

Over-redaction is the accepted error: a hidden harmless value costs a worse answer, a leaked
key costs the user.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "[redacted]"
SECRET_WORDS = ("password", "passwd", "secret", "token", "api_key", "apikey", "private_key")
MIN_LITERAL = 4  # shorter known values would blank out ordinary words everywhere

_WORDS = "|".join(SECRET_WORDS)
_SHAPES = [
    re.compile(r"\bsk-[A-Za-z0-9_\-]{16,}"),
    re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}"),
    re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}"),
    re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]+"),  # JWTs
]
_BEARER = re.compile(r"(\bBearer\s+)[A-Za-z0-9\-._~+/]+=*", re.IGNORECASE)
_AWS_SECRET = re.compile(
    r"(aws\w*['\"]?\s*[:=]\s*['\"]?)[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])", re.IGNORECASE
)
_QUOTED_ASSIGNMENT = re.compile(
    rf"""(\b\w*(?:{_WORDS})\w*['"]?\s*[:=]\s*)(['"])((?:(?!\2)[^\\\n]|\\.)*)\2""", re.IGNORECASE
)
_BARE_ASSIGNMENT = re.compile(
    rf"(\b\w*(?:{_WORDS})\w*\s*[:=]\s*)"
    r"(?=[A-Za-z0-9_\-./+=]*\d)(?=[A-Za-z0-9_\-./+=]*[A-Za-z])[A-Za-z0-9_\-./+=]{8,}(?=$|[\s,;])",
    re.IGNORECASE | re.MULTILINE,
)


def is_secret_name(name: str) -> bool:
    """Whether a variable, attribute or key name says its value is a secret."""
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


class Redactor:
    """Replaces secrets with `[redacted]`; built once per context from the key and namespace."""

    def __init__(self, literals: Iterable[str] = ()) -> None:
        values = {v for v in literals if isinstance(v, str) and len(v.strip()) >= MIN_LITERAL}
        self._literals = sorted(values, key=len, reverse=True)  # longest first: no partial leak

    def __call__(self, text: str) -> str:
        for literal in self._literals:
            text = text.replace(literal, REDACTED)
        for shape in _SHAPES:
            text = shape.sub(REDACTED, text)
        text = _BEARER.sub(rf"\g<1>{REDACTED}", text)
        text = _AWS_SECRET.sub(rf"\g<1>{REDACTED}", text)
        text = _QUOTED_ASSIGNMENT.sub(rf"\g<1>\g<2>{REDACTED}\g<2>", text)
        return _BARE_ASSIGNMENT.sub(rf"\g<1>{REDACTED}", text)


def secret_literals(namespace: Mapping[str, Any], api_key: str | None = None) -> list[str]:
    """The API key and the string values held under secret-sounding names (one level deep)."""
    found = [api_key] if api_key else []
    for name, value in list(namespace.items()):
        if isinstance(value, str) and is_secret_name(name):
            found.append(value)
        elif type(value) is dict:
            found.extend(
                item
                for key, item in list(value.items())
                if isinstance(key, str) and isinstance(item, str) and is_secret_name(key)
            )
    return found
