"""The assets folder: generated files beside the notebook, named by the digest of their bytes.

`aiml-assets/` next to the notebook (or in the working directory when the notebook is not
known); a file is `<sha256><ext>`, so the same bytes are stored once and a recording can name
a file by its digest alone. Writes go to a temporary file renamed into place, so a reader
never sees half a file, and two kernels writing the same asset write the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..api import errors

FOLDER = "aiml-assets"
EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/mpeg": ".mp3",
    "audio/ogg": ".ogg",
    "audio/flac": ".flac",
    "audio/aac": ".aac",
    "video/mp4": ".mp4",
    "video/webm": ".webm",
}


@dataclass
class Asset:
    """One saved file: its digest, path and media type; bytes read on demand."""

    sha256: str
    path: Path
    mime: str
    size: int
    kind: str = ""  # image, speech, video
    meta: dict[str, Any] = field(default_factory=dict)  # model, prompt, source URL, ...
    _data: bytes | None = field(default=None, repr=False)

    @property
    def data(self) -> bytes:
        if self._data is None:
            self._data = self.path.read_bytes()
        return self._data

    @property
    def name(self) -> str:
        return self.path.name

    def __fspath__(self) -> str:
        """A path like any other: `--image`, `open()` and PIL take the asset itself."""
        return str(self.path)

    def image(self) -> Any:
        """A PIL image when Pillow is installed and this is an image; else None."""
        if not self.mime.startswith("image/"):
            return None
        try:
            from PIL import Image
        except ImportError:
            return None
        import io

        picture = Image.open(io.BytesIO(self.data))
        picture.load()
        return picture

    def describe(self) -> dict[str, Any]:
        """How a recording names this asset: never its bytes."""
        return {
            "sha256": self.sha256,
            "mime": self.mime,
            "bytes": self.size,
            "ext": self.path.suffix,
        }

    def __repr__(self) -> str:
        return f"Asset({self.kind or self.mime}, {self.size:,} bytes, {self.path})"


class AssetStore:
    """One assets folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def put(self, data: bytes, mime: str, kind: str = "", **meta: Any) -> Asset:
        """Save `data` under its digest (once) and describe it."""
        digest = hashlib.sha256(data).hexdigest()
        path = self.folder / (digest + EXTENSIONS.get(mime, ".bin"))
        if not (path.exists() and path.stat().st_size == len(data)):
            self._write(path, data)
        return Asset(digest, path, mime, len(data), kind, dict(meta), data)

    def find(self, sha256: str, ext: str, mime: str, kind: str = "", **meta: Any) -> Asset | None:
        """The saved file with this digest, checked; None when it is missing or changed."""
        path = self.folder / (sha256 + ext)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != sha256:
            return None
        return Asset(sha256, path, mime, len(data), kind, dict(meta), data)

    def _write(self, path: Path, data: bytes) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=self.folder)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.chmod(temporary, 0o644)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise errors.UsageError(
                f"could not save the generated file in {self.folder}: {exc.strerror or exc}",
                hint="Pass assets='a/writable/folder' to the function.",
            ) from None


def assets_folder(session: Any, explicit: str | os.PathLike | None = None) -> Path:
    """`aiml-assets/` beside the notebook's replay recording: beside the notebook when the
    kernel knows it, else in the working directory (or beside an explicit `replay_path`), so
    a recording and the files it names travel together."""
    if explicit:
        return Path(explicit).expanduser().absolute()
    from .replay import recording_path

    return recording_path(session.settings, session.namespace).parent / FOLDER
