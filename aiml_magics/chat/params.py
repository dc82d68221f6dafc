"""The generation parameters, each declared once.

A `Param` holds what every other place needs: the trait and request field name, the cell
option's flags, the service's bounds, the panel label and the help text. The traits
(`settings.AimlSettings`), the `%%aiml` options, the panel's boxes, `check_range` and the
options table in `docs/options.md` are all derived from `PARAMS`. A `Choice` is the same for a
parameter that takes one of a few words (`--effort`): a trait, a cell option, a panel
dropdown and a row of the options table, from `CHOICES`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Param:
    """One generation parameter: its name is both the trait and the request field."""

    name: str
    flags: tuple[str, ...]  # the cell option, e.g. ("-t", "--temperature")
    low: float | None  # None: open
    high: float | None
    label: str  # the panel box's description
    help: str
    integer: bool = False

    @property
    def bounds(self) -> str:
        """The bounds as people write them: `0..2`, `>= 1`."""
        if self.high is None:
            return f">= {self.low:g}"
        return f"{self.low:g}..{self.high:g}"

    def check(self, value: float) -> float | int:
        """The value if the service accepts it (as int or float), else a ValueError."""
        if not math.isfinite(value):
            raise ValueError(f"{self.name} must be a finite number, got {value}")
        if self.integer and int(value) != value:
            raise ValueError(f"{self.name} must be a whole number, got {value}")
        low, high = self.low, self.high
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f">= {low:g}" if high is None else f"between {low:g} and {high:g}"
            raise ValueError(f"{self.name} must be {bounds}, got {value:g}")
        return int(value) if self.integer else float(value)


PARAMS: tuple[Param, ...] = (
    Param(
        "temperature",
        ("-t", "--temperature"),
        0.0,
        2.0,
        "temperature",
        "Sampling temperature: higher is more varied.",
    ),
    Param("top_p", ("--top-p",), 0.01, 1.0, "top_p", "Nucleus sampling: probability mass kept."),
    Param(
        "max_tokens",
        ("--max-tokens",),
        1,
        None,
        "max tokens",
        "Most tokens the answer may have.",
        integer=True,
    ),
    Param(
        "frequency_penalty",
        ("--frequency-penalty",),
        -2.0,
        2.0,
        "frequency penalty",
        "Penalise tokens by how often they appeared.",
    ),
    Param(
        "presence_penalty",
        ("--presence-penalty",),
        -2.0,
        2.0,
        "presence penalty",
        "Penalise tokens that appeared at all.",
    ),
    Param("seed", ("--seed",), 1, None, "seed", "Ask for repeatable sampling.", integer=True),
)
BY_NAME: dict[str, Param] = {param.name: param for param in PARAMS}


@dataclass(frozen=True)
class Choice:
    """One generation parameter that takes one of a few words; `name` is the trait, `field`
    the request field (they differ where the service's name is long: `reasoning_effort`)."""

    name: str
    field: str
    flags: tuple[str, ...]
    choices: tuple[str, ...]
    label: str
    help: str

    @property
    def bounds(self) -> str:
        """The choices as people write them: `low|medium|high`."""
        return "|".join(self.choices)

    def check(self, value: str) -> str:
        """The value if it is one of the choices, else a ValueError naming them."""
        if value not in self.choices:
            raise ValueError(f"{self.name} must be one of {', '.join(self.choices)}, got {value!r}")
        return value


CHOICES: tuple[Choice, ...] = (
    Choice(
        "effort",
        "reasoning_effort",
        ("--effort",),
        ("low", "medium", "high"),
        "effort",
        "How hard a reasoning model thinks, sent as reasoning_effort (--reasoning only chooses "
        "how reasoning is shown).",
    ),
)
CHOICE_BY_NAME: dict[str, Choice] = {choice.name: choice for choice in CHOICES}


def check_range(name: str, value: float) -> float | int:
    """Validate a generation parameter against the service's documented bounds."""
    return BY_NAME[name].check(value)
