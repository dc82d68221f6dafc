"""The model catalogue kept on disk, so TAB completion and prices work at once after a kernel
restart, and offline.

One JSON file per service (named by a digest of its URL) in the user's cache folder:
`AIML_CACHE_DIR` when set, else `$XDG_CACHE_HOME/aiml-magics` (`~/.cache/aiml-magics`), on
macOS `~/Library/Caches/aiml-magics`, on Windows `%LOCALAPPDATA%\\aiml-magics\\Cache`. It holds
the list's entries, its ETag and when it was saved: public data only, never the key.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

CACHE_ENV = "AIML_CACHE_DIR"
APP = "aiml-magics"
FORMAT = 1


def cache_folder() -> Path:
    """Where this user's caches go, the platform's way."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / APP / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / APP
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / APP


def public_url(url: str) -> str:
    """`url` without user, password, query or fragment: what may be written to disk."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


@dataclass
class CachedList:
    entries: list[dict[str, Any]]
    etag: str | None
    saved: float  # time.time() when the service last confirmed it


class CatalogueCache:
    """Reads and writes one service's cached model list; a broken file is ignored."""

    def __init__(self, base_url: str, folder: Path | None = None) -> None:
        self.url = public_url(base_url)
        self.folder = folder
        digest = hashlib.sha256(self.url.encode()).hexdigest()[:16]
        self.name = f"catalogue-{digest}.json"

    @property
    def path(self) -> Path:
        return (self.folder or cache_folder()) / self.name

    def load(self) -> CachedList | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        entries = data.get("entries")
        if data.get("url") != self.url or not isinstance(entries, list):
            return None
        etag = data.get("etag") if isinstance(data.get("etag"), str) else None
        saved = data.get("saved") if isinstance(data.get("saved"), (int, float)) else 0.0
        return CachedList([e for e in entries if isinstance(e, dict)], etag, float(saved))

    def save(self, entries: list[dict[str, Any]], etag: str | None) -> None:
        """Write atomically; a folder that cannot be written only costs the cache."""
        data = {"format": FORMAT, "url": self.url, "etag": etag, "saved": time.time()}
        data["entries"] = entries
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".catalogue-", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                json.dump(data, file, ensure_ascii=False)
            os.replace(tmp, self.path)
        except OSError:
            return
