"""`aiml_magics.evaluate` end to end: a real shell, the batch engine, the simulator over HTTP
scripting each model's answer per row and the judge's verdicts, and replay with no simulator.
"""

from __future__ import annotations

import random

import pandas as pd
import pytest

import aiml_magics
from aiml_magics.api.errors import UsageError
from aiml_magics.chat.evaluation import bootstrap_ci
from aiml_magics.simulator import Reply

GOOD, SHAKY, JUDGE = "openai/gpt-4o", "qwen/qwen3-32b", "anthropic/claude-sonnet-4.5"
ROWS = 100
DATA = pd.DataFrame(
    {
        "question": [f"[q{i}] What is {i} + {i}?" for i in range(ROWS)],
        "expected": [str(2 * i) for i in range(ROWS)],
    }
)
_DRAW = random.Random(11)
SHAKY_RIGHT = [_DRAW.random() < 0.8 for _ in range(ROWS)]  # right on about 80% of rows


def wrong(i: int) -> str:
    return str(2 * i + 1)


def script_answers(sim, times: int = 1) -> None:
    """GOOD is always right; SHAKY is right on the rows SHAKY_RIGHT says."""
    for i in range(ROWS):
        sim.script_for(GOOD, Reply(content=str(2 * i), match=f"[q{i}]", times=times))
        answer = str(2 * i) if SHAKY_RIGHT[i] else wrong(i)
        sim.script_for(SHAKY, Reply(content=answer, match=f"[q{i}]", times=times))


def fenced(label: str, text: str) -> str:
    return f"[{label}]\n```\n{text}\n```"


def chat_to(sim, model: str) -> list[dict]:
    return [r.body for r in sim.chat_requests if r.body.get("model") == model]


def run(**options):
    options.setdefault("progress", False)
    return aiml_magics.evaluate(
        DATA, {"plain": "Answer with a number. {question}"}, [GOOD, SHAKY], **options
    )


def test_every_row_is_asked_of_every_model_and_scored(ip, aiml_simulator):
    script_answers(aiml_simulator)
    evaluation = run(metrics=["exact"])
    assert len(evaluation.table) == 2 * ROWS
    assert ip.user_ns["_aiml"] is evaluation
    sent = sorted(b["messages"][-1]["content"] for b in chat_to(aiml_simulator, SHAKY))
    assert sent == sorted(f"Answer with a number. {q}" for q in DATA["question"])
    summary = evaluation.summary.set_index("model")
    assert summary.loc[GOOD, "exact"] == 1.0
    right = sum(SHAKY_RIGHT) / ROWS
    assert summary.loc[SHAKY, "exact"] == pytest.approx(right)
    low, high = summary.loc[SHAKY, "exact_low"], summary.loc[SHAKY, "exact_high"]
    assert low < 0.8 < high  # the interval holds the rate the model was scripted with
    assert (low, high) == bootstrap_ci([float(r) for r in SHAKY_RIGHT])
    assert (evaluation.table["credits"] > 0).all() and evaluation.table["latency_s"].notna().all()
    paired = evaluation.paired(GOOD, SHAKY)
    assert (paired.wins, paired.losses) == (ROWS - sum(SHAKY_RIGHT), 0)


def test_a_judge_biased_to_the_first_position_gives_only_ties(ip, aiml_simulator):
    script_answers(aiml_simulator)
    aiml_simulator.script_for(JUDGE, Reply(content="Verdict: A", times=10 * ROWS))
    evaluation = run(metrics=["exact", "pairwise"], judge=JUDGE)
    judged = chat_to(aiml_simulator, JUDGE)
    wrong_rows = ROWS - sum(SHAKY_RIGHT)
    # both orders of every pair; a pair of equal answers asks the same thing, sent once
    assert len(judged) == 2 * wrong_rows + sum(SHAKY_RIGHT)
    assert evaluation.pairwise.loc[GOOD, SHAKY] == f"0/{ROWS}/0"
    assert set(evaluation.pairs["winner"]) == {"tie"}


