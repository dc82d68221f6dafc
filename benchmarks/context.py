"""Benchmark of the notebook context builder (not part of the test run).

    python benchmarks/context.py

Describes a 1,000,000-row DataFrame (numbers, text, dates, nulls) as `@df` does, and builds a
whole context (`@df` plus cells, outputs, errors and vars) around it. Prints a Markdown table
of the best of five times (target: well under a second each) and the description sizes.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from aiml_magics.chat.context import NotebookState, build_context, describe

ROWS = 1_000_000
REPEATS = 5


def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    data = pd.DataFrame(
        {
            "price": rng.normal(100, 15, ROWS),
            "units": rng.integers(0, 50, ROWS),
            "city": rng.choice(["Lyon", "Oslo", "Lima", "Pune"], ROWS),
            "when": pd.date_range("2024-01-01", periods=ROWS, freq="s"),
        }
    )
    data.loc[::10, "price"] = np.nan
    return data


def best(action) -> tuple[float, str]:
    times, text = [], ""
    for _ in range(REPEATS):
        started = time.perf_counter()
        text = action()
        times.append(time.perf_counter() - started)
    return min(times), text


def main() -> None:
    df = frame()
    history = ["", "import pandas as pd", "df = load()", "df.price.mean()"]
    state = NotebookState({"df": df}, history, {3: 100.0})
    rows = [
        ("describe(df)", *best(lambda: describe(df))),
        (
            "build_context('@df', cells,outputs,errors,vars)",
            *best(
                lambda: build_context("@df", state, "cells,outputs,errors,vars").as_message_text()
            ),
        ),
    ]
    print(f"{ROWS:,}-row DataFrame, best of {REPEATS}\n")
    print("| what | seconds | characters |\n|---|---:|---:|")
    for name, seconds, text in rows:
        print(f"| `{name}` | {seconds:.3f} | {len(text):,} |")


if __name__ == "__main__":
    main()
