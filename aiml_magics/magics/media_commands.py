"""`%aiml models --type KIND`, `%aiml jobs [ID]` and the assets part of `%aiml usage`: the
subcommands of the other kinds of model, run by `handlers.py`.

Names and prices come from the service's catalogue: they are escaped in the tables like
every other service text.
"""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError

from ..api.kinds import KINDS
from ..api.unitprice import MediaPricing
from ..chat.media_state import ASSET_HEADERS, Job
from .registry import BY_NAME
from .tables import show_table

KIND_HEADERS = ["id", "name", "price"]
JOB_HEADERS = ["id", "kind", "model", "status", "waited", "result"]


def price_text(pricing: MediaPricing | None) -> str:
    """`$0.04 per image`, `$0.08 per second (resolution=720p); ...`, or why there is none."""
    if pricing is None:
        return "not listed"
    if pricing.kind == "variable":
        return "set by the service per request"
    parts = []
    for unit in pricing.units:
        when = ", ".join(f"{k}={v}" for k, v in unit.when)
        per = f"{unit.per:g} {unit.unit}s" if unit.per != 1 else unit.unit
        parts.append(f"${unit.usd:g} per {per}" + (f" ({when})" if when else ""))
    return "; ".join(parts)


def kind_of(args: list[str]) -> tuple[str, str]:
    """(the kind after `--type`, the filter words) of `%aiml models --type KIND [FILTER]`."""
    words = list(args)
    at = words.index("--type")
    if at + 1 >= len(words) or words[at + 1] not in KINDS:
        raise UsageError(f"usage: %aiml models --type {'|'.join(KINDS)} [FILTER]")
    kind = words[at + 1]
    del words[at : at + 2]
    return kind, " ".join(words)


def kind_table(session: Any, args: list[str]) -> tuple[str, list[str], list[list[Any]]]:
    """The title, headers and rows of `%aiml models --type KIND [FILTER]` (fetched anew)."""
    from ..api.kinds import list_models

    kind, needle = kind_of(args)
    models = list_models(session.client(), kind)
    session.media.models[kind] = models  # what the estimates and TAB read
    lowered = needle.lower()
    rows = [
        [m.id, m.name, price_text(m.pricing)]
        for m in models
        if not lowered or any(lowered in text.lower() for text in (*m.names(), m.name))
    ]
    title = f"{len(rows)} {kind} models" + (f" matching {needle!r}" if needle else "")
    return title, KIND_HEADERS, rows


def job_row(job: Job) -> list[Any]:
    if job.asset is not None:
        result = str(job.asset.path)
    elif job.error:
        result = job.error
    else:
        result = job.text or ""
    return [job.id, job.kind, job.model, job.status, f"{job.elapsed:.0f} s", result]


def jobs_table(session: Any) -> tuple[str, list[str], list[list[Any]]] | None:
    """`%aiml jobs`: every job of the session (None when there is none)."""
    jobs = session.media.jobs()
    if not jobs:
        return None
    return f"{len(jobs)} job(s) this session", JOB_HEADERS, [job_row(j) for j in jobs]


def jobs_command(magics: Any, args: list[str]) -> None:
    """`%aiml jobs` lists the session's jobs; `%aiml jobs ID` looks at one again, and a
    finished video is downloaded, saved and shown."""
    from ..chat.jobs import fetch_job

    if len(args) > 1:
        raise UsageError(f"usage: {BY_NAME['jobs'].usage}")
    if not args:
        table = jobs_table(magics.session)
        if table is None:
            print("No jobs yet: a video (--make video) or a transcription starts one.")
        else:
            show_table(*table)
        return
    job = fetch_job(magics.session, args[0])
    show_table(f"Job {job.id}", JOB_HEADERS, [job_row(job)])
    if job.generation is not None:
        magics.frontend().generation(job.generation)


def assets_table(session: Any) -> tuple[str, list[str], list[list[Any]]] | None:
    """The assets part of `%aiml usage` (None when nothing was made)."""
    rows = session.media.usage_rows()
    if not rows:
        return None
    return "Files made this session (assets)", list(ASSET_HEADERS), rows
