"""Writing a successful chat answer: an SSE stream or one JSON body, with optional faults.

Streams use `Transfer-Encoding: chunked`, so a clean end (the zero-length chunk) can be told
apart from a cut connection, which is exactly what the faults here produce.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .answers import Answer
from .chunks import Payload, completion_body, stream_payloads
from .error_bodies import stream_error_payload
from .replies import Fault, Reply
from .wire import LAST_HTTP_CHUNK, MALFORMED, dumps, http_chunk, sse_comment, sse_event

if TYPE_CHECKING:
    from .handler import SimulatorHandler

JSON_TYPE = "application/json; charset=utf-8"
STREAM_HEADERS = {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache",
    "Transfer-Encoding": "chunked",
}


def send_completion(
    handler: SimulatorHandler, answer: Answer, reply: Reply, *, completion_id: str, created: int
) -> None:
    """One `chat.completion` JSON body with Content-Length (or a faulty version of it)."""
    body = dumps(completion_body(answer, reply, completion_id=completion_id, created=created))
    data = body.encode()
    headers = dict(reply.headers)
    if handler.server.simulator.profile.cost:  # the AI/ML API's own headers
        headers = {
            "x-aimlapi-credits-used": _number(answer.credits),
            "x-aimlapi-usd-spent": _number(answer.usd),
            **headers,
        }
    fault = reply.fault
    if fault is None:
        handler.send(200, data, JSON_TYPE, headers)
    elif fault.kind == "malformed":
        handler.send(200, MALFORMED.encode(), JSON_TYPE, reply.headers)
    elif fault.kind == "error_event":
        payload = stream_error_payload(fault.code, shape=reply.error_body, message=fault.message)
        handler.send(200, dumps(payload).encode(), JSON_TYPE)
    else:  # disconnect, truncate, stall: promise the whole body, send half, then close
        handler.head(200, {"Content-Type": JSON_TYPE, "Content-Length": len(data), **headers})
        handler.wfile.write(data[: len(data) // 2])
        if fault.kind == "stall":
            handler.wait(fault.seconds)
        handler.abort()


def send_stream(
    handler: SimulatorHandler, answer: Answer, reply: Reply, *, completion_id: str, created: int
) -> None:
    """An SSE stream, one HTTP chunk per event, flushed as it goes."""
    handler.head(200, {**STREAM_HEADERS, **reply.headers})
    if reply.prebuilt_chunks is not None:
        body = _prebuilt_body(answer, reply, completion_id, created)
        handler.wfile.write(http_chunk(body) + LAST_HTTP_CHUNK)
        return
    payloads = stream_payloads(answer, reply, completion_id=completion_id, created=created)
    write = handler.wfile.write  # unbuffered socket writer: each write goes out at once
    fault = reply.fault
    for number, payload in enumerate(payloads):
        if fault is not None and number == fault.after_chunks:
            if _inject(handler, fault, reply):
                return
            fault = None
        if number and reply.keepalive:
            write(http_chunk(sse_comment("keep-alive", crlf=reply.crlf)))
        if number and reply.delay and handler.wait(reply.delay):
            handler.abort()
            return
        write(http_chunk(_event(payload, number, reply)))
    if fault is not None and _inject(handler, fault, reply):
        return
    write(LAST_HTTP_CHUNK)


def _inject(handler: SimulatorHandler, fault: Fault, reply: Reply) -> bool:
    """Apply a fault mid-stream; True when the response is finished (or destroyed)."""
    write = handler.wfile.write
    if fault.kind == "malformed":
        write(http_chunk(_event(MALFORMED, 0, reply)))
        return False
    if fault.kind == "error_event":
        payload = stream_error_payload(fault.code, shape=reply.error_body, message=fault.message)
        write(http_chunk(_event(payload, 0, reply)))
        write(LAST_HTTP_CHUNK)
        return True
    if fault.kind == "stall":
        handler.wait(fault.seconds)
    handler.abort()
    return True


def _event(payload: Payload, number: int, reply: Reply) -> bytes:
    return sse_event(payload, number=number, crlf=reply.crlf, event_lines=reply.event_lines)


def _prebuilt_body(answer: Answer, reply: Reply, completion_id: str, created: int) -> bytes:
    """The whole SSE body, built once per reply and model so benchmarks measure the client."""
    key = (
        answer.model,
        answer.usage.get("prompt_tokens"),
        reply.reasoning_key,
        reply.meta_on,
        reply.send_usage,
    )
    cached = reply.prebuilt_cache.get(key)
    if cached is None:
        payloads = stream_payloads(answer, reply, completion_id=completion_id, created=created)
        cached = b"".join(_event(p, n, reply) for n, p in enumerate(payloads))
        reply.prebuilt_cache[key] = cached
    return cached


def _number(value: float) -> str:
    """Header-friendly number: no exponent, no trailing zeros."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.12f}".rstrip("0").rstrip(".")
