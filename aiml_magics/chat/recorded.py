"""Media requests in the replay recording: embeddings by text, generations by their assets.

The one place that touches the replay store for them, through its public parts only
(`Session.replay`, `Replay.lookup`, `Recording`, `request_key`). A media recording is a
request of the same canonical shape as a chat turn (model, one user message, parameters with
the endpoint), so misses are explained the same way; its answer holds vectors as base64
float32 or assets as digests, never a file's bytes.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .session import Session


def canonical(endpoint: str, model: str, text: str, params: dict[str, Any]) -> dict[str, Any]:
    """What decides a media answer: the endpoint, the model, the text and the parameters."""
    from .replay import canonical_request

    fields = {k: v for k, v in params.items() if v is not None}
    return canonical_request(
        model, [{"role": "user", "content": text}], {"endpoint": endpoint, **fields}
    )


def replay_for(session: Session, fresh: bool = False, label: str = "") -> Any:
    """The session's replay (`replay.Replay`) for a media request; None when replay is off."""
    replay = session.replay()
    if replay is not None:
        replay.fresh = fresh
        replay.label = label
    return replay


def find(replay: Any, request: dict[str, Any]) -> dict[str, Any] | None:
    """The recorded answer, or None (in `only` mode a miss raises ReplayMissError)."""
    if replay is None:
        return None
    found = replay.lookup(request)
    return None if found is None else {**found.answer, "recorded": found.recorded}


def keep(replay: Any, request: dict[str, Any], answer: dict[str, Any]) -> str | None:
    """Record an answer (when the mode records); a warning when the file cannot be written."""
    if replay is None or not replay.records:
        return None
    from .replay import Recording, request_key

    when = datetime.now(timezone.utc).isoformat(timespec="seconds")
    recording = Recording(request_key(request), request, {"text": "", **answer}, when, replay.label)
    if replay.secret and replay.secret in recording.line():
        return None  # the key never reaches the file
    try:
        replay.store.add(recording, replace=replay.mode == "record" or replay.fresh)
    except OSError as exc:
        return f"⚠ not recorded: {replay.store.path}: {exc.strerror or exc}"
    return None
