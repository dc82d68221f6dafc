"""The one place that puts an answer into the notebook's namespace: `_aiml`, and the
cell's `-o VAR`, for cells, comparisons and batches alike."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)

LATEST = "_aiml"
_UNSET: Any = object()


def publish(
    namespace: dict[str, Any],
    result: Any = _UNSET,
    *,
    out_var: str | None = None,
    out_value: Any = _UNSET,
) -> None:
    """`_aiml` becomes `result` (when given); `out_var` gets `out_value`, else `result`.

    A batch stopped half-way publishes only its rows so far to `-o` (nothing is lost).
    """
    if result is not _UNSET:
        namespace[LATEST] = result
    if out_var:
        namespace[out_var] = result if out_value is _UNSET else out_value


def tell_listeners(listeners: Iterable[Callable[[Any], None]], result: Any) -> None:
    """An answer entered a chat: tell the panels (a broken one must not break the cell)."""
    for listener in list(listeners):
        try:
            listener(result)
        except Exception as exc:
            log.warning("aiml-magics: an answer listener failed: %s", exc)
