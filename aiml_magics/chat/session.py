"""Per-kernel state: settings, chats, usage totals, the key, a cached client, model names."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..api.result import ChatResult
from ..api.retry import backoff_seconds
from ..api.secret import Secret, key_from_environment
from .conversation import ChatStore, UsageTotals
from .media_state import MediaState
from .model_notes import ModelNotes
from .request import TurnRequest
from .settings import AimlSettings
from .view import AnswerView

if TYPE_CHECKING:
    from ..api.client import AimlClient
    from ..api.errors import AimlError

MODEL_LIST_TIMEOUT = (3.0, 5.0)  # connect, read: the list feeds TAB and the panel


class Session:
    """Per-kernel state: settings, chats, usage totals, the key and a cached client."""

    def __init__(self, settings: AimlSettings, namespace: dict[str, Any] | None = None) -> None:
        self.settings = settings
        self.namespace = namespace if namespace is not None else {}
        self.chats = ChatStore(default_system=settings.system_prompt)
        self.totals: dict[str, UsageTotals] = {}
        self.saved: dict[str, UsageTotals] = {}  # replayed answers: what they did not cost
        self._replay_stores: dict[Any, Any] = {}
        self.typed_key: Secret | None = None
        self._client: AimlClient | None = None
        self._client_signature: tuple | None = None
        self.listeners: list[Callable[[ChatResult], None]] = []  # told of every answer
        self.last_error: AimlError | None = None  # whole text for `%aiml last-error`
        self._model_names: list[str] | None = None
        self._models_confirmed = False  # the names came from the service, not only the disk
        self._model_fetch: threading.Thread | None = None
        self._model_fetch_not_before = 0.0
        self._model_fetch_failures = 0
        # Batch workers and comparison columns share this object: totals, the client and the
        # stores change under it.
        self._lock = threading.RLock()
        self.batch_answers: dict[str, ChatResult] = {}  # request key -> answer (batch.py)
        self.media = MediaState()  # embeddings, jobs and assets (embed.py, generate.py)
        self._mcp: Any = None
        self.notes = ModelNotes()  # deprecations and effort, said once per session

    @property
    def mcp(self) -> Any:
        """The MCP servers of this kernel (`mcp.McpHub`), made on first use."""
        with self._lock:
            if self._mcp is None:
                from .mcp import McpHub

                self._mcp = McpHub(self.settings)
            return self._mcp

    def key(self) -> Secret | None:
        return self.typed_key or key_from_environment()

    def client(self) -> AimlClient:
        """A client for the current key and settings; rebuilt only when they change."""
        with self._lock:
            return self._current_client()

    def _current_client(self) -> AimlClient:
        key = self.key()
        s = self.settings
        signature = (
            key.reveal() if key else None,
            s.effective("base_url"),
            s.max_retries,
            s.connect_timeout,
            s.read_timeout,
        )
        if self._client is None or signature != self._client_signature:
            from ..api.client import AimlClient

            if self._client is not None:
                self._client.close()
            self._client = AimlClient(
                key,
                signature[1],
                max_retries=s.max_retries,
                connect_timeout=s.connect_timeout,
                read_timeout=s.read_timeout,
            )
            self._client_signature = signature
        return self._client

    def model_names(self, wait: float = 0.3) -> list[str]:
        """Model ids and aliases for completion: fetched once, in the background.

        The completer calls this while the user waits for TAB, so it waits at most `wait`
        seconds and otherwise answers with nothing (the list is there on the next TAB).
        """
        due = time.monotonic() >= self._model_fetch_not_before
        if self._model_names is None and not self._models_confirmed:
            saved = self.client().cached_models()  # the list saved on disk: at once, offline
            if saved:
                self.remember_models(saved)
                self._models_confirmed = False
        stale = self._model_names is None or not self._models_confirmed
        if stale and self._model_fetch is None and due:
            client = self.client()
            self._model_fetch = threading.Thread(
                target=self._fetch_model_names, args=(client,), daemon=True
            )
            self._model_fetch.start()
        fetch = self._model_fetch
        if self._model_names is None and fetch is not None:
            fetch.join(wait)
        return self._model_names or []

    def remember_models(self, models: list[Any]) -> None:
        names = sorted({n for m in models for n in (m.id, *m.aliases)})
        with self._lock:
            self._model_names = names
            self._models_confirmed = True

    def _fetch_model_names(self, client: AimlClient) -> None:
        """Through the session's client: its retry policy and its shared Retry-After pause.
        After a failure, no new fetch starts before the server's Retry-After (or the
        backoff) has passed."""
        try:
            models = client.models(timeout=MODEL_LIST_TIMEOUT)
        except Exception as exc:  # completion must never raise; a later TAB tries again
            self._model_fetch_failures += 1
            wait = getattr(exc, "retry_after", None)
            if wait is None:
                wait = backoff_seconds(self._model_fetch_failures - 1)
            self._model_fetch_not_before = time.monotonic() + wait
            self._model_fetch = None
            return
        self._model_fetch_failures = 0
        self.remember_models(models)
        self._model_fetch = None

    def record_usage(self, model: str, result: ChatResult) -> None:
        with self._lock:
            self.totals.setdefault(model, UsageTotals()).add(result)

    def record_saved(self, model: str, result: ChatResult) -> None:
        """A replayed answer: counted apart, at the credits its recording cost."""
        saved = ChatResult(usage=result.usage, credits_used=result.credits_saved or 0.0)
        with self._lock:
            self.totals_saved(model).add(saved)

    def totals_saved(self, model: str) -> UsageTotals:
        with self._lock:
            return self.saved.setdefault(model, UsageTotals())

    def output_tokens(self, model: str) -> list[int]:
        """The output tokens of each answer of `model` so far (replayed ones too): what the
        budget plans a request without --max-tokens with."""
        with self._lock:
            answers = (self.totals.get(model), self.saved.get(model))
            return [n for totals in answers if totals is not None for n in totals.outputs]

    def spent_credits(self) -> float:
        """Credits spent by this session's requests (replays spend nothing)."""
        with self._lock:
            return sum(t.credits or 0.0 for t in self.totals.values())

    def replay(self, request: TurnRequest | None = None) -> Any:
        """How this turn uses recordings (`replay.Replay`), or None when replay is off."""
        from . import replay

        mode, _ = replay.mode_of(self.settings)
        if mode == "off":
            return None
        key = self.key()
        return replay.Replay(
            mode,
            self.replay_store(),
            fresh=bool(request and request.fresh),
            label=replay.cell_label(request.user) if request else "",
            secret=key.reveal() if key else None,
        )

    def model_notes(self, request: TurnRequest) -> list[str]:
        """What to tell the user about the turn's model before sending (`ModelNotes`);
        nothing under `AimlMagics.replay = only`, which promises to ask the service nothing."""
        from . import replay

        if replay.mode_of(self.settings)[0] == "only":
            return []
        model = self.settings.resolve_model(request.model)
        return self.notes.for_turn(self.client(), model, request.params)

    def replay_store(self) -> Any:
        """The recording file of this notebook (one store per path, so reads are cached)."""
        from . import replay

        path = replay.recording_path(self.settings, self.namespace)
        with self._lock:
            if path not in self._replay_stores:
                self._replay_stores[path] = replay.ReplayStore(path)
            return self._replay_stores[path]

    def close(self) -> None:
        if self._mcp is not None:
            self._mcp.close()
        if self._client is not None:
            self._client.close()
            self._client = None

    def send(self, request: TurnRequest, view: AnswerView) -> ChatResult:
        """Send one turn through the one send path (`send.send_turn`)."""
        from .send import send_turn

        return send_turn(self, request, view)
