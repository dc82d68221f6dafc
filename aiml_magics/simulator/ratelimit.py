"""Service-wide pacing for batches: a latency per answer and a rate limit with Retry-After.

`Simulator.latency = 0.1` makes every chat answer wait 100 ms before its first byte (as a
real model does), and `Simulator.rate_limit = (N, seconds)` admits at most N chat requests in
any window of that many seconds, answering the rest with 429 and the Retry-After that says
when the window has room again. Each refusal is kept in `Simulator.throttled`, so a test can
check that no request arrived before the time it was told.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Throttled:
    """One 429 the rate limit sent: when its request arrived and until when it said to wait."""

    received: float  # time.monotonic(), like RecordedRequest.received
    retry_after: float  # seconds, as sent in retry-after-ms

    @property
    def until(self) -> float:
        return self.received + self.retry_after


class RateLimit:
    """A sliding window of admitted requests; thread-safe (handler threads share it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.limit: tuple[int, float] | None = None
        self.latency = 0.0
        self._admitted: deque[float] = deque()
        self._throttled: list[Throttled] = []

    def configure(self, limit: tuple[int, float] | None) -> None:
        if limit is not None:
            count, window = limit
            if int(count) < 1 or float(window) <= 0:
                raise ValueError("rate_limit is (requests >= 1, window seconds > 0) or None")
            limit = (int(count), float(window))
        with self._lock:
            self.limit = limit
            self._admitted.clear()

    def admit(self, received: float) -> float | None:
        """None when the request may go on; else the seconds until the window has room."""
        with self._lock:
            if self.limit is None:
                return None
            count, window = self.limit
            now = time.monotonic()
            while self._admitted and self._admitted[0] <= now - window:
                self._admitted.popleft()
            if len(self._admitted) < count:
                self._admitted.append(now)
                return None
            wait = max(0.001, self._admitted[0] + window - now)
            self._throttled.append(Throttled(received, wait))
            return wait

    @property
    def throttled(self) -> list[Throttled]:
        with self._lock:
            return list(self._throttled)

    def reset(self) -> None:
        with self._lock:
            self.limit = None
            self.latency = 0.0
            self._admitted.clear()
            self._throttled.clear()


def retry_after_headers(wait: float) -> dict[str, str]:
    """Both forms: milliseconds for clients that read them, whole seconds (rounded up) else."""
    return {"retry-after-ms": str(math.ceil(wait * 1000)), "Retry-After": str(math.ceil(wait))}
