"""How one turn uses recordings: the mode (off, auto, record, only) and what it allows.

`auto` answers a recorded request from its recording and records the rest; `record` always
asks and replaces the older recording; `only` never sends, and a miss is an error. `--fresh`
asks the service even in `auto`. The API key never reaches the file, even when a model echoed
it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...api import errors
from ...api.result import ChatResult
from ..settings import REPLAY_ENV_VAR, REPLAY_MODES
from .key import request_key
from .messages import miss_error
from .records import Recording
from .store import ReplayStore


class ReplayModeError(errors.AimlError):
    title = "Replay setting"


def mode_of(settings: Any) -> tuple[str, str]:
    """The effective mode and where it came from; a bad AIML_REPLAY is one clear line."""
    value, source = settings.resolve("replay")
    mode = str(value).strip().lower()
    if mode not in REPLAY_MODES:
        raise ReplayModeError(
            f"{REPLAY_ENV_VAR}={value!r} is not a replay mode; use one of "
            f"{', '.join(REPLAY_MODES)}."
        )
    return mode, source


@dataclass
class Replay:
    """How one turn uses recordings: its mode, its file, and whether `--fresh` was given."""

    mode: str
    store: ReplayStore
    fresh: bool = False
    label: str = ""
    secret: str | None = field(default=None, repr=False)

    @property
    def answers(self) -> bool:
        """Whether a recorded request is answered from its recording."""
        return self.mode == "only" or (self.mode == "auto" and not self.fresh)

    @property
    def records(self) -> bool:
        return self.mode in ("auto", "record")

    def lookup(self, canonical: dict[str, Any]) -> Recording | None:
        """The recording that answers this request; in `only`, a miss is an error."""
        if not self.answers:
            return None
        found = self.store.find(request_key(canonical))
        if found is None and self.mode == "only":
            raise miss_error(self.store, canonical, self.label)
        return found

    def record(self, canonical: dict[str, Any], result: ChatResult, cell: str = "") -> None:
        """Keep an answer; `record` and `--fresh` replace the older recording of the request."""
        recording = Recording.of(canonical, result, cell)
        if self.secret and self.secret in recording.line():
            return  # the key must never reach the file, even if a model echoed it back
        self.store.add(recording, replace=self.mode == "record" or self.fresh)
