"""Texts to vectors: batched, concurrent, deduplicated, cached, replayed and counted.

Identical texts are sent once. A text already embedded by this session (same model and
dimensions) is not sent again; with replay on, vectors are kept in the recording by text,
model and dimensions, so a rerun (or `AIML_REPLAY=only`) needs no network. Batches run on a
small thread pool under an `AdaptiveLimit` (halved by 429s, as a batch's rows are) through the
session's client, so the key, retries and the shared Retry-After pause are the ones chat uses.
Vectors are float32: what the service computes, and what the recording keeps exactly.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..api import errors
from ..api.embeddings import PATH, request_embeddings
from ..api.result import ChatResult, Usage
from ..api.retry import RetryNotice
from . import recorded
from .batching import AdaptiveLimit
from .budget import BudgetError, credits_text

if TYPE_CHECKING:
    import numpy as np

    from .session import Session

MAX_BATCH = 2048  # inputs per request the OpenAI shape allows
NUMPY_NEEDED = (
    "embeddings need numpy: install it with pip install 'aiml-magics[embeddings]' "
    "(or pip install numpy)"
)


@dataclass
class EmbedReport:
    """How an `embed` call went: texts, what was sent, reused and replayed, and its cost."""

    texts: int = 0
    unique: int = 0
    requests: int = 0
    sent: int = 0  # texts sent in those requests
    cached: int = 0  # texts this session had embedded already
    replayed: int = 0  # texts answered from the recording
    tokens: int = 0
    credits: float = 0.0
    warnings: list[str] = field(default_factory=list)


def numpy() -> Any:
    try:
        import numpy
    except ImportError:
        raise errors.UsageError(NUMPY_NEEDED) from None
    return numpy


def check_texts(texts: list[Any]) -> list[str]:
    """Every item must be text: a missing value (None, NaN) is named by its position."""
    for position, text in enumerate(texts):
        if not isinstance(text, str):
            raise errors.UsageError(
                f"item {position} is {type(text).__name__} {text!r}, not text; embed takes "
                "strings (fill or drop missing values first)"
            )
    return texts


def embed_texts(
    session: Session,
    texts: list[str],
    *,
    model: str,
    dimensions: int | None = None,
    batch_size: int = 256,
    concurrency: int = 4,
    fresh: bool = False,
) -> tuple[np.ndarray, EmbedReport]:
    """One float32 row per text, in order; the report says what was sent and what it cost."""
    np = numpy()
    if not 1 <= batch_size <= MAX_BATCH:
        raise errors.UsageError(f"batch_size must be 1 to {MAX_BATCH}, got {batch_size}")
    if dimensions is not None and (not isinstance(dimensions, int) or dimensions < 1):
        raise errors.UsageError(f"dimensions must be a whole number >= 1, got {dimensions!r}")
    if concurrency < 1:
        raise errors.UsageError(f"concurrency must be at least 1, got {concurrency}")
    check_texts(texts)
    run = _EmbedRun(session, model, dimensions, fresh)
    run.report.texts = len(texts)
    unique = list(dict.fromkeys(texts))
    run.report.unique = len(unique)
    pending = run.reuse(unique)
    if pending:
        run.send(pending, batch_size, concurrency)
    if not texts:
        return np.zeros((0, dimensions or 0), dtype=np.float32), run.report
    return np.stack([run.vectors[t] for t in texts]), run.report


class _EmbedRun:
    def __init__(self, session: Session, model: str, dimensions: int | None, fresh: bool) -> None:
        self.session, self.model, self.dimensions = session, model, dimensions
        self.fresh = fresh
        self.replay = recorded.replay_for(session, fresh=fresh)
        self.report = EmbedReport()
        self.vectors: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _key(self, text: str) -> tuple[str, str, int | None]:
        return (text, self.model, self.dimensions)

    def _request(self, text: str) -> dict[str, Any]:
        return recorded.canonical(PATH, self.model, text, {"dimensions": self.dimensions})

    def reuse(self, unique: list[str]) -> list[str]:
        """Vectors this session or the recording has; the texts still to send."""
        np, cache, pending = numpy(), self.session.media.vectors, []
        for text in unique:
            kept = None if self.fresh else cache.get(self._key(text))
            if kept is not None:
                self.vectors[text] = kept
                self.report.cached += 1
                continue
            answer = recorded.find(self.replay, self._request(text))
            vector = _decode(np, answer.get("embedding_f32")) if answer else None
            if vector is None:
                pending.append(text)
                continue
            self.vectors[text] = cache[self._key(text)] = vector
            self.report.replayed += 1
            saved = float(answer.get("credits_used") or 0.0)
            self.session.record_saved(
                self.model, ChatResult(usage=_usage(answer.get("tokens")), credits_saved=saved)
            )
        warning = self.replay.store.take_warning() if self.replay is not None else None
        if warning:
            self.report.warnings.append(warning)
        return pending

    def send(self, pending: list[str], batch_size: int, concurrency: int) -> None:
        """Batches on a thread pool; the first failure (or an interrupt) stops the rest, and
        every batch that completed is kept (a rerun sends only what is missing)."""
        batches = [pending[i : i + batch_size] for i in range(0, len(pending), batch_size)]
        limit = AdaptiveLimit(concurrency)
        stop = threading.Event()
        client = self.session.client()
        client.pool(concurrency + 2)
        pool = ThreadPoolExecutor(min(concurrency, len(batches)), thread_name_prefix="aiml-embed")
        try:
            futures = [pool.submit(self._batch, client, b, limit, stop) for b in batches]
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            for future in done:
                if future.exception() is not None:
                    stop.set()
                    raise future.exception()
            wait(futures)
        except KeyboardInterrupt:
            stop.set()
            raise errors.StoppedError(
                f"embedding stopped; {len(self.vectors)} of {self.report.unique} texts are "
                "embedded and kept: run it again to send the rest"
            ) from None
        finally:
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)

    def _batch(
        self, client: Any, texts: list[str], limit: AdaptiveLimit, stop: threading.Event
    ) -> None:
        if not limit.acquire(stop):
            return
        try:
            self._check_budget()
            answer = request_embeddings(
                client, texts, self.model, dimensions=self.dimensions, on_retry=_slower(limit, stop)
            )
        except errors.RateLimitError:
            limit.throttled()
            raise
        finally:
            limit.release()
        limit.succeeded()
        self._keep(texts, answer)

    def _check_budget(self) -> None:
        budget = self.session.settings.budget_credits
        spent = self.session.spent_credits()
        if budget is not None and spent >= budget:
            raise BudgetError(
                f"this session has spent {credits_text(spent)} of its budget of "
                f"{credits_text(budget)}; the texts not yet embedded were not sent."
            )

    def _keep(self, texts: list[str], answer: Any) -> None:
        np = numpy()
        result = ChatResult(
            model=answer.model,
            requested_model=self.model,
            usage=answer.usage,
            credits_used=answer.cost.credits_used,
            usd_spent=answer.cost.usd_spent,
            inference_id=answer.inference_id,
        )
        self.session.record_usage(self.model, result)
        total_chars = sum(len(t) for t in texts) or 1
        tokens = answer.usage.prompt_tokens if answer.usage else 0
        credits = answer.cost.credits_used or 0.0
        warnings = []
        for text, values in zip(texts, answer.vectors, strict=True):
            vector = np.asarray(values, dtype=np.float32)
            share = len(text) / total_chars
            recording = {
                "embedding_f32": base64.b64encode(vector.astype("<f4").tobytes()).decode(),
                "dimensions": len(values),
                "tokens": round(tokens * share),
                "credits_used": credits * share,
                "model": answer.model,
            }
            warnings.append(recorded.keep(self.replay, self._request(text), recording))
            with self._lock:
                self.vectors[text] = self.session.media.vectors[self._key(text)] = vector
        with self._lock:
            self.report.requests += 1
            self.report.sent += len(texts)
            self.report.tokens += tokens
            self.report.credits += credits
            self.report.warnings += [w for w in dict.fromkeys(warnings) if w]


def _slower(limit: AdaptiveLimit, stop: threading.Event) -> Callable[[RetryNotice], None]:
    """A 429/503 retry halves the requests in flight; a stopped run sends nothing more."""

    def heard(notice: RetryNotice) -> None:
        if stop.is_set():
            raise errors.StoppedError("stopped while waiting to retry")
        if notice.reason.startswith(("429", "503")):
            limit.throttled()

    return heard


def _decode(np: Any, text: Any) -> Any:
    try:
        raw = base64.b64decode(str(text), validate=True)
    except (ValueError, TypeError):
        return None
    if not raw or len(raw) % 4:
        return None
    return np.frombuffer(raw, dtype="<f4").astype(np.float32)


def _usage(tokens: Any) -> Usage | None:
    if not isinstance(tokens, int):
        return None
    return Usage(prompt_tokens=tokens, total_tokens=tokens)
