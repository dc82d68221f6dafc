"""`aiml_magics.evaluate`: prompts x models on data, scored, with intervals and cost.

The grid is planned first (`chat/evaluation/plan.py`), sent on the batch engine
(`runner.py`), read into a tidy table and its statistics (`chat/evaluation/`), and shown by
the display layer (`display/evaluation.py`). `%%aiml --eval` calls `evaluate` with the cell
body as the one prompt template and the notebook's namespace.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from ..api.errors import UsageError
from ..batching import _bar_factory, _session, _shell
from ..chat.evaluation import Evaluation
from ..chat.evaluation.cost import DryRun
from ..chat.evaluation.cost import dry_run as price
from ..chat.evaluation.metrics import PAIRWISE, resolve
from ..chat.evaluation.plan import Plan, make_plan
from ..chat.evaluation.stats import SEED
from ..chat.evaluation.tidy import add_verdicts, answer_records
from ..chat.rows import check_template, fill, read_rows
from ..display import evaluation as shown
from .runner import Outcome, Runner

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
    shell, magics = _shell()
    session = magics.session if magics is not None else _session(shell)
    space = dict(namespace or {})
    plan = _plan(data, prompts, models, repeats, metrics, judge, space)
    settings = session.settings
    fields = {**settings.default_params(), **(params or {})}
    system = system if system is not None else settings.system_prompt
    if dry_run:
        planned = price(
            session.client(), plan, system=system, params=fields, judge_params=judge_params or {}
        )
        print(planned)
        return planned
    runner = Runner(
        session,
        plan,
        system,
        fields,
        dict(judge_params or {}),
        concurrency=concurrency,
        max_credits=max_credits,
        fresh=fresh,
        bar=_bar_factory(shell, magics) if progress else None,
    )
    evaluation = _evaluation(plan, runner.run(), seed)
    session.namespace["_aiml"] = evaluation
    if shell is not None:
        shown.register(shell)
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
