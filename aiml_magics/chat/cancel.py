"""A stop signal one thread gives another's send: set a flag, close the open response.

A kernel interrupt reaches only the main thread; the sends of a comparison run in worker
threads. The main thread sets their `Cancel`, which closes each HTTP response at once (a
stream blocked on the next byte wakes up) and makes the send path raise `StoppedError`
with what had arrived.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any


class Cancel:
    """Set once; `attach` the response being read so that `set` can close it."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._open: Any = None

    def is_set(self) -> bool:
        return self._event.is_set()

    def set(self) -> None:
        with self._lock:
            self._event.set()
            closing, self._open = self._open, None
        if closing is not None:
            with contextlib.suppress(Exception):  # closing a half-read socket may complain
                closing.close()

    def attach(self, closable: Any) -> None:
        """The response now being read; closed at once if the stop came already."""
        with self._lock:
            if not self._event.is_set():
                self._open = closable
                return
        with contextlib.suppress(Exception):
            closable.close()

    def detach(self) -> None:
        with self._lock:
            self._open = None
