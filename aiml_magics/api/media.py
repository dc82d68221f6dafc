"""Images, speech, transcription and video requests, as plain data.

Each call goes through the client's one request loop (`transfer.call_json` / `download`).
Generated files come back as bytes: a `url` result is downloaded (https, or http to this
machine; never with the key), a `b64_json` result decoded. Transcriptions and videos are
jobs: `start_*` returns the service's id, `poll_*` one look at its state; the waiting loop
lives with the caller (`chat/generate.py`), which owns interrupts and progress.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import errors
from .retry import RetryNotice
from .transfer import Cost, Download, call_json, download, json_of, service_url, sniff

if TYPE_CHECKING:
    from .client import AimlClient

IMAGES_PATH = "/v1/images/generations"
TTS_PATH = "/v1/tts"
STT_CREATE_PATH = "/v1/stt/create"
STT_PATH = "/v1/stt/"
VIDEO_PATH = "/v2/video/generations"
FINISHED = ("completed", "error")
Notify = Callable[[RetryNotice], None] | None


@dataclass
class Generated:
    """The files one request produced, what it cost, and the id to quote."""

    files: list[Download]
    cost: Cost = field(default_factory=Cost)
    inference_id: str | None = None


@dataclass(frozen=True)
class JobState:
    """One look at an asynchronous job (a transcription or a video)."""

    id: str
    status: str  # queued, generating, completed, error (or whatever else the service says)
    url: str | None = None  # a finished video's file
    text: str | None = None  # a finished transcription
    error: str | None = None
    cost: Cost = field(default_factory=Cost)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


def generate_images(
    client: AimlClient, prompt: str, model: str, *, on_retry: Notify = None, **params: Any
) -> Generated:
    """`POST /v1/images/generations`; `params` are request fields (size, n, quality, ...)."""
    body = {"model": model, "prompt": prompt, **{k: v for k, v in params.items() if v is not None}}
    payload, headers = call_json(client, "POST", IMAGES_PATH, body, on_retry=on_retry)
    items = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not items:
        raise _shape_error("no images", headers)
    files = [_image(client, item, headers, on_retry) for item in items]
    return Generated(files, Cost.of(payload, headers), headers.get("x-inference-id"))


def _image(client: AimlClient, item: Any, headers: Any, on_retry: Notify) -> Download:
    if isinstance(item, dict) and isinstance(item.get("b64_json"), str):
        try:
            data = base64.b64decode(item["b64_json"], validate=True)
        except (binascii.Error, ValueError):
            raise _shape_error("an image that is not base64", headers) from None
        return Download(data, sniff(data) or "image/png", "")
    if isinstance(item, dict) and isinstance(item.get("url"), str):
        return download(client, item["url"], on_retry=on_retry)
    raise _shape_error("an image without url or b64_json", headers)


def speak(
    client: AimlClient, text: str, model: str, *, on_retry: Notify = None, **params: Any
) -> Generated:
    """`POST /v1/tts`: audio bytes (sent as is, or as `{"audio": url}` to download)."""
    body = {"model": model, "text": text, **{k: v for k, v in params.items() if v is not None}}
    response = client._request(
        "POST",
        service_url(client.base_url, TTS_PATH),
        headers={"Content-Type": "application/json"},
        data=_json_bytes(body),
        on_retry=on_retry,
    )
    headers = response.headers
    kind = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if kind.startswith("audio/") or kind == "application/octet-stream":
        data = response.content
        audio = Download(data, sniff(data) or kind, "")
        return Generated([audio], Cost.of(None, headers), headers.get("x-inference-id"))
    payload = json_of(response)
    url = payload.get("audio") if isinstance(payload, dict) else None
    url = url.get("url") if isinstance(url, dict) else url
    if not isinstance(url, str):
        raise _shape_error("no audio", headers)
    audio = download(client, url, on_retry=on_retry)
    return Generated([audio], Cost.of(payload, headers), headers.get("x-inference-id"))


def start_transcription(
    client: AimlClient,
    model: str,
    *,
    url: str | None = None,
    audio: bytes | None = None,
    filename: str = "audio",
    on_retry: Notify = None,
    **params: Any,
) -> str:
    """`POST /v1/stt/create` with a URL (JSON) or the file's bytes (multipart): the job id."""
    fields = {k: v for k, v in params.items() if v is not None}
    if audio is not None:
        payload, headers = call_json(
            client,
            "POST",
            STT_CREATE_PATH,
            data={"model": model, **{k: str(v) for k, v in fields.items()}},
            files={"file": (filename, audio, sniff(audio) or "application/octet-stream")},
            on_retry=on_retry,
        )
    else:
        body = {"model": model, "url": url, **fields}
        payload, headers = call_json(client, "POST", STT_CREATE_PATH, body, on_retry=on_retry)
    job_id = (
        payload.get("generation_id") or payload.get("id") if isinstance(payload, dict) else None
    )
    if not isinstance(job_id, str) or not job_id:
        raise _shape_error("no generation_id", headers)
    return job_id


