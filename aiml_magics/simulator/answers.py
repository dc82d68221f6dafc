"""Turn a `Reply` plus the request into concrete answer text, usage and cost.

The default answer is deterministic Markdown that exercises a renderer (heading, list, code,
table) and echoes what it received, so conversation tests can see their context arrived.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from . import gemini, semantic
from .catalogue import Model
from .replies import Reply
from .structured import answer_for, request_schema

USD_PER_CREDIT = 1 / 2_000_000
QUOTE_CHARS = 60
BENCH_TEXT = (
    "Streaming text for the benchmark: every chunk has the same size, so throughput is easy "
    "to compare across runs and clients. "
)


@dataclass(frozen=True)
class Answer:
    """Everything needed to serialise one successful completion."""

    content: str
    reasoning: str
    tool_calls: list[dict[str, str]]
    finish_reason: str
    model: str
    usage: dict[str, Any]
    credits: float
    usd: float
    annotations: list[dict[str, Any]] | None = None
    extra_content: dict[str, Any] | None = None  # message level (Gemini)


def build_answer(reply: Reply, body: dict[str, Any], model: Model) -> Answer:
    """Resolve every `None` in `reply` from the request and the catalogue entry."""
    messages = body.get("messages") or []
    tool_calls = _tool_calls(reply)
    finish = reply.finish_reason
    if reply.prebuilt_chunks is not None:
        content, reasoning = bench_text(reply.prebuilt_chunks * reply.chunk_size), ""
    else:
        content = _content(reply, body, bool(tool_calls))
        reasoning = _reasoning(reply, messages)
        if reply.content is None and not tool_calls and finish is None:
            content, reasoning, finish = _apply_max_tokens(content, reasoning, body)
    finish = finish or ("tool_calls" if tool_calls else "stop")
    is_gemini = model.dialect == "gemini"
    if is_gemini:
        for call in tool_calls:
            call["extra"] = {"extra_content": gemini.extra_content(call["id"])}
    usage = reply.usage or _usage(messages, content, reasoning, tool_calls, is_gemini)
    credits = reply.credits
    if credits is None:
        credits = _credits(model, usage)
    usd = reply.usd if reply.usd is not None else credits * USD_PER_CREDIT
    return Answer(
        content=content,
        reasoning=reasoning,
        tool_calls=tool_calls,
        finish_reason=finish,
        model=reply.model or model.upstream,
        usage=usage,
        credits=credits,
        usd=usd,
        annotations=_annotations(reply.annotations, content),
        extra_content=gemini.extra_content(content or finish) if is_gemini else None,
    )


def _annotations(cited: list[dict[str, str]] | None, content: str) -> list[dict[str, Any]] | None:
    if not cited:
        return None
    return [
        {
            "type": "url_citation",
            "url_citation": {
                "url": source["url"],
                "title": source.get("title", ""),
                "start_index": 0,
                "end_index": len(content),
            },
        }
        for source in cited
    ]


def bench_text(length: int) -> str:
    """Deterministic filler of exactly `length` characters."""
    repeats = length // len(BENCH_TEXT) + 1
    return (BENCH_TEXT * repeats)[:length]


MIXED_BLOCK = (
    "## A section\n\nSome prose with `inline code`, **bold** words and a [link]"
    "(https://example.org).\n\n- a list item\n- another item\n\n"
    "```python\nfor i in range(3):\n    print(i)\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
)


def mixed_markdown(size: int) -> str:
    """`size` characters of everyday Markdown (headings, prose, lists, code, tables), for
    measuring and testing how answers of any length are shown."""
    return (MIXED_BLOCK * (size // len(MIXED_BLOCK) + 1))[:size]


SINGLE_BLOCK_LINES = {
    "paragraph": lambda i: (
        f"Line {i + 1} of one long paragraph that the model keeps soft-wrapping.\n"
    ),
    "ordered": lambda i: f"{i + 1}. item number {i + 1} of a long numbered list\n",
    "bullets": lambda i: f"- item number {i + 1} of a long bulleted list\n",
    "table": lambda i: f"| {i + 1} | row {i + 1} of a long table | {(i + 1) ** 2} |\n",
    "ones": lambda i: f"1. item number {i + 1} of a list whose every marker is 1.\n",
    "styled": lambda i: [
        f"**Point {i + 1}** of one long paragraph whose lines start with markup.\n",
        f"`code_{i + 1}` and more text of that paragraph, soft-wrapped.\n",
        f"[A link {i + 1}](https://example.org/{i + 1}) in the middle of the paragraph.\n",
        f"_Emphasis {i + 1}_ and the words that follow it in the paragraph.\n",
        f"$x_{{{i + 1}}}$ is inline math at the start of a line of the paragraph.\n",
    ][i % 5],
    "nested": lambda i: (
        f"{i + 1}. item number {i + 1} of a numbered list with sub-items\n"
        f"   - a first detail of item {i + 1}\n   - a second detail\n"
    ),
    "quote": lambda i: f"> Line {i + 1} of one long quotation that keeps soft-wrapping.\n",
    "code": lambda i: f"    result_{i + 1} = compute({i + 1})  # an indented code block\n",
}


def single_block(kind: str, size: int) -> str:
    """About `size` characters of one Markdown block that keeps growing: a paragraph of
    soft-wrapped lines, a numbered or bulleted list, or a table ('paragraph', 'ordered',
    'bullets', 'table'); a numbered list written with `1.` everywhere ('ones'), a paragraph
    whose lines start with `**`, `` ` ``, `[`, `_` or `$` ('styled'), a numbered list whose
    items have sub-items ('nested'), a quotation ('quote'), an indented code block ('code')."""
    lines = ["| n | row | square |\n", "|---:|---|---:|\n"] if kind == "table" else []
    line = SINGLE_BLOCK_LINES[kind]
    total = sum(map(len, lines))
    while total < size:
        lines.append(line(len(lines)))
        total += len(lines[-1])
    return "".join(lines)


def _tool_calls(reply: Reply) -> list[dict[str, str]]:
    calls = []
    for number, call in enumerate(reply.tool_calls or []):
        arguments = call.get("arguments", "{}")
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments)
        calls.append(
            {
                "id": call.get("id") or f"call_sim_{number}",
                "name": call["name"],
                "arguments": arguments,
            }
        )
    return calls


def _content(reply: Reply, body: dict[str, Any], has_tools: bool) -> str:
    if reply.content is not None:
        return reply.content
    if has_tools:
        return ""
    messages = body.get("messages") or []
    schema = request_schema(body)
    if schema is not None:
        if reply.schema_fault is None:
            ruled = semantic.answer(body, schema)
            if ruled is not None:
                return ruled
        return answer_for(schema, reply.schema_fault)
    response_format = body.get("response_format") or {}
    if response_format.get("type") in ("json_object", "json_schema"):
        return default_json(messages)
    return default_markdown(messages, str(body.get("model", "")))


def _reasoning(reply: Reply, messages: list[Any]) -> str:
    if reply.reasoning is not None:
        return reply.reasoning
    count = _plural(len(messages), "message")
    return (
        f"The user sent {count} and wants a demonstration answer. "
        "I will reply with a heading, a list, some code and a small table."
    )


def default_markdown(messages: list[Any], model_name: str) -> str:
    """The demo answer: quotes the last user message and counts what it received.

    After tool calls (the last messages are `tool` messages) it quotes each tool result it
    received instead; for images it lists what arrived (media type, bytes, detail)."""
    results = tool_results(messages)
    if results:
        return tool_results_markdown(results, len(messages))
    quote, images = _last_user(messages)
    received = f"(I received {_plural(len(messages), 'message')}.)"
    said = f'You wrote: "{quote}"' if quote else "You sent no text I could quote."
    if images:
        said += f" I see {_plural(images, 'image')}."
    described = [f"- image {n}: {d}" for n, d in enumerate(last_user_images(messages), 1)]
    lines = [
        "## Simulated answer",
        "",
        f"{said} {received}",
        "",
        *([*described, ""] if described else []),
        "- This answer comes from the local AI/ML API simulator, not a real model.",
        f"- Model requested: `{model_name}`",
        "- The text is deterministic, so tests can compare it.",
        "",
        "```python",
        "def fibonacci(n: int) -> int:",
        '    """Return the n-th Fibonacci number."""',
        "    a, b = 0, 1",
        "    for _ in range(n):",
        "        a, b = b, a + b",
        "    return a",
        "```",
        "",
        "| item | count |",
        "|---|---|",
        f"| messages | {len(messages)} |",
        f"| images | {images} |",
    ]
    return "\n".join(lines)


