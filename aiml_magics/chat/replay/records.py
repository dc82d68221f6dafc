"""One recording: a canonical request and the answer it got, as one line of JSON.

The line carries a format name and version, so a line that is not ours (or cut short) is
refused by `Recording.parse` and skipped by the store rather than misread.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ...api.result import ChatResult, Citation, ToolCall, Usage
from .key import canonical_json, request_key

FORMAT = "aiml-replay"
VERSION = 1


@dataclass
class Recording:
    """One recorded request and the answer it got, as stored on one line."""

    key: str
    request: dict[str, Any]
    answer: dict[str, Any]
    recorded: str
    cell: str = ""

    @classmethod
    def of(cls, canonical: dict[str, Any], result: ChatResult, cell: str = "") -> Recording:
        """Record what was shown and spent, never how it was asked for (no key, no headers)."""
        when = datetime.now(timezone.utc).isoformat(timespec="seconds")
        answer = {
            "text": result.text,
            "reasoning": result.reasoning,
            "tool_calls": [
                {"id": c.id, "name": c.name, "arguments": c.arguments, **_extra(c.extra)}
                for c in result.tool_calls
            ],
            "usage": result.usage.as_dict() if result.usage else None,
            "credits_used": result.credits_used,
            "usd_spent": result.dollars,
            "model": result.model,
            "finish_reason": result.finish_reason,
            "inference_id": result.inference_id,
            "simulated": result.simulated,
            "params": dict(result.params),
        }
        # Kept only when present, so recordings of other models stay as they were.
        if result.extra_content:
            answer["extra_content"] = result.extra_content
        if result.citations:
            answer["citations"] = [{"url": c.url, "title": c.title} for c in result.citations]
        return cls(request_key(canonical), canonical, answer, when, cell)

    def line(self) -> str:
        """The recording as one line of the file, newline included."""
        data = {
            "format": FORMAT,
            "version": VERSION,
            "key": self.key,
            "recorded": self.recorded,
            "cell": self.cell,
            "request": self.request,
            "answer": self.answer,
        }
        return canonical_json(data) + "\n"

    @classmethod
    def parse(cls, line: str) -> Recording:
        """ValueError for anything that is not a whole recording."""
        data = json.loads(line)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a recording")
        key, request, answer = data.get("key"), data.get("request"), data.get("answer")
        if not (isinstance(key, str) and isinstance(request, dict) and isinstance(answer, dict)):
            raise ValueError("a recording needs key, request and answer")
        if not isinstance(answer.get("text"), str):
            raise ValueError("a recording needs the answer's text")
        return cls(key, request, answer, str(data.get("recorded") or ""), str(data.get("cell", "")))

    @property
    def credits(self) -> float:
        return float(self.answer.get("credits_used") or 0.0)

    @property
    def dollars(self) -> float:
        return float(self.answer.get("usd_spent") or 0.0)

    @property
    def date(self) -> str:
        return self.recorded[:10]

    def result(self, requested_model: str) -> ChatResult:
        """The answer as it was shown, marked replayed: nothing was spent on it now."""
        a = self.answer
        usage = a.get("usage")
        calls = [
            ToolCall(
                str(c.get("id", "")),
                str(c.get("name", "")),
                str(c.get("arguments", "")),
                dict(c["extra"]) if isinstance(c.get("extra"), dict) else {},
            )
            for c in a.get("tool_calls") or []
            if isinstance(c, dict)
        ]
        extra = a.get("extra_content")
        return ChatResult(
            text=a["text"],
            reasoning=str(a.get("reasoning") or ""),
            model=a.get("model"),
            requested_model=requested_model,
            finish_reason=a.get("finish_reason"),
            usage=Usage(**{k: int(v) for k, v in usage.items()})
            if isinstance(usage, dict)
            else None,
            inference_id=a.get("inference_id"),
            tool_calls=calls,
            simulated=bool(a.get("simulated")),
            params=dict(a.get("params") or {}),
            replayed=True,
            recorded=self.recorded,
            credits_saved=self.credits,
            extra_content=extra if isinstance(extra, dict) else None,
            citations=[
                Citation(str(c.get("url", "")), str(c.get("title", "")))
                for c in a.get("citations") or []
                if isinstance(c, dict) and c.get("url")
            ],
        )


def _extra(extra: dict[str, Any]) -> dict[str, Any]:
    """A tool call's other keys (Gemini's signature), only when it has any."""
    return {"extra": extra} if extra else {}