def poll_transcription(client: AimlClient, job_id: str, *, on_retry: Notify = None) -> JobState:
    """`GET /v1/stt/{id}`: its status and, once completed, the text."""
    payload, headers = call_json(client, "GET", STT_PATH + job_id, on_retry=on_retry)
    state = _state(payload, job_id)
    if state.status == "completed":
        text = transcript_of(payload)
        if text is None:
            raise _shape_error("a finished transcription without text", headers)
        return JobState(job_id, state.status, text=text, cost=Cost.of(payload, headers))
    return state


def transcript_of(payload: Any) -> str | None:
    """The text of a finished transcription, in the shapes providers answer with."""
    for holder in (payload.get("output"), payload.get("result"), payload):
        if isinstance(holder, str):
            return holder
        if not isinstance(holder, dict):
            continue
        if isinstance(holder.get("text"), str):
            return holder["text"]
        channels = (holder.get("results") or {}).get("channels")
        if isinstance(channels, list) and channels:
            alternatives = channels[0].get("alternatives") or [{}]
            if isinstance(alternatives[0].get("transcript"), str):
                return alternatives[0]["transcript"]
    return None


def start_video(
    client: AimlClient, prompt: str, model: str, *, on_retry: Notify = None, **params: Any
) -> JobState:
    """`POST /v2/video/generations`: the job as first reported (its id and status)."""
    body = {"model": model, "prompt": prompt, **{k: v for k, v in params.items() if v is not None}}
    payload, headers = call_json(client, "POST", VIDEO_PATH, body, on_retry=on_retry)
    job_id = (
        payload.get("id") or payload.get("generation_id") if isinstance(payload, dict) else None
    )
    if not isinstance(job_id, str) or not job_id:
        raise _shape_error("no generation id", headers)
    return _state(payload, job_id)


def poll_video(client: AimlClient, job_id: str, *, on_retry: Notify = None) -> JobState:
    """`GET /v2/video/generations?generation_id=...`: status, and the URL once completed."""
    payload, headers = call_json(
        client, "GET", VIDEO_PATH, params={"generation_id": job_id}, on_retry=on_retry
    )
    state = _state(payload, job_id)
    if state.status != "completed":
        return state
    video = payload.get("video")
    url = video.get("url") if isinstance(video, dict) else video
    if not isinstance(url, str):
        raise _shape_error("a completed video without its URL", headers)
    return JobState(job_id, "completed", url=url, cost=Cost.of(payload, headers))


def _state(payload: Any, job_id: str) -> JobState:
    if not isinstance(payload, dict):
        raise _shape_error("a job that is not a JSON object", {})
    status = str(payload.get("status") or "queued").lower()
    error = payload.get("error")
    if isinstance(error, dict):
        error = ": ".join(str(error[k]) for k in ("name", "message") if error.get(k))
    if status in ("failed", "error") or (error and status not in ("completed",)):
        return JobState(job_id, "error", error=str(error or "the service gave no reason"))
    return JobState(job_id, status)


def _json_bytes(body: dict[str, Any]) -> bytes:
    import json

    return json.dumps(body).encode("utf-8")


def _shape_error(what: str, headers: Any) -> errors.ServerError:
    return errors.ServerError(
        f"The service answered with {what}.", inference_id=(headers or {}).get("x-inference-id")
    )
