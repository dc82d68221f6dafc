"""`df.aiml.join` and `df.aiml.dedup`: embeddings narrow the candidates, the model judges only
those (never N x M requests).

The candidate narrowing is pure numpy over any vector function (`candidates`, `near_pairs`),
so it is tested without a service; the vectors come from `aiml_magics.embed` through
`_embed`, the one place that knows its signature. A dry run embeds nothing: it prices the
most pairs the run could judge (k per row), with stand-in pairs of the same count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .engine import Engine, UsageError, frame_rows, schema_of
from .prompts import escape, row_block
from .report import DryRun, Report
from .runner import Options, Outcome

Vectors = Callable[[list[str]], np.ndarray]


def _embed(texts: list[str], model: str | None) -> np.ndarray:
    """One row of floats per text, from the embeddings endpoint on the client's request loop."""
    from ..embedding import embed

    return np.asarray(embed(texts, model=model), dtype=float)


def _stand_in(rows: int, others: int, k: int, same: bool) -> list[tuple[int, int, float]]:
    """As many pairs as the run could judge at most (k per row), for a dry run to price
    without sending the embeddings that would choose them."""
    if same:
        return [
            (i, (i + d) % rows, 0.0) for i in range(rows) for d in range(1, min(k, rows - 1) + 1)
        ]
    return [(i, j, 0.0) for i in range(rows) for j in range(min(k, others))]


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def candidates(left: np.ndarray, right: np.ndarray, k: int) -> list[tuple[int, int, float]]:
    """For each left row, the `k` right rows of highest cosine similarity, best first:
    (left, right, similarity)."""
    if len(left) == 0 or len(right) == 0:
        return []
    similarity = _unit(left) @ _unit(right).T
    k = min(k, similarity.shape[1])
    top = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
    pairs = []
    for i, row in enumerate(top):
        for j in sorted(row, key=lambda j: (-similarity[i, j], j)):
            pairs.append((i, int(j), float(similarity[i, j])))
    return pairs


def near_pairs(vectors: np.ndarray, threshold: float, k: int) -> list[tuple[int, int, float]]:
    """Pairs (i < j) among each row's `k` nearest neighbours with cosine >= `threshold`."""
    found: dict[tuple[int, int], float] = {}
    for i, j, sim in candidates(vectors, vectors, k + 1):
        if i != j and sim >= threshold:
            found[(min(i, j), max(i, j))] = sim
    return [(i, j, s) for (i, j), s in sorted(found.items())]


def clusters(size: int, pairs: Sequence[tuple[int, int]]) -> list[int]:
    """Connected components (union-find): each row's cluster is its first row's number."""
    parent = list(range(size))

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [root(n) for n in range(size)]


def _texts(frame: pd.DataFrame, column: str | None) -> list[str]:
    if column is not None:
        if column not in frame.columns:
            raise UsageError(f"{column!r} is no column of the frame")
        return [str(v) for v in frame[column].tolist()]
    return [row_block(row) for row in frame_rows(frame)]


def _judge(
    engine: Engine, name: str, question: str, pairs: list[tuple[str, str]], options: Options
) -> Any:
    """One request per pair: a `{name: bool}` answer (a DryRun step with `dry_run`)."""
    schema = {
        "type": "object",
        "properties": {name: {"type": "boolean"}},
        "required": [name],
        "additionalProperties": False,
    }
    spec = engine.spec(options.model, schema_of(schema, f"aiml_{name}"), options.fresh)
    prompts = [
        "\n\n".join([question, f"<left>\n{a}\n</left>", f"<right>\n{b}\n</right>"])
        for a, b in pairs
    ]
    if options.dry_run:
        return engine.price(prompts, spec)
    return engine.run(prompts, spec, options.max_credits)


