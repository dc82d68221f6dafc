"""Builds the answer's Markdown and plain-text forms from (untrusted) model text.

Pure functions: the renderer calls them on every throttled update, `ChatResult` calls them
for its Markdown repr. All model text passes `neutralize_markdown`; the only HTML written
here is our own `<details>`/`<summary>` wrapper around escaped content.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

from ..api.result import USD_PER_CREDIT, ChatResult, Citation, format_money
from ..chat.view import Status


def neutralize_markdown(text: str, *, allow_remote_images: bool = False) -> str:
    """`sanitize.neutralize_markdown`, imported on first use to keep `%load_ext` fast."""
    from .sanitize import neutralize_markdown as neutralize

    return neutralize(text, allow_remote_images=allow_remote_images)


def escape_markdown_inline(text: str) -> str:
    from .sanitize import escape_markdown_inline as escape

    return escape(text)


def footer_text(result: ChatResult | None) -> str:
    """The one-line summary under an answer, in plain text: which model, how the answer was
    obtained, what it cost and what to know about it. How a turn that failed ended is the
    error's to say (one line, under the answer), not the footer's too."""
    if result is None:
        return ""
    return " · ".join(
        [
            _model_label(result),
            *_exchange_parts(result),
            *_cost_parts(result),
            *_caveat_parts(result),
        ]
    )


def _model_label(result: ChatResult) -> str:
    """The model asked for, with the one that answered in brackets when they differ."""
    if result.requested_model and result.model and result.requested_model != result.model:
        return f"{result.requested_model} ({result.model})"
    return result.model or result.requested_model or "unknown model"


def _exchange_parts(result: ChatResult) -> list[str]:
    """The schema, its fallback and repairs; the tool rounds: why one answer took requests."""
    parts: list[str] = []
    structured = result.structured
    if structured is not None:
        parts.append(f"schema {structured.schema}")
        if structured.fallback:
            parts.append(f"json_object fallback ({structured.fallback})")
        if structured.repairs:
            n = structured.repairs
            parts.append(f"{n} repair request{'s' if n != 1 else ''}, {n + 1} requests")
    rounds = getattr(result, "tool_rounds", 0)
    if rounds:
        calls = len(result.tool_calls)
        requests = getattr(result, "requests", rounds + 1)
        parts.append(
            f"{rounds} tool round{'s' if rounds != 1 else ''}, "
            f"{calls} call{'s' if calls != 1 else ''}, {requests} requests"
        )
    return parts


def _cost_parts(result: ChatResult) -> list[str]:
    """Tokens, credits, dollars, time and speed, each when known."""
    parts: list[str] = []
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
    return parts


def _caveat_parts(result: ChatResult) -> list[str]:
    """Replayed, simulated, cut off: what the reader should know before trusting the answer."""
    parts: list[str] = []
    if getattr(result, "replayed", False):
        parts.append(replayed_text(result))
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
    return parts


def replayed_text(result: ChatResult) -> str:
    """The footer's replay note: when the answer was recorded and what replaying it saved."""
    when = f" from the recording of {result.recorded[:10]}" if result.recorded else ""
    saved = result.credits_saved or 0.0
    money = format_money(saved * USD_PER_CREDIT)
    return f"replayed{when}, saved {saved:,.0f} credits ({money})"


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
    status: Status = Status.DONE,
    notes: Sequence[str] = (),
    allow_remote_images: bool = False,
    neutralise: Callable[[str], str] | None = None,
) -> str:
    """The `text/markdown` of an answer in any state, safe for any Markdown frontend.

    `neutralise` turns the answer's text into safe Markdown when it is shown as Markdown (the
    live view reuses what it neutralised by block); by default `neutralize_markdown`."""
    pieces = [f"> {escape_markdown_inline(note)}\n\n" for note in notes]
    if reasoning and reasoning_mode != "hide":
        streaming_reasoning = status == Status.STREAMING and not text
        open_ = reasoning_mode == "show" or streaming_reasoning
        tokens = result.usage.reasoning_tokens if result and result.usage else None
        pieces.append(
            reasoning_section(reasoning, open_=open_, tokens=tokens, live=streaming_reasoning)
        )
    if text and _structured_done(result, status):
        from .structured import structured_markdown

        pieces.append(structured_markdown(result))
    elif text and neutralise is not None:
        pieces.append(neutralise(text))
    elif text:
        pieces.append(neutralize_markdown(text, allow_remote_images=allow_remote_images))
    elif status == Status.STREAMING and not reasoning:
        pieces.append("*waiting for the first token…*")
    if result is not None and result.citations:
        pieces.append(sources_markdown(result.citations))
    footer = footer_text(result) if status != Status.STREAMING else ""
    if footer:
        pieces.append(f"\n\n---\n*{escape_markdown_inline(footer)}*")
    sent = _context_summary(result)
    if sent:
        from .context import context_markdown

        pieces.append(f"\n\n{context_markdown(sent)}")
    return "".join(pieces).strip() + "\n"


def sources_markdown(citations: Sequence[Citation]) -> str:
    """The web sources an answer cites, as a numbered list under it. Each URL passes the same
    URL policy as links in the answer: only web links stay live; anything else is shown as
    escaped text. Titles are model-chosen text and escaped."""
    from .sanitize.urls import angle_url, url_kind

    lines = []
    for number, citation in enumerate(citations, 1):
        title = escape_markdown_inline(citation.title or citation.url)
        if url_kind(citation.url) == "web":
            lines.append(f"{number}. [{title}](<{angle_url(citation.url)}>)")
        else:
            lines.append(f"{number}. {title} ({escape_markdown_inline(citation.url)})")
    return neutralize_markdown("\n\n**Sources**\n\n" + "\n".join(lines) + "\n")


