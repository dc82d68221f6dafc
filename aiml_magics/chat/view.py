"""What the send path tells a view: progress, notices, and exactly one ending with a status.

The send path is the only caller of `finish`; views (the cell display, the terminal, the
panel's status line, a comparison column) only decide how an ending looks.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..api.result import ChatResult


class Status(str, Enum):
    """How an answer ended (or that it is still streaming)."""

    STREAMING = "streaming"
    DONE = "done"
    INCOMPLETE = "incomplete"  # the stream broke
    INTERRUPTED = "interrupted"  # the kernel was interrupted
    STOPPED = "stopped"  # the tool loop hit AimlMagics.max_tool_rounds
    FAILED = "failed"  # the request failed (retries ran out, 4xx, ...)
    INVALID = "invalid"  # the answer did not fit the requested schema (repairs included)

    def __str__(self) -> str:
        return self.value


class AnswerView(Protocol):
    """What the send path needs from a place that shows an answer."""

    def notice(self, message: str) -> None: ...

    def update(self, text: str, reasoning: str) -> None: ...

    def finish(self, result: ChatResult | None, status: Status, metadata: dict | None) -> None: ...
