"""Batch throughput: aiml-magics vs a sequential loop vs AsyncOpenAI + asyncio.Semaphore.

    pip install -e ".[test,bench]" && python benchmarks/batch.py

Side by side in one run against the local simulator (latency 100 ms per answer), 1,000 rows:
1. `aiml_magics.batch(..., concurrency=32)`;
2. a plain sequential loop over `AimlClient.chat` (estimated from a 50-row sample: 1,000
   rows would take 100 s);
3. what a user would write instead: the openai SDK's `AsyncOpenAI` with `asyncio.Semaphore(32)`;
then a 429 storm (the simulator's rate limit, far below the demand) checked from the
simulator's request log: no row lost, no request before the Retry-After it was told.
Prints a Markdown table of rows per second and the ratios the goals are stated in.
"""

from __future__ import annotations

import asyncio
import os
import time

from aiml_magics.api.client import AimlClient
from aiml_magics.simulator import Simulator

ROWS = 1000
CONCURRENCY = 32
LATENCY = 0.1
SAMPLE = 50
MODEL = "bytedance/seed-1-8"


def rows(tag: str, count: int = ROWS) -> list[str]:
    return [f"{tag} review number {n}: arrived late, works well" for n in range(count)]


def ours(sim: Simulator) -> float:
    import aiml_magics

    data = rows("ours")
    started = time.perf_counter()
    results = aiml_magics.batch(
        "Classify: {}", data, concurrency=CONCURRENCY, progress=False, retries=0
    )
    seconds = time.perf_counter() - started
    assert all(r.error is None for r in results), "a row failed"
    return ROWS / seconds


def sequential(sim: Simulator) -> float:
    client = AimlClient(sim.api_key, sim.base_url)
    started = time.perf_counter()
    for text in rows("loop", SAMPLE):
        client.chat([{"role": "user", "content": f"Classify: {text}"}], MODEL)
    return SAMPLE / (time.perf_counter() - started)


def async_openai(sim: Simulator) -> float:
    from openai import AsyncOpenAI

    async def main() -> float:
        client = AsyncOpenAI(api_key=sim.api_key, base_url=sim.base_url)
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(text: str) -> str:
            async with gate:
                answer = await client.chat.completions.create(
                    model=MODEL, messages=[{"role": "user", "content": f"Classify: {text}"}]
                )
                return answer.choices[0].message.content or ""

        started = time.perf_counter()
        answers = await asyncio.gather(*(one(t) for t in rows("asyncio")))
        seconds = time.perf_counter() - started
        await client.close()
        assert len(answers) == ROWS
        return ROWS / seconds

    return asyncio.run(main())


def storm(sim: Simulator) -> dict[str, float]:
    """A rate limit of 40 requests per 0.5 s against a demand of 320/s: mostly 429s."""
    import aiml_magics

    sim.reset()
    sim.latency = LATENCY
    sim.rate_limit = (40, 0.5)
    data = rows("storm", 400)
    started = time.perf_counter()
    results = aiml_magics.batch(
        "Classify: {}", data, concurrency=CONCURRENCY, progress=False, retries=20
    )
    seconds = time.perf_counter() - started
    lost = sum(1 for r in results if r.error is not None)
    received = [r.received for r in sim.chat_requests]
    early = 0
    for refusal in sim.throttled:  # requests sent after the 429 arrived, before its time
        early += sum(1 for t in received if refusal.received + 0.05 < t < refusal.until - 0.001)
    return {
        "rows": len(data),
        "lost": lost,
        "refused": len(sim.throttled),
        "early": early,
        "seconds": seconds,
        "rows_per_s": len(data) / seconds,
    }


def main() -> None:
    with Simulator() as sim:
        os.environ["AIML_API_KEY"] = sim.api_key
        os.environ["AIML_API_BASE"] = sim.base_url
        sim.latency = LATENCY
        ideal = CONCURRENCY / LATENCY
        measured = {
            "aiml-magics batch, concurrency 32": ours(sim),
            "AsyncOpenAI + Semaphore(32)": async_openai(sim),
            f"sequential loop (from {SAMPLE} rows)": sequential(sim),
        }
        stormy = storm(sim)
    ours_rate = measured["aiml-magics batch, concurrency 32"]
    asyncio_rate = measured["AsyncOpenAI + Semaphore(32)"]
    print(f"### {ROWS:,} rows, {LATENCY * 1000:.0f} ms per answer (ideal {ideal:.0f} rows/s)\n")
    print("| approach | rows/s | 1,000 rows take |")
    print("|---|---:|---:|")
    for name, rate in measured.items():
        print(f"| {name} | {rate:.0f} | {ROWS / rate:.1f} s |")
    print()
    print(f"- aiml-magics / asyncio: **{ours_rate / asyncio_rate:.2f}x** (goal >= 0.9x)")
    print(f"- aiml-magics / ideal: **{ours_rate / ideal:.2f}x** (goal >= 0.8x)")
    print(
        f"- 429 storm (40 requests per 0.5 s, {stormy['rows']:.0f} rows): "
        f"{stormy['refused']:.0f} refusals, {stormy['lost']:.0f} rows lost, "
        f"{stormy['early']:.0f} requests before their Retry-After, "
        f"{stormy['rows_per_s']:.0f} rows/s (the limit allows 80)"
    )


if __name__ == "__main__":
    main()
