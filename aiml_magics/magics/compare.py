"""`%%aiml --compare`: every model's answer streams at once (`chat/compare.py`), into what
the frontend shows (a grid of columns, one display per answer, or text), then the table."""

from __future__ import annotations

from typing import Any

from ..api import errors
from ..chat.compare import CompareError, run_comparison
from ..chat.publish import publish
from ..chat.request import TurnRequest
from .frontend import Frontend


def compare_cell(
    session: Any, frontend: Frontend, request: TurnRequest, models: list[str], keep: str | None
) -> None:
    """Run the comparison; `--keep MODEL` chooses its answer; `_aiml` is the comparison."""
    shown = frontend.comparison(models, history=request.history)
    comparison = run_comparison(
        session,
        request,
        models,
        on_tick=shown.tick if shown is not None else None,
        interval=max(0.02, frontend.style.update_interval),
    )
    problem = None
    if keep is not None and not comparison.interrupted:
        try:
            comparison.choose(keep)
        except ValueError as exc:
            problem = f"--keep {keep}: {exc}; nothing was added to the conversation"
    frontend.comparison_done(shown, comparison)
    if comparison.interrupted:
        raise errors.StoppedError(
            "The comparison was stopped; what was shown is kept, nothing was added to the "
            "conversation."
        )
    publish(session.namespace, comparison, out_var=request.out_var)
    if not comparison.completed():
        raise CompareError("no model answered (each one's error is in the table)")
    if problem:
        raise CompareError(problem)
