"""Builds the answer's Markdown and plain-text forms from (untrusted) model text.

Pure functions: the renderer calls them on every throttled update, `ChatResult` calls them
for its Markdown repr. All model text passes `neutralize_markdown`; the only HTML written
here is our own `<details>`/`<summary>` wrapper around escaped content.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from .result import ChatResult
from .sanitize import escape_markdown_inline, neutralize_markdown

STREAMING, DONE, INCOMPLETE, INTERRUPTED = "streaming", "done", "incomplete", "interrupted"


def format_money(dollars: float) -> str:
    if dollars == 0:
        return "$0"
    return "$" + f"{dollars:.6f}".rstrip("0").rstrip(".") if dollars >= 1e-6 else "<$0.000001"


def footer_text(result: ChatResult | None, status: str = DONE) -> str:
    """The one-line summary under an answer, in plain text."""
    parts: list[str] = []
    if result is not None:
        model = result.model or result.requested_model or "unknown model"
        if result.requested_model and result.model and result.requested_model != result.model:
            model = f"{result.requested_model} ({result.model})"
        parts.append(model)
        usage = result.usage
        if usage is not None:
            tokens = f"{usage.prompt_tokens:,} prompt / {usage.completion_tokens:,} completion"
            if usage.reasoning_tokens:
                tokens += f" ({usage.reasoning_tokens:,} reasoning)"
            parts.append(tokens + " tokens")
        if result.credits_used is not None:
            parts.append(f"{result.credits_used:,.0f} credits")
        if result.dollars is not None:
            parts.append(format_money(result.dollars))
        if result.duration is not None:
            parts.append(f"{result.duration:.1f} s")
        if result.tokens_per_second:
            parts.append(f"{result.tokens_per_second:.0f} tok/s")
        if result.simulated:
            parts.append("simulated answer (local simulator, not the real service)")
        if result.finish_reason == "length":
            if result.text.strip():
                parts.append("⚠ cut off at the token limit (finish_reason: length)")
            else:
                parts.append(
                    "⚠ the token limit was spent before any answer (finish_reason: length): "
                    "raise --max-tokens"
                )
    if status == INCOMPLETE:
        parts.append("⚠ incomplete: the stream broke; not added to the conversation")
    elif status == INTERRUPTED:
        parts.append("⏹ interrupted: not added to the conversation")
    return " · ".join(parts)


def reasoning_section(reasoning: str, *, open_: bool, tokens: int | None, live: bool) -> str:
    label = "Reasoning"
    if live:
        label += " (thinking…)"
    elif tokens:
        label += f" ({tokens:,} tokens)"
    body = neutralize_markdown(reasoning)
    opening = "<details open>" if open_ else "<details>"
    return f"{opening}<summary>{html.escape(label)}</summary>\n\n{body}\n\n</details>\n\n"


def compose_markdown(
    text: str,
    reasoning: str,
    result: ChatResult | None = None,
    *,
    reasoning_mode: str = "collapse",
    status: str = DONE,
    notes: Sequence[str] = (),
    allow_remote_images: bool = False,
) -> str:
    """The `text/markdown` of an answer in any state, safe for any Markdown frontend."""
    pieces = [f"> {escape_markdown_inline(note)}\n\n" for note in notes]
    if reasoning and reasoning_mode != "hide":
        streaming_reasoning = status == STREAMING and not text
        open_ = reasoning_mode == "show" or streaming_reasoning
        tokens = result.usage.reasoning_tokens if result and result.usage else None
        pieces.append(
            reasoning_section(reasoning, open_=open_, tokens=tokens, live=streaming_reasoning)
        )
    if text:
        pieces.append(neutralize_markdown(text, allow_remote_images=allow_remote_images))
    elif status == STREAMING and not reasoning:
        pieces.append("*waiting for the first token…*")
    footer = footer_text(result, status) if status != STREAMING else ""
    if footer:
        pieces.append(f"\n\n---\n*{escape_markdown_inline(footer)}*")
    return "".join(pieces).strip() + "\n"


def compose_plain(
    text: str,
    result: ChatResult | None = None,
    *,
    status: str = DONE,
    notes: Sequence[str] = (),
    reasoning: str = "",
) -> str:
    """The `text/plain` fallback: notes, the answer as sent, the footer."""
    pieces = [*notes]
    if text:
        pieces.append(text)
    elif status == STREAMING:
        pieces.append("(thinking…)" if reasoning else "(waiting for the first token…)")
    footer = footer_text(result, status) if status != STREAMING else ""
    if footer:
        pieces.append(f"[{footer}]")
    return "\n\n".join(p for p in pieces if p)
