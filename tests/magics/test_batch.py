"""AI over data (`aiml_magics.batch`, `%%aiml --over`): a real shell, the simulator over HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Literal

import pandas as pd
import pytest

import aiml_magics
from aiml_magics.api import errors
from aiml_magics.chat.batching import AdaptiveLimit, BatchResult
from aiml_magics.simulator import Reply

REVIEWS = pd.DataFrame(
    {
        "review": [
            "Loved it, would buy again",
            "Broke after two days",
            "Does the job",
            "Terrible support, never again",
        ],
        "stars": [5, 1, 3, 1],
    },
    index=pd.Index([107, 3, 42, 8], name="id"),  # not 0..n-1: alignment must keep it
)


def user_texts(sim) -> list[str]:
    return [r.body["messages"][-1]["content"] for r in sim.chat_requests]


def label_replies(frame: pd.DataFrame) -> dict[str, str]:
    """A distinct answer per review, matched by its text (rows run concurrently)."""
    return {text: f"label-{len(text)}" for text in frame["review"]}


def test_dataframe_answers_keep_the_index_and_each_row_gets_its_own(ip, aiml_simulator):
    expected = label_replies(REVIEWS)
    aiml_simulator.script(*[Reply(content=a, match=t) for t, a in expected.items()])
    out = aiml_magics.batch("Sentiment of: {review} ({stars} stars)", REVIEWS, progress=False)
    assert list(out.columns) == ["answer", "credits", "error"]
    assert out.index.equals(REVIEWS.index)
    for row_id, review in REVIEWS["review"].items():
        assert out.loc[row_id, "answer"] == expected[review]
    assert out["error"].isna().all() and (out["credits"] > 0).all()
    sent = sorted(user_texts(aiml_simulator))
    assert sent == sorted(f"Sentiment of: {r} ({s} stars)" for r, s in REVIEWS.values)
    assert all(r.body["stream"] is False for r in aiml_simulator.chat_requests)
    summary = ip.user_ns["_aiml"].summary
    assert (summary.rows, summary.answered, summary.requests) == (4, 4, 4)


def test_aiml_shows_a_batch_as_its_summary(ip, aiml_simulator):
    """The formatter is registered by module and class name: it must follow `BatchResult`."""
    aiml_magics.batch("Sentiment of: {review}", REVIEWS, progress=False)
    assert isinstance(ip.user_ns["_aiml"], BatchResult)
    shown, _ = ip.display_formatter.format(ip.user_ns["_aiml"])
    assert shown["text/markdown"].startswith("**Batch:** 4 rows: 4 answered")


def test_series_gives_a_series_and_strings_give_results(ip, aiml_simulator):
    series = pd.Series(["tea", "coffee"], index=["a", "b"], name="drink")
    aiml_simulator.script(Reply(content="hot leaf", match="tea"), Reply(content="bean", match="co"))
    out = aiml_magics.batch("Describe {drink}", series, progress=False)
    assert isinstance(out, pd.Series) and out.index.tolist() == ["a", "b"]
    assert out.to_dict() == {"a": "hot leaf", "b": "bean"}

    aiml_simulator.script(Reply(content="one", match="x1"), Reply(content="two", match="x2"))
    results = aiml_magics.batch("Echo {} and {text}", ["x1", "x2"], progress=False)
    assert [r.text for r in results] == ["one", "two"]
    assert "Echo x1 and x1" in user_texts(aiml_simulator)


def test_braces_in_row_text_are_not_fields(ip, aiml_simulator):
    aiml_magics.batch("Fix: {}", ["print({a})", "d = {'k': 1}"], progress=False)
    assert sorted(user_texts(aiml_simulator)) == ["Fix: d = {'k': 1}", "Fix: print({a})"]


@dataclass
class Label:
    sentiment: Literal["positive", "negative", "neutral"]
    confidence: float


def test_schema_gives_one_column_per_field(ip, aiml_simulator):
    answers = {
        "Loved": {"sentiment": "positive", "confidence": 0.9},
        "Broke": {"sentiment": "negative", "confidence": 0.8},
        "Does the": {"sentiment": "neutral", "confidence": 0.5},
        "Terrible": {"sentiment": "negative", "confidence": 0.95},
    }
    aiml_simulator.script(*[Reply(content=json.dumps(v), match=k) for k, v in answers.items()])
    out = aiml_magics.batch("Label: {review}", REVIEWS, schema=Label, progress=False)
    assert list(out.columns) == ["sentiment", "confidence", "credits", "error"]
    assert out.loc[107, "sentiment"] == "positive" and out.loc[8, "confidence"] == 0.95
    body = aiml_simulator.chat_requests[0].body
    assert body["response_format"]["type"] == "json_schema"


def test_a_failed_row_keeps_its_error_and_the_batch_goes_on(ip, aiml_simulator):
    aiml_simulator.script(Reply.error(400, message="content policy", match="Broke"))
    out = aiml_magics.batch("Sentiment: {review}", REVIEWS, progress=False)
    assert out.loc[3, "answer"] is None
    assert "Request rejected" in out.loc[3, "error"] and "content policy" in out.loc[3, "error"]
    assert out.drop(index=3)["error"].isna().all()
    assert out.drop(index=3)["answer"].str.contains("Simulated answer").all()
    summary = ip.user_ns["_aiml"].summary
    assert summary.failed == 1 and summary.failures == {"Request rejected": 1}
    assert "1 failed (1 request rejected)" in str(summary)


def test_running_it_again_sends_only_the_rows_without_an_answer(ip, aiml_simulator):
    aiml_simulator.script(Reply.error(400, match="Broke"))
    first = aiml_magics.batch("Sentiment: {review}", REVIEWS, progress=False)
    assert first["error"].notna().sum() == 1
    before = len(aiml_simulator.chat_requests)
    second = aiml_magics.batch("Sentiment: {review}", REVIEWS, progress=False)
    assert user_texts(aiml_simulator)[before:] == ["Sentiment: Broke after two days"]
    assert second["error"].isna().all()
    assert second.drop(index=3)["answer"].equals(first.drop(index=3)["answer"])
    assert ip.user_ns["_aiml"].summary.reused == 3


def test_identical_prompts_are_sent_once(ip, aiml_simulator):
    rows = ["same", "other", "same", "same"]
    results = aiml_magics.batch("Say {text}", rows, progress=False)
    assert sorted(user_texts(aiml_simulator)) == ["Say other", "Say same"]
    assert results[0].text == results[2].text == results[3].text
    assert ip.user_ns["_aiml"].summary.duplicates == 2


def test_max_credits_stops_scheduling_once_spent(ip, aiml_simulator):
    rows = [f"row {n}" for n in range(10)]
    aiml_simulator.script(*[Reply(content="ok", credits=1000, match=r) for r in rows])
    out = aiml_magics.batch(
        "Do {text}", pd.Series(rows), concurrency=1, max_credits=2500, progress=False
    )
    assert len(aiml_simulator.chat_requests) == 3  # 1000, 2000, 3000 >= 2500: stop
    summary = ip.user_ns["_aiml"].summary
    assert summary.not_sent == 7 and "max_credits" in summary.stopped
    assert out.notna().sum() == 3
    assert all("Not sent" in str(r.error) for r in ip.user_ns["_aiml"].results[3:])


def test_the_session_budget_applies_to_every_row(ip, magics, aiml_simulator):
    magics.budget_credits = 1.0  # below one request's estimate: refused, nothing asked
    out = aiml_magics.batch("Sentiment: {review}", REVIEWS, progress=False)
    assert aiml_simulator.chat_requests == []
    assert out["error"].str.contains("Not sent: the session budget").all()


def test_a_budget_too_small_for_one_row_says_so_not_that_it_is_spent(ip, magics, aiml_simulator):
    magics.budget_credits = 20_000  # nothing spent, but a row is planned at ~4,096 output tokens
    out = aiml_magics.batch("Sentiment: {review}", REVIEWS, progress=False)
    assert aiml_simulator.chat_requests == []
    stopped = ip.user_ns["_aiml"].summary.stopped
    assert "is spent" not in stopped
    assert "4,096 output tokens" in stopped and "20,000 credits" in stopped
    assert "a batch row cannot ask" in stopped and "--max-tokens" in stopped
    assert out["error"].str.contains("refused a row").all()
    bounded = aiml_magics.batch(
        "Sentiment: {review}", REVIEWS, params={"max_tokens": 50}, progress=False
    )
    assert bounded["error"].isna().all() and len(aiml_simulator.chat_requests) == 4


def test_fail_fast_raises_the_first_failure_with_what_completed(ip, aiml_simulator):
    aiml_simulator.script(Reply.error(401, match="Broke"))
    with pytest.raises(errors.AuthenticationError) as raised:
        aiml_magics.batch("S: {review}", REVIEWS, concurrency=1, fail_fast=True, progress=False)
    partial = raised.value.partial
    assert isinstance(partial, BatchResult) and partial.summary.failed == 1
    assert partial.data.loc[107, "answer"] is not None  # the row before it is kept
    assert len(aiml_simulator.chat_requests) == 2  # nothing after the failure was sent


def test_a_429_pauses_every_worker_until_its_retry_after(ip, aiml_simulator):
    aiml_simulator.latency = 0.3
    aiml_simulator.rate_limit = (4, 1.0)
    rows = [f"row {n}" for n in range(12)]
    results = aiml_magics.batch("Do {text}", rows, concurrency=8, retries=5, progress=False)
    assert [r.error for r in results] == [None] * 12  # nothing lost
    throttled = aiml_simulator.throttled
    assert throttled, "the rate limit was reached"
    received = [r.received for r in aiml_simulator.chat_requests]
    for refusal in throttled:
        # Requests already on their way when the 429 was answered may arrive just after it;
        # anything sent later waits for its Retry-After, including workers that were never
        # refused themselves.
        early = [t for t in received if refusal.received + 0.2 < t < refusal.until - 0.002]
        assert early == [], f"{len(early)} request(s) arrived before the Retry-After"
    answered = sorted(user_texts(aiml_simulator))
    assert {f"Do {r}" for r in rows} <= set(answered)


def test_the_limit_halves_under_429s_and_grows_back():
    now = [0.0]
    limit = AdaptiveLimit(16, cooldown=1.0, clock=lambda: now[0])
    limit.throttled()
    limit.throttled()  # the same burst: counted once
    assert limit.allowed == 8
    now[0] = 2.0
    limit.throttled()
    assert limit.allowed == 4
    for _ in range(200):  # about one more per round of `limit` answers
        limit.succeeded()
    assert limit.allowed == 16


# -- the cell magic -------------------------------------------------------------------------------


def test_magic_over_a_dataframe_stores_the_answers_and_the_summary(run, ip, aiml_simulator):
    ip.user_ns["reviews"] = REVIEWS
    ip.user_ns["tone"] = "formal"
    out = run("%%aiml --over reviews --out-col label -o labels -t 0.1\nIn a {tone} tone: {review}")
    assert out.error is None, out.error
    labels = ip.user_ns["labels"]
    assert list(labels.columns) == ["label", "credits", "error"]
    assert labels.index.equals(REVIEWS.index)
    assert "In a formal tone: Does the job" in user_texts(aiml_simulator)
    assert all(r.body["temperature"] == 0.1 for r in aiml_simulator.chat_requests)
    assert isinstance(ip.user_ns["_aiml"], BatchResult)
    assert ip.user_ns["_aiml"].data is labels
    assert "answered" in out.outputs[-1].data["text/plain"]  # the summary, last
    shown, _ = ip.display_formatter.format(ip.user_ns["_aiml"])  # `_aiml` shows its summary
    assert shown["text/markdown"].startswith("**Batch:** 4 rows: 4 answered")


def test_a_row_field_wins_over_a_notebook_variable(run, ip, aiml_simulator):
    ip.user_ns["rows"] = [{"review": "from the row"}]
    ip.user_ns["review"] = "from the namespace"
    assert run("%%aiml --over rows\nQ: {review}").error is None
    assert user_texts(aiml_simulator) == ["Q: from the row"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ("--over rows --tools f", "--tools does not apply to a batch"),
        ("--over rows -c other", "-c/--chat does not apply to a batch"),
        (
            "--concurrency 4",
            "--concurrency belongs to a batch, an evaluation or a semantic operator",
        ),
        ("--over nothing_here", "there is no 'nothing_here' in the notebook"),
        ("--over rows --concurrency 0", "concurrency must be at least 1"),
    ],
)
def test_options_that_do_not_apply_are_one_clear_line(run, ip, aiml_simulator, options, message):
    ip.user_ns["rows"] = ["a"]
    ip.user_ns["f"] = lambda: None
    out = run(f"%%aiml {options}\nQ: {{text}}")
    assert out.error is not None and message in str(out.error)
    assert aiml_simulator.chat_requests == []


def test_a_field_the_rows_do_not_have_is_named(run, ip, aiml_simulator):
    ip.user_ns["reviews"] = REVIEWS
    out = run("%%aiml --over reviews\nQ: {revew}")
    assert "{revew} names no field of the rows (fields: review, stars)" in str(out.error)
    out = run("%%aiml --over reviews\nThe same question for every row")
    assert "names no field of the rows" in str(out.error)
    assert aiml_simulator.chat_requests == []


def test_interrupt_stops_sending_and_keeps_what_completed(run, ip, aiml_simulator):
    aiml_simulator.latency = 0.2
    ip.user_ns["many"] = [f"item {n}" for n in range(60)]

    def interrupt() -> None:
        deadline = time.monotonic() + 30
        while len(aiml_simulator.chat_requests) < 6 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGINT)

    thread = threading.Thread(target=interrupt, daemon=True)
    thread.start()
    started = time.monotonic()
    out = run("%%aiml --over many --concurrency 2 -o partial\nDo {text}")
    thread.join()
    assert time.monotonic() - started < 10, "it stopped at once, not after 60 rows"
    assert out.error is None
    partial = ip.user_ns["partial"]
    answered = [r for r in partial if r.error is None]
    assert 4 <= len(answered) < 60
    assert all("Not sent: interrupted" in str(r.error) for r in partial if r.error is not None)
    assert "Stopped: interrupted" in out.outputs[-1].data["text/plain"]
    time.sleep(0.5)  # the requests in flight at the interrupt finish in the background
    before = len(aiml_simulator.chat_requests)
    aiml_simulator.latency = 0.0
    assert run("%%aiml --over many -o rest\nDo {text}").error is None
    resent = user_texts(aiml_simulator)[before:]
    assert not {f"Do {r.text.split(chr(34))[1][3:]}" for r in answered} & set(resent)
    assert len(resent) == 60 - before
    assert all(r.error is None for r in ip.user_ns["rest"])


def test_replay_recording_answers_a_batch_in_a_new_session(run, ip, tmp_path, aiml_simulator):
    path = tmp_path / "batch.aiml.jsonl"
    ip.run_line_magic("config", f"AimlMagics.replay_path = {str(path)!r}")
    ip.run_line_magic("config", "AimlMagics.replay = 'auto'")
    ip.user_ns["reviews"] = REVIEWS
    assert run("%%aiml --over reviews -o first\nQ: {review}").error is None
    assert len(aiml_simulator.chat_requests) == 4 and len(path.read_text().splitlines()) == 4
    ip.run_line_magic("unload_ext", "aiml_magics")  # a new session: nothing kept in memory
    ip.run_line_magic("load_ext", "aiml_magics")
    assert run("%%aiml --over reviews -o again\nQ: {review}").error is None
    assert len(aiml_simulator.chat_requests) == 4
    assert ip.user_ns["again"]["answer"].equals(ip.user_ns["first"]["answer"])
    assert ip.user_ns["_aiml"].summary.replayed == 4


# -- progress --------------------------------------------------------------------------------------


def test_a_runner_shows_no_bar_only_the_summary(run, ip, aiml_simulator):
    # nbval keeps a display's first bundle: a bar there would be saved instead of the summary
    # whenever the machine is slow, so a runner (no cell id) gets none, however long it takes.
    aiml_simulator.latency = 0.15
    ip.user_ns["rows"] = [f"r{n}" for n in range(20)]  # 1.5 s: longer than a live bar waits
    out = run("%%aiml --over rows --concurrency 2\nQ: {text}")
    assert out.error is None
    assert [o.data["text/plain"].split(":")[0] for o in out.outputs] == ["Batch"]
    assert out.outputs[0].data["text/plain"].startswith("Batch: 20 rows: 20 answered")


def test_a_live_frontend_without_widgets_sees_one_bar_updated_then_the_summary(
    run, ip, aiml_simulator, magics
):
    magics.on_screen.widgets_refused = magics.on_screen.refusal_told = True
    aiml_simulator.latency = 0.15
    ip.user_ns["rows"] = [f"r{n}" for n in range(20)]  # 1.5 s: the bar shows after 1 s
    out = run("%%aiml --over rows --concurrency 2\nQ: {text}", cell_id="cell-1")
    assert out.error is None
    texts = [o.data.get("text/plain", "") for o in out.outputs]
    bars = [t for t in texts if "rows/s" in t]
    assert bars and all("in flight" in t and "credits" in t and "ETA" in t for t in bars)
    assert all(o.update for o in out.outputs[1:])  # updates of the first display
    assert texts[-1].startswith("Batch: 20 rows: 20 answered")
    assert "widget-view" not in json.dumps([o.data for o in out.outputs])


def test_widget_frontends_get_an_ipywidgets_bar_that_becomes_the_summary(run, ip, aiml_simulator):
    aiml_simulator.latency = 0.1
    ip.user_ns["rows"] = [f"r{n}" for n in range(8)]
    out = run("%%aiml --over rows --concurrency 2\nQ: {text}", cell_id="cell-1")
    assert out.error is None
    bar, summary = out.outputs[:2]
    (view,) = [bar.data[k] for k in bar.data if "widget-view" in k]
    from ipywidgets.widgets.widget import _instances

    progress, label = _instances[view["model_id"]].children
    assert (progress.value, progress.max) == (8, 8) and progress.bar_style == "success"
    assert "0 failed" in label.value and "credits" in label.value
    # The bar's display becomes the summary: a reopened notebook shows it once, and no
    # widget that is gone.
    assert summary.update and not any("widget-view" in k for k in summary.data)
    assert summary.data["text/markdown"].startswith("**Batch:** 8 rows")
    texts = json.dumps([o.data for o in out.outputs if not o.update])
    assert texts.count("8 rows: 8 answered") == 0, "no second copy of the summary"


def test_terminal_progress_is_carriage_return_lines(aiml_env):
    aiml_env.latency = 0.2
    code = (
        "ip = get_ipython(); ip.run_line_magic('load_ext', 'aiml_magics'); "
        "ip.user_ns['rows'] = ['a%d' % n for n in range(10)]; "
        "ip.run_cell_magic('aiml', '--over rows --concurrency 2', 'Q: {text}')"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "IPython", "--no-banner", "--colors=nocolor", "-c", code],
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    stdout = proc.stdout.decode("utf-8")  # bytes: text mode would turn \r into \n
    assert "\r[" in stdout and "rows/s" in stdout
    assert "Batch: 10 rows: 10 answered" in stdout
