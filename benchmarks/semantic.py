"""Semantic operators against the batch engine they run on, on the local simulator.

    pip install -e ".[test]" && python benchmarks/semantic.py

2,000 rows, 100 ms per answer, concurrency 32:
1. `aiml_magics.batch` with a bool schema (the engine alone), then `df.aiml.filter` and
   `df.aiml.classify` on the same rows: the same number of requests, so their throughput
   should be within 0.9x of the engine's (the operators add prompts and parsing only);
2. `classify(pack=10)`: requests counted from the simulator's log (10x fewer) and labels
   compared with the unpacked run (identical).
3. `df.aiml.join` of 1,000 x 1,000 rows with k=5, embeddings from the simulator: each left
   row has one planted match on the right (the same made-up name, words reordered, other
   words around it) among 999 others; counts the judged pairs (at most 5,000) and the
   embedding requests from the simulator's log, and the recall of the planted matches.
Prints Markdown tables of rows per second, the ratios the goals are stated in, and the join.
"""

from __future__ import annotations

import os
import random
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
        sim.latency = 0.0
        join_benchmark(sim)
    print("\n| run | rows/s | ratio to the engine |\n|---|---|---|")
    print(f"| batch engine, bool schema | {engine:.0f} | 1.00 |")
    print(f"| df.aiml.filter | {filtered:.0f} | {filtered / engine:.2f} |")
    print(f"| df.aiml.classify | {classified:.0f} | {classified / engine:.2f} |")
    print(f"| df.aiml.classify(pack=10) | {packed_rate:.0f} | {packed_rate / engine:.2f} |")
    same = packed["label"].equals(one["label"])
    print(
        f"\npack=10: {ROWS:,} rows in {packed_requests:,} requests "
        f"({ROWS / packed_requests:.1f}x fewer), labels identical: {same}"
    )


JOIN_ROWS = 1000
JOIN_K = 5


def planted(seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, set[tuple[int, int]]]:
    """Customers and shuffled records; the true pairs are (customer index, record index)."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ren", "tas", "vo", "zu", "pel", "dri", "on", "sa", "gu"]
    names: set[str] = set()
    while len(names) < JOIN_ROWS:
        names.add(" ".join("".join(rng.sample(syllables, 3)) for _ in range(2)))
    ordered = sorted(names)
    cities = ["Leeds", "Porto", "Lyon", "Graz", "Turku", "Cork"]
    left = [f"{n}, {rng.choice(cities)}" for n in ordered]
    right_of = list(range(JOIN_ROWS))
    rng.shuffle(right_of)
    right = [""] * JOIN_ROWS
    for i, name in enumerate(ordered):
        first, last = name.split()
        right[right_of[i]] = f"{last} {first}: account at {rng.choice(cities)}"
    truth = {(i, right_of[i]) for i in range(JOIN_ROWS)}
    return pd.DataFrame({"customer": left}), pd.DataFrame({"record": right}), truth


def join_benchmark(sim: Simulator) -> None:
    left, right, truth = planted()
    chats, requests = len(sim.chat_requests), len(sim.requests)
    started = time.perf_counter()
    out = left.aiml.join(
        right, "the same customer", k=JOIN_K, concurrency=CONCURRENCY, progress=False
    )
    seconds = time.perf_counter() - started
    judged = len(sim.chat_requests) - chats
    embeddings = sum(1 for r in sim.requests[requests:] if r.path == "/v1/embeddings")
    found = set(zip(out["index"], out["index_other"], strict=True))
    recall = len(found & truth) / len(truth)
    precision = len(found & truth) / max(len(found), 1)
    print(f"\n| join {JOIN_ROWS:,} x {JOIN_ROWS:,}, k={JOIN_K} | value |\n|---|---:|")
    print(f"| judged pairs (chat requests) | {judged:,} (limit {JOIN_ROWS * JOIN_K:,}) |")
    print(f"| embedding requests | {embeddings} |")
    print(f"| recall of the planted matches | {recall:.3f} (target >= 0.95) |")
    print(f"| precision | {precision:.3f} |")
    print(f"| time | {seconds:.1f} s |")


if __name__ == "__main__":
    main()