def join(
    frame: pd.DataFrame,
    other: pd.DataFrame,
    condition: str,
    k: int,
    on: Any,
    embedding_model: str | None,
    options: Options,
    vectors: Vectors | None = None,
) -> Any:
    """Matched pairs: this frame's columns, `other`'s (suffix `_other` on a clash), the two
    indexes, `similarity`, `credits` and `error` (pairs whose judgement failed are kept)."""
    if not isinstance(k, int) or k < 1:
        raise UsageError(f"k is how many candidates per row to judge (1 or more), got {k!r}")
    left_on, right_on = on if on is not None else (None, None)
    left, right = _texts(frame, left_on), _texts(other, right_on)
    embed = vectors or (lambda texts: _embed(texts, embedding_model))
    pairs = []
    if options.dry_run:
        pairs = _stand_in(len(left), len(right), k, same=False)
    elif left and right:  # one call: both sides in one space, in as few requests as it takes
        both = embed(left + right)
        pairs = candidates(both[: len(left)], both[len(left) :], k)
    engine = Engine(progress=options.progress, concurrency=options.concurrency)
    question = (
        "Do the left and right rows meet this condition together?\n"
        f"<condition>\n{escape(condition)}\n</condition>"
    )
    judged = _judge(engine, "match", question, [(left[i], right[j]) for i, j, _ in pairs], options)
    if options.dry_run:
        return DryRun(
            "join",
            [(f"at most {len(pairs):,} candidate pairs", judged)],
            [f"Plus the embeddings of {len(left) + len(right):,} rows (not priced here)."],
        )
    keep = [
        n
        for n, answer in enumerate(judged.results)
        if answer.error is not None or answer.parsed.get("match") is True
    ]
    out = _matched(frame, other, [pairs[n] for n in keep])
    out["credits"] = [float(judged.credits[n]) for n in keep]
    out["error"] = pd.Series([_error(judged.results[n]) for n in keep], dtype=object)
    size = len(keep)
    outcome = Outcome(
        [{}] * size, list(out["credits"]), list(out["error"]), [None] * size, [judged.summary]
    )
    out.attrs["aiml"] = Report.of("join", outcome, [f"{len(pairs):,} pairs judged"])
    return out


def _matched(
    frame: pd.DataFrame, other: pd.DataFrame, pairs: list[tuple[int, int, float]]
) -> pd.DataFrame:
    """The matched rows side by side, with both indexes and the pair's similarity."""
    lefts, rights = [i for i, _, _ in pairs], [j for _, j, _ in pairs]
    mine = frame.iloc[lefts].reset_index(drop=True)
    theirs = other.iloc[rights].reset_index(drop=True)
    if set(map(str, frame.columns)) & set(map(str, other.columns)):
        theirs = theirs.add_suffix("_other")
    out = pd.concat([mine, theirs], axis=1)
    out["index"] = list(frame.index[lefts])
    out["index_other"] = list(other.index[rights])
    out["similarity"] = [s for _, _, s in pairs]
    return out


def _error(answer: Any) -> str | None:
    return None if answer.error is None else str(answer.error)


def dedup(
    frame: pd.DataFrame,
    column: str,
    threshold: float,
    k: int,
    embedding_model: str | None,
    options: Options,
    vectors: Vectors | None = None,
) -> Any:
    """The frame with `cluster` (the position of the cluster's first row) and
    `representative` (True for that first row); a pair the model did not confirm stays apart."""
    texts = _texts(frame, column)
    embed = vectors or (lambda t: _embed(t, embedding_model))
    if options.dry_run:
        pairs = _stand_in(len(texts), len(texts), k, same=True)
    else:
        pairs = near_pairs(embed(texts), threshold, k) if texts else []
    engine = Engine(progress=options.progress, concurrency=options.concurrency)
    question = "Are the left and right rows duplicates of each other (the same thing said twice)?"
    judged = _judge(
        engine,
        "duplicate",
        question,
        [(escape(texts[i]), escape(texts[j])) for i, j, _ in pairs],
        options,
    )
    if options.dry_run:
        return DryRun(
            "dedup",
            [(f"at most {len(pairs):,} candidate pairs", judged)],
            [f"Plus the embeddings of {len(texts):,} rows (not priced here)."],
        )
    confirmed = [
        (i, j)
        for (i, j, _), answer in zip(pairs, judged.results, strict=True)
        if answer.error is None and answer.parsed.get("duplicate") is True
    ]
    cluster = clusters(len(texts), confirmed)
    out = frame.copy()
    out["cluster"] = cluster
    out["representative"] = [c == n for n, c in enumerate(cluster)]
    errors = [_error(a) for a in judged.results]
    outcome = Outcome(
        [{}] * len(pairs), [0.0] * len(pairs), errors, [None] * len(pairs), [judged.summary]
    )
    out.attrs["aiml"] = Report.of("dedup", outcome, [f"{len(pairs):,} pairs judged"])
    return out
