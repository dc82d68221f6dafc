"""What a user reads when replay cannot answer: the cell named, and what differs from the
closest recording, in one line."""

from __future__ import annotations

from typing import Any

from ...api import errors
from .paths import shown_path
from .store import ReplayStore


class ReplayMissError(errors.AimlError):
    title = "Not recorded"


def cell_label(user: Any) -> str:
    """How an error names a cell: the first line of what it asked."""
    if isinstance(user, list):
        user = " ".join(
            str(p.get("text", "")) for p in user if isinstance(p, dict) and p.get("type") == "text"
        )
    first = next((line.strip() for line in str(user).splitlines() if line.strip()), "")
    return first if len(first) <= 60 else first[:57] + "…"


def miss_error(store: ReplayStore, canonical: dict[str, Any], label: str) -> ReplayMissError:
    """The error of a request `only` cannot answer: nothing was sent, and why it missed."""
    closest, differences = store.closest(canonical)
    where = f"the cell {label!r}" if label else "this cell"
    if closest is None:
        why = f"{shown_path(store.path)} has no recordings"
    else:
        why = "it differs from the closest recording in " + _join(differences[:3] or ["nothing"])
    return ReplayMissError(
        f"{where} was not recorded ({why}); nothing was sent (AimlMagics.replay = 'only').",
        hint="Record it with %aiml replay auto (or record) and a key.",
    )


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
