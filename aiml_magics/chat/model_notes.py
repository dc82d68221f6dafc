"""One-line notes about the model a cell uses, from the service's own data.

- Deprecation: a model the service's feed lists as `deprecated` or `superseded` still answers;
  the user should hear once per session when it retires and what replaces it.
- Reasoning effort: `reasoning_effort` is ignored by models whose catalogue entry lacks the
  `reasoning` capability; the user should know before trusting it.

Plain functions and one small stateful class, for the status line and the panels to show.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from ..api import errors

if TYPE_CHECKING:
    from ..api.client import AimlClient
    from ..api.service import Deprecation


def deprecation_of(client: AimlClient, model: str) -> Deprecation | None:
    """The feed's entry for `model` when it is deprecated or superseded (it still serves);
    None otherwise, and whenever the feed cannot be read (a note must never fail a cell)."""
    found = client.deprecation(model)
    if found is None or found.status not in ("deprecated", "superseded"):
        return None
    return found


def deprecation_note(client: AimlClient, model: str) -> str:
    """`⚠ openai/gpt-4-turbo is deprecated; it retires on 2027-03-31; use openai/gpt-4o`,
    or '' when the model is not on its way out."""
    found = deprecation_of(client, model)
    return f"⚠ {found.describe(model)}" if found is not None else ""


class DeprecationNotices:
    """Says each model's deprecation once per session (thread-safe: comparisons send from
    several threads)."""

    def __init__(self) -> None:
        self._said: set[str] = set()
        self._lock = threading.Lock()

    def once(self, client: AimlClient, model: str) -> str:
        """The note the first time `model` is asked about, '' afterwards and for models that
        are fine."""
        key = model.lower()
        with self._lock:
            if key in self._said:
                return ""
            self._said.add(key)
        return deprecation_note(client, model)


def effort_note(client: AimlClient, model: str) -> str:
    """A note when `model`'s catalogue entry says it does not reason, so `reasoning_effort`
    may be ignored; '' when it reasons or nothing is known."""
    try:
        info = client.find_model(model)
    except errors.AimlError:
        return ""
    if info is None or not info.capabilities or "reasoning" in info.capabilities:
        return ""
    return f"{model} does not list the reasoning capability: reasoning_effort may be ignored."
