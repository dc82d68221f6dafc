"""Batches: one prompt over many rows on the one send path.

- `engine`: the pool of workers (`BatchRun`, `BatchSpec`), dedup, resume, budget, interrupt;
- `limiter`: how many requests stay in flight (`AdaptiveLimit`, halved under 429s);
- `rows`: the data in (`read_rows`, `check_template`, `fill`) and the answers out (`assemble`);
- `report`: what a batch reports (`Snapshot`, `Summary`, `BatchResult`, `NotSentError`).

The progress bar and the summary display live in their layers (`widgets/batch_bar.py`,
`display/batch.py`); `aiml_magics.batch` and `%%aiml --over` are in `magics/batch.py`.
"""

from .engine import DEFAULT_RETRIES, THROTTLING_STATUSES, TRANSIENT, BatchRun, BatchSpec
from .limiter import AdaptiveLimit
from .report import BatchResult, NotSentError, Snapshot, Summary
from .rows import Table, assemble, check_template, fill, read_rows

__all__ = [
    "DEFAULT_RETRIES",
    "THROTTLING_STATUSES",
    "TRANSIENT",
    "AdaptiveLimit",
    "BatchResult",
    "BatchRun",
    "BatchSpec",
    "NotSentError",
    "Snapshot",
    "Summary",
    "Table",
    "assemble",
    "check_template",
    "fill",
    "read_rows",
]
