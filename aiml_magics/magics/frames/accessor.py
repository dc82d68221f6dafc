"""`df.aiml`: the semantic operators as a pandas accessor (and on a Dask DataFrame, the
row-wise ones per partition, as `aiml_magics.batch` runs on Dask).

Every operator takes `model`, `concurrency`, `max_credits`, `dry_run`, `progress`, `pack`,
`cascade`, `unsure_below` and `fresh` (see `runner.Options`).
"""

from __future__ import annotations

from typing import Any

from .runner import Options


class AimlAccessor:
    """Semantic operators over the rows of a DataFrame, each on the batch engine."""

    def __init__(self, frame: Any) -> None:
        self._frame = frame

    def map(self, prompt: str, schema: Any = None, out: str = "answer", **options: Any) -> Any:
        """`prompt` (a `{column}` template) per row: column `out`, or one per schema field."""
        from .operators import map_rows

        return map_rows(self._frame, prompt, schema, out, Options(**options))

    def extract(
        self, schema: Any, columns: Any = None, prompt: str | None = None, **options: Any
    ) -> Any:
        """One column per field of `schema` (dataclass, TypedDict, pydantic model)."""
        from .operators import extract

        return extract(self._frame, schema, columns, prompt, Options(**options))

    def classify(
        self, column_or_prompt: str, labels: Any, out: str = "label", **options: Any
    ) -> Any:
        """A categorical column `out`: one of `labels` per row (an Enum schema)."""
        from .operators import classify

        return classify(self._frame, column_or_prompt, labels, out, Options(**options))

    def filter(
        self, condition: str, keep_reason: bool = False, columns: Any = None, **options: Any
    ) -> Any:
        """The rows that meet `condition`, index and order kept; `keep_reason` adds
        `keep` and `reason`. Rows whose question failed stay, with their `error`."""
        from .operators import filter_rows

        return filter_rows(self._frame, condition, keep_reason, columns, Options(**options))

    def rank(
        self,
        criterion: str,
        k: int | None = None,
        scale: tuple[int, int] = (1, 10),
        columns: Any = None,
        **options: Any,
    ) -> Any:
        """A `score` per row on `scale`, best first; the top `k` with ties at the cut broken
        by comparing the tied rows pairwise."""
        from .rank import rank

        return rank(self._frame, criterion, k, scale, columns, Options(**options))

    def summarize(
        self, prompt: str, by: Any = None, chunk_tokens: int = 6000, **options: Any
    ) -> Any:
        """One answer per group of `by` (map-reduce over chunks of rows when a group is
        larger than `chunk_tokens`)."""
        from .summarize import summarize

        return summarize(self._frame, prompt, by, chunk_tokens, Options(**options))

    def join(
        self,
        other: Any,
        condition: str,
        k: int = 5,
        on: tuple[str, str] | None = None,
        embedding_model: str | None = None,
        **options: Any,
    ) -> Any:
        """Pairs of rows (this, other) that meet `condition`: the `k` nearest rows of `other`
        by embeddings per row, each judged by the model (never N x M requests)."""
        from .similar import join

        return join(self._frame, other, condition, k, on, embedding_model, Options(**options))

    def dedup(
        self,
        column: str,
        threshold: float = 0.9,
        k: int = 5,
        embedding_model: str | None = None,
        **options: Any,
    ) -> Any:
        """`cluster` and `representative` per row: near-duplicates by embeddings, each pair
        confirmed by the model; `out[out.representative]` keeps one row per cluster."""
        from .similar import dedup

        return dedup(self._frame, column, threshold, k, embedding_model, Options(**options))


class DaskAccessor:
    """`ddf.aiml.map/extract/classify/filter`: the pandas operator on every partition,
    on the cluster's workers (each with its own session and key)."""

    def __init__(self, frame: Any) -> None:
        self._frame = frame

    def _per_partition(self, name: str, *args: Any, **kwargs: Any) -> Any:
        kwargs = {**kwargs, "progress": False}
        if kwargs.get("dry_run"):
            raise ValueError("dry_run is for pandas frames: try it on ddf.head() or a sample")

        def operate(part: Any) -> Any:  # runs on a worker: imports the package there
            from aiml_magics.magics.frames.accessor import AimlAccessor

            return getattr(AimlAccessor(part), name)(*args, **kwargs)

        meta = operate(self._frame._meta)  # an empty frame: nothing is sent
        meta.attrs.clear()
        return self._frame.map_partitions(operate, meta=meta)

    def map(self, prompt: str, schema: Any = None, out: str = "answer", **options: Any) -> Any:
        return self._per_partition("map", prompt, schema, out, **options)

    def extract(
        self, schema: Any, columns: Any = None, prompt: str | None = None, **options: Any
    ) -> Any:
        return self._per_partition("extract", schema, columns, prompt, **options)

    def classify(
        self, column_or_prompt: str, labels: Any, out: str = "label", **options: Any
    ) -> Any:
        return self._per_partition("classify", column_or_prompt, labels, out, **options)

    def filter(
        self, condition: str, keep_reason: bool = False, columns: Any = None, **options: Any
    ) -> Any:
        return self._per_partition("filter", condition, keep_reason, columns, **options)
