"""The other endpoints: embeddings, images, speech, transcription and video, plus `/files/`
(the stand-in for the service's CDN, where `url` results point).

Every endpoint but `/files/` goes through one gate, the same checks chat gets: the key, valid
JSON, credits, the rate limit (429 with Retry-After), the latency, and faults scripted with
`simulator.media.script(Reply.error(...), path=...)`. Transcriptions and videos are jobs on
the simulator's clock: a video waits `VideoPlan.queued` seconds, generates for
`VideoPlan.generating`, then completes, fails (`outcome="error"`) or never ends ("stall").
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import mediafiles
from .catalogue import find_model
from .embeddings import tokens, vector
from .media_catalogue import CREDITS_PER_USD, charge
from .ratelimit import retry_after_headers
from .replies import Reply
from .wire import dumps

if TYPE_CHECKING:
    from .handler import SimulatorHandler

FILES = "/files/"
STT_JOB = "/v1/stt/"
VIDEO_PATH = "/v2/video/generations"
OUTCOMES = ("completed", "error", "stall")
JSON = "application/json; charset=utf-8"


@dataclass(frozen=True)
class VideoPlan:
    """How the next video job goes: seconds queued, seconds generating, then its outcome."""

    queued: float = 0.1
    generating: float = 0.2
    outcome: str = "completed"
    message: str = "The provider could not generate this video"

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"VideoPlan.outcome must be one of {', '.join(OUTCOMES)}")


@dataclass
class _Job:
    id: str
    kind: str  # "stt" or "video"
    model: str
    started: float
    plan: VideoPlan
    result: dict[str, Any]  # what a completed job reports
    credits: float

    def status(self, now: float) -> str:
        elapsed = now - self.started
        if elapsed < self.plan.queued:
            return "queued"
        if self.plan.outcome == "stall" or elapsed < self.plan.queued + self.plan.generating:
            return "generating"
        return self.plan.outcome


class MediaSim:
    """State of the media endpoints, shared by handler threads (one lock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._faults: deque[list[Any]] = deque()  # [reply, path, method, remaining]
            self._plans: deque[VideoPlan] = deque()
            self._files: dict[str, tuple[bytes, str]] = {}
            self._jobs: dict[str, _Job] = {}
            self._heard: dict[str, str] = {}  # sha256 of audio this simulator spoke -> text
            self.stt_plan = VideoPlan(queued=0.05, generating=0.1)

    def script(self, *replies: Reply, path: str | None = None, method: str | None = None) -> None:
        """Queue error replies for media requests: those to `path` (None: any media
        endpoint) with `method` (None: any), such as `method="GET"` for every poll."""
        for reply in replies:
            if not isinstance(reply, Reply) or not reply.is_error:
                raise TypeError("media faults are error replies: Reply.error(status, ...)")
        with self._lock:
            self._faults.extend([reply, path, method, reply.times] for reply in replies)

    def plan_video(self, *plans: VideoPlan) -> None:
        """How the next video jobs go, one plan each (then the default plan)."""
        with self._lock:
            self._plans.extend(plans)

    @property
    def jobs(self) -> dict[str, str]:
        """Job id -> status now (for tests)."""
        now = time.monotonic()
        with self._lock:
            return {job_id: job.status(now) for job_id, job in self._jobs.items()}

    # -- used by the routes ------------------------------------------------------------------

    def next_fault(self, path: str, method: str) -> Reply | None:
        with self._lock:
            for entry in self._faults:
                if entry[1] in (None, path) and entry[2] in (None, method):
                    entry[3] -= 1
                    if entry[3] <= 0:
                        self._faults.remove(entry)
                    return entry[0]
        return None

    def store(self, data: bytes, mime: str, ext: str) -> str:
        name = hashlib.sha256(data).hexdigest()[:32] + ext
        with self._lock:
            self._files[name] = (data, mime)
        return name

    def file(self, name: str) -> tuple[bytes, str] | None:
        with self._lock:
            return self._files.get(name)

    def heard(self, data: bytes, text: str | None = None) -> str | None:
        digest = hashlib.sha256(data).hexdigest()
        with self._lock:
            if text is not None:
                self._heard[digest] = text
            return self._heard.get(digest)

    def add_job(self, kind: str, model: str, result: dict, credits: float) -> _Job:
        with self._lock:
            plan = self.stt_plan if kind == "stt" else (self._plans or [VideoPlan()])[0]
            if kind == "video" and self._plans:
                self._plans.popleft()
            job = _Job(uuid.uuid4().hex, kind, model, time.monotonic(), plan, result, credits)
            self._jobs[job.id] = job
            return job

    def job(self, job_id: str, kind: str) -> _Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
        return job if job is not None and job.kind == kind else None


# -- routing -----------------------------------------------------------------------------------


def route(handler: SimulatorHandler, query: dict[str, str], body: Any, authorized: bool) -> bool:
    """Answer a media request; False when the path is not one of these endpoints."""
    path, method = handler.route_path, handler.command
    if method == "GET" and path.startswith(FILES):
        _serve_file(handler, path[len(FILES) :])
        return True
    endpoint = _ENDPOINTS.get((method, path))
    if endpoint is None and method == "GET" and path.startswith(STT_JOB):
        endpoint = _stt_poll
    if endpoint is None:
        return False
    if _gate(handler, body, authorized):
        endpoint(handler, query, body)
    return True


def _gate(handler: SimulatorHandler, body: Any, authorized: bool) -> bool:
    """The checks every request gets before its answer; False when one answered already."""
    simulator = handler.server.simulator
    if not (authorized or simulator.keyless):
        handler.send_auth_error()
        return False
    if handler.command == "POST" and not isinstance(body, dict) and not _multipart(handler):
        handler.send_error_body(400, message="Body validation error: a JSON object is required")
        return False
    if simulator.out_of_credits:
        handler.send_error_body(403)
        return False
    wait = simulator.pacing.admit(handler.received)
    if wait is not None:
        message = "Rate limit exceeded: too many requests, slow down"
        handler.send_error_body(429, message=message, headers=retry_after_headers(wait))
        return False
    if handler.wait(simulator.pacing.latency):
        handler.abort()
        return False
    fault = simulator.media.next_fault(handler.route_path, handler.command)
    if fault is not None:
        if handler.wait(fault.first_byte_delay):
            handler.abort()
            return False
        handler.send_error_body(fault.status, message=fault.message, headers=fault.headers)
        return False
    return True


def _multipart(handler: SimulatorHandler) -> bool:
    return "multipart/form-data" in handler.headers.get("Content-Type", "")


def _model(handler: SimulatorHandler, body: dict, kind: str) -> Any:
    """The catalogue entry of `body["model"]` when it is a `kind` model; else answers 400."""
    name = body.get("model")
    model = find_model(name) if isinstance(name, str) else None
    if model is None or model.entry["type"] != kind:
        message = f"Body validation error: {name!r} is not a {kind} model"
        handler.send_error_body(400, message=message, model=str(name or ""))
        return None
    return model


def _meta(credits: float) -> dict[str, Any]:
    return {"usage": {"credits_used": credits, "usd_spent": round(credits / CREDITS_PER_USD, 9)}}


def _send_json(handler: SimulatorHandler, data: Any, status: int = 200) -> None:
    handler.send(status, dumps(data).encode(), JSON)


def _file_url(handler: SimulatorHandler, name: str) -> str:
    return f"{handler.server.simulator.root_url}{FILES}{name}"


def _serve_file(handler: SimulatorHandler, name: str) -> None:
    found = handler.server.simulator.media.file(name)
    if found is None:
        handler.send_error_body(404, message=f"No file {name}")
        return
    handler.send(200, found[0], found[1])


# -- endpoints ---------------------------------------------------------------------------------


def _embeddings(handler: SimulatorHandler, query: dict, body: dict) -> None:
    model = _model(handler, body, "embedding")
    if model is None:
        return
    texts = body.get("input")
    texts = [texts] if isinstance(texts, str) else texts
    if not (isinstance(texts, list) and texts and all(isinstance(t, str) for t in texts)):
        handler.send_error_body(400, message="Body validation error: input must be text(s)")
        return
    full = int(model.entry["info"]["dimensions"])
    dimensions = body.get("dimensions", full)
    if not (isinstance(dimensions, int) and 1 <= dimensions <= full):
        message = f"Body validation error: dimensions must be an integer from 1 to {full}"
        handler.send_error_body(400, message=message)
        return
    used = sum(tokens(t) for t in texts)
    credits = charge(model.extras["pricing"], {"token": used}, {})
    data = [
        {"object": "embedding", "index": i, "embedding": vector(t, dimensions)}
        for i, t in enumerate(texts)
    ]
    usage = {"prompt_tokens": used, "total_tokens": used}
    _send_json(
        handler,
        {
            "object": "list",
            "data": data,
            "model": model.upstream,
            "usage": usage,
            "meta": _meta(credits),
        },
    )


def _images(handler: SimulatorHandler, query: dict, body: dict) -> None:
    model = _model(handler, body, "image")
    if model is None:
        return
    size, n = str(body.get("size") or "1024x1024"), body.get("n", 1)
    width, _, height = size.partition("x")
    if not (width.isdigit() and height.isdigit() and isinstance(n, int) and 1 <= n <= 4):
        handler.send_error_body(400, message="Body validation error: size is WxH, n 1 to 4")
        return
    w, h = int(width), int(height)
    amounts = {"image": n, "megapixel": n * w * h / 1_000_000}
    credits = charge(model.extras["pricing"], amounts, {"size": size})
    as_b64 = body.get("response_format") == "b64_json"
    media = handler.server.simulator.media
    data = []
    for index in range(n):
        png = mediafiles.png(
            f"{body.get('prompt')}|{size}|{index}", max(1, w // 64), max(1, h // 64)
        )
        if as_b64:
            data.append({"b64_json": base64.b64encode(png).decode()})
        else:
            data.append({"url": _file_url(handler, media.store(png, "image/png", ".png"))})
    _send_json(handler, {"created": int(time.time()), "data": data, "meta": _meta(credits)})


def _tts(handler: SimulatorHandler, query: dict, body: dict) -> None:
    model = _model(handler, body, "tts")
    if model is None:
        return
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        handler.send_error_body(400, message="Body validation error: text is required")
        return
    audio = mediafiles.wav(f"{text}|{body.get('voice')}", seconds=min(2.0, 0.1 + len(text) / 60))
    media = handler.server.simulator.media
    media.heard(audio, text)
    if body.get("response_format") == "wav":  # raw bytes: the service sends no cost then
        handler.send(200, audio, "audio/wav")
        return
    credits = charge(model.extras["pricing"], {"character": len(text)}, {})
    url = _file_url(handler, media.store(audio, "audio/wav", ".wav"))
    _send_json(handler, {"audio": url, "meta": _meta(credits)})


def _stt_create(handler: SimulatorHandler, query: dict, body: Any) -> None:
    form = _form(handler) if _multipart(handler) else dict(body)
    model = _model(handler, form, "stt")
    if model is None:
        return
    media = handler.server.simulator.media
    audio = form.get("file")
    url = form.get("url")
    if audio is None and isinstance(url, str) and FILES in url:
        audio = (media.file(url.rsplit("/", 1)[-1]) or (None, ""))[0]
    if not isinstance(audio, bytes):
        message = "Body validation error: give url (an audio file) or file"
        handler.send_error_body(400, message=message)
        return
    text = media.heard(audio) or f"(simulated transcript of {len(audio)} bytes of audio)"
    seconds = mediafiles.wav_seconds(audio)
    credits = charge(model.extras["pricing"], {"second": seconds}, {})
    job = media.add_job("stt", model.id, {"output": {"text": text}}, credits)
    _send_json(handler, {"generation_id": job.id})


def _form(handler: SimulatorHandler) -> dict[str, Any]:
    """A multipart body's fields: files as bytes, the rest as text."""
    head = f"Content-Type: {handler.headers.get('Content-Type')}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + handler.raw_body)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        fields[name] = payload if part.get_filename() else payload.decode("utf-8", "replace")
    return fields


def _stt_poll(handler: SimulatorHandler, query: dict, body: Any) -> None:
    job = handler.server.simulator.media.job(handler.route_path[len(STT_JOB) :], "stt")
    if job is None:
        handler.send_error_body(404, message="No such transcription")
        return
    status = job.status(time.monotonic())
    data: dict[str, Any] = {"id": job.id, "status": status}
    if status == "completed":
        data.update(job.result, meta=_meta(job.credits))
    _send_json(handler, data)


def _video_create(handler: SimulatorHandler, query: dict, body: dict) -> None:
    model = _model(handler, body, "video")
    if model is None:
        return
    resolution = str(body.get("resolution") or "720p")
    duration = body.get("duration", 5)
    if not (isinstance(duration, int) and 1 <= duration <= 20):
        handler.send_error_body(400, message="Body validation error: duration is 1 to 20 s")
        return
    media = handler.server.simulator.media
    video = mediafiles.mp4(f"{body.get('prompt')}|{resolution}|{duration}")
    credits = charge(model.extras["pricing"], {"second": duration}, {"resolution": resolution})
    url = _file_url(handler, media.store(video, "video/mp4", ".mp4"))
    job = media.add_job("video", model.id, {"video": {"url": url}}, credits)
    handler.inference_id = job.id  # the submit's id is its x-inference-id
    _send_json(handler, {"id": job.id, "status": "queued"})


def _video_poll(handler: SimulatorHandler, query: dict, body: Any) -> None:
    job = handler.server.simulator.media.job(query.get("generation_id", ""), "video")
    if job is None:
        handler.send_error_body(404, message="No such generation")
        return
    status = job.status(time.monotonic())
    data: dict[str, Any] = {"id": job.id, "status": status}
    if status == "completed":
        data.update(job.result, meta=_meta(job.credits))
    elif status == "error":
        data["error"] = {"name": "GenerationError", "message": job.plan.message}
    _send_json(handler, data)


_ENDPOINTS = {
    ("POST", "/v1/embeddings"): _embeddings,
    ("POST", "/v1/images/generations"): _images,
    ("POST", "/v1/tts"): _tts,
    ("POST", "/v1/stt/create"): _stt_create,
    ("POST", VIDEO_PATH): _video_create,
    ("GET", VIDEO_PATH): _video_poll,
}
