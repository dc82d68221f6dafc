"""`%%aiml --eval DATA --compare M1,M2` through the real magic (an InteractiveShell) against
the simulator: the body is the prompt template, the cell shows the summary and the plot and
keeps the summary in its metadata, and the option rules give one clear usage error."""

from __future__ import annotations

import pandas as pd
import pytest

from aiml_magics.chat.evaluation import Evaluation
from aiml_magics.simulator import Reply

pytestmark = pytest.mark.filterwarnings("ignore:`Completer.complete` is pending deprecation")

GOOD, SHAKY, JUDGE = "openai/gpt-4o", "qwen/qwen3-32b", "anthropic/claude-sonnet-4.5"
ROWS = 6
DATA = pd.DataFrame(
    {
        "question": [f"[q{i}] What is {i} + {i}?" for i in range(ROWS)],
        "expected": [str(2 * i) for i in range(ROWS)],
    }
)
SHAKY_WRONG = {1, 4}
CELL = (
    f"%%aiml --eval data --compare {GOOD},{SHAKY} {{options}}\n"
    "Answer with a number. {{question}}"
)


def script(sim, times: int = 1) -> None:
    for i in range(ROWS):
        sim.script_for(GOOD, Reply(content=str(2 * i), match=f"[q{i}]", times=times))
        answer = str(2 * i + 1) if i in SHAKY_WRONG else str(2 * i)
        sim.script_for(SHAKY, Reply(content=answer, match=f"[q{i}]", times=times))


def cell(options: str = "") -> str:
    return CELL.format(options=options)


@pytest.fixture
def data(ip):
    ip.user_ns["data"] = DATA
    yield DATA
    for name in ("data", "ev", "last_digit"):
        ip.user_ns.pop(name, None)


def test_the_body_is_asked_per_row_of_each_model_and_the_cell_shows_the_evidence(
    run, ip, aiml_simulator, data
):
    script(aiml_simulator)
    out = run(cell("-o ev"))
    assert out.error is None
    evaluation = ip.user_ns["ev"]
    assert isinstance(evaluation, Evaluation) and ip.user_ns["_aiml"] is evaluation
    sent = sorted(r.body["messages"][-1]["content"] for r in aiml_simulator.chat_requests)
    assert sent == sorted(f"Answer with a number. {q}" for q in DATA["question"] for _ in "ab")
    summary = evaluation.summary.set_index("model")["exact"]  # exact is the default metric
    assert summary[GOOD] == 1.0 and summary[SHAKY] == pytest.approx(4 / 6)
    shown = next(o for o in out.outputs if "image/png" in o.data)
    assert "| Answer with a number" not in shown.data["text/markdown"]  # names, not answers
    assert "| prompt | openai/gpt\\-4o | 6 | 1.000 [1.000, 1.000]" in shown.data["text/markdown"]
    saved = {r["model"]: r["exact"] for r in shown.metadata["aiml"]["evaluation"]["summary"]}
    assert saved == {GOOD: 1.0, SHAKY: pytest.approx(4 / 6)}


def test_repeats_metrics_and_a_judge_from_the_options(run, ip, aiml_simulator, data):
    script(aiml_simulator, times=2)
    aiml_simulator.script_for(JUDGE, Reply(content="Verdict: A", times=4 * ROWS))
    ip.user_ns["last_digit"] = lambda answer, row: float(answer[-1:] == row["expected"][-1:])
    options = f"--repeats 2 --metric exact --metric last_digit --metric pairwise --judge {JUDGE}"
    out = run(cell(options + " -o ev"))
    assert out.error is None
    evaluation = ip.user_ns["ev"]
    answers = [r.body for r in aiml_simulator.chat_requests if r.body["model"] != JUDGE]
    assert len(answers) == 2 * 2 * ROWS and {b["seed"] for b in answers} == {1, 2}
    judged = [r for r in aiml_simulator.chat_requests if r.body["model"] == JUDGE]
    # one request per distinct judge prompt: equal answers make one (both orders and both
    # repeats are the same text), differing ones two (the two orders; repeats are equal)
    assert len(judged) == (ROWS - len(SHAKY_WRONG)) + 2 * len(SHAKY_WRONG)
    assert evaluation.metrics == ["exact", "last_digit"]
    assert set(evaluation.pairs["winner"]) == {"tie"}  # the first-position judge cancels out
    assert evaluation.stability.set_index("model").loc[SHAKY, "mean_distinct"] == 1.0


def test_a_dry_run_counts_prices_and_states_its_assumption(run, ip, aiml_simulator, data):
    out = run(cell(f"--metric pairwise --judge {JUDGE} --dry-run -o ev"))
    assert out.error is None and aiml_simulator.chat_requests == []
    printed = out.stdout + "".join(o.data.get("text/plain", "") for o in out.outputs)
    assert f"{4 * ROWS} requests: {2 * ROWS} answers and {2 * ROWS} judge calls" in printed
    assert "answers counted empty" in printed
    assert "assuming every answer is as long as the model's output limit allows" in printed
    assert "ev" not in ip.user_ns  # a dry run keeps nothing


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ("--eval data", "--eval needs the models to evaluate: add --compare M1,M2"),
        ("--repeats 2", "--repeats belongs to an evaluation: add --eval DATA"),
        ("--judge j", "--judge belongs to an evaluation: add --eval DATA"),
        ("--eval data --compare a,b --over data", "--over does not apply to --eval"),
        ("--eval data --compare a,b -c other", "-c/--chat does not apply to --eval"),
        ("--eval data --compare a,b --tools f", "--tools does not apply to --eval"),
        ("--eval nothing_here --compare a,b", "--eval: there is no 'nothing_here'"),
        ("--eval data --compare a,b --metric nope", "unknown metric 'nope'"),
        ("--eval data --compare a,b --metric pairwise", "needs a judge model"),
        ("--eval data --compare a,b --repeats 0", "--repeats must be at least 1"),
    ],
)
def test_what_cannot_run_is_one_clear_line_and_sends_nothing(
    run, ip, aiml_simulator, data, options, message
):
    ip.user_ns["f"] = lambda: None
    out = run(f"%%aiml {options}\nQ: {{question}}")
    assert out.error is not None and message in str(out.error)
    assert "Traceback" not in out.stdout
    assert aiml_simulator.chat_requests == []


def test_help_and_tab_know_the_evaluation_options(ip):
    help_text = " ".join(ip.find_cell_magic("aiml").__doc__.split())
    assert "--repeats, --metric, --judge only with --eval" in help_text
    line = "%%aiml --eval data --compare a,b --"
    _, offered = ip.complete("", line, len(line))
    assert "--judge" in offered and "--repeats" in offered
    assert "--chat" not in offered and "--tools" not in offered and "--over" not in offered
