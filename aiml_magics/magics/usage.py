"""One story for usage errors: in a magic, every usage problem looks like IPython's own.

There are two `UsageError` classes, one per side of the magics:

- `IPython.core.error.UsageError` is what a magic raises for a problem of its own line (an
  option out of range, two options that do not go together, an empty cell). IPython prints it
  as one line on stderr, `UsageError: ...`, with no traceback, as it does for every magic.
- `aiml_magics.api.errors.UsageError` (an `AimlError`; `SchemaError` and `ContextError` are
  kinds of it) is what the layers below raise for a value they cannot use (a DATA that is no
  table, a function that cannot be a tool, an image that is not there, a type that has no
  JSON schema). Those layers know nothing of IPython, and from Python (`aiml_magics.batch`,
  the client) it is the exception to catch; it prints as one line too, `Usage error: ...`.

The rule: a magic is the boundary. `shows_usage_errors` wraps `%%aiml` and `%aiml`, so a
library `UsageError` raised while a magic runs reaches the user as IPython's, the same one
line on stderr as an options error. Code below the magics keeps raising the library's class.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from IPython.core.error import UsageError

from ..api import errors

Magic = TypeVar("Magic", bound=Callable[..., Any])


def shows_usage_errors(magic: Magic) -> Magic:
    """Wrap a magic so that the library's `UsageError` is raised as IPython's."""

    @functools.wraps(magic)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return magic(*args, **kwargs)
        except errors.UsageError as exc:
            raise UsageError(usage_text(exc)) from None

    return run  # type: ignore[return-value]


def usage_text(error: errors.UsageError) -> str:
    """The library error's message (and hint) on one line, without its title: IPython
    prefixes `UsageError: ` itself, and the message already names the option at fault."""
    text = f"{error.message} {error.hint}" if error.hint else error.message
    return " ".join(text.split())
