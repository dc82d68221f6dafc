"""The JSON payloads of a completion, shaped like the service's captures for each dialect.

Upstream models reach the service through different gateways, and each leaves its mark on
the stream (where usage goes, whether `[DONE]` is sent, `null` versus absent deltas). The
three dialects here reproduce the documented captures so one client can be tested on all.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .answers import Answer
from .replies import Reply
from .wire import DONE

Payload = dict[str, Any] | str
NATIVE_FINISH = {"stop": "end_turn", "tool_calls": "tool_use", "length": "max_tokens"}


def stream_payloads(
    answer: Answer, reply: Reply, *, completion_id: str, created: int
) -> list[Payload]:
    """Every SSE payload of a streamed answer, in order (`"[DONE]"` included when sent)."""
    build = {"openai": _openai, "qwen": _qwen, "claude": _claude}[reply.dialect]
    if reply.reasoning_key == "none":  # a server that never streams reasoning text
        answer = dataclasses.replace(answer, reasoning="")
    payloads, finish_at, usage_at = build(answer, reply, completion_id, created)
    if reply.send_usage is False:  # usage only when stream_options.include_usage asks for it
        if payloads[usage_at]["choices"]:
            payloads[usage_at]["usage"] = None
        else:
            del payloads[usage_at]
        usage_at = finish_at
    meta_at = {"last": len(payloads) - 1, "finish": finish_at, "usage": usage_at}.get(reply.meta_on)
    if meta_at is not None:
        payloads[meta_at]["meta"] = _meta(answer)
    done = reply.done if reply.done is not None else reply.dialect != "claude"
    return [*payloads, DONE] if done else list(payloads)


def completion_body(answer: Answer, reply: Reply, *, completion_id: str, created: int) -> dict:
    """The non-streamed `chat.completion` object."""
    content: str | None = answer.content
    if answer.tool_calls and not content:
        content = None
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if answer.reasoning and reply.reasoning_key != "none":
        message.update(reasoning_field(reply.reasoning_key, answer.reasoning))
    if reply.dialect == "openai":
        message.update(refusal=None, annotations=[])
    if answer.annotations:
        message["annotations"] = answer.annotations
    if answer.tool_calls:
        message["tool_calls"] = [_call_item(call) for call in answer.tool_calls]
    if answer.extra_content:
        message["extra_content"] = answer.extra_content
    choice = {"index": 0, "finish_reason": answer.finish_reason, "logprobs": None}
    body: dict[str, Any] = {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": answer.model,
        "service_tier": "default",
        "choices": [{**choice, "message": message}],
        "usage": answer.usage,
    }
    if reply.meta_on not in ("none", None):
        body["meta"] = _meta(answer)
    return body


def reasoning_field(key: str | None, text: str) -> dict[str, Any]:
    """Reasoning under its dialect's key; `reasoning_details` is a list of text items."""
    if key == "reasoning_details":
        item = {"type": "reasoning.text", "text": text, "format": "unknown", "index": 0}
        return {"reasoning_details": [item]}
    return {key or "reasoning_content": text}


def _call_item(call: dict[str, Any]) -> dict[str, Any]:
    """One `tool_calls[]` item; Gemini's calls carry their `extra_content`."""
    function = {"name": call["name"], "arguments": call["arguments"]}
    return {"id": call["id"], "type": "function", "function": function, **call.get("extra", {})}


def _meta(answer: Answer) -> dict[str, Any]:
    return {"usage": {"credits_used": answer.credits, "usd_spent": answer.usd}}


def _pieces(text: str, size: int) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), size)]


def _tool_fragments(answer: Answer, reply: Reply) -> list[dict[str, Any]]:
    """First fragment names the call; the rest carry only index and argument text."""
    fragments: list[dict[str, Any]] = []
    for number, call in enumerate(answer.tool_calls):
        index = 0 if reply.tool_index_reuse else number
        first = _call_item({**call, "arguments": ""})
        fragments.append({"index": index, **first})
        for piece in _pieces(call["arguments"], reply.chunk_size):
            fragments.append({"index": index, "function": {"arguments": piece}})
    return fragments


