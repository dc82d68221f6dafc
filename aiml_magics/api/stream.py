"""Chat-completion chunks -> typed events -> one `ChatResult`.

Every upstream dialect the service routes to (OpenAI, Qwen, DeepSeek, Claude, ...) is
normalised here, so the renderer and the accumulator only ever see `events.StreamEvent`s.
The rules follow the "Streaming" section of the service reference; the key one is that a stream
which stops without `[DONE]` and without a finish reason raises: half an answer must never pass
for a whole one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from . import errors
from .accumulate import StreamAccumulator
from .events import (
    ContentDelta,
    CostUpdate,
    Done,
    Finish,
    MessageExtra,
    ModelName,
    ReasoningDelta,
    Sources,
    StreamEvent,
    ToolCallDelta,
    UsageUpdate,
)
from .parts import TOOL_CALL_KEYS, add_citations, citations, extra_keys, reasoning_text
from .result import ChatResult, Citation, ToolCall, Usage
from .sse import ServerSentEvent

__all__ = ["StreamAccumulator", "decode_events", "result_from_response"]

_EXCERPT = 80
_JSON = json.JSONDecoder()


def decode_events(
    sse: Iterable[ServerSentEvent], *, inference_id: str | None = None
) -> Iterator[StreamEvent]:
    """Translate SSE events into typed stream events, raising on errors and cut streams.

    `inference_id` (from the response headers) is attached to any error raised, because it is
    what the service's support asks for.
    """
    model_seen = False
    finished = False
    for event in sse:
        if event.event != "message":
            if event.event == "error":
                raise _error_event(event.data, inference_id)
            continue
        data = event.data
        if data[:1] != "{":  # rare: [DONE], an empty payload, padding, or garbage
            data = data.strip()
            if data == "[DONE]":
                yield Done()
                return
            if not data:
                continue  # an empty payload carries nothing: a keep-alive
        chunk = _parse_chunk(data, inference_id)
        if not model_seen:
            model = chunk.get("model")
            if model and isinstance(model, str):
                model_seen = True
                yield ModelName(model)
        for item in _chunk_events(chunk):
            if type(item) is Finish:
                finished = True
            yield item
    if not finished:
        raise errors.StreamError(
            "The stream ended before the answer was complete (no finish reason, no [DONE]); "
            "what was shown is partial.",
            inference_id=inference_id,
        )
    yield Done()  # a clean close after a finish reason, as Claude-routed streams end


def _parse_chunk(data: str, inference_id: str | None) -> dict[str, Any]:
    """The chunk as a JSON object; an error payload or anything malformed raises."""
    try:
        chunk, end = _JSON.raw_decode(data)  # skips `json.loads`' checks: this is the hot path
    except ValueError:
        chunk, end = None, 0
    if not isinstance(chunk, dict) or (end != len(data) and data[end:].strip()):
        raise errors.StreamError(
            f"The service sent a malformed stream chunk: {_excerpt(data)}",
            inference_id=inference_id,
        )
    suspect = "error" in chunk or "statusCode" in chunk or chunk.get("object") == "error"
    if suspect and errors.is_error_body(chunk):
        raise errors.error_for_status(
            errors.status_from_body(chunk), chunk, inference_id=inference_id
        )
    return chunk


def _error_event(data: str, inference_id: str | None) -> errors.AimlError:
    """An `event: error` is an error whatever its payload looks like."""
    try:
        body: Any = json.loads(data)
    except ValueError:
        body = data
    return errors.error_for_status(errors.status_from_body(body), body, inference_id=inference_id)


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= _EXCERPT else text[: _EXCERPT - 3] + "...")


def _chunk_events(chunk: dict[str, Any]) -> list[StreamEvent]:
    """Everything one chunk says, in the order a reader would want it.

    Lists rather than generators: most chunks say one thing, and this runs for every chunk.
    """
    found: list[StreamEvent] = []
    choices = chunk.get("choices")
    if choices and isinstance(choices, list):
        for choice in choices:
            if isinstance(choice, dict) and choice.get("index", 0) in (0, None):
                _choice_events(choice, found)
    usage = chunk.get("usage")
    if usage:
        parsed = Usage.from_api(usage)
        if parsed is not None:
            found.append(UsageUpdate(parsed))
    meta = chunk.get("meta")
    if meta:
        cost = _cost(meta)
        if cost is not None:
            found.append(cost)
    return found


def _choice_events(choice: dict[str, Any], found: list[StreamEvent]) -> None:
    """Only the first choice is followed: with `n > 1` the answers would interleave."""
    delta = choice.get("delta")
    if delta and isinstance(delta, dict):
        reasoning = reasoning_text(delta)
        if reasoning:
            found.append(ReasoningDelta(reasoning))
        content = delta.get("content")
        if content and isinstance(content, str):
            found.append(ContentDelta(content))
        tool_calls = delta.get("tool_calls")
        if tool_calls and isinstance(tool_calls, list):
            found.extend(_tool_call_deltas(tool_calls))
        _rare_parts(delta, found)
    reason = choice.get("finish_reason")
    if reason:
        found.append(Finish(str(reason)))


def _rare_parts(delta: dict[str, Any], found: list[StreamEvent]) -> None:
    """Sources and opaque provider data: most chunks have neither."""
    annotations = delta.get("annotations")
    if annotations:
        cited = citations(annotations)
        if cited:
            found.append(Sources(cited))
    extra = delta.get("extra_content")
    if extra and isinstance(extra, dict):
        found.append(MessageExtra(extra))


def _tool_call_deltas(fragments: list[Any]) -> Iterator[ToolCallDelta]:
    for fragment in fragments:
        if not isinstance(fragment, dict):
            continue
        index = fragment.get("index")
        function = fragment.get("function")
        if not isinstance(function, dict):
            function = {}
        call_id = fragment.get("id") or None
        name = function.get("name") or None
        arguments = _arguments_text(function.get("arguments"))
        extra = (
            extra_keys(fragment) if len(fragment) > len(fragment.keys() & TOOL_CALL_KEYS) else None
        )
        if call_id or name or arguments or extra:
            yield ToolCallDelta(
                index=index if isinstance(index, int) else 0,
                id=str(call_id) if call_id else None,
                name=str(name) if name else None,
                arguments=arguments,
                extra=extra or None,
            )


def _arguments_text(arguments: Any) -> str:
    """Arguments are a JSON string; a few backends send the object itself."""
    if arguments is None:
        return ""
    if isinstance(arguments, str):
        return arguments
    return json.dumps(arguments)


def _cost(meta: Any) -> CostUpdate | None:
    """The service's own `meta.usage` cost figures, when this chunk carries any."""
    usage = meta.get("usage") if isinstance(meta, dict) else None
    if not isinstance(usage, dict):
        return None
    credits = _float(usage.get("credits_used"))
    usd = _float(usage.get("usd_spent"))
    if credits is None and usd is None:
        return None
    return CostUpdate(credits_used=credits, usd_spent=usd)


