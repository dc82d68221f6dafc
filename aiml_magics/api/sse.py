"""Incremental server-sent-events decoder for `text/event-stream` bodies.

Bytes arrive in arbitrary pieces: a UTF-8 character or a `\\r\\n` pair may be split between two
of them. The decoder keeps only the unfinished line between pieces and works line by line (never
character by character), so it stays linear in the size of the stream.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = ["ServerSentEvent", "iter_sse"]

_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One dispatched event.

    `id` is the stream's last event id and `retry` its last reconnection time (ms), as the SSE
    rules define them: both persist across events until the server changes them.
    """

    data: str
    event: str = "message"
    id: str | None = None
    retry: int | None = None


def iter_sse(chunks: Iterable[bytes]) -> Iterator[ServerSentEvent]:
    """Decode a byte stream delivered in pieces of any size into events.

    An event still open when the input ends is dispatched if it has data: some servers omit the
    final blank line, and a payload cut short fails to parse downstream anyway.
    """
    parser = _EventParser()
    lines = _LineSplitter()
    for chunk in chunks:
        if chunk:
            yield from parser.feed(lines.feed(chunk))
    yield from parser.feed(lines.close())
    yield from parser.close()


class _LineSplitter:
    """Turns byte pieces into complete lines, whatever the line ending and the piece borders."""

    def __init__(self) -> None:
        # "utf-8-sig" drops a leading BOM even when it is split across pieces.
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
        self._partial: list[str] = []
        self._after_cr = False

    def feed(self, chunk: bytes) -> list[str]:
        """Complete lines in this piece; the unfinished tail waits for the next one."""
        text = self._decoder.decode(chunk)
        if not text:
            return []
        if self._after_cr:
            # A "\r" ended the previous piece: a "\n" opening this one belongs to it.
            self._after_cr = False
            if text[0] == "\n":
                text = text[1:]
                if not text:
                    return []
        if "\n" not in text and "\r" not in text:
            self._partial.append(text)
            return []
        if self._partial:
            self._partial.append(text)
            text = "".join(self._partial)
            self._partial = []
        self._after_cr = text[-1] == "\r"
        lines = _LINE_END.split(text) if "\r" in text else text.split("\n")
        tail = lines.pop()
        if tail:
            self._partial.append(tail)
        return lines

    def close(self) -> list[str]:
        """The last line when the stream does not end with a line break."""
        self._partial.append(self._decoder.decode(b"", final=True))
        tail = "".join(self._partial)
        self._partial = []
        return [tail] if tail else []


class _EventParser:
    """Applies the SSE field rules to complete lines and dispatches events on blank lines."""

    def __init__(self) -> None:
        self._data: list[str] = []
        self._event = ""
        self._last_id: str | None = None
        self._retry: int | None = None

    def feed(self, lines: list[str]) -> list[ServerSentEvent]:
        events: list[ServerSentEvent] = []
        data = self._data
        for line in lines:
            if line.startswith("data: "):  # the common case first
                data.append(line[6:])
            elif not line:
                if data:  # dispatch, inlined: this runs once per event
                    event = self._event or "message"
                    events.append(
                        ServerSentEvent("\n".join(data), event, self._last_id, self._retry)
                    )
                    data = self._data = []
                self._event = ""
            elif line[0] != ":":
                self._field(line)
        return events

    def close(self) -> list[ServerSentEvent]:
        """The end of input acts as a final blank line."""
        return self.feed([""])

    def _field(self, line: str) -> None:
        name, _, value = line.partition(":")
        if value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)