def test_a_fair_judge_keeps_its_choice_through_the_swap(ip, aiml_simulator):
    script_answers(aiml_simulator)
    for i in range(ROWS):  # picks the right answer in whichever position it is shown
        aiml_simulator.script_for(
            JUDGE,
            Reply(content="Better.\nVerdict: A", match=fenced("Answer A", 2 * i), times=2),
            Reply(content="Better.\nVerdict: B", match=fenced("Answer B", 2 * i), times=2),
        )
    evaluation = run(metrics=["pairwise"], judge=JUDGE)
    wrong_rows = ROWS - sum(SHAKY_RIGHT)
    assert evaluation.pairwise.loc[GOOD, SHAKY] == f"{wrong_rows}/{ROWS - wrong_rows}/0"
    assert evaluation.pairwise.loc[SHAKY, GOOD] == f"0/{ROWS - wrong_rows}/{wrong_rows}"


def test_a_rubric_judge_scores_on_its_scale(ip, aiml_simulator):
    script_answers(aiml_simulator)
    for i in range(ROWS):
        aiml_simulator.script_for(
            JUDGE, Reply(content="Right.\nScore: 5", match=fenced("Answer", 2 * i), times=2)
        )
    aiml_simulator.script_for(JUDGE, Reply(content="Wrong.\nScore: 1", times=ROWS))
    evaluation = run(
        metrics=[aiml_magics.chat.evaluation.judge("Is the sum right?", reference="expected")],
        judge=JUDGE,
    )
    summary = evaluation.summary.set_index("model")
    assert summary.loc[SHAKY, "judge"] == pytest.approx(1 + 4 * sum(SHAKY_RIGHT) / ROWS)
    asked = chat_to(aiml_simulator, JUDGE)[0]["messages"][-1]["content"]
    assert "Rubric: Is the sum right?" in asked and "[Reference answer]" in asked
    assert evaluation.table["judge_credits"].gt(0).all()


def test_running_it_again_sends_nothing_already_answered(ip, aiml_simulator):
    script_answers(aiml_simulator)
    first = run(metrics=["exact"])
    sent = len(aiml_simulator.chat_requests)
    again = run(metrics=["exact"])
    assert len(aiml_simulator.chat_requests) == sent
    assert again.info["run"]["reused"] == 2 * ROWS
    assert again.table["answer"].equals(first.table["answer"])


def test_repeats_are_requests_of_their_own_and_stability_counts_them(ip, aiml_simulator):
    small = DATA.head(4)
    for i in range(4):
        aiml_simulator.script_for(GOOD, Reply(content=str(2 * i), match=f"[q{i}]", times=3))
        aiml_simulator.script_for(
            SHAKY,
            Reply(content=str(2 * i), match=f"[q{i}]", times=2),
            Reply(content=wrong(i), match=f"[q{i}]"),
        )
    evaluation = aiml_magics.evaluate(
        small, "{question}", [GOOD, SHAKY], repeats=3, metrics="exact", progress=False
    )
    assert sorted({r.body["seed"] for r in aiml_simulator.chat_requests}) == [1, 2, 3]
    stability = evaluation.stability.set_index("model")
    assert stability.loc[GOOD, "mean_distinct"] == 1.0
    assert stability.loc[SHAKY, "mean_distinct"] == 2.0
    assert stability.loc[SHAKY, "score_changed"] == 1.0
    assert evaluation.summary.set_index("model").loc[SHAKY, "exact"] == pytest.approx(2 / 3)


def test_dry_run_counts_and_prices_without_sending(ip, aiml_simulator, capsys):
    planned = run(metrics=["exact", "pairwise"], judge=JUDGE, dry_run=True)
    assert aiml_simulator.chat_requests == []
    assert (planned.answers, planned.judge_calls) == (2 * ROWS, 2 * ROWS)
    assert planned.low_credits > 0
    printed = capsys.readouterr().out
    assert f"{4 * ROWS} requests: {2 * ROWS} answers and {2 * ROWS} judge calls" in printed


def test_max_credits_stops_the_evaluation_and_a_rerun_sends_the_rest(ip, aiml_simulator):
    script_answers(aiml_simulator, times=2)
    stopped = run(metrics=["exact"], max_credits=1, concurrency=1)
    assert stopped.info["run"]["stopped"].startswith("max_credits")
    assert stopped.table["error"].notna().sum() >= ROWS  # the second model was not asked
    before = len(aiml_simulator.chat_requests)
    finished = run(metrics=["exact"])
    assert len(aiml_simulator.chat_requests) - before == 2 * ROWS - before
    assert finished.table["error"].isna().all()


