"""Byte-level framing: compact JSON, server-sent events and HTTP/1.1 chunks.

SSE variations (CRLF, comments, `event:`/`id:` fields, a payload spread over two `data:`
lines) are all legal, and a client has to handle them; this module produces each on demand.
"""

from __future__ import annotations

import json
from typing import Any

DONE = "[DONE]"
LAST_HTTP_CHUNK = b"0\r\n\r\n"
MALFORMED = "{not json"


def dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def sse_event(
    payload: dict[str, Any] | str,
    *,
    number: int = 0,
    crlf: bool = False,
    event_lines: bool = False,
) -> bytes:
    """One SSE event carrying `payload` (a dict becomes JSON; a str is sent verbatim)."""
    text = payload if isinstance(payload, str) else dumps(payload)
    lines = []
    if event_lines:
        if number == 0:
            lines.append("retry: 3000")
        lines += ["event: message", f"id: {number}"]
        if text.startswith("{") and len(text) > 1:
            # SSE joins data lines with "\n", which JSON allows after "{".
            lines += ["data: {", "data: " + text[1:]]
        else:
            lines.append("data: " + text)
    else:
        lines.append("data: " + text)
    eol = "\r\n" if crlf else "\n"
    return (eol.join(lines) + eol + eol).encode()


def sse_comment(text: str, *, crlf: bool = False) -> bytes:
    eol = "\r\n" if crlf else "\n"
    return f": {text}{eol}{eol}".encode()


def http_chunk(data: bytes) -> bytes:
    """Frame `data` as one chunk of a `Transfer-Encoding: chunked` body."""
    return b"%X\r\n%s\r\n" % (len(data), data)
