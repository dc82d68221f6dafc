"""`%%aiml --filter DATA` and `%%aiml --classify DATA --labels ...` through the real magic,
answered by the simulator's rules (a row containing the condition's keyword is kept; a row
gets the first label it contains)."""

from __future__ import annotations

import pandas as pd
import pytest

pytestmark = pytest.mark.unit

REVIEWS = pd.DataFrame(
    {
        "review": [
            "the delivery was late",
            "tastes odd, want a refund",
            "fine coffee",
            "delivery box was crushed",
        ]
    },
    index=[11, 22, 33, 44],
)


def said(out) -> str:
    return (
        out.stdout
        + out.captured.stderr
        + "".join(o.data.get("text/plain", "") for o in out.outputs)
    )


def test_filter_cell_keeps_matching_rows_in_var(ip, run, aiml_simulator):
    ip.user_ns["reviews"] = REVIEWS
    out = run("%%aiml --filter reviews -o late --concurrency 2\nabout 'delivery'")
    assert out.error is None
    kept = ip.user_ns["late"]
    assert list(kept.index) == [11, 44]
    assert kept["keep"].all() and kept["reason"].notna().all()
    assert ip.user_ns["_aiml"] is kept
    assert len(aiml_simulator.chat_requests) == 4
    assert "filter: 4 rows" in said(out)
    again = run("%%aiml --filter reviews -o late\nabout 'delivery'")
    assert again.error is None and len(aiml_simulator.chat_requests) == 4  # nothing re-sent


def test_classify_cell_labels_every_row(ip, run, aiml_simulator):
    ip.user_ns["reviews"] = REVIEWS
    out = run(
        "%%aiml --classify reviews --labels delivery,refund,coffee -o labelled -m openai/gpt-4o\n"
        "What is the review about?"
    )
    assert out.error is None
    labelled = ip.user_ns["labelled"]
    assert list(labelled.index) == list(REVIEWS.index)
    assert labelled["label"].tolist() == ["delivery", "refund", "coffee", "delivery"]
    assert {r.body["model"] for r in aiml_simulator.chat_requests} == {"openai/gpt-4o"}


def test_dry_run_prices_and_sends_nothing(ip, run, aiml_simulator):
    ip.user_ns["reviews"] = REVIEWS
    out = run("%%aiml --classify reviews --labels a,b --dry-run -o x\nWhich?")
    assert out.error is None
    assert "Dry run of classify" in said(out) and "4 requests" in said(out)
    assert aiml_simulator.chat_requests == [] and "x" not in ip.user_ns


def test_max_credits_stops_and_keeps_every_row(ip, run, aiml_simulator):
    ip.user_ns["reviews"] = REVIEWS
    line = "--classify reviews --labels delivery,refund --concurrency 1 --max-credits 500"
    out = run(f"%%aiml {line} -o part\nWhich?")
    assert out.error is None
    part = ip.user_ns["part"]
    assert list(part.index) == list(REVIEWS.index)  # no row dropped
    assert part["error"].notna().sum() == 4 - len(aiml_simulator.chat_requests) > 0
    assert "not sent" in said(out)


@pytest.mark.parametrize(
    "line, message",
    [
        ("--filter nowhere", "--filter: there is no 'nowhere' in the notebook"),
        ("--filter numbers", "--filter works on a pandas DataFrame; 'numbers' is a list"),
        ("--classify reviews --labels one", "--labels needs at least two labels"),
        ("--filter reviews -t 0.2", "--filter sends the session's generation parameters"),
        ("--classify reviews", "--classify needs the labels to choose from"),
        ("--filter reviews --labels a,b", "--labels belongs to --classify"),
        ("--filter reviews --over reviews", "--over does not apply to --filter or --classify"),
        ("--concurrency 2", "add --over, --eval, --filter or --classify DATA"),
    ],
)
def test_usage_errors_are_one_line_and_send_nothing(ip, run, aiml_simulator, line, message):
    ip.user_ns.update(reviews=REVIEWS, numbers=[1, 2])
    out = run(f"%%aiml {line}\nabout 'delivery'")
    text = said(out)
    assert "UsageError" in text and message in text and "Traceback" not in text
    assert aiml_simulator.chat_requests == []
