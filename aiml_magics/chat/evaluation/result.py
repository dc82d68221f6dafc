"""`Evaluation`: the tidy table of a run and the statistics read from it.

Everything here is a function of `table` (one row per data row x prompt x model x repeat)
and `pairs` (one row per judged pair), so a saved evaluation (`to_json`) gives the same
numbers when loaded back. Intervals resample data rows, keeping a row's repeats together,
with the fixed seed of `stats`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...api.errors import UsageError
from . import stats

KEYS = ["prompt", "model"]


class Evaluation:
    """Prompts x models on data: `.table`, `.summary`, `.paired()`, `.pairwise`, `.stability`,
    `.plot()`, `.to_csv()`, `.to_json()`, `.compare()`."""

    # Drawn by the display layer (display/evaluation.py sets it when imported), which this
    # layer may not import.
    plotter: Callable[..., Any] | None = None

    def __init__(
        self,
        table: pd.DataFrame,
        pairs: pd.DataFrame | None = None,
        *,
        metrics: list[str],
        info: dict[str, Any] | None = None,
        seed: int = stats.SEED,
    ) -> None:
        self.table = table
        self.pairs = pairs if pairs is not None else pd.DataFrame()
        self.metrics = list(metrics)  # score columns, the first is the primary one
        self.info = dict(info or {})
        self.seed = seed

    @property
    def primary(self) -> str | None:
        return self.metrics[0] if self.metrics else None

    @property
    def models(self) -> list[str]:
        return list(dict.fromkeys(self.table["model"]))

    @property
    def prompts(self) -> list[str]:
        return list(dict.fromkeys(self.table["prompt"]))

    def _metric(self, metric: str | None) -> str:
        name = metric or self.primary
        if name not in self.metrics:
            raise UsageError(f"no metric {name!r}; this evaluation has {', '.join(self.metrics)}")
        return name

    def row_means(self, metric: str | None = None) -> pd.DataFrame:
        """The metric per prompt x model x data row, averaged over repeats."""
        name = self._metric(metric)
        return self.table.groupby([*KEYS, "row"], sort=False)[name].mean().reset_index()

    # -- statistics ------------------------------------------------------------------------

    @property
    def summary(self) -> pd.DataFrame:
        """Per prompt x model: each metric's mean with its bootstrap 95% interval, the answers
        and errors, and the mean cost, latency and tokens of an answer."""
        out = self.table.groupby(KEYS, sort=False).agg(
            answers=("answer", lambda s: int(s.notna().sum())),
            errors=("error", lambda s: int(s.notna().sum())),
            credits=("credits", "mean"),
            dollars=("dollars", "mean"),
            latency_p50=("latency_s", "median"),
            latency_p95=("latency_s", lambda s: s.quantile(0.95) if s.notna().any() else math.nan),
            tokens=("total_tokens", "mean"),
            judge_credits=("judge_credits", "mean"),
        )
        for metric in self.metrics:
            intervals = {
                key: (values.mean(), *stats.bootstrap_ci(values.dropna(), seed=self.seed))
                for key, values in self.row_means(metric).groupby(KEYS, sort=False)[metric]
            }
            for place, suffix in enumerate(("", "_low", "_high")):
                out[metric + suffix] = [intervals[key][place] for key in out.index]
        order = [c for m in self.metrics for c in (m, f"{m}_low", f"{m}_high")]
        rest = [c for c in out.columns if c not in order]
        return out[order + rest].reset_index()

    def paired(
        self, model_a: str, model_b: str, metric: str | None = None, prompt: str | None = None
    ) -> stats.Paired:
        """Model A minus model B on the rows both answered (per prompt, repeats averaged)."""
        name = self._metric(metric)
        for model in (model_a, model_b):
            if model not in self.models:
                raise UsageError(f"{model} is not in this evaluation ({', '.join(self.models)})")
        means = self.row_means(name)
        if prompt is not None:
            if prompt not in self.prompts:
                raise UsageError(f"no prompt {prompt!r}; prompts: {', '.join(self.prompts)}")
            means = means[means["prompt"] == prompt]
        wide = means.pivot_table(index=["prompt", "row"], columns="model", values=name)
        both = wide.reindex(columns=[model_a, model_b]).dropna()
        return stats.paired(
            model_a, model_b, name, both[model_a].tolist(), both[model_b].tolist(), seed=self.seed
        )

    @property
    def pairwise(self) -> pd.DataFrame:
        """Wins, ties and losses of each model (row) against each other (column), over every
        judged pair, both orders asked; cells are `W/T/L`."""
        if self.pairs.empty:
            return pd.DataFrame()
        counts = self.pairwise_counts()
        table = counts.apply(lambda r: f"{r.wins}/{r.ties}/{r.losses}", axis=1)
        return table.unstack("opponent").reindex(index=self.models, columns=self.models)

    def pairwise_counts(self) -> pd.DataFrame:
        """The pairwise outcomes as numbers: one row per (model, opponent)."""
        rows = []
        for (a, b), group in self.pairs.groupby(["model_a", "model_b"], sort=False):
            wins_a = int((group["winner"] == a).sum())
            wins_b = int((group["winner"] == b).sum())
            ties = len(group) - wins_a - wins_b
            rows.append({"model": a, "opponent": b, "wins": wins_a, "ties": ties, "losses": wins_b})
            rows.append({"model": b, "opponent": a, "wins": wins_b, "ties": ties, "losses": wins_a})
        return pd.DataFrame(rows).set_index(["model", "opponent"])

    @property
    def stability(self) -> pd.DataFrame:
        """Per prompt x model over repeats: the mean number of distinct answers to a row, the
        share of rows answered identically every time, and the share whose primary score
        changed between repeats."""
        grouped = self.table.groupby([*KEYS, "row"], sort=False)
        per_row = grouped.agg(
            distinct=("answer", lambda s: len({" ".join(str(a).split()) for a in s.dropna()})),
            repeats=("repeat", "count"),
        )
        if self.primary is not None:
            per_row["flips"] = grouped[self.primary].agg(lambda s: s.dropna().nunique() > 1)
        out = per_row.groupby(KEYS, sort=False).agg(
            repeats=("repeats", "max"),
            mean_distinct=("distinct", "mean"),
            all_same=("distinct", lambda s: float((s <= 1).mean())),
        )
        if self.primary is not None:
            out["score_changed"] = per_row.groupby(KEYS, sort=False)["flips"].mean()
        return out.reset_index()

    def compare(self, other: Evaluation, metric: str | None = None) -> pd.DataFrame:
        """This run against another (`other`) per prompt x model: both means with their
        intervals, the difference, and the cost of an answer in each."""
        name = self._metric(metric)
        other._metric(name)
        columns = [*KEYS, name, f"{name}_low", f"{name}_high", "credits"]
        merged = self.summary[columns].merge(
            other.summary[columns], on=KEYS, how="outer", suffixes=("", "_other")
        )
        merged["difference"] = merged[name] - merged[f"{name}_other"]
        return merged

    # -- export ----------------------------------------------------------------------------

    def to_csv(self, path: str | Path | None = None) -> str | None:
        """The tidy table as CSV: returned as text, or written to `path`."""
        return self.table.to_csv(path, index=False)

    def to_json(self, path: str | Path | None = None) -> str | None:
        """Everything needed to load it back (`Evaluation.from_json`): the table, the pairs,
        the metrics and how the run was made."""
        text = json.dumps(self.as_dict(), ensure_ascii=False, default=_plain)
        if path is None:
            return text
        Path(path).write_text(text, encoding="utf-8")
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": "aiml-evaluation",
            "version": 1,
            "metrics": self.metrics,
            "seed": self.seed,
            "info": self.info,
            "table": _records(self.table),
            "pairs": _records(self.pairs),
        }

    @classmethod
    def from_json(cls, source: str | Path) -> Evaluation:
        """An evaluation saved by `to_json` (a path or the JSON text)."""
        text = str(source)
        if not text.lstrip().startswith("{"):
            text = Path(source).read_text(encoding="utf-8")
        data = json.loads(text)
        if data.get("format") != "aiml-evaluation":
            raise UsageError("this is not an evaluation saved by Evaluation.to_json")
        return cls(
            pd.DataFrame(data["table"]),
            pd.DataFrame(data["pairs"]),
            metrics=data["metrics"],
            info=data.get("info"),
            seed=data.get("seed", stats.SEED),
        )

    def summary_records(self) -> list[dict[str, Any]]:
        """The summary as JSON-ready records (NaN as None): what a saved notebook keeps."""
        return json.loads(json.dumps(_records(self.summary), default=_plain))

    # -- pictures --------------------------------------------------------------------------

    def plot(self, metric: str | None = None) -> Any:
        """Score against cost per model (95% error bars) and a prompts x models heatmap: a
        matplotlib Figure."""
        if Evaluation.plotter is None:
            raise UsageError(
                "plotting is done by aiml_magics.display.evaluation: import it (or use "
                "aiml_magics.evaluate, which does)"
            )
        return Evaluation.plotter(self, self._metric(metric))

    def __repr__(self) -> str:
        return (
            f"Evaluation({len(self.prompts)} prompts x {len(self.models)} models, "
            f"{len(self.table)} answers, metrics: {', '.join(self.metrics)})"
        )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with None where pandas has NaN (JSON has no NaN)."""
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value) if not isinstance(value, (int, float, bool)) else value
