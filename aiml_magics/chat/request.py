"""What one turn asks for: the single description every sender fills in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
    notices: tuple[str, ...] = ()  # told to the user before sending (an MCP server that is down)
    fresh: bool = False  # ask the service even when a recording could answer (`--fresh`)
    # One row of a batch (rows.py): the system prompt is its own, not a chat's; no chat, no
    # `_aiml`, no listeners (the batch reports once), and no question the user must answer.
    row: bool = False
    system: str | None = None
