"""The recording file: JSON Lines, appended under an exclusive lock, shared between kernels.

Lines are appended under an exclusive lock; a replacement goes to a new file that is renamed
over the old one (the file is never rewritten in place), and a damaged line is skipped with one
warning. Each kernel rereads the file when another one changed it.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .key import describe_differences
from .records import Recording


class ReplayStore:
    """The recordings of one file, reread when another kernel changed it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._records: dict[str, Recording] = {}
        self._order: list[Recording] = []
        self._signature: tuple[int, int, int] | None = None
        self.damaged: list[int] = []  # line numbers skipped at the last read
        self._warned = 0
        self._lock = threading.RLock()  # batch workers and comparison columns read and add at once

    def recordings(self) -> dict[str, Recording]:
        """Key -> the newest recording of that request."""
        with self._lock:
            return self._current()

    def _current(self) -> dict[str, Recording]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._records, self._order, self.damaged, self._signature = {}, [], [], None
            return self._records
        signature = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if signature != self._signature:
            self._load()
            self._signature = signature
        return self._records

    def find(self, key: str) -> Recording | None:
        return self.recordings().get(key)

    def take_warning(self) -> str | None:
        """One warning for damaged lines (again only when more turn up)."""
        with self._lock:
            return self._warning()

    def _warning(self) -> str | None:
        if len(self.damaged) <= self._warned:
            return None
        self._warned = len(self.damaged)
        lines = ", ".join(str(n) for n in self.damaged[:5]) + ("…" if len(self.damaged) > 5 else "")
        return (
            f"⚠ skipped {len(self.damaged)} damaged line(s) of {self.path.name} (line {lines}); "
            "the other recordings are used"
        )

    def add(self, recording: Recording, *, replace: bool) -> None:
        """Append a recording; with `replace`, older recordings of the same request go, by
        writing a new file and renaming it over the old one (never rewritten in place)."""
        line = recording.line()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, _locked(self.path) as fd:
            if replace and self._file_has_key(fd, recording.key):
                self._rewrite(fd, recording.key, line)
            else:
                os.write(fd, line.encode("utf-8"))
        self._signature = None  # reread: another kernel may have written too

    def closest(self, canonical: dict[str, Any]) -> tuple[Recording | None, list[str]]:
        """The recording most like `canonical`, and what differs from it."""
        best: tuple[int, int, Recording] | None = None
        for order, recording in enumerate(self._ordered()):
            differences = describe_differences(canonical, recording.request)
            score = (-len(differences), order)
            if best is None or score > best[:2]:
                best = (*score, recording)
        if best is None:
            return None, []
        return best[2], describe_differences(canonical, best[2].request)

    def _ordered(self) -> list[Recording]:
        self.recordings()
        return list(self._records.values())

    def _load(self) -> None:
        records: dict[str, Recording] = {}
        damaged = []
        try:
            text = self.path.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            text = ""
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                recording = Recording.parse(line)
            except (ValueError, TypeError, KeyError):
                damaged.append(number)
                continue
            records.pop(recording.key, None)
            records[recording.key] = recording  # the newest line wins
        self._records, self.damaged = records, damaged

    @staticmethod
    def _file_has_key(fd: int, key: str) -> bool:
        return f'"key":"{key}"' in _read_all(fd)

    def _rewrite(self, fd: int, key: str, line: str) -> None:
        kept = []
        for old in _read_all(fd).splitlines(keepends=True):
            try:
                if Recording.parse(old).key == key:
                    continue
            except (ValueError, TypeError, KeyError):
                pass  # a damaged line is not ours to drop
            kept.append(old if old.endswith("\n") else old + "\n")
        kept.append(line)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.writelines(kept)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _read_all(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", errors="replace")


@contextmanager
def _locked(path: Path) -> Iterator[int]:
    """An exclusive lock on the file that `path` names now.

    A writer that replaced the file renamed a new one over it; whoever waited on the old
    file's lock sees that and locks the new file instead, so no appended line is lost.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; appends are still whole lines
        fcntl = None
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        if fcntl is None:
            break
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
        time.sleep(0.001)
    try:
        yield fd
    finally:
        os.close(fd)  # closing releases the lock
