"""Chats made of turns, each turn owned by the cell that produced it.

A chat changes only through `Chat.record`, which the caller invokes once an answer is
complete; everything else here is read-only, so failures cannot leave a chat half-changed.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from typing import Any

from ..api.result import ChatResult, Usage, format_money

EXPORT_FORMAT = "aiml-magics-chat"
EXPORT_VERSION = 1
CHARS_PER_TOKEN = 4
MESSAGE_OVERHEAD_TOKENS = 4
IMAGE_TOKENS = 1000  # a fixed estimate per image: its real cost depends on size and detail


def estimate_tokens(content: Any) -> int:
    """A cheap estimate (about four characters a token); exact counts come from the service."""
    if isinstance(content, str):
        return -(-len(content) // CHARS_PER_TOKEN) + MESSAGE_OVERHEAD_TOKENS
    if isinstance(content, list):
        return sum(
            IMAGE_TOKENS
            if isinstance(part, dict) and part.get("type") == "image_url"
            else estimate_tokens(part.get("text", "") if isinstance(part, dict) else "")
            for part in content
        )
    return MESSAGE_OVERHEAD_TOKENS


def message_tokens(message: dict[str, Any]) -> int:
    """Estimate for a whole message: its content plus any tool calls it carries."""
    tokens = estimate_tokens(message.get("content"))
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        text = f"{function.get('name', '')}{function.get('arguments', '')}"
        tokens += -(-len(text) // CHARS_PER_TOKEN)
    return tokens


@dataclass
class Turn:
    """One exchange. `key` identifies the owning cell (its id, or its text without an id)."""

    key: str
    user: Any
    answer: str
    model: str | None = None
    requested_model: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    usage: Usage | None = None
    credits_used: float | None = None
    usd_spent: float | None = None
    inference_id: str | None = None
    created: float = field(default_factory=time.time)
    # Messages between the user's and the final answer: assistant tool calls, tool results.
    tool_exchange: list[dict[str, Any]] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)  # the tools offered to this turn
    # The answer's opaque provider data (Gemini's thought signature), echoed unchanged.
    extra_content: dict[str, Any] | None = None

    @classmethod
    def from_result(
        cls, key: str, user: Any, result: ChatResult, tools: Collection[str] = ()
    ) -> Turn:
        return cls(
            key=key,
            user=user,
            answer=result.text,
            model=result.model,
            requested_model=result.requested_model,
            params=dict(result.params),
            usage=result.usage,
            credits_used=result.credits_used,
            usd_spent=result.dollars,
            inference_id=result.inference_id,
            tool_exchange=[dict(m) for m in getattr(result, "exchange", [])],
            tools=list(tools),
            extra_content=result.extra_content,
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["usage"] = self.usage.as_dict() if self.usage else None
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Turn:
        """Rebuild a turn from an export; ValueError names what is wrong."""
        if not isinstance(data, dict):
            raise ValueError("a turn must be an object")
        for name, kind in (("key", str), ("answer", str)):
            if not isinstance(data.get(name), kind):
                raise ValueError(f"a turn needs a string {name!r}")
        if not isinstance(data.get("user"), (str, list)):
            raise ValueError("a turn needs a 'user' message (text or a list of parts)")
        usage = data.get("usage")
        if usage is not None and not isinstance(usage, dict):
            raise ValueError("'usage' must be an object")
        known = {f for f in cls.__dataclass_fields__}
        fields = {k: v for k, v in data.items() if k in known}
        fields["usage"] = Usage(**{k: int(v) for k, v in usage.items()}) if usage else None
        fields["params"] = dict(data.get("params") or {})
        exchange = data.get("tool_exchange") or []
        if not isinstance(exchange, list) or not all(isinstance(m, dict) for m in exchange):
            raise ValueError("'tool_exchange' must be a list of messages")
        fields["tool_exchange"] = [dict(m) for m in exchange]
        fields["tools"] = [str(t) for t in data.get("tools") or []]
        extra = data.get("extra_content")
        fields["extra_content"] = extra if isinstance(extra, dict) else None
        return cls(**fields)

    def called_tools(self) -> set[str]:
        """Names of the functions the model called in this turn."""
        return {
            (call.get("function") or {}).get("name", "")
            for message in self.tool_exchange
            for call in message.get("tool_calls") or []
        }

    def messages(self, offered: Collection[str] = ()) -> list[dict[str, Any]]:
        """The turn as context. Its tool exchange is included only while every tool it
        called is still offered; otherwise the model sees just the question and answer."""
        # Reasoning is never part of a turn's messages: the service must not see it again.
        exchange = self.tool_exchange if self.called_tools() <= set(offered) else []
        answer: dict[str, Any] = {"role": "assistant", "content": self.answer}
        if self.extra_content:
            answer["extra_content"] = self.extra_content
        return [{"role": "user", "content": self.user}, *exchange, answer]


def cell_key(cell_id: str | None, cell_text: str) -> str:
    return f"id:{cell_id}" if cell_id else f"text:{cell_text.strip()}"


@dataclass
class Context:
    """What to send for one cell: messages, and how many old turns the budget left out."""

    messages: list[dict[str, Any]]
    dropped: int
    replaces: bool


@dataclass
class Chat:
    name: str
    system: str | None = None
    turns: list[Turn] = field(default_factory=list)

    def index_of(self, key: str) -> int | None:
        for index, turn in enumerate(self.turns):
            if turn.key == key:
                return index
        return None

    def context(
        self,
        key: str,
        user: Any,
        budget_tokens: int,
        history: bool = True,
        tools: Collection[str] = (),
    ) -> Context:
        """System prompt + the turns before this cell (newest kept first) + the user message.

        `tools` names the tools this cell offers: earlier tool exchanges are sent only when
        the tools they used are among them."""
        index = self.index_of(key)
        earlier = [] if not history else self.turns if index is None else self.turns[:index]
        fixed = [{"role": "user", "content": user}]
        if self.system:
            fixed.insert(0, {"role": "system", "content": self.system})
        remaining = budget_tokens - sum(message_tokens(m) for m in fixed)
        kept: list[Turn] = []
        for turn in reversed(earlier):
            cost = sum(message_tokens(m) for m in turn.messages(tools))
            if cost > remaining:
                break
            kept.append(turn)
            remaining -= cost
        kept.reverse()
        history_messages = [m for turn in kept for m in turn.messages(tools)]
        return Context(
            messages=fixed[:-1] + history_messages + fixed[-1:],
            dropped=len(earlier) - len(kept),
            replaces=index is not None,
        )

    def record(self, turn: Turn) -> None:
        """Replace the turn of the same cell in place, or append a new one."""
        index = self.index_of(turn.key)
        if index is None:
            self.turns.append(turn)
        else:
            self.turns[index] = turn

    def drop_keys(self, keys: set[str]) -> int:
        before = len(self.turns)
        self.turns = [t for t in self.turns if t.key not in keys]
        return before - len(self.turns)

    def clear(self) -> None:
        self.turns.clear()

    def to_dict(self) -> dict[str, Any]:
        """The export format: every turn with model, parameters, usage and time (no key)."""
        return {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "name": self.name,
            "system": self.system,
            "turns": [turn.to_dict() for turn in self.turns],
        }

    @classmethod
    def from_dict(cls, data: Any, name: str | None = None) -> Chat:
        """Validate a whole export before anything is built, so a bad file changes nothing."""
        if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
            raise ValueError(f"not an aiml-magics chat export (expected format {EXPORT_FORMAT!r})")
        if data.get("version") != EXPORT_VERSION:
            raise ValueError(f"unsupported export version {data.get('version')!r}")
        turns = data.get("turns")
        if not isinstance(turns, list):
            raise ValueError("'turns' must be a list")
        system = data.get("system")
        if system is not None and not isinstance(system, str):
            raise ValueError("'system' must be text")
        chat_name = name or data.get("name")
        if not isinstance(chat_name, str) or not chat_name:
            raise ValueError("the export has no chat name; pass one with -c")
        built = []
        for number, turn in enumerate(turns, 1):
            try:
                built.append(Turn.from_dict(turn))
            except (TypeError, ValueError) as exc:
                raise ValueError(f"turn {number}: {exc}") from None
        return cls(chat_name, system=system, turns=built)


class ChatStore:
    """All chats of a session, by name; a chat exists once it is used."""

    def __init__(self, default_system: str | None = None) -> None:
        self._chats: dict[str, Chat] = {}
        self.default_system = default_system

    def get(self, name: str) -> Chat:
        if name not in self._chats:
            self._chats[name] = Chat(name, system=self.default_system)
        return self._chats[name]

    def __contains__(self, name: str) -> bool:
        return name in self._chats

    def __iter__(self):
        return iter(self._chats.values())

    def names(self) -> list[str]:
        return list(self._chats)

    def put(self, chat: Chat) -> None:
        self._chats[chat.name] = chat

    def drop_cells(self, cell_ids: list[str]) -> int:
        """Forget the turns of deleted cells in every chat."""
        keys = {cell_key(cell_id, "") for cell_id in cell_ids if cell_id}
        return sum(chat.drop_keys(keys) for chat in self._chats.values())

    def reset(self, name: str) -> bool:
        return self._chats.pop(name, None) is not None

    def reset_all(self) -> int:
        count = len(self._chats)
        self._chats.clear()
        return count


USAGE_HEADERS = ("model", "requests", "prompt", "completion", "reasoning", "credits", "dollars")


@dataclass
class UsageTotals:
    """Per-model running totals for `%aiml usage`.

    `None` means no answer reported it (servers other than the AI/ML API send no credits or
    dollars, and some no usage): the row leaves it blank instead of showing a made-up zero.
    """

    requests: int = 0
    usage: Usage | None = None
    credits: float | None = None
    dollars: float | None = None
    outputs: list[int] = field(default_factory=list)  # each answer's output tokens

    def add(self, result: ChatResult) -> None:
        self.requests += 1
        if result.usage is not None:
            self.usage = result.usage if self.usage is None else self.usage + result.usage
            self.outputs.append(result.usage.completion_tokens)
        if result.credits_used is not None:
            self.credits = (self.credits or 0.0) + result.credits_used
        if result.dollars is not None:
            self.dollars = (self.dollars or 0.0) + result.dollars

    def row(self, model: str) -> list[Any]:
        """The row of `%aiml usage` (and the session panel) for this model."""

        u = self.usage
        return [
            model,
            self.requests,
            f"{u.prompt_tokens:,}" if u else "",
            f"{u.completion_tokens:,}" if u else "",
            f"{u.reasoning_tokens:,}" if u else "",
            f"{self.credits:,.0f}" if self.credits is not None else "",
            format_money(self.dollars) if self.dollars is not None else "",
        ]
