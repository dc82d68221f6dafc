"""One prompt, several models at once: the orchestration behind `%%aiml --compare`.

Each model's answer is an ordinary turn sent through the one send path (`send.send_turn`,
with `record=False`), in its own worker thread, into its own `Column` (an `AnswerView`
that only keeps state). The main thread waits on the workers in short steps, so a kernel
interrupt reaches it at once, and hands snapshots of the columns to whoever shows them.
Nothing is recorded in the chat until an answer is chosen (`Comparison.choose`).

The columns live in `columns.py`, the result (`Comparison`, its summary rows) in
`comparison.py`; both are importable from here as well.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import TYPE_CHECKING

from ..api import errors
from .columns import Column, ColumnState, one_line
from .comparison import BEST_BY, Comparison, summary_rows
from .request import TurnRequest

if TYPE_CHECKING:
    from .session import Session

# Importable from here too: the columns and the result are defined beside this module.
__all__ = [
    "MAX_MODELS",
    "MIN_MODELS",
    "STOP_GRACE",
    "BEST_BY",
    "Column",
    "ColumnState",
    "CompareError",
    "Comparison",
    "one_line",
    "parse_models",
    "run_comparison",
    "summary_rows",
]

MIN_MODELS, MAX_MODELS = 2, 6
STOP_GRACE = 1.0  # seconds the workers get to notice an interrupt before they are left behind


class CompareError(errors.AimlError):
    title = "Comparison"


def parse_models(text: str) -> list[str]:
    """`A,B[,...]` -> the model ids in order; ValueError says what is wrong with the list."""
    models = [part.strip() for part in text.split(",") if part.strip()]
    if not MIN_MODELS <= len(models) <= MAX_MODELS:
        raise ValueError(
            f"--compare takes {MIN_MODELS} to {MAX_MODELS} models separated by commas "
            f"(e.g. --compare openai/gpt-4o,claude-3-5-haiku), got {len(models)}"
        )
    twice = sorted({m for m in models if models.count(m) > 1})
    if twice:
        raise ValueError(f"--compare lists {', '.join(twice)} more than once")
    return models


def run_comparison(
    session: Session,
    request: TurnRequest,
    models: Sequence[str],
    *,
    on_tick: Callable[[list[ColumnState]], None] | None = None,
    interval: float = 0.1,
    ask: Callable[[str], str] | None = None,
) -> Comparison:
    """Send `request` to every model at once; call `on_tick` with snapshots as they stream.

    A KeyboardInterrupt in the main thread stops every stream (what arrived is kept) and ends
    the run with `Comparison.interrupted` set.
    """
    session.client()  # built once here, then shared by every worker
    session.chats.get(request.chat)
    from .budget import check_many

    check_many(session, request, models, ask)
    columns = [Column(model) for model in models]
    interrupted = _stream_all(session, request, columns, on_tick, interval)
    return Comparison(
        list(models),
        [c.state() for c in columns],
        request=request,
        session=session,
        interrupted=interrupted,
    )


def _stream_all(
    session: Session,
    request: TurnRequest,
    columns: list[Column],
    on_tick: Callable[[list[ColumnState]], None] | None,
    interval: float,
) -> bool:
    """Every column's worker at once, `on_tick` between short waits (so a kernel interrupt
    reaches the main thread at once); True when interrupted."""
    pool = ThreadPoolExecutor(max_workers=len(columns), thread_name_prefix="aiml-compare")
    try:
        pending = {pool.submit(_send_column, session, request, column) for column in columns}
        while pending:
            _, pending = wait(pending, timeout=max(0.01, interval))
            if on_tick is not None:
                on_tick([c.state() for c in columns])
    except KeyboardInterrupt:
        _stop_all(columns)
        return True
    except BaseException:
        for column in columns:
            column.stop()
        raise
    finally:
        pool.shutdown(wait=False)
    return False


def _send_column(session: Session, request: TurnRequest, column: Column) -> None:
    """One model's turn, in its worker thread, on the one send path; nothing recorded."""
    column.start()
    own = dataclasses.replace(request, model=column.model, out_var=None)
    try:
        from .send import send_turn

        send_turn(session, own, column, record=False, cancel=column.cancel, ask=_confirmed)
    except BaseException as exc:  # shown in its column; the others go on
        column.fail(exc)


def _stop_all(columns: list[Column]) -> None:
    """Interrupted: cancel every worker, give them STOP_GRACE seconds to end on their own
    (what arrived is kept), then end the columns still streaming."""
    for column in columns:
        column.cancel.set()
    deadline = time.monotonic() + STOP_GRACE
    while time.monotonic() < deadline and any(not c.state().ended for c in columns):
        time.sleep(0.02)
    for column in columns:
        column.stop()


def _confirmed(_question: str) -> str:
    """The budget was confirmed for the whole comparison before anything was sent."""
    return "y"