def test_bad_input_is_one_clear_error_before_anything_is_sent(ip, aiml_simulator):
    with pytest.raises(UsageError, match="reads the column 'answer'"):
        run(metrics=["exact:answer"])
    with pytest.raises(UsageError, match="needs a judge model"):
        run(metrics=["pairwise"])
    with pytest.raises(UsageError, match="names no field"):
        aiml_magics.evaluate(DATA, "{nope}", [GOOD], metrics="exact", progress=False)
    assert aiml_simulator.chat_requests == []


def test_the_notebook_shows_the_summary_and_the_plot_and_keeps_the_numbers(ip, aiml_simulator):
    script_answers(aiml_simulator)
    evaluation = run(metrics=["exact"])
    data, metadata = ip.display_formatter.format(evaluation)
    assert (
        data["image/png"]
        and "| plain | openai/gpt\\-4o | 100 | 1.000 [1.000, 1.000]" in (data["text/markdown"])
    )
    saved = {r["model"]: r["exact"] for r in metadata["aiml"]["evaluation"]["summary"]}
    assert saved == {GOOD: 1.0, SHAKY: pytest.approx(sum(SHAKY_RIGHT) / ROWS)}


def test_a_whole_evaluation_replays_with_no_simulator(ip, aiml_simulator, tmp_path, monkeypatch):
    path = tmp_path / "eval.aiml.jsonl"
    ip.run_line_magic("config", f"AimlMagics.replay_path = {str(path)!r}")
    ip.run_line_magic("config", "AimlMagics.replay = 'auto'")
    script_answers(aiml_simulator)
    aiml_simulator.script_for(JUDGE, Reply(content="Verdict: A", times=10 * ROWS))
    recorded = run(metrics=["exact", "pairwise"], judge=JUDGE)
    ip.run_line_magic("unload_ext", "aiml_magics")  # a new session: nothing kept in memory
    ip.run_line_magic("load_ext", "aiml_magics")
    ip.run_line_magic("config", f"AimlMagics.replay_path = {str(path)!r}")
    ip.run_line_magic("config", "AimlMagics.replay = 'only'")
    monkeypatch.delenv("AIML_API_KEY")
    monkeypatch.setenv("AIML_API_BASE", "http://127.0.0.1:9/v1")  # nothing listens there
    replayed = run(metrics=["exact", "pairwise"], judge=JUDGE)
    assert replayed.table["replayed"].all() and replayed.table["error"].isna().all()
    columns = ["row", "model", "answer", "exact", "credits"]
    pd.testing.assert_frame_equal(replayed.table[columns], recorded.table[columns])
    pd.testing.assert_frame_equal(
        replayed.summary.drop(columns=["latency_p50", "latency_p95"]),
        recorded.summary.drop(columns=["latency_p50", "latency_p95"]),
    )
    assert replayed.pairs["winner"].equals(recorded.pairs["winner"])


def test_progress_is_one_bar_over_every_batch_then_one_summary(run, ip, aiml_simulator, magics):
    magics.on_screen.widgets_refused = magics.on_screen.refusal_told = True  # live, no widgets
    aiml_simulator.latency = 0.1
    ip.user_ns["data"] = DATA.head(12)
    aiml_simulator.script_for(JUDGE, Reply(content="Verdict: A", times=100))
    source = (
        "import aiml_magics\n"
        f"ev = aiml_magics.evaluate(data, '{{question}}', [{GOOD!r}, {SHAKY!r}], "
        f"metrics=['pairwise'], judge={JUDGE!r}, concurrency=4)"
    )
    out = run(source, cell_id="cell-1")
    assert out.error is None
    texts = [o.data.get("text/plain", "") for o in out.outputs]
    bars = [t for t in texts if "rows/s" in t]
    assert bars and all(o.update for o in out.outputs[1:])  # one display, updated
    totals = {t.split("] ")[1].split(" ")[0].split("/")[1] for t in bars}
    assert totals == {"48"}  # 24 answers and 24 judge calls, counted as one run
    assert texts[-1].startswith("Batch: 48 rows: 48 answered")
