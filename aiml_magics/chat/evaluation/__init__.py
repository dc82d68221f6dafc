"""Evaluating prompts and models on data: metrics, the plan of requests, the tidy table and
its statistics. Plain functions over data; sending is the batch engine's job (see
`aiml_magics/magics/evaluate.py`), drawing the display layer's (`display/evaluation.py`).
"""

from .metrics import Metric, contains, custom, exact, json, judge, numeric, pairwise, regex
from .result import Evaluation
from .stats import Paired, bootstrap_ci, sign_test

__all__ = [
    "Evaluation",
    "Metric",
    "Paired",
    "bootstrap_ci",
    "contains",
    "custom",
    "exact",
    "json",
    "judge",
    "numeric",
    "pairwise",
    "regex",
    "sign_test",
]
