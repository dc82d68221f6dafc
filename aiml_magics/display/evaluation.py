"""How an `Evaluation` is shown: a summary table, the plot, and the summary in the output's
metadata (so a saved notebook carries the numbers, not only their picture).

The plot is matplotlib, imported on first use (the `eval` extra) and drawn on a bare
`Figure` (no pyplot state, safe in any backend). Names shown (prompts, models) are escaped;
model answers are never shown here.
"""

from __future__ import annotations

import base64
import contextlib
import io
import math
from typing import Any

from ..api.result import format_money
from ..chat.evaluation import Evaluation
from .compose import escape_markdown_inline, neutralize_markdown

FIGURE_SIZE = (11.0, 4.2)


def figure(evaluation: Evaluation, metric: str) -> Any:
    """Left: mean `metric` against mean credits per answer, one point per prompt x model
    with its 95% interval. Right: the mean `metric` of every prompt x model as a heatmap."""
    from matplotlib.figure import Figure

    summary = evaluation.summary
    fig = Figure(figsize=FIGURE_SIZE, layout="constrained")
    scatter, heat = fig.subplots(1, 2, width_ratios=[1.2, 1])
    for model, rows in summary.groupby("model", sort=False):
        below = (rows[metric] - rows[f"{metric}_low"]).clip(lower=0)
        above = (rows[f"{metric}_high"] - rows[metric]).clip(lower=0)
        scatter.errorbar(
            rows["credits"], rows[metric], yerr=[below, above], fmt="o", capsize=4, label=model
        )
        if len(evaluation.prompts) > 1:
            for _, row in rows.iterrows():
                scatter.annotate(
                    row["prompt"],
                    (row["credits"], row[metric]),
                    fontsize=8,
                    xytext=(4, 4),
                    textcoords="offset points",
                )
    scatter.set_xlabel("credits per answer")
    scatter.set_ylabel(f"{metric} (mean, 95% CI)")
    scatter.set_title(f"{metric} against cost")
    scatter.legend(fontsize=8)
    grid = summary.pivot(index="prompt", columns="model", values=metric)
    grid = grid.reindex(index=evaluation.prompts, columns=evaluation.models)
    image = heat.imshow(grid.to_numpy(dtype=float), cmap="viridis", aspect="auto")
    heat.set_xticks(range(len(grid.columns)), labels=list(grid.columns), rotation=30, ha="right")
    heat.set_yticks(range(len(grid.index)), labels=list(grid.index))
    middle = (image.norm.vmin + image.norm.vmax) / 2
    for (y, x), value in _cells(grid):
        label = "–" if math.isnan(value) else f"{value:.2f}"
        ink = "black" if not math.isnan(value) and value > middle else "white"
        heat.text(x, y, label, ha="center", va="center", color=ink, fontsize=9)
    heat.set_title(f"{metric}: prompts x models")
    fig.colorbar(image, ax=heat)
    fig._repr_png_ = lambda: png(fig)  # shown inline by any frontend, with or without pyplot
    return fig


def _cells(grid: Any) -> list[tuple[tuple[int, int], float]]:
    values = grid.to_numpy(dtype=float)
    return [
        ((y, x), float(values[y, x]))
        for y in range(values.shape[0])
        for x in range(values.shape[1])
    ]


def png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


def _cell(text: Any) -> str:
    return escape_markdown_inline(str(text)).replace("|", "\\|")


def _number(value: Any, digits: int = 3) -> str:
    return (
        "–"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else (f"{value:.{digits}f}")
    )


def summary_markdown(evaluation: Evaluation) -> str:
    """The summary as a Markdown table: each metric as `mean [low, high]`."""
    summary = evaluation.summary
    head = ["prompt", "model", "answers", *evaluation.metrics, "credits/answer", "latency p50"]
    lines = ["| " + " | ".join(_cell(h) for h in head) + " |", "|" + "---|" * len(head)]
    for _, row in summary.iterrows():
        cells = [
            _cell(row["prompt"]),
            _cell(row["model"]),
            f"{row['answers']} ({row['errors']} failed)" if row["errors"] else str(row["answers"]),
        ]
        for metric in evaluation.metrics:
            cells.append(
                f"{_number(row[metric])} [{_number(row[f'{metric}_low'])}, "
                f"{_number(row[f'{metric}_high'])}]"
            )
        cells.append(_cell(f"{row['credits']:,.0f} ({format_money(row['dollars'])})"))
        cells.append(_number(row["latency_p50"], 2) + " s")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def pairwise_markdown(evaluation: Evaluation) -> str:
    matrix = evaluation.pairwise
    if matrix.empty:
        return ""
    head = ["wins/ties/losses", *matrix.columns]
    lines = ["| " + " | ".join(_cell(h) for h in head) + " |", "|" + "---|" * len(head)]
    for model, row in matrix.iterrows():
        lines.append(
            "| "
            + " | ".join([_cell(model), *(_cell(v) if isinstance(v, str) else "–" for v in row)])
            + " |"
        )
    return "\n".join(lines)


def evaluation_markdown(evaluation: Evaluation) -> str:
    run = evaluation.info.get("run_line")
    parts = [f"**Evaluation:** {_cell(repr(evaluation)[11:-1])}", summary_markdown(evaluation)]
    if not evaluation.pairs.empty:
        parts.append("**Pairwise** (each pair judged in both orders; a disagreement is a tie)")
        parts.append(pairwise_markdown(evaluation))
    if run:
        parts.append(_cell(run))
    return neutralize_markdown("\n\n".join(parts) + "\n")


def evaluation_text(evaluation: Evaluation) -> str:
    """The plain-text form: the one-line repr and the summary table."""
    summary = evaluation.summary.copy()
    for column in ("latency_p50", "latency_p95"):  # with their unit, as the table shows them
        if column in summary:
            summary[column] = [_number(v, 2) + " s" for v in summary[column]]
    return repr(evaluation) + "\n" + summary.to_string(index=False)


def evaluation_bundle(evaluation: Evaluation) -> tuple[dict[str, Any], dict[str, Any]]:
    """The display data (Markdown, plain text, the plot as PNG when matplotlib is there) and
    the metadata that keeps the summary in the saved notebook."""
    data: dict[str, Any] = {
        "text/markdown": evaluation_markdown(evaluation),
        "text/plain": evaluation_text(evaluation),
    }
    if evaluation.metrics and len(evaluation.table):
        # matplotlib is the `eval` extra: without it, the table alone
        with contextlib.suppress(ImportError):
            picture = png(figure(evaluation, evaluation.metrics[0]))
            data["image/png"] = base64.b64encode(picture).decode("ascii")
    metadata = {
        "aiml": {
            "evaluation": {
                "metrics": evaluation.metrics,
                "summary": evaluation.summary_records(),
                "info": {k: v for k, v in evaluation.info.items() if k != "run_line"},
            }
        }
    }
    return data, metadata


def register(shell: Any) -> None:
    """Show every Evaluation with `evaluation_bundle` in this shell (idempotent)."""
    formatter = getattr(getattr(shell, "display_formatter", None), "mimebundle_formatter", None)
    if formatter is not None:
        formatter.for_type_by_name(
            "aiml_magics.chat.evaluation.result", "Evaluation", evaluation_bundle
        )


Evaluation.plotter = staticmethod(figure)