def default_json(messages: list[Any]) -> str:
    """The demo answer when the request asked for a JSON object."""
    quote, images = _last_user(messages)
    data = {
        "answer": "This is a simulated JSON answer.",
        "messages": len(messages),
        "quote": quote,
        "images": images,
    }
    return json.dumps(data)


def tool_results(messages: list[Any]) -> list[tuple[str, str, str]]:
    """(call id, function name, content) of the trailing `tool` messages, in order."""
    trailing = []
    for message in reversed(messages):
        if not isinstance(message, dict) or message.get("role") != "tool":
            break
        trailing.append(message)
    names = {}
    for message in messages:
        if isinstance(message, dict) and message.get("role") == "assistant":
            for call in message.get("tool_calls") or []:
                if isinstance(call, dict):
                    names[call.get("id")] = (call.get("function") or {}).get("name", "?")
    return [
        (str(m.get("tool_call_id")), names.get(m.get("tool_call_id"), "?"), str(m.get("content")))
        for m in reversed(trailing)
    ]


def tool_results_markdown(results: list[tuple[str, str, str]], count: int) -> str:
    """The answer after tool calls: quotes every result, so tests see the round trip."""
    lines = [
        "## Simulated answer",
        "",
        f"I received {_plural(len(results), 'tool result')} "
        f"(and {_plural(count, 'message')} in all):",
        "",
    ]
    for call_id, name, content in results:
        lines.append(f"- {name} ({call_id}) returned: {content}")
    return "\n".join(lines)