def _float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def result_from_response(body: dict, headers: Mapping[str, str] | None = None) -> ChatResult:
    """A `ChatResult` from a non-streamed JSON body and its response headers.

    Cost comes from `meta.usage` when the body has it, else from the `x-aimlapi-*` headers,
    which the service sends only for non-streamed answers.
    """
    lower = {k.lower(): v for k, v in (headers or {}).items()}
    inference_id = lower.get("x-inference-id") or None
    if not isinstance(body, dict):
        raise errors.ServerError(
            f"The service sent an unexpected response: {_excerpt(str(body))}",
            inference_id=inference_id,
        )
    choices = body.get("choices")
    if not choices and errors.is_error_body(body):
        raise errors.error_for_status(
            errors.status_from_body(body), body, inference_id=inference_id
        )
    choice = choices[0] if isinstance(choices, list) and choices else {}
    choice = choice if isinstance(choice, dict) else {}
    message = choice.get("message")
    message = message if isinstance(message, dict) else {}
    cost = _cost(body.get("meta")) or CostUpdate(None, None)
    model = body.get("model")
    reason = choice.get("finish_reason")
    return ChatResult(
        text=_str(message.get("content")),
        reasoning=reasoning_text(message),
        model=model if isinstance(model, str) and model else None,
        finish_reason=str(reason) if reason else None,
        usage=Usage.from_api(body.get("usage")),
        credits_used=_first(cost.credits_used, _float(lower.get("x-aimlapi-credits-used"))),
        usd_spent=_first(cost.usd_spent, _float(lower.get("x-aimlapi-usd-spent"))),
        inference_id=inference_id,
        tool_calls=_message_tool_calls(message.get("tool_calls")),
        raw=body,
        simulated="x-aiml-simulator" in lower,
        citations=_sources(message.get("annotations")),
        extra_content=extra if isinstance(extra := message.get("extra_content"), dict) else None,
    )


def _sources(annotations: Any) -> list[Citation]:
    found: list[Citation] = []
    add_citations(found, citations(annotations))
    return found


def _message_tool_calls(calls: Any) -> list[ToolCall]:
    if not isinstance(calls, list):
        return []
    result = []
    for call in calls:
        if not isinstance(call, dict):
            continue
        function = call.get("function")
        function = function if isinstance(function, dict) else {}
        result.append(
            ToolCall(
                id=_str(call.get("id")),
                name=_str(function.get("name")),
                arguments=_arguments_text(function.get("arguments")),
                extra=extra_keys(call),
            )
        )
    return result


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _first(value: float | None, fallback: float | None) -> float | None:
    return value if value is not None else fallback
