"""One asyncio event loop in a daemon thread, shared by every MCP server of the kernel.

The SDK is async; the kernel thread is not. Calls cross with `run_coroutine_threadsafe` and
always with a timeout, so a server that hangs never hangs the kernel; Ctrl-C while waiting
cancels the call on the loop and is raised again in the kernel thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class BackgroundLoop:
    """Started on first use; runs until the interpreter exits (its thread is a daemon)."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                self._loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=self._loop.run_forever, name="aiml-mcp-loop", daemon=True
                )
                thread.start()
            return self._loop

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float) -> T:
        """The coroutine's result; TimeoutError after `timeout` seconds (the call is
        cancelled); KeyboardInterrupt cancels it too."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"no answer within {timeout:g} s") from None
        except KeyboardInterrupt:
            future.cancel()
            raise

    def submit(self, coroutine: Coroutine[Any, Any, Any]) -> concurrent.futures.Future:
        """Start a coroutine without waiting for it (closing a session)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)
