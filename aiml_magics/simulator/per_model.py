"""Replies queued for one model: what lets a test make one model of a comparison slow, one
fail mid-stream and one answer at once, whatever order their requests arrive in.

A request for a model with replies queued here takes the next of them (a reply with `match`
only when its text is in the request's last user message, so each row of a batch gets its own
answer); any other request takes the general queue (`Simulator.script`). Kept apart from
the server and the handler, which only ask `next_for(model, text)`.
"""

from __future__ import annotations

import threading
from collections import deque

from .replies import Reply


class PerModelScripts:
    """Queues of replies keyed by the model id a request names (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, deque[list[object]]] = {}  # model -> [reply, remaining uses]

    def add(self, model: str, replies: tuple[Reply, ...]) -> None:
        if not isinstance(model, str) or not model:
            raise TypeError("script_for needs the model id a request will name")
        for reply in replies:
            if not isinstance(reply, Reply):
                raise TypeError(f"expected Reply, got {type(reply).__name__}")
        with self._lock:
            queue = self._queues.setdefault(model, deque())
            queue.extend([reply, reply.times] for reply in replies)

    def next_for(self, model: object, text: str | None = None) -> Reply | None:
        """The reply queued for `model` that matches `text` (else its first reply without
        `match`), counting down its `times`; None when there is none."""
        with self._lock:
            queue = self._queues.get(model) if isinstance(model, str) else None
            return take(queue, text) if queue else None

    @property
    def pending(self) -> int:
        with self._lock:
            return sum(remaining for q in self._queues.values() for _, remaining in q)

    def clear(self) -> None:
        with self._lock:
            self._queues.clear()


def take(queue: deque[list[object]], text: str | None) -> Reply | None:
    """From `[reply, remaining uses]` entries: the first reply whose `match` is in `text`,
    else the first without a `match`; counts down its uses (the caller holds the lock)."""
    entry = None
    if text is not None:
        entry = next((e for e in queue if _match(e) is not None and _match(e) in text), None)
    if entry is None:
        entry = next((e for e in queue if _match(e) is None), None)
    if entry is None:
        return None
    entry[1] -= 1  # type: ignore[operator]
    if entry[1] <= 0:  # type: ignore[operator]
        queue.remove(entry)
    return entry[0]  # type: ignore[return-value]


def _match(entry: list[object]) -> str | None:
    return getattr(entry[0], "match", None)
