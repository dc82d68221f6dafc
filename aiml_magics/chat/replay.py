"""Record and replay answers, one request at a time (`AimlMagics.replay`).

A recording is keyed by what decides the answer: the canonical JSON of the model, the messages
(images by the digest of their bytes), the generation parameters, tools and response format.
Never the key, headers or timing. The file is JSON Lines beside the notebook; lines are
appended under an exclusive lock, replacements go to a new file that is renamed over the old
one, and a damaged line is skipped with one warning. `send._exchange` is the only caller, so
every sender (a cell, Regenerate, the tool loop, `%aiml fix`) replays request by request.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..api import errors
from ..api.result import ChatResult, ToolCall, Usage
from .settings import REPLAY_ENV_VAR, REPLAY_MODES

FORMAT = "aiml-replay"
VERSION = 1
TRANSPORT_FIELDS = frozenset({"stream", "stream_options"})  # how, not what, is answered
NOTEBOOK_ENV_VARS = ("AIML_NOTEBOOK", "JPY_SESSION_NAME")  # ours (pytest plugin), Jupyter's
SUFFIX = ".aiml.jsonl"


class ReplayMissError(errors.AimlError):
    title = "Not recorded"


class ReplayModeError(errors.AimlError):
    title = "Replay setting"


# -- the key -----------------------------------------------------------------------------------


def canonical_request(
    model: str, messages: list[dict[str, Any]], params: Mapping[str, Any]
) -> dict[str, Any]:
    """What decides the answer, in a form that is equal exactly when the request is."""
    return {
        "model": model,
        "messages": [_canonical_message(m) for m in messages],
        "params": {k: v for k, v in params.items() if k not in TRANSPORT_FIELDS},
    }


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def request_key(canonical: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(canonical).encode("utf-8")).hexdigest()


def _canonical_message(message: dict[str, Any]) -> dict[str, Any]:
    content = message.get("content")
    if not isinstance(content, list):
        return dict(message)
    return {**message, "content": [_canonical_part(part) for part in content]}


def _canonical_part(part: Any) -> Any:
    if not (isinstance(part, dict) and part.get("type") == "image_url"):
        return part
    image = dict(part.get("image_url") or {})
    summary = image_summary(str(image.pop("url", "")))
    return {**part, "image_url": {**image, **summary}}


def image_summary(url: str) -> dict[str, Any]:
    """A `data:` image as its media type, size and content digest; a URL stays a URL."""
    head, sep, data = url.partition(",")
    if not (sep and head.startswith("data:") and head.endswith(";base64")):
        return {"url": url}
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raw = data.encode("utf-8")
    return {
        "media_type": head[5:-7],
        "bytes": len(raw),
        "sha256": hashlib.sha256(raw).hexdigest(),
    }


# -- recordings --------------------------------------------------------------------------------


@dataclass
class Recording:
    """One recorded request and the answer it got, as stored on one line."""

    key: str
    request: dict[str, Any]
    answer: dict[str, Any]
    recorded: str
    cell: str = ""

    @classmethod
    def of(cls, canonical: dict[str, Any], result: ChatResult, cell: str = "") -> Recording:
        when = datetime.now(timezone.utc).isoformat(timespec="seconds")
        answer = {
            "text": result.text,
            "reasoning": result.reasoning,
            "tool_calls": [
                {"id": c.id, "name": c.name, "arguments": c.arguments} for c in result.tool_calls
            ],
            "usage": result.usage.as_dict() if result.usage else None,
            "credits_used": result.credits_used,
            "usd_spent": result.dollars,
            "model": result.model,
            "finish_reason": result.finish_reason,
            "inference_id": result.inference_id,
            "simulated": result.simulated,
            "params": dict(result.params),
        }
        return cls(request_key(canonical), canonical, answer, when, cell)

    def line(self) -> str:
        data = {
            "format": FORMAT,
            "version": VERSION,
            "key": self.key,
            "recorded": self.recorded,
            "cell": self.cell,
            "request": self.request,
            "answer": self.answer,
        }
        return canonical_json(data) + "\n"

    @classmethod
    def parse(cls, line: str) -> Recording:
        """ValueError for anything that is not a whole recording."""
        data = json.loads(line)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a recording")
        key, request, answer = data.get("key"), data.get("request"), data.get("answer")
        if not (isinstance(key, str) and isinstance(request, dict) and isinstance(answer, dict)):
            raise ValueError("a recording needs key, request and answer")
        if not isinstance(answer.get("text"), str):
            raise ValueError("a recording needs the answer's text")
        return cls(key, request, answer, str(data.get("recorded") or ""), str(data.get("cell", "")))

    @property
    def credits(self) -> float:
        return float(self.answer.get("credits_used") or 0.0)

    @property
    def dollars(self) -> float:
        return float(self.answer.get("usd_spent") or 0.0)

    @property
    def date(self) -> str:
        return self.recorded[:10]

    def result(self, requested_model: str) -> ChatResult:
        """The answer as it was shown, marked replayed: nothing was spent on it now."""
        a = self.answer
        usage = a.get("usage")
        calls = [
            ToolCall(str(c.get("id", "")), str(c.get("name", "")), str(c.get("arguments", "")))
            for c in a.get("tool_calls") or []
            if isinstance(c, dict)
        ]
        return ChatResult(
            text=a["text"],
            reasoning=str(a.get("reasoning") or ""),
            model=a.get("model"),
            requested_model=requested_model,
            finish_reason=a.get("finish_reason"),
            usage=Usage(**{k: int(v) for k, v in usage.items()})
            if isinstance(usage, dict)
            else None,
            inference_id=a.get("inference_id"),
            tool_calls=calls,
            simulated=bool(a.get("simulated")),
            params=dict(a.get("params") or {}),
            replayed=True,
            recorded=self.recorded,
            credits_saved=self.credits,
        )


# -- the file ----------------------------------------------------------------------------------


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


# -- what differs ------------------------------------------------------------------------------


def describe_differences(wanted: dict[str, Any], recorded: dict[str, Any]) -> list[str]:
    """Short phrases for how a request differs from a recorded one, most telling first."""
    found = []
    if wanted.get("model") != recorded.get("model"):
        found.append(f"the model ({wanted.get('model')} here, {recorded.get('model')} recorded)")
    mine, theirs = wanted.get("params") or {}, recorded.get("params") or {}
    for name in sorted(set(mine) | set(theirs)):
        if canonical_json(mine.get(name)) != canonical_json(theirs.get(name)):
            found.append(
                f"the parameter {name} ({_short(mine.get(name))} here, "
                f"{_short(theirs.get(name))} recorded)"
            )
    now, then = wanted.get("messages") or [], recorded.get("messages") or []
    if canonical_json(now[:-1]) != canonical_json(then[:-1]):
        found.append(
            f"the context ({len(now) - 1} earlier message(s) here, {len(then) - 1} recorded)"
        )
    if canonical_json(now[-1:]) != canonical_json(then[-1:]):
        found.append(
            "the prompt" if (now[-1:] or [{}])[0].get("role") == "user" else "the last message"
        )
    return found


def _short(value: Any) -> str:
    if value is None:
        return "unset"
    text = canonical_json(value)
    return text if len(text) <= 40 else text[:37] + "…"


def cell_label(user: Any) -> str:
    """How an error names a cell: the first line of what it asked."""
    if isinstance(user, list):
        user = " ".join(
            str(p.get("text", "")) for p in user if isinstance(p, dict) and p.get("type") == "text"
        )
    first = next((line.strip() for line in str(user).splitlines() if line.strip()), "")
    return first if len(first) <= 60 else first[:57] + "…"


def miss_error(store: ReplayStore, canonical: dict[str, Any], label: str) -> ReplayMissError:
    closest, differences = store.closest(canonical)
    where = f"the cell {label!r}" if label else "this cell"
    if closest is None:
        why = f"{_shown(store.path)} has no recordings"
    else:
        why = "it differs from the closest recording in " + _join(differences[:3] or ["nothing"])
    return ReplayMissError(
        f"{where} was not recorded ({why}); nothing was sent (AimlMagics.replay = 'only').",
        hint="Record it with %aiml replay auto (or record) and a key.",
    )


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# -- where and how -----------------------------------------------------------------------------


def notebook_path(
    namespace: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> Path | None:
    """The notebook this kernel runs, when it was told (Jupyter, or our pytest plugin)."""
    environ = os.environ if environ is None else environ
    candidates = [environ.get(var, "") for var in NOTEBOOK_ENV_VARS]
    candidates.append(str(namespace.get("__session__") or ""))
    for candidate in candidates:
        candidate = candidate.strip()
        if not candidate.endswith(".ipynb"):
            continue
        path = Path(candidate).expanduser()
        if not path.is_absolute() and not path.exists():
            path = Path(path.name)  # the server's path is relative to its root; the kernel
            # runs in the notebook's own directory
        return path.absolute()
    return None


def recording_path(settings: Any, namespace: Mapping[str, Any]) -> Path:
    """`NOTEBOOK.aiml.jsonl` beside the notebook; else (or when set explicitly) replay_path."""
    explicit = settings.resolve("replay_path")[1] != "default"
    notebook = None if explicit else notebook_path(namespace)
    if notebook is not None:
        return notebook.with_name(notebook.name[: -len(".ipynb")] + SUFFIX)
    return Path(settings.replay_path).expanduser().absolute()


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def shown_path(path: Path) -> str:
    """A recording file as users read it: relative to the working directory when inside."""
    return _shown(path)


def mode_of(settings: Any) -> tuple[str, str]:
    """The effective mode and where it came from; a bad AIML_REPLAY is one clear line."""
    value, source = settings.resolve("replay")
    mode = str(value).strip().lower()
    if mode not in REPLAY_MODES:
        raise ReplayModeError(
            f"{REPLAY_ENV_VAR}={value!r} is not a replay mode; use one of "
            f"{', '.join(REPLAY_MODES)}."
        )
    return mode, source


@dataclass
class Replay:
    """How one turn uses recordings: its mode, its file, and whether `--fresh` was given."""

    mode: str
    store: ReplayStore
    fresh: bool = False
    label: str = ""
    secret: str | None = field(default=None, repr=False)

    @property
    def answers(self) -> bool:
        """Whether a recorded request is answered from its recording."""
        return self.mode == "only" or (self.mode == "auto" and not self.fresh)

    @property
    def records(self) -> bool:
        return self.mode in ("auto", "record")

    def lookup(self, canonical: dict[str, Any]) -> Recording | None:
        """The recording that answers this request; in `only`, a miss is an error."""
        if not self.answers:
            return None
        found = self.store.find(request_key(canonical))
        if found is None and self.mode == "only":
            raise miss_error(self.store, canonical, self.label)
        return found

    def record(self, canonical: dict[str, Any], result: ChatResult, cell: str = "") -> None:
        recording = Recording.of(canonical, result, cell)
        if self.secret and self.secret in recording.line():
            return  # the key must never reach the file, even if a model echoed it back
        self.store.add(recording, replace=self.mode == "record" or self.fresh)
