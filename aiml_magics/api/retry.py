"""The one retry policy every request follows: which failures, how long to wait, and why.

Backoff is 0.5 s doubling to 8 s minus up to 25% jitter; `retry-after-ms` or `Retry-After`
(seconds or an HTTP date, at most 60 s) replaces it when the server says how long to wait.
"""

from __future__ import annotations

import email.utils
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

RETRYABLE_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
BACKOFF_START, BACKOFF_CAP, RETRY_AFTER_CAP = 0.5, 8.0, 60.0


@dataclass(frozen=True)
class RetryNotice:
    """Told to the caller before each wait, so the user sees why nothing happens."""

    attempt: int
    max_retries: int
    wait: float
    reason: str

    def __str__(self) -> str:
        return (
            f"waiting {self.wait:.1f} s before retry {self.attempt} of {self.max_retries} "
            f"({self.reason})"
        )


def retry_after_seconds(headers: Any) -> float | None:
    """`retry-after-ms`, then `Retry-After` (seconds or HTTP date); None when absent or absurd."""
    if not headers:
        return None
    seconds = _parse_seconds(headers.get("retry-after-ms"), scale=0.001)
    if seconds is None:
        raw = (headers.get("retry-after") or "").strip()
        seconds = _parse_seconds(raw)
        if seconds is None and raw:
            try:
                seconds = email.utils.parsedate_to_datetime(raw).timestamp() - time.time()
            except (TypeError, ValueError):
                seconds = None
    if seconds is None or not (0 <= seconds <= RETRY_AFTER_CAP):
        return None
    return seconds


def _parse_seconds(value: str | None, scale: float = 1.0) -> float | None:
    try:
        return float(value) * scale if value else None
    except ValueError:
        return None


def backoff_seconds(attempt: int, rng: Callable[[], float] = random.random) -> float:
    """0.5 s doubling to 8 s, minus up to 25% jitter (the ecosystem's norm)."""
    base = min(BACKOFF_START * 2**attempt, BACKOFF_CAP)
    return base * (1 - 0.25 * rng())


def short_reason(exc: BaseException) -> str:
    text = str(exc)
    match = re.search(r"\[Errno -?\d+\] [^'\")]+", text)
    if match:
        return match.group(0).strip()
    for marker in ("Read timed out", "Connection refused", "Name or service not known"):
        if marker in text:
            return marker
    return type(exc).__name__


class Pause:
    """The earliest moment the next request may go out.

    A 429 or 503 with Retry-After moves it for every sender sharing this object (threads of
    a comparison or a batch, the background model list), not only the one that was told.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._until = 0.0
        self._lock = threading.Lock()

    def hold(self, seconds: float) -> None:
        with self._lock:
            self._until = max(self._until, self._clock() + seconds)

    def until(self) -> float:
        """The moment (on this pause's clock) before which nothing is sent."""
        with self._lock:
            return self._until

    def remaining(self) -> float:
        with self._lock:
            return max(0.0, self._until - self._clock())
