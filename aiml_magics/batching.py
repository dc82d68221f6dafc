"""`aiml_magics.batch` and `%%aiml --over`: one prompt over every row of some data.

This module only joins the parts: rows in and out (`chat/rows.py`), the run itself
(`chat/batchrun.py`, on the one send path), and a progress bar for the frontend at hand
(`widgets/batch_bar.py` in widget frontends, `display/batch.py` elsewhere).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

from .api import errors
from .chat.batchrun import BatchResult, BatchRun, BatchSpec
from .chat.rows import assemble, check_template, fill, read_rows
from .chat.session import Session
from .chat.settings import AimlSettings

_default_session: Session | None = None


def batch(
    prompt: str,
    data: Any,
    *,
    model: str | None = None,
    system: str | None = None,
    schema: Any = None,
    params: dict[str, Any] | None = None,
    concurrency: int = 8,
    max_credits: float | None = None,
    retries: int | None = None,
    progress: bool = True,
    fail_fast: bool = False,
    out_col: str = "answer",
    json: bool = False,
    fresh: bool = False,
) -> Any:
    """Ask `prompt` once per row of `data`, `concurrency` requests at a time.

    `prompt` is a template: `"Classify the sentiment of: {review}"` takes `review` from each
    row (a string row fills `{}` or `{text}`). `data` is a pandas DataFrame or Series, or an
    iterable of dicts or strings. The answer has the input's shape: a DataFrame with the same
    index (column `out_col`, or one column per field of `schema`, plus `credits` and
    `error`), a Series with the same index, or a list of ChatResult (a failed row's carries
    its `error`). Identical prompts are sent once, answers already received in this session
    are not sent again, and `max_credits` stops sending once this batch spent that much.
    `retries` is how often a row that failed for a passing reason (rate limit, overload,
    timeout) is queued again after the client's own retries (default 3). The key is read
    from the environment (or `%aiml key`) where the function runs: Dask workers use their own.
    """
    shell, magics = _shell()
    session = magics.session if magics is not None else _session(shell)
    settings = session.settings
    output_schema = None
    if schema is not None:
        from .api.schema import OutputSchema

        output_schema = OutputSchema.of(schema)
    fields = {**settings.default_params(), **(params or {})}
    if json:
        fields["response_format"] = {"type": "json_object"}
    spec = BatchSpec(
        model=model or settings.effective("model"),
        system=system if system is not None else settings.system_prompt,
        params=fields,
        schema=output_schema,
        json_mode=json,
        fresh=fresh,
    )
    result = run_batch(
        session,
        prompt,
        data,
        spec,
        namespace={},
        concurrency=concurrency,
        max_credits=max_credits,
        retries=retries,
        fail_fast=fail_fast,
        out_col=out_col,
        bar=_bar_factory(shell, magics) if progress else None,
    )
    return result.data


def run_batch(
    session: Session,
    template: str,
    data: Any,
    spec: BatchSpec,
    *,
    namespace: Mapping[str, Any],
    concurrency: int = 8,
    max_credits: float | None = None,
    retries: int | None = None,
    fail_fast: bool = False,
    out_col: str = "answer",
    bar: Callable[[int], Any] | None = None,
) -> BatchResult:
    """Fill the template per row, run the rows, and put the answers in the input's shape.
    `_aiml` becomes the BatchResult; with `fail_fast`, the first failure is raised with the
    batch so far as its `partial`."""
    if not isinstance(template, str) or not template.strip():
        raise errors.UsageError("the prompt is empty: give a template such as 'Label: {text}'")
    if not str(out_col).isidentifier():
        raise errors.UsageError(f"the answer column needs a plain name, got {out_col!r}")
    table = read_rows(data)
    check_template(template, table, namespace)
    prompts = [fill(template, row, namespace) for row in table.rows]
    runner = BatchRun(
        session,
        spec,
        prompts,
        concurrency=concurrency,
        max_credits=max_credits,
        retries=retries,
        fail_fast=fail_fast,
    )
    shown = bar(len(prompts)) if bar is not None and prompts else None
    summary = runner.run(on_tick=shown)
    if shown is not None:
        shown.done(summary)
    answers = assemble(
        table,
        runner.results,
        out_col=out_col,
        schema=spec.schema,
        json_mode=spec.json_mode,
        credits=runner.credits,
    )
    result = BatchResult(answers, summary, runner.results)
    session.namespace["_aiml"] = result
    if fail_fast and runner.first_failure is not None:
        failure = runner.first_failure
        failure.partial = result
        raise failure
    return result


def current_session() -> Session:
    """The session Python functions use: the loaded extension's, else one per process."""
    shell, magics = _shell()
    return magics.session if magics is not None else _session(shell)


def _shell() -> tuple[Any, Any]:
    """The running IPython shell and its AimlMagics, when there are."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None, None
    shell = get_ipython()
    if shell is None:
        return None, None
    # By name: the magics import this module, so it cannot import them back.
    magics = next((m for m in shell.configurables if type(m).__name__ == "AimlMagics"), None)
    return shell, magics


def _session(shell: Any) -> Session:
    """Outside a kernel with the extension (a script, a Dask worker): one session per
    process, with default settings and the key from this process's environment."""
    global _default_session
    if _default_session is None:
        namespace = shell.user_ns if shell is not None else {}
        _default_session = Session(AimlSettings(), namespace)
    return _default_session


def _bar_factory(shell: Any, magics: Any) -> Callable[[int], Any] | None:
    from .display.batch import DisplayBar, TerminalBar

    if magics is not None:
        if magics._in_terminal():
            return lambda total: TerminalBar()
        if magics._widget_frontend():
            from .widgets.batch_bar import WidgetBar

            return WidgetBar
        return lambda total: DisplayBar()
    if shell is not None:
        if any(c.__name__ == "TerminalInteractiveShell" for c in type(shell).__mro__):
            return lambda total: TerminalBar()
        return lambda total: DisplayBar()
    if sys.stderr.isatty():
        return lambda total: TerminalBar(sys.stderr)
    return None