def _closing_delta(answer: Answer) -> dict[str, Any]:
    """What the last delta adds: the sources cited, the message's provider data."""
    closing: dict[str, Any] = {}
    if answer.annotations:
        closing["annotations"] = answer.annotations
    if answer.extra_content:
        closing["extra_content"] = answer.extra_content
    return closing


def _openai(answer: Answer, reply: Reply, completion_id: str, created: int) -> tuple:
    def chunk(delta: dict | None, finish: str | None = None) -> dict[str, Any]:
        choices = (
            []
            if delta is None
            else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
        )
        return {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": answer.model,
            "system_fingerprint": "fp_simulator",
            "choices": choices,
            "usage": None,
        }

    out = [chunk({"role": "assistant", "content": "", "refusal": None})]
    pieces = _pieces(answer.reasoning, reply.chunk_size)
    out += [chunk(reasoning_field(reply.reasoning_key, p)) for p in pieces]
    for number, piece in enumerate(_pieces(answer.content, reply.chunk_size)):
        out.append({**chunk({"content": piece}), "obfuscation": f"{number:x}" * 2})
    out += [chunk({"tool_calls": [f]}) for f in _tool_fragments(answer, reply)]
    out.append(chunk(_closing_delta(answer), answer.finish_reason))
    usage = chunk(None)
    usage["usage"] = answer.usage
    out.append(usage)
    return out, len(out) - 2, len(out) - 1


def _qwen(answer: Answer, reply: Reply, completion_id: str, created: int) -> tuple:
    key = reply.reasoning_key

    def chunk(delta: dict | None, finish: str | None = None) -> dict[str, Any]:
        choices = [] if delta is None else [{"delta": delta, "index": 0, "finish_reason": finish}]
        return {
            "id": completion_id,
            "choices": choices,
            "created": created,
            "model": answer.model,
            "object": "chat.completion.chunk",
            "usage": None,
        }

    out = [chunk({"content": None, "role": "assistant", "refusal": None, key: ""})]
    for piece in _pieces(answer.reasoning, reply.chunk_size):
        out.append(chunk({"content": None, "refusal": None, **reasoning_field(key, piece)}))
    for piece in _pieces(answer.content, reply.chunk_size):
        out.append(chunk({"content": piece, "refusal": None, key: None}))
    for fragment in _tool_fragments(answer, reply):
        out.append(chunk({"content": None, "refusal": None, key: None, "tool_calls": [fragment]}))
    out.append(chunk({"content": "", "refusal": None, key: None}, answer.finish_reason))
    usage = chunk(None)
    usage["usage"] = answer.usage
    out.append(usage)
    return out, len(out) - 2, len(out) - 1


def _claude(answer: Answer, reply: Reply, completion_id: str, created: int) -> tuple:
    def chunk(choice: dict[str, Any], *, first: bool = False) -> dict[str, Any]:
        return {
            "id": completion_id if first else "",
            "choices": [choice],
            "created": created,
            "model": answer.model,
            "object": "chat.completion.chunk",
            "usage": None,
        }

    def delta(fields: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"index": 0, "delta": {"role": "assistant", **fields}, "finish_reason": finish}

    out = [chunk(delta({"content": "", "refusal": None}), first=True)]
    for piece in _pieces(answer.reasoning, reply.chunk_size):
        out.append(chunk(delta(reasoning_field(reply.reasoning_key, piece))))
    for piece in _pieces(answer.content, reply.chunk_size):
        out.append(chunk(delta({"content": piece, "refusal": None})))
    out += [chunk(delta({"tool_calls": [f]})) for f in _tool_fragments(answer, reply)]
    finish = chunk(delta({"content": "", "refusal": None}, answer.finish_reason))
    native = NATIVE_FINISH.get(answer.finish_reason, answer.finish_reason)
    finish["choices"][0]["native_finish_reason"] = native
    finish["usage"] = answer.usage
    out.append(finish)
    out.append(chunk({"index": 0, "finish_reason": answer.finish_reason}))
    return out, len(out) - 2, len(out) - 2
