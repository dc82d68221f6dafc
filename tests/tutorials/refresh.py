"""Store in each tutorial notebook the outputs the current code produces.

    python -m tests.tutorials.refresh                  # every notebook in notebooks/
    python -m tests.tutorials.refresh 03-conversations # just these

Each notebook runs top to bottom in a real kernel (nbclient, like JupyterLab) against a fresh
simulator scripted from `replies.py`, in the same environment the tutorial test uses; the
executed notebook is written back with fixed metadata and no widget state, with the replay
recording the run made (`NAME.aiml.jsonl`, for notebooks that record) beside it. Nothing is written
when a cell fails unexpectedly, the script does not match the requests, or a key-like string
turned up in the result.
"""

from __future__ import annotations

import sys
import time

from . import harness


def refresh(name: str) -> list[str]:
    """Execute and store one notebook; the problems that prevented storing it, if any."""
    import nbformat
    from nbclient.exceptions import CellExecutionError

    recorded = harness.recording_path(name).with_suffix(".new")
    with harness.scripted_simulator(name) as sim:
        try:
            nb = harness.execute(name, sim, recording_to=recorded)
        except CellExecutionError as exc:
            recorded.unlink(missing_ok=True)
            return [f"{name}: a cell failed that is not tagged raises-exception:\n{exc}"]
        problem = harness.script_problem(sim, name)
        key = sim.api_key
    if problem:
        recorded.unlink(missing_ok=True)
        return [problem]
    text = nbformat.writes(harness.normalize(nb))
    findings = harness.key_findings(text, key)
    if findings:
        recorded.unlink(missing_ok=True)
        return [f"{name}: {finding}" for finding in findings]
    if recorded.exists():  # the recording a CI run replays (tests/kernel/test_replay_nbval.py)
        if key in recorded.read_text(encoding="utf-8"):
            recorded.unlink()
            return [f"{name}{harness.RECORDING_SUFFIX}: holds the simulator's key"]
        recorded.replace(harness.recording_path(name))
    harness.notebook_path(name).write_text(text, encoding="utf-8")
    return []


def main(argv: list[str] | None = None) -> int:
    names = list(argv if argv is not None else sys.argv[1:]) or harness.notebook_names()
    unknown = [n for n in names if n not in harness.REPLIES or n not in harness.notebook_names()]
    if unknown:
        print(f"no notebook with a script: {', '.join(unknown)}", file=sys.stderr)
        return 2
    failed = False
    for name in names:
        started = time.monotonic()
        problems = refresh(name)
        took = time.monotonic() - started
        if problems:
            failed = True
            print(f"{name}: NOT stored ({took:.1f} s)", file=sys.stderr)
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
        else:
            print(f"{name}: outputs stored ({took:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
