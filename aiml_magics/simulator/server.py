"""`Simulator`: a local stand-in for the AI/ML API, served from a background thread.

Tests, tutorial notebooks in CI and offline users point the client at `base_url` and script
what the "service" answers. State (the reply queue, the request record) is shared between
handler threads, so every access goes through one lock. `profile` makes it behave like another
OpenAI-compatible server instead (see profiles.py); `keyless` accepts requests without a key,
as Ollama, LM Studio and vLLM without `--api-key` do.
"""

from __future__ import annotations

import contextlib
import hmac
import socket
import sys
import threading
from collections import deque
from http.server import ThreadingHTTPServer
from typing import Any

from .handler import CHAT_PATH, SimulatorHandler
from .media import MediaSim
from .per_model import PerModelScripts, take
from .profiles import Profile, profile_named
from .ratelimit import RateLimit, Throttled
from .records import RecordedRequest
from .replies import Reply

DEFAULT_KEY = "sim-test-key"
DEFAULT_BALANCE = 123.45
POLL_INTERVAL = 0.05  # how quickly `stop()` is noticed by the accept loop


class SimulatorServer(ThreadingHTTPServer):
    """Threaded HTTP server that can drop every open connection when it stops."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], simulator: Simulator) -> None:
        self.simulator = simulator
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, SimulatorHandler)

    def track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def drop_connections(self) -> None:
        """Wake handler threads blocked on idle keep-alive connections."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients vanishing is normal here; anything else is a simulator bug worth showing."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class Simulator:
    """A scriptable, local AI/ML API. Use `start()`/`stop()` or `with Simulator() as sim:`."""

    def __init__(
        self,
        api_key: str = DEFAULT_KEY,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        profile: str = "aiml",
        keyless: bool = False,
    ) -> None:
        self._key = api_key
        self.host = host
        self.port = port
        self.out_of_credits = False
        self.balance = DEFAULT_BALANCE  # what GET /v2/billing reports, in USD
        self._profile = profile_named(profile)
        self.keyless = keyless  # accept requests without (or with any) key
        self._lock = threading.Lock()
        self._queue: deque[list[Any]] = deque()  # [reply, remaining uses]
        self._models_queue: deque[list[Any]] = deque()  # answers for GET /models
        self.pacing = RateLimit()  # latency and rate limit (ratelimit.py)
        self._per_model = PerModelScripts()  # replies for one model (`script_for`)
        self._requests: list[RecordedRequest] = []
        self.media = MediaSim()  # embeddings, images, speech, video: faults, jobs (media.py)
        self._server: SimulatorServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<Simulator {self._profile.name} {state} at {self.root_url}>"

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def api_key(self) -> str:
        """The key clients must send as `Authorization: Bearer <key>`."""
        return self._key

    @property
    def profile(self) -> Profile:
        """How the simulator behaves: `"aiml"` (the AI/ML API, the default), `"openai"`,
        `"litellm"`, `"vllm"` or `"ollama"`. Set it by name; `reset()` restores `"aiml"`."""
        return self._profile

    @profile.setter
    def profile(self, name: str | Profile) -> None:
        self._profile = name if isinstance(name, Profile) else profile_named(name)

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What a client uses as its API base (the service's `https://api.aimlapi.com/v1`)."""
        return f"{self.root_url}/v1"

    def start(self) -> Simulator:
        """Bind (port 0 picks a free one) and serve from a daemon thread."""
        if self._server is not None:
            raise RuntimeError("simulator already started")
        server = SimulatorServer((self.host, self.port), self)
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL},
            name=f"aiml-simulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop promptly, even while a reply is stalling or a client keeps a connection open."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        server.stopping.set()
        server.shutdown()
        server.drop_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    # -- scripting -----------------------------------------------------------------------------

    def script(self, *replies: Reply) -> None:
        """Queue replies; each chat request consumes one (`Reply.times` requests each)."""
        for reply in replies:
            if not isinstance(reply, Reply):
                raise TypeError(f"expected Reply, got {type(reply).__name__}")
        with self._lock:
            self._queue.extend([reply, reply.times] for reply in replies)

    def script_for(self, model: str, *replies: Reply) -> None:
        """Queue replies for requests naming `model` only (a comparison's columns): they
        are taken before the general queue, whatever order the requests arrive in."""
        self._per_model.add(model, replies)

    def script_models(self, *replies: Reply) -> None:
        """Queue answers for the catalogue (`GET /models` and `GET /model/{id}`): each
        `Reply.error(...)` fails one read (its `times` reads), a plain `Reply()` lets one
        through."""
        for reply in replies:
            if not isinstance(reply, Reply):
                raise TypeError(f"expected Reply, got {type(reply).__name__}")
        with self._lock:
            self._models_queue.extend([reply, reply.times] for reply in replies)

    @property
    def pending(self) -> int:
        """How many chat requests the queued replies will still answer."""
        with self._lock:
            general = sum(remaining for _, remaining in self._queue)
        return general + self._per_model.pending

    def reset(self) -> None:
        """Forget scripted replies, recorded requests, the out-of-credits state, the profile
        keyless mode, latency and rate limit (back to the AI/ML API with its key)."""
        with self._lock:
            self._queue.clear()
            self._models_queue.clear()
            self._per_model.clear()
            self._requests.clear()
            self.out_of_credits = False
            self.balance = DEFAULT_BALANCE
            self._profile = profile_named("aiml")
            self.keyless = False
        self.pacing.reset()
        self.media.reset()

    @property
    def latency(self) -> float:
        """Seconds every chat answer waits before its first byte (0 by default)."""
        return self.pacing.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("latency is a number of seconds >= 0")
        self.pacing.latency = float(seconds)

    @property
    def rate_limit(self) -> tuple[int, float] | None:
        """`(N, seconds)`: at most N chat requests in any window of that many seconds; the
        rest get 429 with Retry-After (and retry-after-ms). None (the default) is no limit."""
        return self.pacing.limit

    @rate_limit.setter
    def rate_limit(self, limit: tuple[int, float] | None) -> None:
        self.pacing.configure(limit)

    @property
    def throttled(self) -> list[Throttled]:
        """Every 429 the rate limit sent, oldest first (arrival time, Retry-After)."""
        return self.pacing.throttled

    # -- record --------------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, any path, oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "POST" and r.path.rstrip("/") == CHAT_PATH]

    # -- used by the handler -------------------------------------------------------------------

    def is_authorized(self, header: str | None) -> bool:
        scheme, _, token = (header or "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(token.strip().encode(), self._key.encode())

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def next_reply(self, body: Any = None) -> Reply:
        """The next reply queued for the request's model (`script_for`), else the first queued
        reply whose `match` is in the request's last user message, else the first without one
        (counting down its `times`), else the default reply."""
        model = body.get("model") if isinstance(body, dict) else None
        text = last_user_text(body)
        return (
            self._per_model.next_for(model, text) or _pop(self._queue, self._lock, text) or Reply()
        )

    def next_models_reply(self) -> Reply | None:
        return _pop(self._models_queue, self._lock)


def _pop(queue: deque, lock: threading.Lock, text: str | None = None) -> Reply | None:
    with lock:
        return take(queue, text) if queue else None


def last_user_text(body: Any) -> str | None:
    """The text of a chat request's last user message (None when there is none)."""
    messages = body.get("messages") if isinstance(body, dict) else None
    for message in reversed(messages if isinstance(messages, list) else []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
            return str(content)
    return None
