"""HTTP routing: records every request, then answers models, one model or chat completions.

The handler owns the per-request plumbing (headers every response carries, error bodies,
aborting a connection); `completions.py` writes successful chat answers.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
import uuid
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from . import completions, gemini, media
from .answers import build_answer
from .catalogue import find_model, lookup_model
from .deprecations import CACHE_CONTROL, feed_payload, withdrawn
from .error_bodies import error_body
from .listing import card_payload, etag_for, list_payload
from .metrics import metrics_payload
from .ratelimit import retry_after_headers
from .records import RecordedRequest
from .validation import validation_error
from .wire import dumps

if TYPE_CHECKING:
    from .server import SimulatorServer

CHAT_PATH = "/v1/chat/completions"
MODELS_PATH = "/v1/models"
MODELS_PATHS = (MODELS_PATH, "/models", "/api/v1/models")  # the docs: the same data
DEPRECATIONS_PATHS = ("/v1/models/deprecations", "/models/deprecations")
DEPRECATIONS_PATHS += ("/v1/models/deprecated", "/models/deprecated")
METRICS_PATH = "/models/metrics"
BILLING_PATH = "/v2/billing"
MODEL_PREFIX = "/model/"
JSON_TYPE = "application/json; charset=utf-8"
_INVALID_JSON = object()


class SimulatorHandler(BaseHTTPRequestHandler):
    """One connection; HTTP/1.1 so clients can keep it alive across requests."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY, Nagle plus delayed ACK
    # hold each non-streamed answer on a reused connection for ~40 ms.
    disable_nagle_algorithm = True
    server_version = "aiml-simulator/1"
    server: SimulatorServer

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default one-line-per-request log on stderr."""

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    # -- plumbing shared with completions.py -------------------------------------------------

    def head(self, status: int, headers: dict[str, str]) -> None:
        """Status line and headers, including the ones every response carries."""
        self.send_response(status)
        if self.server.simulator.profile.inference_header:
            self.send_header("x-inference-id", self.inference_id)
        self.send_header("x-aiml-simulator", "1")
        client_id = self.headers.get("X-Client-Request-Id")
        if client_id:
            self.send_header("x-client-request-id", client_id)
        for name, value in headers.items():
            self.send_header(name, str(value))
        self.end_headers()

    def send(
        self, status: int, body: bytes, content_type: str, headers: dict | None = None
    ) -> None:
        self.head(
            status, {"Content-Type": content_type, "Content-Length": len(body), **(headers or {})}
        )
        self.wfile.write(body)

    def send_error_body(
        self,
        status: int,
        *,
        shape: str = "flat",
        message: str | None = None,
        headers: dict | None = None,
        model: str = "",
    ) -> None:
        body, content_type = error_body(
            status, shape=shape, message=message, path=self.route_path, model=model
        )
        self.send(status, body, content_type, headers)

    def send_auth_error(self) -> None:
        """401 as the profile's server words it."""
        profile = self.server.simulator.profile
        self.send_error_body(
            401, shape=profile.auth_error_body, message=profile.auth_message or None
        )

    def wait(self, seconds: float) -> bool:
        """Sleep, waking early when the server stops; True means it is stopping."""
        return self.server.stopping.wait(seconds) if seconds > 0 else self.server.stopping.is_set()

    def abort(self) -> None:
        """Close the socket mid-response: the client sees a cut body, not a clean end."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    # -- routing -------------------------------------------------------------------------------

    def _handle(self) -> None:
        url = urlsplit(self.path)
        self.route_path = url.path.rstrip("/") or "/"
        self.inference_id = uuid.uuid4().hex
        self.query_pairs = parse_qsl(url.query, keep_blank_values=True)  # repeats kept
        query = dict(self.query_pairs)
        body = self._read_json()
        simulator = self.server.simulator
        authorized = simulator.is_authorized(self.headers.get("Authorization"))
        self.received = time.monotonic()
        simulator.record(
            RecordedRequest(
                method=self.command,
                path=url.path,
                query=query,
                body=None if body is _INVALID_JSON else body,
                headers=frozenset(name.lower() for name in self.headers),
                authorized=authorized,
                client_port=self.client_address[1],
                inference_id=self.inference_id,
                received=self.received,
            )
        )
        try:
            self._route(query, body, authorized)
        except OSError:  # the client went away (or a fault closed the socket)
            self.close_connection = True

    def _route(self, query: dict[str, str], body: Any, authorized: bool) -> None:
        path, method = self.route_path, self.command
        if method == "GET" and path in MODELS_PATHS:
            self._models(authorized)
        elif method == "GET" and path in DEPRECATIONS_PATHS:
            self._deprecations()
        elif method == "GET" and path == METRICS_PATH:
            self._metrics()
        elif method == "GET" and path == BILLING_PATH:
            self._billing(authorized)
        elif method == "GET" and path.startswith(MODEL_PREFIX):
            self._one_model(unquote(path[len(MODEL_PREFIX) :]))
        elif method == "POST" and path == CHAT_PATH:
            self._chat(body, authorized)
        elif media.route(self, query, body, authorized):
            pass  # embeddings, images, speech, transcription, video, files (media.py)
        else:
            shape = self.server.simulator.profile.error_body
            self.send_error_body(404, shape=shape, message=f"Cannot {method} {path}")

    def _read_json(self) -> Any:
        raw = self.raw_body = self._read_body()  # multipart uploads are read from raw_body
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return _INVALID_JSON

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    # -- endpoints -----------------------------------------------------------------------------

    def _models(self, authorized: bool) -> None:
        simulator = self.server.simulator
        profile = simulator.profile
        if profile.models_need_key and not (authorized or simulator.keyless):
            self.send_auth_error()
            return
        reply = simulator.next_models_reply()
        if reply is not None and reply.is_error:
            self.send_error_body(
                reply.status,
                shape=reply.error_body or profile.error_body,
                message=reply.message,
                headers=reply.headers,
            )
            return
        body = dumps(list_payload(self.query_pairs, profile)).encode()
        self._send_tagged(body, etag_for(body))

    def _send_tagged(self, body: bytes, etag: str, headers: dict | None = None) -> None:
        """200 with the ETag, or an empty 304 when If-None-Match names it (weakly)."""
        headers = {"ETag": etag, **(headers or {})}
        tags = self._if_none_match()
        if etag.removeprefix("W/") in tags or "*" in tags:
            self.head(304, headers)
            return
        self.send(200, body, JSON_TYPE, headers)

    def _if_none_match(self) -> set[str]:
        header = self.headers.get("If-None-Match", "")
        return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}

    def _one_model(self, name: str) -> None:
        """No /v1; id or alias in any case; `{"object": "model", "data": {...}}`."""
        reply = self.server.simulator.next_models_reply()
        if reply is not None and reply.is_error:
            self.send_error_body(reply.status, message=reply.message, headers=reply.headers)
            return
        model = lookup_model(name)
        if model is None or withdrawn(name):
            self.send_error_body(404, message=f"Model '{name}' not found")
            return
        self.send(200, dumps(card_payload(model, self.query_pairs)).encode(), JSON_TYPE)

    def _deprecations(self) -> None:
        payload, etag = feed_payload(self.query_pairs)
        self._send_tagged(dumps(payload).encode(), etag, {"Cache-Control": CACHE_CONTROL})

    def _metrics(self) -> None:
        status, payload = metrics_payload(self.query_pairs)
        if status != 200:
            self.send_error_body(status, message=str(payload))
            return
        self.send(200, dumps(payload).encode(), JSON_TYPE)

    def _billing(self, authorized: bool) -> None:
        """The balance; the key is needed (this route never accepts a keyless call)."""
        if not authorized:
            self.send_auth_error()
            return
        balance = {"current_balance": self.server.simulator.balance, "currency": "USD"}
        self.send(200, dumps(balance).encode(), JSON_TYPE)

    def _chat(self, body: Any, authorized: bool) -> None:
        simulator = self.server.simulator
        profile = simulator.profile
        shape = profile.error_body
        if not (authorized or simulator.keyless):
            self.send_auth_error()
            return
        if body is _INVALID_JSON:
            message = "Body validation error: Invalid JSON in request body"
            self.send_error_body(400, shape=shape, message=message)
            return
        model_name = body.get("model") if isinstance(body, dict) else None
        if isinstance(model_name, str) and withdrawn(model_name):
            gone = withdrawn(model_name)
            message = f"Model '{model_name}' has been withdrawn on {gone['shutdown_at']}."
            self.send_error_body(404, shape=shape, message=message, model=model_name)
            return
        unknown = isinstance(model_name, str) and not _is_chat_model(model_name)
        if unknown and profile.unknown_model_status is not None:
            message = profile.unknown_model_message.format(model=model_name)
            status = profile.unknown_model_status
            self.send_error_body(status, shape=shape, message=message, model=model_name)
            return
        problem = validation_error(body) or _dialect_error(body)
        if problem:
            self.send_error_body(400, shape=shape, message=problem, model=model_name or "")
            return
        if simulator.out_of_credits:
            self.send_error_body(403)
            return
        wait = simulator.pacing.admit(self.received)
        if wait is not None:
            message = "Rate limit exceeded: too many requests, slow down"
            self.send_error_body(
                429, shape=shape, message=message, headers=retry_after_headers(wait)
            )
            return
        if self.wait(simulator.pacing.latency):
            self.abort()
            return
        reply = profile.resolve(simulator.next_reply(body), body)
        if self.wait(reply.first_byte_delay):
            self.abort()
            return
        if reply.is_error:
            self.send_error_body(
                reply.status,
                shape=reply.error_body,
                message=reply.message,
                headers=reply.headers,
                model=body["model"],
            )
            return
        answer = build_answer(reply, body, find_model(body["model"]))
        completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        created = int(time.time())
        if body.get("stream"):
            completions.send_stream(
                self, answer, reply, completion_id=completion_id, created=created
            )
        else:
            completions.send_completion(
                self, answer, reply, completion_id=completion_id, created=created
            )


def _dialect_error(body: dict[str, Any]) -> str | None:
    """What the model's own upstream refuses (Gemini: tool calls without their signature)."""
    model = find_model(body["model"])
    if model is not None and model.dialect == "gemini":
        return gemini.missing_signature(body)
    return None


def _is_chat_model(name: str) -> bool:
    model = find_model(name)
    return model is not None and model.is_chat
