"""`df.aiml.map/extract/classify/filter`: a real shell with the extension, the simulator over
HTTP, answered by its rule-based responder (simulator/semantic.py) so every decision is
known from the row text."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import pytest

from aiml_magics.magics.frames.report import DryRun, Report
from aiml_magics.simulator import Reply

REVIEWS = pd.DataFrame(
    {
        "review": [
            "Late delivery and the box was crushed",
            "Great taste, will buy again",
            "The delivery was quick",
            "I want a refund",
            "Tastes stale",
            "Courier lost it, no delivery at all",
        ],
        "stars": [1, 5, 4, 1, 2, 1],
    },
    index=pd.Index([107, 3, 42, 8, 15, 99], name="id"),  # not 0..n-1
)
LABELS = ["delivery", "taste", "refund", "other"]


def user_texts(sim) -> list[str]:
    return [r.body["messages"][-1]["content"] for r in sim.chat_requests]


def test_filter_keeps_the_matching_rows_with_their_index_and_order(ip, aiml_simulator):
    out = REVIEWS.aiml.filter("talks about 'delivery'", progress=False)
    assert out.index.tolist() == [107, 42, 99]
    assert out["review"].tolist() == REVIEWS.loc[[107, 42, 99], "review"].tolist()
    assert list(out.columns) == ["review", "stars", "credits", "error"]
    assert out["error"].isna().all() and (out["credits"] > 0).all()
    assert len(aiml_simulator.chat_requests) == 6
    body = aiml_simulator.chat_requests[0].body
    assert body["response_format"]["json_schema"]["name"] == "aiml_filter"
    properties = body["response_format"]["json_schema"]["schema"]["properties"]
    assert properties["keep"]["type"] == "boolean" and "reason" not in properties
    report = out.attrs["aiml"]
    assert isinstance(report, Report) and (report.rows, report.requests) == (6, 6)


def test_keep_reason_gives_the_decision_and_the_reason(ip, aiml_simulator):
    out = REVIEWS.aiml.filter("talks about 'delivery'", keep_reason=True, progress=False)
    assert out["keep"].tolist() == [True, True, True]
    assert out["reason"].tolist() == ["the row mentions 'delivery'"] * 3
    sent = aiml_simulator.chat_requests[0].body["response_format"]["json_schema"]["schema"]
    assert list(sent["properties"]) == ["reason", "keep"]  # the reason before the decision


def test_a_condition_naming_columns_shows_the_model_those_columns_only(ip, aiml_simulator):
    REVIEWS.aiml.filter("{review} is about 'refund'", progress=False)
    texts = user_texts(aiml_simulator)
    assert all("stars:" not in t and "review: " in t for t in texts)
    assert "<condition>\n{review} is about 'refund'\n</condition>" in texts[0]
    out = run_error(lambda: REVIEWS.aiml.filter("{revew} is bad", progress=False))
    assert "{revew} names no column (columns: review, stars)" in out


def run_error(call) -> str:
    from aiml_magics.api.errors import UsageError

    with pytest.raises(UsageError) as raised:
        call()
    return str(raised.value)


def test_classify_gives_a_categorical_column_from_an_enum_schema(ip, aiml_simulator):
    out = REVIEWS.aiml.classify("review", labels=LABELS, progress=False)
    assert isinstance(out["label"].dtype, pd.CategoricalDtype)
    assert list(out["label"].cat.categories) == LABELS
    assert out.loc[[107, 42, 99, 8], "label"].tolist() == [
        "delivery",
        "delivery",
        "delivery",
        "refund",
    ]
    schema = aiml_simulator.chat_requests[0].body["response_format"]["json_schema"]
    assert schema["name"] == "aiml_classify"
    assert schema["schema"]["properties"]["label"]["enum"] == LABELS
    assert out.index.equals(REVIEWS.index)


def test_bad_labels_and_bad_options_are_one_clear_error(ip, aiml_simulator):
    assert "at least two distinct labels" in run_error(
        lambda: REVIEWS.aiml.classify("review", labels=["only"], progress=False)
    )
    assert "pack is a number of rows" in run_error(
        lambda: REVIEWS.aiml.filter("x", pack=0, progress=False)
    )
    assert "cascade is a pair of models" in run_error(
        lambda: REVIEWS.aiml.filter("x", cascade="m", progress=False)
    )
    assert aiml_simulator.chat_requests == []


@dataclass
class Complaint:
    topic: str
    urgent: bool


def test_extract_gives_one_column_per_field(ip, aiml_simulator):
    aiml_simulator.script(
        *[
            Reply(content=json.dumps({"topic": f"t{n}", "urgent": n % 2 == 0}), match=text)
            for n, text in enumerate(REVIEWS["review"])
        ]
    )
    out = REVIEWS.aiml.extract(Complaint, progress=False)
    assert list(out.columns) == ["review", "stars", "topic", "urgent", "credits", "error"]
    assert out["topic"].tolist() == [f"t{n}" for n in range(6)]
    assert out["urgent"].tolist() == [True, False, True, False, True, False]


def test_map_fills_the_template_per_row_like_over(ip, aiml_simulator):
    aiml_simulator.script(*[Reply(content=f"fr:{t}", match=t) for t in REVIEWS["review"]])
    out = REVIEWS.aiml.map("Translate ({stars} stars): {review}", out="french", progress=False)
    assert out["french"].tolist() == [f"fr:{t}" for t in REVIEWS["review"]]
    assert "Translate (1 stars): I want a refund" in user_texts(aiml_simulator)
    assert "response_format" not in aiml_simulator.chat_requests[0].body


def test_a_failed_row_is_kept_with_its_error_and_a_rerun_sends_only_it(ip, aiml_simulator):
    # beyond every retry (Retry-After keeps the retries quick)
    fault = Reply.error(500, match="Courier", times=20, headers={"Retry-After": "0.01"})
    aiml_simulator.script(fault)
    first = REVIEWS.aiml.filter("talks about 'delivery'", progress=False)
    assert 99 in first.index and "Service error (HTTP 500)" in first.loc[99, "error"]
    assert first.drop(index=99)["error"].isna().all()
    assert first.attrs["aiml"].failed == 1
    aiml_simulator.reset()
    second = REVIEWS.aiml.filter("talks about 'delivery'", progress=False)
    assert len(user_texts(aiml_simulator)) == 1 and "Courier" in user_texts(aiml_simulator)[0]
    assert second.index.tolist() == [107, 42, 99] and second["error"].isna().all()
    assert second.attrs["aiml"].reused == 5


def test_dry_run_counts_and_prices_what_the_run_then_sends(ip, aiml_simulator):
    plan = REVIEWS.aiml.classify("review", labels=LABELS, dry_run=True, progress=False)
    assert isinstance(plan, DryRun) and aiml_simulator.chat_requests == []
    assert plan.requests == 6 and "nothing was sent" in str(plan)
    price = plan.price
    out = REVIEWS.aiml.classify("review", labels=LABELS, progress=False)
    spent = out.attrs["aiml"].credits
    assert len(aiml_simulator.chat_requests) == plan.requests
    assert price.low_credits <= spent <= price.high_credits
    again = REVIEWS.aiml.classify("review", labels=LABELS, dry_run=True, progress=False)
    assert again.requests == 0  # answered already: a re-run would send nothing


def test_pack_sends_k_rows_per_request_with_identical_results(ip, aiml_simulator):
    rows = pd.DataFrame({"review": [f"order {n}: {LABELS[n % 4]} issue" for n in range(40)]})
    one = rows.aiml.classify("review", labels=LABELS, progress=False)
    singles = len(aiml_simulator.chat_requests)
    packed = rows.aiml.classify("review", labels=LABELS, pack=10, progress=False)
    assert (singles, len(aiml_simulator.chat_requests) - singles) == (40, 4)
    assert packed["label"].equals(one["label"])
    body = aiml_simulator.chat_requests[-1].body
    assert body["response_format"]["json_schema"]["name"] == "aiml_classify_rows"
    assert user_texts(aiml_simulator)[-1].count('<row id="') == 10
    assert packed["credits"].sum() == pytest.approx(packed.attrs["aiml"].credits)


def test_a_pack_without_one_item_per_row_goes_one_by_one(ip, aiml_simulator):
    short = json.dumps({"items": [{"id": 1, "keep": True}]})  # 1 item for 3 rows
    aiml_simulator.script(Reply(content=short, match="Great taste"))
    out = REVIEWS.aiml.filter("talks about 'delivery'", pack=3, progress=False)
    texts = user_texts(aiml_simulator)
    assert len(texts) == 2 + 3  # two packs, then the first pack's rows one by one
    assert [t.count("<row") for t in texts[2:]] == [1, 1, 1]
    assert out.index.tolist() == [107, 42, 99]  # the same decisions as without a pack


def test_cascade_asks_the_strong_model_only_where_the_cheap_is_unsure(ip, aiml_simulator):
    cheap, strong = "qwen/qwen3-32b", "openai/gpt-4o"
    frame = pd.DataFrame({"review": ["refund now", "nothing special", "the parcel", "refund"]})
    out = frame.aiml.classify(
        "review",
        labels=["refund", "parcel", "other"],
        cascade=(cheap, strong),
        unsure_below=0.7,
        progress=False,
    )
    asked = [
        (r.body["model"], r.body["messages"][-1]["content"]) for r in aiml_simulator.chat_requests
    ]
    strong_rows = [text for model, text in asked if model == strong]
    assert len([m for m, _ in asked if m == cheap]) == 4
    assert len(strong_rows) == 1 and "nothing special" in strong_rows[0]  # no label found
    report = out.attrs["aiml"]
    assert report.both == 1 and report.agreement in (0.0, 1.0)
    assert out["model"].tolist() == [cheap, strong, cheap, cheap]
    assert out.loc[1, "confidence"] == 0.4 and out.loc[0, "confidence"] == 0.95
    assert "agreed with the cheap one on" in str(report)


def test_the_session_budget_and_max_credits_keep_unsent_rows(ip, magics, aiml_simulator):
    out = REVIEWS.aiml.classify(
        "review", labels=LABELS, max_credits=1, concurrency=1, progress=False
    )
    assert len(aiml_simulator.chat_requests) == 1
    assert out["error"].notna().sum() == 5 and out.attrs["aiml"].not_sent == 5
    assert out["error"].dropna().str.startswith("Not sent: max_credits").all()
    magics.budget_credits = 1.0
    aiml_simulator.reset()
    kept = REVIEWS.aiml.filter("talks about 'delivery'", progress=False)
    assert aiml_simulator.chat_requests == [] and len(kept) == 6  # nothing dropped unseen
    assert kept["error"].str.contains("Not sent: the session budget").all()


def test_replay_answers_the_operators_with_no_service(ip, tmp_path, monkeypatch, aiml_simulator):
    path = tmp_path / "frames.aiml.jsonl"
    ip.run_line_magic("config", f"AimlMagics.replay_path = {str(path)!r}")
    ip.run_line_magic("config", "AimlMagics.replay = 'auto'")
    first = REVIEWS.aiml.filter("talks about 'delivery'", keep_reason=True, progress=False)
    assert len(path.read_text().splitlines()) == 6
    ip.run_line_magic("unload_ext", "aiml_magics")  # a new session: nothing kept in memory
    monkeypatch.setenv("AIML_API_BASE", "http://127.0.0.1:9/v1")  # no service there
    monkeypatch.delenv("AIML_API_KEY")
    ip.run_line_magic("load_ext", "aiml_magics")
    ip.run_line_magic("config", f"AimlMagics.replay_path = {str(path)!r}")
    ip.run_line_magic("config", "AimlMagics.replay = 'only'")
    again = REVIEWS.aiml.filter("talks about 'delivery'", keep_reason=True, progress=False)
    assert again.drop(columns="credits").equals(first.drop(columns="credits"))
    assert len(aiml_simulator.chat_requests) == 6 and again.attrs["aiml"].reused == 6


def test_an_empty_frame_sends_nothing_and_has_the_answer_columns(ip, aiml_simulator):
    out = REVIEWS.iloc[:0].aiml.classify("review", labels=LABELS, progress=False)
    assert list(out.columns) == ["review", "stars", "label", "credits", "error"]
    kept = REVIEWS.iloc[:0].aiml.filter("about 'x'", progress=False)
    assert list(kept.columns) == ["review", "stars", "credits", "error"]
    assert aiml_simulator.chat_requests == []
