"""`df.aiml.summarize`: one answer per group, map-reduce when a group is too long.

A group whose rows fit in `chunk_tokens` (about four characters a token) is one request. A
longer one is cut into chunks that fit, each summarised (the map, one batch run over every
chunk of every group), then the partial summaries of each group are summarised together
(the reduce, repeated while they still do not fit).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .engine import Engine, UsageError, frame_rows, schema_of
from .prompts import escape, row_block
from .report import DryRun, Report
from .runner import Options, Outcome

CHARS_PER_TOKEN = 4
SCHEMA = {
    "type": "object",
    "properties": {"summary": {"type": "string"}},
    "required": ["summary"],
    "additionalProperties": False,
}


def summarize(
    frame: pd.DataFrame, prompt: str, by: Any, chunk_tokens: int, options: Options
) -> Any:
    """A frame with one row per group (`summary`, `rows`, `credits`, `error`)."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise UsageError("summarize needs instructions, e.g. 'the main complaints'")
    if options.pack or options.cascade:
        raise UsageError("summarize already puts many rows in a request: no pack or cascade")
    rows = frame_rows(frame)
    blocks = [row_block(row) for row in rows]
    groups = _groups(frame, by)
    engine = Engine(progress=options.progress, concurrency=options.concurrency)
    spec = engine.spec(options.model, schema_of(SCHEMA, "aiml_summary"), options.fresh)
    budget = max(200, int(chunk_tokens)) * CHARS_PER_TOKEN
    parts = {key: _chunks([blocks[n] for n in members], budget) for key, members in groups}
    outcome = Outcome.empty(0)
    if options.dry_run:
        prompts = [_prompt(prompt, c, "row") for chunks in parts.values() for c in chunks]
        reduces = sum(1 for chunks in parts.values() if len(chunks) > 1)
        note = f"Plus at least {reduces} reduce requests for groups longer than a request."
        return DryRun(
            "summarize", [("summaries", engine.price(prompts, spec))], [note] if reduces else []
        )
    answers = _reduce(engine, spec, prompt, parts, budget, options, outcome)
    keys = [key for key, _ in groups]
    out = pd.DataFrame(
        {
            "summary": pd.Series([answers[k][0] for k in keys], dtype=object),
            "rows": [len(members) for _, members in groups],
            "credits": [answers[k][1] for k in keys],
            "error": pd.Series([answers[k][2] for k in keys], dtype=object),
        },
    )
    if by is not None:
        out.index = pd.Index(keys, name=by if isinstance(by, str) else None)
    report = Report.of("summarize", outcome)
    report.rows = len(frame)
    report.failed = sum(1 for k in keys if answers[k][2] is not None)
    out.attrs["aiml"] = report
    return out


def _groups(frame: pd.DataFrame, by: Any) -> list[tuple[Any, list[int]]]:
    if by is None:
        return [(None, list(range(len(frame))))]
    try:
        grouped = frame.reset_index(drop=True).groupby(by, sort=True, dropna=False).indices
    except KeyError:
        raise UsageError(f"by: {by!r} is no column of the frame") from None
    return [(key, [int(n) for n in members]) for key, members in grouped.items()]


def _chunks(blocks: list[str], budget: int) -> list[list[str]]:
    """Consecutive blocks in chunks of at most `budget` characters (a longer block alone)."""
    chunks: list[list[str]] = [[]]
    size = 0
    for block in blocks:
        if chunks[-1] and size + len(block) > budget:
            chunks.append([])
            size = 0
        chunks[-1].append(block)
        size += len(block)
    return chunks


def _fewer(summaries: list[str], budget: int) -> list[list[str]]:
    """Chunks of partial summaries, always fewer than the summaries (so the reduce ends)."""
    chunks = _chunks(summaries, budget)
    return chunks if len(chunks) < len(summaries) else [summaries]


def _prompt(instructions: str, blocks: list[str], tag: str) -> str:
    intro = (
        "Summarize the rows below as the instructions say."
        if tag == "row"
        else "Combine the partial summaries below into one summary, as the instructions say."
    )
    parts = [intro, f"<instructions>\n{escape(instructions)}\n</instructions>"]
    parts += [f"<{tag}>\n{block if tag == 'row' else escape(block)}\n</{tag}>" for block in blocks]
    return "\n\n".join(parts)


def _reduce(
    engine: Engine,
    spec: Any,
    instructions: str,
    parts: dict[Any, list[list[str]]],
    budget: int,
    options: Options,
    outcome: Outcome,
) -> dict[Any, tuple]:
    """Summaries of every chunk, then of the summaries, until each group has one:
    {group: (summary, credits, error)}."""
    spent = dict.fromkeys(parts, 0.0)
    finished: dict[Any, tuple] = {}
    tag = "row"
    while True:
        jobs = [(key, chunk) for key, chunks in parts.items() for chunk in chunks]
        left = None if options.max_credits is None else options.max_credits - outcome.spent
        if left is not None and left <= 0:
            stopped = "Not sent: max_credits reached; run it again to send the rest"
            return finished | {k: (None, spent[k], stopped) for k in parts}
        result = engine.run([_prompt(instructions, c, tag) for _, c in jobs], spec, left)
        outcome.summaries.append(result.summary)
        texts: dict[Any, list[str]] = {key: [] for key in parts}
        failed: dict[Any, str] = {}
        for number, (key, _) in enumerate(jobs):
            answer = result.results[number]
            spent[key] += float(result.credits[number])
            if answer.error is not None:
                failed.setdefault(key, str(answer.error))
            else:
                texts[key].append(str(answer.parsed.get("summary", "")))
        done = {k: (None, spent[k], failed[k]) for k in failed}
        done |= {
            k: (t[0], spent[k], None) for k, t in texts.items() if k not in failed and len(t) == 1
        }
        finished.update(done)
        parts = {k: _fewer(t, budget) for k, t in texts.items() if k not in done}
        if not parts:
            return finished
        tag = "summary"
