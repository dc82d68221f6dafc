"""Replies queued for one model: what lets a test make one model of a comparison slow, one
fail mid-stream and one answer at once, whatever order their requests arrive in.

A request for a model with replies queued here takes the next of them; any other request
takes the general queue (`Simulator.script`). Kept apart from the server and the handler,
which only ask `next_for(model)`.
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

    def next_for(self, model: object) -> Reply | None:
        """The next reply queued for `model` (counting down its `times`), or None."""
        with self._lock:
            queue = self._queues.get(model) if isinstance(model, str) else None
            if not queue:
                return None
            entry = queue[0]
            entry[1] -= 1
            if entry[1] <= 0:
                queue.popleft()
            return entry[0]

    @property
    def pending(self) -> int:
        with self._lock:
            return sum(remaining for q in self._queues.values() for _, remaining in q)

    def clear(self) -> None:
        with self._lock:
            self._queues.clear()