def last_user_images(messages: list[Any]) -> list[str]:
    """One line per image part of the last user message: type, size, detail."""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if not isinstance(content, list):
                return []
            return [
                describe_image(part.get("image_url") or {})
                for part in content
                if isinstance(part, dict) and part.get("type") == "image_url"
            ]
    return []


def describe_image(image: dict[str, Any]) -> str:
    """`image/png, 1234 bytes, detail low` for a data URI; the host for a URL."""
    url = str(image.get("url", ""))
    detail = image.get("detail") or "unset"
    if url.startswith("data:"):
        header, _, data = url.partition(",")
        media_type = header[5:].split(";")[0] or "unknown"
        try:
            size = len(base64.b64decode(data, validate=True))
        except (ValueError, binascii.Error):
            return f"{media_type}, undecodable base64, detail {detail}"
        return f"{media_type}, {size} bytes, detail {detail}"
    host = urlsplit(url).hostname or "unknown host"
    return f"URL on {host}, detail {detail}"


def _last_user(messages: list[Any]) -> tuple[str, int]:
    """First characters of the last user message as one line, and its image count."""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            text, images = _text_and_images(message.get("content"))
            text = " ".join(text.split())
            if len(text) > QUOTE_CHARS:
                text = text[:QUOTE_CHARS].rstrip() + "..."
            return text, images
    return "", 0


def _text_and_images(content: Any) -> tuple[str, int]:
    if isinstance(content, str):
        return content, 0
    if not isinstance(content, list):
        return "", 0
    texts = [p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text"]
    images = sum(1 for p in content if isinstance(p, dict) and p.get("type") == "image_url")
    return " ".join(t for t in texts if isinstance(t, str)), images


def _apply_max_tokens(
    content: str, reasoning: str, body: dict[str, Any]
) -> tuple[str, str, str | None]:
    """Like a reasoning model: spend `max_tokens` on reasoning first, then on the answer."""
    limit = body.get("max_tokens")
    if not isinstance(limit, int) or isinstance(limit, bool):
        return content, reasoning, None
    budget = limit * 4
    if len(reasoning) >= budget:
        return "", reasoning[:budget], "length"
    budget -= len(reasoning)
    if len(content) > budget:
        return content[:budget], reasoning, "length"
    return content, reasoning, None


def _credits(model: Model, usage: dict[str, Any]) -> int:
    """Credits for a chat answer: its tokens at the catalogue's prices (reasoning is billed as
    output, also where the usage counts it apart, as Gemini's does); 2 and 8 credits a token
    for a model the catalogue gives no token prices."""
    prompt = int(usage.get("prompt_tokens", 0))
    completion = int(usage.get("completion_tokens", 0))
    output = max(completion, int(usage.get("total_tokens", 0)) - prompt)
    usd = model.token_usd(prompt, output)
    if usd is None:
        return prompt * 2 + completion * 8
    return max(1, round(usd / USD_PER_CREDIT))


def _usage(
    messages: list[Any],
    content: str,
    reasoning: str,
    tool_calls: list[dict[str, Any]],
    reasoning_apart: bool = False,
) -> dict[str, Any]:
    prompt_chars = 0
    for message in messages:
        if isinstance(message, dict):
            prompt_chars += len(_text_and_images(message.get("content"))[0])
    reasoning_tokens = _tokens(len(reasoning))
    tool_chars = sum(len(call["name"]) + len(call["arguments"]) for call in tool_calls)
    completion = _tokens(len(content)) + _tokens(tool_chars) + reasoning_tokens
    prompt = _tokens(prompt_chars)
    if reasoning_apart:  # Gemini: completion_tokens leaves reasoning out
        return gemini.usage(prompt, completion - reasoning_tokens, reasoning_tokens)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": reasoning_tokens},
    }


def _tokens(chars: int) -> int:
    return math.ceil(chars / 4)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")
