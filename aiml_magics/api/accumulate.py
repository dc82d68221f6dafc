"""Folding stream events into the answer so far, then into one `ChatResult`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
from .parts import add_citations, merge
from .result import ChatResult, Citation, ToolCall, Usage


@dataclass
class _CallParts:
    """A tool call being assembled; arguments stay a list of parts until read."""

    id: str
    name: str
    arguments: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


class StreamAccumulator:
    """Folds stream events into the state of the answer so far, then into a `ChatResult`.

    `text` and `reasoning` are cheap to read often: parts are joined only when read, and the
    joined string replaces them.
    """

    def __init__(self) -> None:
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._calls: list[_CallParts] = []
        self._call_at: dict[int, _CallParts] = {}
        self.citations: list[Citation] = []
        self.extra_content: dict[str, Any] | None = None
        self.finish_reason: str | None = None
        self.usage: Usage | None = None
        self.model: str | None = None
        self.credits_used: float | None = None
        self.usd_spent: float | None = None
        self.done = False

    def feed(self, event: StreamEvent) -> None:
        kind = type(event)
        if kind is ContentDelta:
            self._text.append(event.text)
        elif kind is ReasoningDelta:
            self._reasoning.append(event.text)
        elif kind is ToolCallDelta:
            self._feed_tool_call(event)
        elif kind is ModelName:
            self.model = self.model or event.name
        elif kind is UsageUpdate:
            self.usage = event.usage
        elif kind is CostUpdate:
            self._feed_cost(event)
        elif kind is Finish:
            self.finish_reason = event.reason
        elif kind is Done:
            self.done = True
        elif kind is Sources:
            add_citations(self.citations, event.citations)
        elif kind is MessageExtra:
            self.extra_content = self.extra_content or {}
            merge(self.extra_content, event.data)

    @property
    def text(self) -> str:
        return _joined(self._text)

    @property
    def reasoning(self) -> str:
        return _joined(self._reasoning)

    @property
    def tool_calls(self) -> list[ToolCall]:
        """Fresh `ToolCall`s, in the order the calls started."""
        return [ToolCall(c.id, c.name, "".join(c.arguments), dict(c.extra)) for c in self._calls]

    def result(
        self,
        *,
        requested_model: str | None = None,
        inference_id: str | None = None,
        simulated: bool = False,
        duration: float | None = None,
        params: dict[str, Any] | None = None,
        complete: bool | None = None,
        client_request_id: str | None = None,
    ) -> ChatResult:
        """The answer so far; `complete` defaults to whether the stream ended properly."""
        return ChatResult(
            text=self.text,
            reasoning=self.reasoning,
            model=self.model,
            requested_model=requested_model,
            finish_reason=self.finish_reason,
            usage=self.usage,
            credits_used=self.credits_used,
            usd_spent=self.usd_spent,
            inference_id=inference_id,
            tool_calls=self.tool_calls,
            complete=self.done if complete is None else complete,
            simulated=simulated,
            duration=duration,
            params=dict(params or {}),
            citations=list(self.citations),
            extra_content=self.extra_content,
            client_request_id=client_request_id,
        )

    def _feed_tool_call(self, delta: ToolCallDelta) -> None:
        """A new id at a known index starts a new call: some backends reuse index 0."""
        call = self._call_at.get(delta.index)
        if call is not None and delta.id and call.id and delta.id != call.id:
            call = None
        if call is None:
            call = _CallParts(id=delta.id or "", name=delta.name or "")
            self._calls.append(call)
            self._call_at[delta.index] = call
        else:
            call.id = call.id or delta.id or ""
            call.name = call.name or delta.name or ""
        if delta.arguments:
            call.arguments.append(delta.arguments)
        if delta.extra:
            merge(call.extra, delta.extra)

    def _feed_cost(self, event: CostUpdate) -> None:
        if event.credits_used is not None:
            self.credits_used = event.credits_used
        if event.usd_spent is not None:
            self.usd_spent = event.usd_spent


def _joined(parts: list[str]) -> str:
    if len(parts) > 1:
        parts[:] = ["".join(parts)]
    return parts[0] if parts else ""