def sources_plain(citations: Sequence[Citation]) -> str:
    lines = [
        f"{n}. {c.title + ' — ' if c.title else ''}{c.url}" for n, c in enumerate(citations, 1)
    ]
    return "Sources:\n" + "\n".join(lines)


def result_markdown(result: ChatResult) -> str:
    """How `_aiml` (a `ChatResult`) shows itself in a notebook."""
    return compose_markdown(result.text, result.reasoning, result, reasoning_mode="collapse")


def compose_plain(
    text: str,
    result: ChatResult | None = None,
    *,
    status: Status = Status.DONE,
    notes: Sequence[str] = (),
    reasoning: str = "",
) -> str:
    """The `text/plain` fallback: notes, the answer as sent, the footer."""
    pieces = [*notes]
    if text and _structured_done(result, status):
        from .structured import structured_plain

        pieces.append(structured_plain(result))
    elif text:
        pieces.append(text)
    elif status == Status.STREAMING:
        pieces.append("(thinking…)" if reasoning else "(waiting for the first token…)")
    if result is not None and result.citations:
        pieces.append(sources_plain(result.citations))
    footer = footer_text(result) if status != Status.STREAMING else ""
    if footer:
        pieces.append(f"[{footer}]")
    sent = _context_summary(result)
    if sent:
        from .context import context_line

        pieces.append(f"[{context_line(sent)}]")
    return "\n\n".join(p for p in pieces if p)


def _context_summary(result: ChatResult | None) -> dict[str, Any] | None:
    """What the answer's request carried of the notebook (`ChatResult.context`), if any."""
    return getattr(result, "context", None) if result is not None else None


def _structured_done(result: ChatResult | None, status: Status) -> bool:
    """A validated structured answer: shown as values instead of its JSON text."""
    return status == Status.DONE and result is not None and result.structured is not None


def thumbnails_bundle(images: Sequence[Any]) -> dict[str, str]:
    """A display of the images a cell sends: small thumbnails of local images (data URIs we
    generated), a link for URLs (the remote image itself is never loaded)."""
    html_items, markdown_items, plain_items = [], [], []
    for image in images:
        label = image.label()
        plain_items.append(f"[image: {label}]")
        if image.remote:
            href = html.escape(image.url, quote=True)
            html_items.append(
                f'<a href="{href}" rel="noopener noreferrer" target="_blank">'
                f"▣ {html.escape(label)}</a>"
            )
            markdown_items.append(f"▣ {escape_markdown_inline(label)}")
        elif image.thumbnail:
            alt = html.escape(label, quote=True)
            html_items.append(
                f'<img src="{image.thumbnail}" alt="{alt}" title="{alt}" '
                'style="max-height:96px;max-width:160px;margin:2px 6px 2px 0">'
            )
            markdown_items.append(f"![{escape_markdown_inline(label)}]({image.thumbnail})")
        else:
            html_items.append(f"<span>▣ {html.escape(label)}</span>")
            markdown_items.append(f"▣ {escape_markdown_inline(label)}")
    return {
        "text/html": '<div class="aiml-images">' + "".join(html_items) + "</div>",
        "text/markdown": " ".join(markdown_items) + "\n",
        "text/plain": " ".join(plain_items),
    }


def user_markdown(user: Any) -> str:
    """A recorded user message for `%aiml history`: its text, then thumbnails of its images
    (our own data URIs as Markdown images; URLs as escaped text, never loaded)."""
    if isinstance(user, str):
        return neutralize_markdown(user)
    texts, pictures = [], []
    for part in user if isinstance(user, list) else []:
        if not isinstance(part, dict):
            continue
        if part.get("type") == "text":
            texts.append(neutralize_markdown(str(part.get("text", ""))))
        elif part.get("type") == "image_url":
            url = str((part.get("image_url") or {}).get("url", ""))
            if _is_base64_image(url):
                pictures.append(f"![image {len(pictures) + 1}]({url})")
            else:
                pictures.append(f"▣ {escape_markdown_inline(url)}")
    return "\n\n".join([*texts, " ".join(pictures)] if pictures else texts)


def user_plain(user: Any) -> str:
    if isinstance(user, str):
        return user
    pieces = []
    for part in user if isinstance(user, list) else []:
        if isinstance(part, dict) and part.get("type") == "text":
            pieces.append(str(part.get("text", "")))
        elif isinstance(part, dict) and part.get("type") == "image_url":
            url = str((part.get("image_url") or {}).get("url", ""))
            pieces.append("[image]" if url.startswith("data:") else f"[image: {url}]")
    return " ".join(pieces)


def tool_exchange_markdown(exchange: Sequence[dict[str, Any]]) -> str:
    """The tool calls of a recorded turn, one escaped line per call and per result."""
    from ..chat.tools import call_line, shorten

    names: dict[str, str] = {}
    lines = []
    for message in exchange:
        for call in message.get("tool_calls") or []:
            function = call.get("function") or {}
            names[call.get("id", "")] = str(function.get("name", "?"))
            shown = call_line(str(function.get("name", "?")), str(function.get("arguments", "")))
            lines.append(f"> ⚙ {escape_markdown_inline(shown)}")
        if message.get("role") == "tool":
            name = names.get(message.get("tool_call_id", ""), "?")
            result = shorten(str(message.get("content", "")))
            lines.append(f"> ↳ {escape_markdown_inline(f'{name} → {result}')}")
    return "\n>\n".join(lines)


_DATA_IMAGE_HEADS = {f"data:image/{kind};base64" for kind in ("png", "jpeg", "gif", "webp")}


def _is_base64_image(url: str) -> bool:
    head, sep, data = url.partition(",")
    return bool(sep) and head in _DATA_IMAGE_HEADS and all(c.isalnum() or c in "+/=" for c in data)
