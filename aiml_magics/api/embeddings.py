"""`POST /v1/embeddings` (OpenAI's shape): texts in, one vector per text out, in order.

The vectors are plain lists of floats here; `chat/embed.py` batches, deduplicates, caches
and makes the numpy array.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import errors
from .kinds import DEFAULT_MODELS
from .result import Usage
from .retry import RetryNotice
from .transfer import Cost, call_json

if TYPE_CHECKING:
    from .client import AimlClient

PATH = "/v1/embeddings"
DEFAULT_EMBEDDING_MODEL = DEFAULT_MODELS["embedding"]


@dataclass
class Embeddings:
    """The answer to one embeddings request."""

    vectors: list[list[float]]
    model: str | None = None
    usage: Usage | None = None
    cost: Cost = field(default_factory=Cost)
    inference_id: str | None = None


def embeddings_body(texts: list[str], model: str, dimensions: int | None) -> dict[str, Any]:
    body: dict[str, Any] = {"model": model, "input": list(texts), "encoding_format": "float"}
    if dimensions is not None:
        body["dimensions"] = int(dimensions)
    return body


def request_embeddings(
    client: AimlClient,
    texts: list[str],
    model: str = DEFAULT_EMBEDDING_MODEL,
    *,
    dimensions: int | None = None,
    on_retry: Callable[[RetryNotice], None] | None = None,
) -> Embeddings:
    """One request for `texts` (the caller sizes the batch)."""
    payload, headers = call_json(
        client, "POST", PATH, embeddings_body(texts, model, dimensions), on_retry=on_retry
    )
    inference_id = headers.get("x-inference-id")
    vectors = _vectors(payload, len(texts), inference_id)
    return Embeddings(
        vectors=vectors,
        model=payload.get("model"),
        usage=Usage.from_api(payload.get("usage")),
        cost=Cost.of(payload, headers),
        inference_id=inference_id,
    )


def _vectors(payload: Any, expected: int, inference_id: str | None) -> list[list[float]]:
    """The vectors by `index` (the service may send them in any order), all of one length."""
    data = payload.get("data") if isinstance(payload, dict) else None
    found: dict[int, list[float]] = {}
    for position, item in enumerate(data if isinstance(data, list) else []):
        if not isinstance(item, dict) or not isinstance(item.get("embedding"), list):
            continue
        index = item.get("index", position)
        found[int(index) if isinstance(index, int) else position] = item["embedding"]
    vectors = [found.get(i) for i in range(expected)]
    lengths = {len(v) for v in vectors if v is not None}
    if any(v is None for v in vectors) or len(lengths) != 1:
        raise errors.ServerError(
            f"The embeddings answer has {len(found)} vector(s) for {expected} text(s), "
            "or vectors of different lengths.",
            inference_id=inference_id,
        )
    try:
        return [[float(x) for x in v] for v in vectors]  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise errors.ServerError(
            "The embeddings answer holds values that are not numbers.", inference_id=inference_id
        ) from None
