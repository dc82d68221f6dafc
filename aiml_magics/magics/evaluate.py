"""`aiml_magics.evaluate` and `%%aiml --eval`: prompts x models on data, scored, with
intervals and cost.

The grid is planned first (`chat/evaluation/plan.py`), sent on the batch engine
(`evaluate_runner.py` over `batch.send_rows`), read into a tidy table and its statistics
(`chat/evaluation/`), and shown by the display layer (`display/evaluation.py`). The cell form
calls the same `evaluate` with the cell body as its one prompt template; `_aiml` and `-o`
are set only through `chat/publish.py`.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from IPython.core.error import UsageError as CellUsageError

from ..api.errors import UsageError
from ..chat.batching import check_template, fill, read_rows
from ..chat.evaluation import Evaluation
from ..chat.evaluation.cost import DryRun
from ..chat.evaluation.cost import dry_run as price
from ..chat.evaluation.metrics import PAIRWISE, Metric, custom, resolve
from ..chat.evaluation.plan import Plan, make_plan
from ..chat.evaluation.stats import SEED
from ..chat.evaluation.tidy import add_verdicts, answer_records
from ..chat.publish import publish
from ..chat.session import Session
from .batch import progress_bar
from .current import current_session, running_magics
from .evaluate_runner import Outcome, Runner
from .frontend import BarFactory, Frontend

__all__ = ["evaluate"]


def evaluate(
    data: Any,
    prompts: Mapping[str, str] | str,
    models: Iterable[str] | str,
    repeats: int = 1,
    metrics: Iterable[Any] | Any = None,
    judge: str | None = None,
    *,
    system: str | None = None,
    params: dict[str, Any] | None = None,
    judge_params: dict[str, Any] | None = None,
    concurrency: int = 8,
    max_credits: float | None = None,
    dry_run: bool = False,
    progress: bool = True,
    fresh: bool = False,
    namespace: Mapping[str, Any] | None = None,
    seed: int = SEED,
) -> Evaluation | DryRun:
    """Ask every row of `data` with every prompt template of every model, `repeats` times,
    and score the answers; an `Evaluation` (`.summary`, `.paired()`, `.plot()`, ...).

    `prompts` maps names to templates (`{column}` fills a field of the row); one template
    is named "prompt". `metrics` are names (`"exact"`, `"contains:COLUMN"`, `"regex:PAT"`,
    `"numeric"`, `"json"`, `"judge"`, `"pairwise"`), `aiml_magics.chat.evaluation` metrics or
    functions of the answer (and the row); reference columns default to `expected`. `judge`
    is the model that scores `judge` and `pairwise` metrics. With `dry_run`, nothing is sent:
    the count of requests and their estimated cost are printed and returned. Running it
    again sends only what is missing; `max_credits` caps what this evaluation spends.
    """
    shell, magics = running_magics()
    session = current_session()
    bar = progress_bar(shell, magics) if progress else None
    evaluation = run_evaluation(
        session,
        data,
        prompts,
        models,
        repeats,
        metrics,
        judge,
        system=system,
        params=params,
        judge_params=judge_params,
        concurrency=concurrency,
        max_credits=max_credits,
        dry_run=dry_run,
        fresh=fresh,
        namespace=namespace or {},
        seed=seed,
        bar=bar,
    )
    if isinstance(evaluation, DryRun):
        print(evaluation)
    elif shell is not None:
        from ..display.evaluation import register

        register(shell)  # shown with its plot even where the extension is not loaded
    return evaluation


def run_evaluation(
    session: Session,
    data: Any,
    prompts: Mapping[str, str] | str,
    models: Iterable[str] | str,
    repeats: int,
    metrics: Any,
    judge: str | None,
    *,
    system: str | None,
    params: dict[str, Any] | None,
    judge_params: dict[str, Any] | None,
    concurrency: int,
    max_credits: float | None,
    dry_run: bool,
    fresh: bool,
    namespace: Mapping[str, Any],
    seed: int,
    bar: BarFactory | None,
) -> Evaluation | DryRun:
    """Plan, then price (a dry run: nothing is sent or published) or send and score;
    `_aiml` becomes the Evaluation."""
    plan = _plan(data, prompts, models, repeats, metrics, judge, namespace)
    settings = session.settings
    fields = {**settings.default_params(), **(params or {})}
    system = system if system is not None else settings.system_prompt
    if dry_run:
        return price(
            session.client(), plan, system=system, params=fields, judge_params=judge_params or {}
        )
    runner = Runner(
        session,
        plan,
        system,
        fields,
        dict(judge_params or {}),
        concurrency=concurrency,
        max_credits=max_credits,
        fresh=fresh,
        bar=bar,
    )
    evaluation = _evaluation(plan, runner.run(), seed)
    publish(session.namespace, evaluation)
    return evaluation


def _plan(
    data: Any,
    prompts: Mapping[str, str] | str,
    models: Iterable[str] | str,
    repeats: int,
    metrics: Any,
    judge: str | None,
    namespace: Mapping[str, Any],
) -> Plan:
    templates = {"prompt": prompts} if isinstance(prompts, str) else dict(prompts or {})
    if not templates:
        raise UsageError("no prompts: give prompts={'name': 'template with {column}'}")
    for name, template in templates.items():
        if not isinstance(template, str) or not template.strip():
            raise UsageError(f"the prompt {name!r} is empty: give a template such as 'Q: {{q}}'")
    names = [m.strip() for m in models.split(",")] if isinstance(models, str) else list(models)
    if not names or not all(isinstance(m, str) and m for m in names):
        raise UsageError("models is a list of model ids, e.g. ['openai/gpt-4o', 'gpt-4o-mini']")
    table = read_rows(data)
    for template in templates.values():
        check_template(template, table, namespace)
    filled = {n: [fill(t, row, namespace) for row in table.rows] for n, t in templates.items()}
    return make_plan(
        table.rows, filled, templates, names, repeats, resolve(metrics or []), judge or None
    )


def _evaluation(plan: Plan, outcome: Outcome, seed: int) -> Evaluation:
    records = answer_records(plan, outcome.answers)
    pairs = add_verdicts(plan, records, outcome.calls, outcome.verdicts)
    summary = outcome.summary
    info = {
        "prompts": plan.prompts,
        "models": plan.models,
        "repeats": plan.repeats,
        "judge": plan.judge_model,
        "metrics": {m.name: m.kind for m in plan.metrics},
        "run": summary.as_dict(),
        "run_line": " · ".join(summary.lines()),
    }
    scored = [m.name for m in plan.metrics if m.kind != PAIRWISE]
    return Evaluation(
        pd.DataFrame(records), pd.DataFrame(pairs), metrics=scored, info=info, seed=seed
    )


def eval_cell(magics: Any, frontend: Frontend, args: argparse.Namespace, cell: str) -> None:
    """`%%aiml --eval DATA --compare M1,M2`: the body is the prompt template, sent per row
    of DATA to every model; the summary and the plot are shown, `-o VAR` gets the
    Evaluation (with --dry-run: the count of requests and their estimated cost)."""
    from ..chat.compare import parse_models
    from ..chat.interpolate import _MISSING
    from ..chat.interpolate import resolve as lookup
    from .options import request_params

    namespace = magics.shell.user_ns
    data = lookup(args.eval.strip(), namespace) if args.eval.strip() else _MISSING
    if data is _MISSING:
        raise CellUsageError(
            f"--eval: there is no {args.eval!r} in the notebook; name a DataFrame or list of "
            "rows with the columns the template and the metrics use"
        )
    if args.repeats is not None and args.repeats < 1:
        raise CellUsageError(f"--repeats must be at least 1, got {args.repeats}")
    settings = magics.session.settings
    evaluation = run_evaluation(
        magics.session,
        data,
        cell.strip(),
        [settings.resolve_model(m) for m in parse_models(args.compare)],
        args.repeats or 1,
        [_metric(spec, namespace) for spec in args.metric] or ["exact"],
        settings.resolve_model(args.judge) if args.judge else None,
        system=args.system,
        params=request_params(settings.default_params(), args),
        judge_params=None,
        concurrency=8 if args.concurrency is None else args.concurrency,
        max_credits=args.max_credits,
        dry_run=args.dry_run,
        fresh=args.fresh,
        namespace={} if args.raw else namespace,
        seed=SEED,
        bar=None if args.dry_run else frontend.batch_bar(),
    )
    if isinstance(evaluation, DryRun):  # like a cell's dry run: shown, nothing kept
        frontend.show({"text/plain": str(evaluation)})
        return
    frontend.evaluation(evaluation)
    publish(namespace, evaluation, out_var=args.out)


def _metric(spec: str, namespace: Mapping[str, Any]) -> Any:
    """`--metric NAME`: a Metric or function in the notebook by that name, else a metric
    written as text (`exact`, `contains:COLUMN`, `regex:PATTERN`, `judge`, ...)."""
    name = spec.strip()
    found = namespace.get(name) if name.isidentifier() else None
    if isinstance(found, Metric):
        return found
    if callable(found) and not isinstance(found, type):
        return custom(found, name=name)  # named as typed, also when it is a lambda
    return spec
