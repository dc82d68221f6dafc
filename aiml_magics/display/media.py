"""Generated files in the notebook: images as `image/png`/`image/jpeg` bundles, an audio or
video player built by IPython from the bytes, and a job's progress line.

Nothing here is built from model text: the bundles carry the file's bytes and the package's
own words (kind, size, path). A format other than PNG or JPEG is converted to PNG when
Pillow is there, else shown as a line naming the saved file.
"""

from __future__ import annotations

import base64
import io
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from ..chat.assets import Asset
from ..chat.generate import Generation

SHOWN_IMAGES = ("image/png", "image/jpeg")
EMBED_VIDEO_BYTES = 10 * 1024 * 1024  # larger videos are shown from their file, not inlined
INTERVAL = 0.5


def label(asset: Asset) -> str:
    """`image · 1,234 bytes · aiml-assets/<digest>.png` (relative to the working directory,
    the notebook's, when the file is below it)."""
    return f"{asset.kind or asset.mime} · {asset.size:,} bytes · {shown_path(asset.path)}"


def shown_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def image_bundle(asset: Asset, provenance: dict | None = None) -> tuple[dict, dict]:
    """(data, metadata) of one image: its bytes as PNG or JPEG, and how it was made."""
    mime, data = asset.mime, asset.data
    if mime not in SHOWN_IMAGES:
        picture = asset.image()
        if picture is None:
            return {"text/plain": f"{label(asset)} (not shown: {mime})"}, {}
        out = io.BytesIO()
        picture.save(out, format="PNG")
        mime, data = "image/png", out.getvalue()
    bundle = {mime: base64.b64encode(data).decode("ascii"), "text/plain": label(asset)}
    metadata = {"aiml": provenance} if provenance else {}
    return bundle, metadata


def show_generation(generation: Generation) -> None:
    """Every file of a generation, each as its own output."""
    from IPython.display import display

    provenance = generation.provenance()
    for asset in generation.assets:
        if asset.mime.startswith("image/"):
            data, metadata = image_bundle(asset, provenance)
            display(data, raw=True, metadata=metadata)
        elif asset.mime.startswith("audio/"):
            display(audio_player(asset))
        elif asset.mime.startswith("video/"):
            display(video_player(asset))
        else:
            display({"text/plain": label(asset)}, raw=True)


def audio_player(asset: Asset) -> Any:
    from IPython.display import Audio

    return Audio(data=asset.data)


def video_player(asset: Asset) -> Any:
    """Inlined when small; larger videos play from the saved file (kept out of the notebook)."""
    from IPython.display import Video

    if asset.size <= EMBED_VIDEO_BYTES:
        return Video(data=asset.data, embed=True, mimetype=asset.mime)
    return Video(str(asset.path), mimetype=asset.mime)


def progress_line(kind: str, elapsed: float, status: str) -> str:
    """`video · generating · 12 s`"""
    return f"{kind} · {status} · {elapsed:.0f} s"


class JobProgress:
    """A job's progress as one display updated in place (or `\\r` lines on a terminal)."""

    def __init__(self, kind: str, stream: TextIO | None = None, interval: float = INTERVAL) -> None:
        self.kind, self.stream, self.interval = kind, stream, interval
        self._handle: Any = None
        self._last = float("-inf")
        self._width = 0

    def __call__(self, elapsed: float, status: str) -> None:
        now = time.monotonic()
        if now - self._last < self.interval and status not in ("completed", "error"):
            return
        self._last = now
        line = progress_line(self.kind, elapsed, status)
        if self.stream is not None:
            self.stream.write("\r" + line.ljust(self._width))
            self._width = max(self._width, len(line))
            if status in ("completed", "error"):
                self.stream.write("\n")
            self.stream.flush()
            return
        from IPython.display import display

        if self._handle is None:
            self._handle = display({"text/plain": line}, raw=True, display_id=True)
        else:
            self._handle.update({"text/plain": line}, raw=True)


def terminal_progress(kind: str) -> JobProgress:
    return JobProgress(kind, stream=sys.stderr)
