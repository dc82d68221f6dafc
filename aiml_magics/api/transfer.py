"""JSON calls to the service's other endpoints (images, speech, video, embeddings), and
downloads of the files they point to.

Every call goes through the client's one request loop (`AimlClient._request`): the key, the
https-or-loopback rule, retries and the shared Retry-After pause. Bodies go as bytes, not
`json=`, because the loop reads a `json=` body's model to suggest chat models on a 400,
which would mislead for an image or video model.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import errors
from .endpoint import is_loopback
from .retry import RetryNotice

if TYPE_CHECKING:
    from .client import AimlClient

MAX_DOWNLOAD = 512 * 1024 * 1024  # a generated video is tens of MB; refuse anything absurd
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"RIFF", "audio/wav"),  # WebP is RIFF too: told apart below
    (b"ID3", "audio/mpeg"),
    (b"\xff\xfb", "audio/mpeg"),
    (b"OggS", "audio/ogg"),
    (b"fLaC", "audio/flac"),
)


@dataclass(frozen=True)
class Cost:
    """What the service said a request cost (None when it did not say)."""

    credits_used: float | None = None
    usd_spent: float | None = None

    @classmethod
    def of(cls, payload: Any, headers: Any = None) -> Cost:
        """From `meta.usage` in a JSON body, else the `x-aimlapi-*` headers."""
        meta = payload.get("meta") if isinstance(payload, dict) else None
        usage = meta.get("usage") if isinstance(meta, dict) else None
        usage = usage if isinstance(usage, dict) else {}
        headers = headers or {}
        return cls(
            _number(usage.get("credits_used", headers.get("x-aimlapi-credits-used"))),
            _number(usage.get("usd_spent", headers.get("x-aimlapi-usd-spent"))),
        )


@dataclass(frozen=True)
class Download:
    """A file fetched from a result's URL: its bytes and media type."""

    data: bytes
    mime: str
    url: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _number(value: Any) -> float | None:
    try:
        return None if value is None or isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        return None


def service_url(base_url: str, path: str) -> str:
    """`/v1/...` and `/v2/...` paths against a base URL that ends in `/v1` (the service's)."""
    base = base_url.rstrip("/")
    root = base[: -len("/v1")] if base.endswith("/v1") else base
    if not base.endswith("/v1") and path.startswith("/v1/"):
        return base + path[len("/v1") :]
    return root + path


def call_json(
    client: AimlClient,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    *,
    params: dict[str, str] | None = None,
    on_retry: Callable[[RetryNotice], None] | None = None,
    **kwargs: Any,
) -> tuple[Any, Any]:
    """One request through the client's loop; the parsed JSON body and the response headers."""
    headers = {}
    if body is not None:
        kwargs["data"] = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json"
    response = client._request(
        method,
        service_url(client.base_url, path),
        headers=headers,
        params=params,
        on_retry=on_retry,
        **kwargs,
    )
    return json_of(response), response.headers


def json_of(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        raise errors.ServerError(
            "The service sent a response that is not valid JSON.",
            status=response.status_code,
            inference_id=response.headers.get("x-inference-id"),
        ) from None


def check_download_url(url: str) -> None:
    """Only https (or plain http to this machine) is fetched: a result's URL is untrusted."""
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname)):
        return
    raise errors.BadRequestError(
        f"The service pointed to {parts.scheme or 'a'}:// URL, which is not fetched "
        "(https only, or http to this machine)."
    )


def download(
    client: AimlClient,
    url: str,
    *,
    limit: int = MAX_DOWNLOAD,
    on_retry: Callable[[RetryNotice], None] | None = None,
) -> Download:
    """Fetch a result's file through the client's loop, without the key (another host)."""
    check_download_url(url)
    response = client._request("GET", url, authorize=False, stream=True, on_retry=on_retry)
    parts, size = [], 0
    try:
        for piece in response.iter_content(chunk_size=1 << 16):
            size += len(piece)
            if size > limit:
                raise errors.BadRequestError(
                    f"The file at {urlsplit(url).netloc} is over {limit // 2**20} MB; not fetched."
                )
            parts.append(piece)
    finally:
        response.close()
    data = b"".join(parts)
    declared = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    return Download(data, sniff(data) or declared or "application/octet-stream", url)


def sniff(data: bytes) -> str | None:
    """The media type from the first bytes (images, audio, MP4); None when unknown."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        return "video/mp4"
    for signature, mime in _SIGNATURES:
        if data.startswith(signature):
            return mime
    return None
