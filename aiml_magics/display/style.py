"""How an answer is shown: one frozen value, built once per cell, given to every view.

Its defaults are the settings' own defaults (`AimlSettings`), so no view constructor writes
them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..chat.settings import AimlSettings

_TRAITS = AimlSettings.class_traits()


@dataclass(frozen=True)
class AnswerStyle:
    """Reasoning shown / collapsed / hidden, seconds between refreshes, remote images."""

    reasoning_mode: str = _TRAITS["reasoning"].default_value
    update_interval: float = _TRAITS["update_interval"].default_value
    allow_remote_images: bool = _TRAITS["allow_remote_images"].default_value

    @classmethod
    def of(cls, settings: Any, reasoning: str | None = None) -> AnswerStyle:
        """From the session's settings, with a cell's `--reasoning` if it gave one."""
        return cls(
            reasoning_mode=reasoning or settings.reasoning,
            update_interval=settings.update_interval,
            allow_remote_images=settings.allow_remote_images,
        )

    def markdown_options(self) -> dict[str, Any]:
        """What `compose_markdown` and the comparison columns are called with."""
        return {
            "reasoning_mode": self.reasoning_mode,
            "allow_remote_images": self.allow_remote_images,
        }


PLAIN = AnswerStyle()
