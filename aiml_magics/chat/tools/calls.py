"""Running the calls the model asked for, and the result of a cell that ran tools."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...api.result import ChatResult
from .define import Tool

SHORT_REPR = 200


class ToolFailed(Exception):
    """Raised by a tool that explains its own failure in one line (an MCP server that is
    down, timed out or reported an error): the line is the result the model sees."""


@dataclass(frozen=True)
class ToolOutput:
    """A tool result that is text for the `tool` message plus images (data: URIs) that go
    back to the model as image input, where the model takes images."""

    text: str
    images: tuple[str, ...] = ()

    def __repr__(self) -> str:
        pictures = f" [+{len(self.images)} image(s)]" if self.images else ""
        return f"{self.text}{pictures}"


@dataclass
class ToolRun:
    """One call the model asked for, and what came of it (`_aiml.tool_calls` lists these)."""

    id: str
    name: str
    arguments: str
    round: int = 1
    result: Any = None
    error: str | None = None
    declined: bool = False
    content: str = ""
    parsed: Any = field(default=None, repr=False)
    images: tuple[str, ...] = field(default=(), repr=False)  # data: URIs from a ToolOutput

    @property
    def ok(self) -> bool:
        return self.error is None and not self.declined

    def message(self) -> dict[str, Any]:
        """The `tool` message sent back to the model."""
        return {"role": "tool", "tool_call_id": self.id, "content": self.content}

    def summary(self) -> str:
        """One line for the output: `→ result`, `✗ error` or `declined`."""
        if self.declined:
            return f"{self.name}: declined, the model was told"
        if self.error is not None:
            return f"{self.name} ✗ {shorten(self.error)}"
        return f"{self.name} → {shorten(repr(self.result))}"


def run_call(
    call: Any,
    tools: dict[str, Tool],
    *,
    round_number: int = 1,
    confirm: Callable[[str, str], bool] | None = None,
) -> ToolRun:
    """Run one requested call. Every failure becomes the result; KeyboardInterrupt escapes."""
    run = ToolRun(id=call.id, name=call.name, arguments=call.arguments, round=round_number)
    chosen = tools.get(call.name)
    if chosen is None:
        offered = ", ".join(tools) or "none"
        return _failed(run, f"unknown function {call.name!r}; the offered tools are: {offered}")
    try:
        run.parsed = json.loads(call.arguments or "{}")
        kwargs = chosen.bind(run.parsed)
    except ValueError as exc:  # JSONDecodeError and ArgumentError
        return _failed(run, f"invalid arguments for {call.name}: {exc}")
    if confirm is not None and not confirm(call.name, call.arguments):
        run.declined = True
        run.content = json.dumps({"error": "the user declined to run this call"})
        return run
    try:
        run.result = chosen.function(**kwargs)
    except ToolFailed as exc:
        return _failed(run, str(exc))
    except Exception as exc:
        return _failed(run, f"{type(exc).__name__}: {exc}")
    if isinstance(run.result, ToolOutput):
        run.content, run.images = run.result.text, run.result.images
    else:
        run.content = result_content(run.result)
    return run


def _failed(run: ToolRun, error: str) -> ToolRun:
    run.error = error
    run.content = json.dumps({"error": error})
    return run


def result_content(value: Any) -> str:
    """A tool message's string content: JSON when the result serialises, else its repr."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            try:
                return json.dumps(dataclasses.asdict(value), ensure_ascii=False)
            except (TypeError, ValueError):
                pass
        return repr(value)


def shorten(text: str, limit: int = SHORT_REPR) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def call_line(name: str, arguments: str) -> str:
    """`name(arguments)` for the output, shortened."""
    return f"{name}({shorten(arguments or '', SHORT_REPR)})"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def confirm_call(name: str, arguments: str) -> bool:
    """Ask before running a call (`--confirm-tools`); no way to ask counts as declined."""
    shown = _CONTROL.sub(" ", call_line(name, arguments))
    try:
        answer = input(f"The model wants to run {shown}. Run it? [y/N] ")
    except (EOFError, RuntimeError, OSError):  # StdinNotImplementedError is a RuntimeError
        return False
    return answer.strip().lower() in ("y", "yes")


def add_images(
    runs: list[ToolRun],
    exchange: list[dict[str, Any]],
    takes_images: Callable[[], bool | None],
    view: Any,
) -> None:
    """The images a round's tools returned go back as image input, unless the catalogue
    says the model takes none (then the view says so)."""
    message = image_message(runs)
    if message is None:
        return
    if takes_images() is False:
        view.notice("the tools' images were not sent: the model takes no images")
        return
    exchange.append(message)


def image_message(runs: list[ToolRun]) -> dict[str, Any] | None:
    """The images tools returned in one round, as a user message after their `tool`
    messages (a `tool` message carries text only); None when they returned none."""
    parts: list[dict[str, Any]] = []
    for run in runs:
        if run.images:
            parts.append({"type": "text", "text": f"The image(s) {run.name} ({run.id}) returned:"})
            parts += [{"type": "image_url", "image_url": {"url": url}} for url in run.images]
    return {"role": "user", "content": parts} if parts else None


def assistant_message(result: ChatResult) -> dict[str, Any]:
    """The assistant message that asked for tools, as it goes back to the model: each call
    with the keys it came with (Gemini's `extra_content` must be echoed unchanged), and the
    message's own `extra_content` when it had one."""
    message: dict[str, Any] = {
        "role": "assistant",
        "content": result.text or None,
        "tool_calls": [call.message() for call in result.tool_calls],
    }
    if result.extra_content:
        message["extra_content"] = result.extra_content
    return message


@dataclass(repr=False)
class ToolChatResult(ChatResult):
    """The outcome of a cell that offered tools: the last answer, with usage and cost added
    up over every request; `tool_calls` lists each `ToolRun` (arguments and result)."""

    tool_rounds: int = 0
    requests: int = 1
    exchange: list[dict[str, Any]] = field(default_factory=list)

    def provenance(self) -> dict[str, Any]:
        data = super().provenance()
        data["tool_rounds"] = self.tool_rounds
        data["requests"] = self.requests
        data["tool_calls"] = [
            {"id": r.id, "name": r.name, "arguments": r.arguments, "ok": r.ok}
            for r in self.tool_calls
        ]
        return data


def combine(
    results: list[ChatResult],
    runs: list[ToolRun],
    exchange: list[dict[str, Any]],
    offered: dict[str, Tool],
) -> ToolChatResult:
    """One result for the whole cell: the last request's answer, totals over all requests."""
    last = results[-1]
    base = {f.name: getattr(last, f.name) for f in dataclasses.fields(ChatResult)}
    usages = [r.usage for r in results if r.usage is not None]
    credits = [r.credits_used for r in results if r.credits_used is not None]
    dollars = [r.dollars for r in results if r.dollars is not None]
    durations = [r.duration for r in results if r.duration is not None]
    params = {k: v for k, v in last.params.items() if k != "tools"}
    params["tools"] = list(offered)
    base.update(
        reasoning="\n\n".join(r.reasoning for r in results if r.reasoning),
        usage=sum(usages[1:], usages[0]) if usages else None,
        credits_used=sum(credits) if credits else None,
        usd_spent=sum(dollars) if dollars else None,
        duration=sum(durations) if durations else None,
        tool_calls=list(runs),
        params=params,
        replayed=all(r.replayed for r in results),
        credits_saved=sum(r.credits_saved or 0.0 for r in results) or None,
    )
    rounds = len({r.round for r in runs})
    return ToolChatResult(
        **base, tool_rounds=rounds, requests=len(results), exchange=list(exchange)
    )
