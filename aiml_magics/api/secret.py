"""The API key: held in one object whose every textual form is redacted, read from the
environment under the names the service's ecosystem uses."""

from __future__ import annotations

import os
from typing import Any

KEY_ENV_VARS = ("AIML_API_KEY", "AIMLAPI_API_KEY", "AIMLAPI_KEY")
BASE_URL_ENV_VARS = ("AIML_API_BASE", "AIMLAPI_API_BASE")


class Secret:
    """Holds the API key; every textual form of it is redacted."""

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str) -> None:
        self._value = value
        self.source = source

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"<Secret from {self.source}: ****>"

    __str__ = __repr__

    def __reduce__(self) -> Any:  # pickling would write the key to disk
        raise TypeError("the API key cannot be pickled")


def key_from_environment(environ: dict[str, str] | None = None) -> Secret | None:
    environ = os.environ if environ is None else environ
    for name in KEY_ENV_VARS:
        value = environ.get(name, "").strip()
        if value:
            return Secret(value, f"environment {name}")
    return None


def base_url_from_environment(environ: dict[str, str] | None = None) -> str | None:
    environ = os.environ if environ is None else environ
    for name in BASE_URL_ENV_VARS:
        value = environ.get(name, "").strip()
        if value:
            return value
    return None
