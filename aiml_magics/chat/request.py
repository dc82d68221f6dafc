"""What one turn asks for: the single description every sender fills in."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from ..api.service import client_request_id


@dataclass
class TurnRequest:
    """Everything one `%%aiml` cell (or a regeneration of it) asks for."""

    user: Any
    key: str
    chat: str = "default"
    model: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    stream: bool = True
    history: bool = True
    json_mode: bool = False
    out_var: str | None = None
    tools: tuple[Any, ...] = ()  # tools.Tool, offered to the model (the loop runs them)
    tool_choice: str | None = None
    parallel_tool_calls: bool | None = None
    confirm_tools: bool = False
    images: tuple[Any, ...] = ()  # images.Image sent with `user` (their parts are in it)
    schema: Any = None  # api.schema.OutputSchema: ask for structured output, parse the answer
    # chat.context.AttachedContext: the notebook context already at the start of `user`;
    # kept here so the answer can say what was attached (its summary, never its contents).
    context: Any = None
    notices: tuple[str, ...] = ()  # told to the user before sending (an MCP server that is down)
    fresh: bool = False  # ask the service even when a recording could answer (`--fresh`)
    # One row of a batch (rows.py): the system prompt is its own, not a chat's; no chat, no
    # `_aiml`, no listeners (the batch reports once), and no question the user must answer.
    row: bool = False
    system: str | None = None


def request_id_for(key: str) -> str:
    """The `X-Client-Request-Id` of one request: `aiml:cell-<cell id>:<random>`, so the
    service's usage logs show which cell sent it (a cell without an id: a digest of its text).
    Kept in the answer's provenance beside the inference id."""
    kind, _, rest = key.partition(":")
    if kind == "id" and rest:
        label = f"aiml:cell-{rest[:64]}"
    elif kind == "text":
        label = f"aiml:cell-text-{hashlib.sha256(rest.encode()).hexdigest()[:12]}"
    else:
        label = f"aiml:{key[:64]}"
    return client_request_id(label, uuid.uuid4().hex[:12])
