"""Benchmark of `%%aiml --compare` (not part of the test run).

    pip install -e ".[test,bench]" && python benchmarks/compare.py

Four models whose answers take 0.5 s to 2 s against the local simulator: each answered
alone through a real `%%aiml -m MODEL` cell, then all four in one `%%aiml --compare` cell.
Prints a Markdown table of ratios: the comparison's time against the slowest single answer
(target: at most 1.15x) and against the four run one after another, and the display bytes
of all columns against the sum of their final answers (target: at most 3x).
"""

from __future__ import annotations

import os
import time

from aiml_magics.simulator import Reply, Simulator

ANSWER = "A sentence of a benchmark answer, about forty characters. " * 36  # ~2 KB
CHUNK = 40
# seconds between chunks -> answers of about 0.5, 1.0, 1.5 and 2.0 s
MODELS = {
    "openai/gpt-4o": 0.01,
    "qwen/qwen3-32b": 0.02,
    "anthropic/claude-sonnet-4.5": 0.03,
    "bytedance/seed-1-8": 0.04,
}
REPEATS = 3


def reply(delay: float) -> Reply:
    return Reply(content=ANSWER, reasoning="", chunk_size=CHUNK, delay=delay)


def compare_table(sim: Simulator) -> str:
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    os.environ["AIML_API_KEY"] = sim.api_key
    os.environ["AIML_API_BASE"] = sim.base_url
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "aiml_magics")
    magics = next(m for m in shell.configurables if type(m).__name__ == "AimlMagics")

    def timed(source: str) -> float:
        started = time.perf_counter()
        with capture_output():
            result = shell.run_cell(source)
        assert result.error_in_exec is None, result.error_in_exec
        return time.perf_counter() - started

    singles: dict[str, float] = {}
    for model, delay in MODELS.items():
        runs = []
        for _ in range(REPEATS):
            sim.script_for(model, reply(delay))
            runs.append(timed(f"%%aiml -m {model} --no-history\nbenchmark"))
        singles[model] = min(runs)
    compared, traffic, final = [], 0, 0
    for _ in range(REPEATS):
        for model, delay in MODELS.items():
            sim.script_for(model, reply(delay))
        compared.append(timed(f"%%aiml --compare {','.join(MODELS)} --no-history\nbenchmark"))
        stats = magics.last_comparison.stats
        traffic, final = stats.bytes_sent, stats.final_bytes
    slowest, one_after_another, together = (
        max(singles.values()),
        sum(singles.values()),
        min(compared),
    )
    rows = [f"| {model} alone | {seconds:.2f} s | |" for model, seconds in singles.items()]
    rows += [
        f"| one after another (sum) | {one_after_another:.2f} s | "
        f"{one_after_another / slowest:.2f}x the slowest |",
        f"| `--compare` (all four) | {together:.2f} s | **{together / slowest:.2f}x** the slowest "
        f"(target ≤ 1.15x); {together / one_after_another:.2f}x one after another |",
        f"| display bytes of the columns | {traffic:,} B | **{traffic / final:.2f}x** the final "
        f"answers ({final:,} B; target ≤ 3x) |",
    ]
    head = "| run (best of 3) | time / bytes | ratio |"
    return "\n".join([head, "|---|---:|---|", *rows])


def main() -> None:
    with Simulator() as sim:
        print(compare_table(sim))


if __name__ == "__main__":
    main()
