"""How many requests a batch keeps in flight: additive increase, multiplicative decrease.

Workers take a slot before each request and give it back after. A rate-limit answer (429, or
503 "overloaded") halves the limit, at most once per `cooldown` so one burst of refusals counts
as one signal; every success adds 1/limit, so the limit grows back by about one per round of
answers. It never goes below 1 nor above the concurrency the user asked for.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class AdaptiveLimit:
    """A concurrency limit shared by a batch's workers (thread-safe)."""

    def __init__(
        self,
        ceiling: int,
        *,
        cooldown: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ceiling = max(1, int(ceiling))
        self.limit = float(self.ceiling)
        self.in_flight = 0
        self.decreases = 0
        self._cooldown = cooldown
        self._clock = clock
        self._last_decrease = float("-inf")
        self._changed = threading.Condition()

    @property
    def allowed(self) -> int:
        return max(1, math.floor(self.limit))

    def acquire(self, stop: threading.Event | None = None, poll: float = 0.1) -> bool:
        """Wait for a slot; False when `stop` was set first."""
        with self._changed:
            while self.in_flight >= self.allowed:
                if stop is not None and stop.is_set():
                    return False
                self._changed.wait(poll)
            if stop is not None and stop.is_set():
                return False
            self.in_flight += 1
            return True

    def release(self) -> None:
        with self._changed:
            self.in_flight = max(0, self.in_flight - 1)
            self._changed.notify()

    def succeeded(self) -> None:
        with self._changed:
            if self.limit < self.ceiling:
                self.limit = min(float(self.ceiling), self.limit + 1.0 / self.limit)
                self._changed.notify_all()

    def throttled(self) -> None:
        """The service said "too many": halve the limit (once per cooldown)."""
        with self._changed:
            now = self._clock()
            if now - self._last_decrease < self._cooldown:
                return
            self._last_decrease = now
            self.limit = max(1.0, self.limit / 2)
            self.decreases += 1
