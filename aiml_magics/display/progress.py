"""The one-line progress of an answer: what a status line says while it streams and once it
ended. Pure functions, shared by the cell panel's status line and a comparison's columns."""

from __future__ import annotations

from ..api.result import ChatResult
from ..chat.conversation import CHARS_PER_TOKEN
from ..chat.view import Status


def estimate_tokens(chars: int) -> int:
    return -(-chars // CHARS_PER_TOKEN)


def streaming_status(elapsed: float, text: str, reasoning: str) -> str:
    """The line shown while an answer streams (token counts are estimates: ~4 chars a token)."""
    if reasoning and not text:
        return f"thinking... (~{estimate_tokens(len(reasoning)):,} tokens) · {elapsed:.1f} s"
    if not text:
        return f"waiting for the first token · {elapsed:.1f} s"
    tokens = estimate_tokens(len(text)) + estimate_tokens(len(reasoning))
    rate = tokens / elapsed if elapsed > 0 else 0.0
    line = f"streaming · {elapsed:.1f} s · ~{tokens:,} tokens"
    if reasoning:
        line += f" (~{estimate_tokens(len(reasoning)):,} reasoning)"
    return line + f" · {rate:.0f} tok/s"


# How an answer that did not complete ended, in a word: for a comparison column and the
# panel's stand-in in a saved notebook. The error under the answer says why.
ENDINGS = {
    Status.INCOMPLETE: "⚠ incomplete",
    Status.INTERRUPTED: "■ interrupted",
    Status.FAILED: "✗ failed",
    Status.INVALID: "✗ does not fit the schema",
    Status.STOPPED: "■ stopped at max_tool_rounds",
}


def final_status(result: ChatResult | None, status: str) -> str:
    """The line shown once the answer ended: "done" and the time it took, or how it ended.

    Usage, credits and dollars are the footer's (under the answer): said once, not here too.
    """
    if status != Status.DONE:
        return ENDINGS.get(status, str(status))
    duration = result.duration if result is not None else None
    return "done" if duration is None else f"done · {duration:.1f} s"
