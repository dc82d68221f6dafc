"""`aiml_magics.batch` and `%%aiml --over`: one prompt over every row of some data.

This module only joins the parts: rows in and out (`chat/rows.py`), the run itself
(`chat/batching/`, on the one send path), and the progress bar the frontend at hand
makes (`frontend.py`: `widgets/batch_bar.py` or `display/batch.py`). `aiml_magics.batch`
is the function `batch` below.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import Any

from IPython.core.error import UsageError

from ..api import errors
from ..chat.batching import (
    BatchResult,
    BatchRun,
    BatchSpec,
    assemble,
    check_template,
    fill,
    read_rows,
)
from ..chat.publish import publish
from ..chat.session import Session
from ..chat.settings import AimlSettings
from . import frontend as frontends
from .current import current_session, running_magics


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
    shell, magics = running_magics()
    session = current_session()
    spec = _spec(session.settings, model, system, schema, params, json, fresh)
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
        bar=progress_bar(shell, magics) if progress else None,
    )
    return result.data


def _spec(
    settings: AimlSettings,
    model: str | None,
    system: str | None,
    schema: Any,
    params: dict[str, Any] | None,
    json_mode: bool,
    fresh: bool,
) -> BatchSpec:
    """What every row of a `batch()` call is sent with."""
    output_schema = None
    if schema is not None:
        from ..api.schema import OutputSchema

        output_schema = OutputSchema.of(schema)
    fields = {**settings.default_params(), **(params or {})}
    if json_mode:
        fields["response_format"] = {"type": "json_object"}
    return BatchSpec(
        model=settings.resolve_model(model),
        system=system if system is not None else settings.system_prompt,
        params=fields,
        schema=output_schema,
        json_mode=json_mode,
        fresh=fresh,
    )


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
    runner = send_rows(
        session,
        spec,
        prompts,
        concurrency=concurrency,
        max_credits=max_credits,
        retries=retries,
        fail_fast=fail_fast,
        bar=bar,
    )
    summary = runner.summary
    answers = assemble(
        table,
        runner.results,
        out_col=out_col,
        schema=spec.schema,
        json_mode=spec.json_mode,
        credits=runner.credits,
    )
    result = BatchResult(answers, summary, runner.results)
    publish(session.namespace, result)
    if fail_fast and runner.first_failure is not None:
        failure = runner.first_failure
        failure.partial = result
        raise failure
    return result


def send_rows(
    session: Session,
    spec: BatchSpec,
    prompts: list[str],
    *,
    concurrency: int = 8,
    max_credits: float | None = None,
    retries: int | None = None,
    fail_fast: bool = False,
    bar: Callable[[int], Any] | None = None,
) -> BatchRun:
    """Send finished prompts on the batch engine with a progress bar; the run, with its
    `results` and `summary`. Nothing is published: callers decide what `_aiml` becomes."""
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
    return runner


def progress_bar(shell: Any, magics: Any) -> Callable[[int], Any] | None:
    """The bar of a function call (`batch()`, `evaluate()`): the frontend of the running
    cell makes it, or the script's when the magics are not loaded."""
    if magics is not None:
        return magics.frontend().batch_bar()
    return frontends.script_batch_bar(shell)


def over_cell(
    magics: Any, frontend: frontends.Frontend, args: argparse.Namespace, cell: str
) -> None:
    """`%%aiml --over DATA`: the body is a template sent once per row; `-o VAR` gets the
    answers (the rows so far when the batch stops on an error)."""
    from ..chat.interpolate import _MISSING, resolve
    from .inputs import output_schema
    from .options import request_params

    namespace = magics.shell.user_ns
    data = resolve(args.over.strip(), namespace) if args.over.strip() else _MISSING
    if data is _MISSING:
        raise UsageError(
            f"--over: there is no {args.over!r} in the notebook; name a DataFrame, Series "
            "or list of rows"
        )
    settings = magics.session.settings
    spec = BatchSpec(
        model=settings.resolve_model(args.model),
        system=args.system if args.system is not None else settings.system_prompt,
        params=request_params(settings.default_params(), args),
        schema=output_schema(args, namespace),
        json_mode=args.json,
        fresh=args.fresh,
    )
    try:
        result = run_batch(
            magics.session,
            cell.strip(),
            data,
            spec,
            namespace={} if args.raw else namespace,
            concurrency=8 if args.concurrency is None else args.concurrency,
            max_credits=args.max_credits,
            out_col=args.out_col or "answer",
            bar=frontend.batch_bar(),
        )
    except errors.AimlError as exc:
        if isinstance(exc.partial, BatchResult):
            publish(namespace, out_var=args.out, out_value=exc.partial.data)  # nothing is lost
        raise
    publish(namespace, out_var=args.out, out_value=result.data)
