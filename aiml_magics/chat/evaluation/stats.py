"""The statistics of an evaluation, as plain functions over numbers.

Intervals are percentile bootstraps: `RESAMPLES` resamples of the rows drawn with numpy's
`default_rng(seed)` as one `integers(0, n, size=(RESAMPLES, n))` array, so the same data and
seed give the same interval on every machine. The paired test is the exact two-sided sign
test, computed from binomial coefficients (no scipy).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RESAMPLES = 2000
SEED = 0
LEVEL = 0.95


def bootstrap_ci(
    values: Sequence[float], *, seed: int = SEED, resamples: int = RESAMPLES, level: float = LEVEL
) -> tuple[float, float]:
    """The percentile bootstrap interval of the mean of `values` (NaN, NaN when empty)."""
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return math.nan, math.nan
    if data.size == 1:
        return float(data[0]), float(data[0])
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, data.size, size=(resamples, data.size))
    means = data[picks].mean(axis=1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)


def sign_test(wins: int, losses: int) -> float:
    """Exact two-sided sign test: how likely a split at least this uneven is when both sides
    are equally likely (ties are left out before calling). 1.0 when there is nothing to test."""
    n = wins + losses
    if n == 0:
        return 1.0
    fewer = min(wins, losses)
    tail = sum(math.comb(n, k) for k in range(fewer + 1)) / 2**n
    return min(1.0, 2 * tail)


@dataclass(frozen=True)
class Paired:
    """Model A minus model B on the same rows: the mean difference, its interval, the counts
    of rows where A scored higher, lower or the same, and the sign test's p-value."""

    model_a: str
    model_b: str
    metric: str
    rows: int
    mean_difference: float
    ci_low: float
    ci_high: float
    wins: int
    losses: int
    ties: int
    p_value: float

    def __str__(self) -> str:
        return (
            f"{self.model_a} - {self.model_b} on {self.metric} over {self.rows} rows: "
            f"{self.mean_difference:+.3f} (95% CI {self.ci_low:+.3f} to {self.ci_high:+.3f}); "
            f"better on {self.wins}, worse on {self.losses}, same on {self.ties}; "
            f"sign test p = {self.p_value:.4g}"
        )


def paired(
    model_a: str,
    model_b: str,
    metric: str,
    a: Sequence[float],
    b: Sequence[float],
    *,
    seed: int = SEED,
) -> Paired:
    """Compare two models' scores row by row (`a[i]` and `b[i]` are the same row)."""
    differences = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    low, high = bootstrap_ci(differences, seed=seed)
    wins = int((differences > 0).sum())
    losses = int((differences < 0).sum())
    return Paired(
        model_a=model_a,
        model_b=model_b,
        metric=metric,
        rows=int(differences.size),
        mean_difference=float(differences.mean()) if differences.size else math.nan,
        ci_low=low,
        ci_high=high,
        wins=wins,
        losses=losses,
        ties=int(differences.size) - wins - losses,
        p_value=sign_test(wins, losses),
    )
