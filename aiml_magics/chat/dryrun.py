"""`%%aiml --dry-run`: the request a cell would send, what it would cost, and nothing sent.

The plan is built by the same pieces as a real send (the chat's context budget, the first
request's parameters, the client's body), so what it shows is what would go out.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..api.client import chat_body
from .conversation import Chat, Turn
from .estimate import Estimate, cached_prefix, estimate
from .replay import canonical_request, cell_label, image_summary, request_key
from .send import first_params

if TYPE_CHECKING:
    from .request import TurnRequest
    from .session import Session


@dataclass
class DryRun:
    """What a cell would send: the body (images summarised), turns in and out, the price."""

    body: dict[str, Any]
    included: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    context_tokens: int = 0
    estimate: Estimate | None = None
    replay: str = ""  # how the replay mode would answer it
    tool_rounds: bool = False  # later requests of a tool loop depend on the answers
    # The notebook context at the start of the user message: its summary and exact text.
    context: dict[str, Any] | None = None
    context_text: str = ""


def plan(session: Session, request: TurnRequest, chat: Chat) -> DryRun:
    """Everything `send_turn` would do up to the first byte on the wire, without sending."""
    offered = [t.name for t in request.tools]
    budget = session.settings.context_tokens
    context = chat.context(request.key, request.user, budget, request.history, offered)
    index = chat.index_of(request.key)
    earlier = [] if not request.history else chat.turns if index is None else chat.turns[:index]
    left_out, kept = earlier[: context.dropped], earlier[context.dropped :]
    model = session.settings.resolve_model(request.model)
    params = first_params(request)
    body = chat_body(context.messages, model, params, stream=request.stream)
    return DryRun(
        body=shown_body(body),
        included=[_turn_line(turn) for turn in kept],
        dropped=[_turn_line(turn) for turn in left_out],
        context_tokens=budget,
        estimate=estimate(
            session.client(),
            model,
            context.messages,
            params,
            cached_tokens=cached_prefix(session, request, model),
        ),
        replay=_replay_line(session, request, model, context.messages, params),
        tool_rounds=bool(request.tools),
        context=request.context.summary() if request.context else None,
        context_text=request.context.as_message_text() if request.context else "",
    )


def shown_body(body: dict[str, Any]) -> dict[str, Any]:
    """The body with each `data:` image replaced by its media type, size and digest."""
    shown = copy.deepcopy(body)
    for message in shown.get("messages", []):
        for part in message.get("content") if isinstance(message.get("content"), list) else []:
            if isinstance(part, dict) and part.get("type") == "image_url":
                image = part.get("image_url") or {}
                summary = image_summary(str(image.get("url", "")))
                if "sha256" in summary:
                    image["url"] = (
                        f"<{summary['media_type']} image, {summary['bytes']:,} bytes, "
                        f"sha256 {summary['sha256'][:16]}…>"
                    )
    return shown


def _turn_line(turn: Turn) -> str:
    tokens = sum(_tokens(m) for m in turn.messages())
    return f"{cell_label(turn.user)!r} (~{tokens:,} tokens)"


def _tokens(message: dict[str, Any]) -> int:
    from .conversation import message_tokens

    return message_tokens(message)


def _replay_line(
    session: Session,
    request: TurnRequest,
    model: str,
    messages: list[dict[str, Any]],
    params: dict[str, Any],
) -> str:
    replay = session.replay(request)
    if replay is None:
        return ""
    found = replay.store.find(request_key(canonical_request(model, messages, params)))
    if found is not None and replay.answers:
        return (
            f"replay {replay.mode}: answered from the recording of {found.date}; "
            "it would cost nothing"
        )
    if replay.mode == "only":
        return "replay only: not recorded, so the cell would fail without sending"
    return f"replay {replay.mode}: it would be sent and recorded"
