"""`--image SRC`: files, https URLs and notebook variables as `image_url` message parts.

Local images travel as base64 data URIs; URLs are sent as they are (never downloaded, and
their thumbnail is a link, not the remote picture). matplotlib and PIL are used only when the
user already has them installed. Pure: no IPython here (an `IPython.display.Image` is read
by duck typing).
"""

from __future__ import annotations

import base64
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..api.errors import UsageError

MAX_BYTES = 20 * 1024 * 1024
DETAILS = ("low", "high", "auto")
THUMBNAIL_PIXELS = 160
RAW_THUMBNAIL_BYTES = 256 * 1024  # without PIL, images up to this size are their own thumbnail
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


@dataclass(frozen=True)
class Image:
    """One image of a cell: what the user named, and what is sent."""

    source: str
    url: str  # a data: URI or an https URL
    media_type: str | None = None  # None for URLs
    size: int | None = None  # bytes of the image itself (not of the base64 text)
    thumbnail: str | None = None  # a small data: URI for the output, when we could make one

    @property
    def remote(self) -> bool:
        return not self.url.startswith("data:")

    def part(self, detail: str | None = None) -> dict[str, Any]:
        image: dict[str, Any] = {"url": self.url}
        if detail:
            image["detail"] = detail
        return {"type": "image_url", "image_url": image}

    def label(self) -> str:
        if self.remote:
            return f"{self.source} (URL, sent as a link)"
        kind = (self.media_type or "image").split("/")[-1].upper()
        return f"{self.source} ({kind}, {format_size(self.size or 0)})"


def sniff(data: bytes) -> str | None:
    """The media type from the first bytes: PNG, JPEG, GIF or WebP; None otherwise."""
    for signature, media_type in _SIGNATURES:
        if data.startswith(signature):
            return media_type
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def format_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def load_all(sources: list[str], namespace: dict[str, Any]) -> list[Image]:
    """Every `--image` of a cell; the first bad one raises, so nothing is sent."""
    return [load(source, namespace) for source in sources]


def load(source: str, namespace: dict[str, Any]) -> Image:
    """One `--image SRC`: an https URL, a variable, or a file path."""
    text = source.strip()
    if not text:
        raise UsageError("--image needs a file path, an https:// URL or a variable name")
    lowered = text.lower()
    if lowered.startswith("https://"):
        return Image(source=text, url=text)
    if lowered.startswith(("http://", "ftp://", "file://", "data:")):
        raise UsageError(
            f"--image {text!r}: only https:// URLs are sent as links; for a local file give "
            "its path"
        )
    if text.isidentifier() and text in namespace:
        return from_value(text, namespace[text])
    path = Path(os.path.expanduser(text))
    if path.is_file():
        return from_file(text, path)
    if path.exists():
        raise UsageError(f"--image {text!r} is not a file")
    if text.isidentifier():
        raise UsageError(
            f"--image {text!r}: no variable or file of that name (run the cell that defines "
            "it, or give a path)"
        )
    raise UsageError(f"--image {text!r}: file not found")


def from_file(source: str, path: Path) -> Image:
    size = path.stat().st_size
    _check_size(source, size)
    with path.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    return from_bytes(source, data, what=f"the file {source!r}")


def from_bytes(source: str, data: bytes, what: str | None = None) -> Image:
    _check_size(source, len(data))
    media_type = sniff(data)
    if media_type is None:
        raise UsageError(
            f"--image {source!r}: {what or 'the data'} is not a PNG, JPEG, GIF or WebP image"
        )
    encoded = base64.b64encode(data).decode("ascii")
    return Image(
        source=source,
        url=f"data:{media_type};base64,{encoded}",
        media_type=media_type,
        size=len(data),
        thumbnail=make_thumbnail(data, media_type),
    )


def from_value(name: str, value: Any) -> Image:
    """A variable: matplotlib Figure, PIL image, IPython.display.Image, bytes or a path."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return from_bytes(name, bytes(value), what=f"the bytes in {name!r}")
    if isinstance(value, (str, os.PathLike)):
        loaded = load(os.fspath(value), {})
        return Image(name, loaded.url, loaded.media_type, loaded.size, loaded.thumbnail)
    module = type(value).__module__ or ""
    if module.startswith("matplotlib") and hasattr(value, "savefig"):
        buffer = io.BytesIO()
        value.savefig(buffer, format="png", bbox_inches="tight")
        return from_bytes(name, buffer.getvalue())
    if module.startswith("PIL") and hasattr(value, "save"):
        return from_bytes(name, _pil_png(value))
    if _is_display_image(value):
        data = getattr(value, "data", None)
        if isinstance(data, (bytes, bytearray)) and data:
            return from_bytes(name, bytes(data), what=f"the image in {name!r}")
        url = getattr(value, "url", None)
        if isinstance(url, str) and url.lower().startswith("https://"):
            return Image(source=name, url=url)
        raise UsageError(f"--image {name!r}: the IPython Image holds no data and no https URL")
    raise UsageError(
        f"--image {name!r} holds a {type(value).__name__}, not an image (use a matplotlib "
        "Figure, a PIL image, an IPython.display.Image, PNG/JPEG bytes, a path or a URL)"
    )


def _is_display_image(value: Any) -> bool:
    return any(
        cls.__name__ == "Image" and cls.__module__.startswith("IPython")
        for cls in type(value).__mro__
    )


def _pil_png(image: Any) -> bytes:
    if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
        image = image.convert("RGBA")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _check_size(source: str, size: int) -> None:
    if size > MAX_BYTES:
        raise UsageError(
            f"--image {source!r} is {format_size(size)}; images over "
            f"{format_size(MAX_BYTES)} are refused"
        )


def make_thumbnail(data: bytes, media_type: str) -> str | None:
    """A small PNG data URI (with PIL), the image itself when small, else None."""
    try:
        from PIL import Image as PILImage
    except ImportError:
        PILImage = None  # noqa: N806
    if PILImage is not None:
        try:
            with PILImage.open(io.BytesIO(data)) as picture:
                picture.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
                small = _pil_png(picture)
            return "data:image/png;base64," + base64.b64encode(small).decode("ascii")
        except Exception:  # a thumbnail is a nicety: never fail the cell over it
            pass
    if len(data) <= RAW_THUMBNAIL_BYTES:
        return f"data:{media_type};base64," + base64.b64encode(data).decode("ascii")
    return None


def user_content(text: str, images: list[Image], detail: str | None) -> Any:
    """The user message: plain text, or text followed by one `image_url` part per image."""
    if not images:
        return text
    return [{"type": "text", "text": text}, *(image.part(detail) for image in images)]
