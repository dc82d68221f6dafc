"""Semantic operators against the batch engine they run on, on the local simulator.

    pip install -e ".[test]" && python benchmarks/semantic.py

2,000 rows, 100 ms per answer, concurrency 32:
1. `aiml_magics.batch` with a bool schema (the engine alone), then `df.aiml.filter` and
   `df.aiml.classify` on the same rows: the same number of requests, so their throughput
   should be within 0.9x of the engine's (the operators add prompts and parsing only);
2. `classify(pack=10)`: requests counted from the simulator's log (10x fewer) and labels
   compared with the unpacked run (identical).
Prints a Markdown table of rows per second and the ratios the goals are stated in.
"""

from __future__ import annotations

import os
import time

import pandas as pd

from aiml_magics.simulator import Simulator

ROWS = 2000
LATENCY = 0.1
CONCURRENCY = 32
LABELS = ["delivery", "taste", "refund", "other"]


def frame(tag: str) -> pd.DataFrame:
    kinds = ["late delivery", "odd taste", "want a refund", "fine"]
    return pd.DataFrame({"review": [f"{tag} {n}: {kinds[n % 4]}" for n in range(ROWS)]})


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    out = call()
    return ROWS / (time.perf_counter() - started), out


def main() -> None:
    import aiml_magics

    with Simulator() as sim:
        os.environ.update(AIML_API_KEY=sim.api_key, AIML_API_BASE=sim.base_url)
        sim.latency = LATENCY
        common = {"concurrency": CONCURRENCY, "progress": False}
        engine, _ = timed(
            lambda: aiml_magics.batch(
                "Is it about delivery? {review}", frame("engine"), schema=bool, **common
            )
        )
        filtered, _ = timed(lambda: frame("filter").aiml.filter("about 'delivery'", **common))
        classified, one = timed(
            lambda: frame("classify").aiml.classify("review", labels=LABELS, **common)
        )
        before = len(sim.chat_requests)
        packed_rate, packed = timed(
            lambda: frame("classify").aiml.classify("review", labels=LABELS, pack=10, **common)
        )
        packed_requests = len(sim.chat_requests) - before
    print("| run | rows/s | ratio to the engine |\n|---|---|---|")
    print(f"| batch engine, bool schema | {engine:.0f} | 1.00 |")
    print(f"| df.aiml.filter | {filtered:.0f} | {filtered / engine:.2f} |")
    print(f"| df.aiml.classify | {classified:.0f} | {classified / engine:.2f} |")
    print(f"| df.aiml.classify(pack=10) | {packed_rate:.0f} | {packed_rate / engine:.2f} |")
    same = packed["label"].equals(one["label"])
    print(
        f"\npack=10: {ROWS:,} rows in {packed_requests:,} requests "
        f"({ROWS / packed_requests:.1f}x fewer), labels identical: {same}"
    )


if __name__ == "__main__":
    main()
