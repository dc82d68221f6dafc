"""`aiml_magics.embed` and `aiml_magics.similar`: vectors for texts, nearest texts by cosine.

The work happens in `chat/embed.py`; this module turns the user's data into texts and the
vectors back into the data's shape. numpy is imported on the first call, never at
`import aiml_magics`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any, NamedTuple

from ..api import errors
from ..api.embeddings import DEFAULT_EMBEDDING_MODEL
from ..chat.embed import embed_texts, numpy
from .current import current_session


class Neighbour(NamedTuple):
    """One match of `similar`: where it is in the candidates, how close, and its text."""

    index: Any  # the position in a list or array; the label of a pandas index
    score: float  # cosine similarity, 1.0 for the same direction
    text: str | None  # the candidate text (None when a matrix of vectors was given)


def embed(
    texts: str | Iterable[str] | Any,
    model: str | None = None,
    dimensions: int | None = None,
    batch_size: int = 256,
    *,
    concurrency: int = 4,
    fresh: bool = False,
) -> Any:
    """Embedding vectors (float32) for `texts`, from `POST /v1/embeddings`.

    A list (or any iterable) of strings gives a numpy array with one row per text, in order;
    one string gives one vector (1-D); a pandas Series gives a DataFrame with the Series'
    index (one column per dimension; `.to_numpy()` for the array). Identical texts are sent
    once, `batch_size` texts per request and up to `concurrency` requests at a time; texts
    this session embedded already (same model and dimensions) are not sent again, and with
    `%aiml replay` on, the vectors are recorded and replayed. `fresh=True` sends them anyway.
    Tokens and credits count in `%aiml usage` under the model's name.
    """
    session = current_session()
    model = model or DEFAULT_EMBEDDING_MODEL
    single = isinstance(texts, str)
    labels, items = _texts_of(texts)
    matrix, report = embed_texts(
        session,
        items,
        model=model,
        dimensions=dimensions,
        batch_size=batch_size,
        concurrency=concurrency,
        fresh=fresh,
    )
    session.media.last_embed = report
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    if single:
        return matrix[0]
    if labels is not None:
        import pandas as pd

        return pd.DataFrame(matrix, index=labels)
    return matrix


def similar(
    query: str | Any,
    texts_or_matrix: Iterable[str] | Any,
    k: int = 5,
    *,
    model: str | None = None,
    dimensions: int | None = None,
) -> list[Neighbour]:
    """The `k` candidates nearest to `query` by cosine similarity, best first.

    Candidates are texts (a list or a pandas Series: embedded with `embed`, so cached) or
    vectors (a 2-D array, or the DataFrame `embed` returns). `query` is a text (embedded with
    the same model) or a vector. Each match is a `Neighbour(index, score, text)`: `index` is
    the position, or the label of a pandas index.
    """
    np = numpy()
    if not isinstance(k, int) or k < 1:
        raise errors.UsageError(f"k must be a whole number >= 1, got {k!r}")
    labels, texts, matrix = _candidates(texts_or_matrix, model, dimensions)
    vector = _query_vector(query, model, dimensions)
    if matrix.shape[0] and vector.shape[0] != matrix.shape[1]:
        raise errors.UsageError(
            f"the query has {vector.shape[0]} dimensions and the candidates "
            f"{matrix.shape[1]}: embed both with the same model and dimensions"
        )
    scores = _cosine(np, matrix, vector)
    order = np.argsort(-scores, kind="stable")[:k]
    return [
        Neighbour(
            labels[i] if labels is not None else int(i),
            float(scores[i]),
            texts[i] if texts is not None else None,
        )
        for i in order
    ]


def _texts_of(data: Any) -> tuple[list[Any] | None, list[Any]]:
    """(the pandas index labels or None, the texts) of what the user gave."""
    if isinstance(data, str):
        return None, [data]
    if type(data).__module__.startswith("pandas") and type(data).__name__ == "Series":
        return list(data.index), list(data.tolist())
    if type(data).__module__.startswith("pandas") and type(data).__name__ == "DataFrame":
        raise errors.UsageError("embed takes one column: pass df['text'], not the DataFrame")
    try:
        return None, list(data)
    except TypeError:
        raise errors.UsageError(
            "embed takes a string or strings (a list or a pandas Series), "
            f"not {type(data).__name__}"
        ) from None


def _candidates(data: Any, model: str | None, dimensions: int | None) -> tuple[Any, Any, Any]:
    """(labels, texts, float32 matrix) from texts or vectors."""
    np = numpy()
    if type(data).__module__.startswith("pandas") and type(data).__name__ == "DataFrame":
        return list(data.index), None, np.asarray(data.to_numpy(), dtype=np.float32)
    if hasattr(data, "ndim") and getattr(data, "ndim", 0) == 2:
        return None, None, np.asarray(data, dtype=np.float32)
    labels, texts = _texts_of(data)
    if not texts:
        raise errors.UsageError("there are no candidates to compare with")
    matrix = embed(texts, model=model, dimensions=dimensions)
    return labels, texts, matrix


def _query_vector(query: Any, model: str | None, dimensions: int | None) -> Any:
    np = numpy()
    if isinstance(query, str):
        return embed(query, model=model, dimensions=dimensions)
    vector = np.asarray(query, dtype=np.float32)
    if vector.ndim != 1:
        raise errors.UsageError("the query is a text or one vector (1-D)")
    return vector


def _cosine(np: Any, matrix: Any, vector: Any) -> Any:
    """Cosine similarity of each row with `vector`; a zero row (or query) scores 0."""
    norms = np.linalg.norm(matrix, axis=1) * np.linalg.norm(vector)
    dots = matrix @ vector
    return np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)
