"""What a session keeps for the other kinds of request: the embeddings it computed, the jobs
it started (videos, transcriptions) and the assets it saved, for `%aiml jobs` and `usage`."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Job:
    """A generation the service runs asynchronously; kept after an interrupt, to fetch later."""

    id: str
    kind: str  # "video" or "stt"
    model: str
    prompt: str = ""
    status: str = "queued"
    started: float = field(default_factory=time.monotonic)
    updated: float = field(default_factory=time.monotonic)
    error: str | None = None
    asset: Any = None  # the saved result (an assets.Asset) once fetched
    text: str | None = None  # a transcription's text
    params: dict[str, Any] = field(default_factory=dict)
    maker: Any = field(default=None, repr=False)  # what saves a video fetched later
    generation: Any = field(default=None, repr=False)  # the saved video's `Generation`

    @property
    def finished(self) -> bool:
        return self.status in ("completed", "error")

    @property
    def elapsed(self) -> float:
        return self.updated - self.started


ASSET_HEADERS = ("kind", "model", "files", "bytes", "credits", "replayed")


@dataclass(frozen=True)
class AssetUse:
    """One asset a request of this session produced or replayed (for `%aiml usage`)."""

    kind: str
    model: str
    sha256: str
    mime: str
    size: int
    credits: float | None
    replayed: bool = False


class MediaState:
    """Per-session: the embedding cache, the jobs registry and the asset log (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.vectors: dict[tuple[str, str, int | None], Any] = {}  # (text, model, dims) -> row
        self._jobs: dict[str, Job] = {}
        self._assets: list[AssetUse] = []
        self.models: dict[str, list[Any]] = {}  # kind -> api.kinds.KindModel list
        self.fetches: dict[str, threading.Thread] = {}  # kind -> its list's fetch for TAB
        self.last_embed: Any = None  # the EmbedReport of the latest `embed` call

    def add_job(self, job: Job) -> Job:
        with self._lock:
            self._jobs[job.id] = job
        return job

    def job(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def jobs(self) -> list[Job]:
        """Every job of this session, oldest first."""
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: j.started)

    def log_asset(self, use: AssetUse) -> None:
        with self._lock:
            self._assets.append(use)

    def assets(self) -> list[AssetUse]:
        with self._lock:
            return list(self._assets)

    def usage_rows(self) -> list[list[Any]]:
        """`%aiml usage`'s assets table: one row per kind and model (see ASSET_HEADERS)."""
        rows: dict[tuple[str, str], list[Any]] = {}
        for use in self.assets():
            row = rows.setdefault((use.kind, use.model), [use.kind, use.model, 0, 0, 0.0, 0])
            row[2] += 1
            row[3] += use.size
            row[4] += (use.credits or 0.0) if not use.replayed else 0.0
            row[5] += int(use.replayed)
        return [
            [kind, model, files, f"{size:,}", f"{credits:,.0f}", replayed]
            for kind, model, files, size, credits, replayed in rows.values()
        ]
