"""`df.aiml.rank` and `df.aiml.summarize` against the simulator's rules: a score is 1 plus the
keyword's occurrences, a comparison prefers the earlier keyword then the shorter row, and a
summary says how many rows it covered (so a map-reduce adds up)."""

from __future__ import annotations

import pandas as pd
import pytest

from aiml_magics.api.errors import UsageError
from aiml_magics.magics.frames.report import DryRun

LATE = pd.DataFrame(
    {
        "text": ["late late late", "late", "on time", "late again and late", "late!", "very late"],
        "team": list("aabbab"),
    },
    index=list("uvwxyz"),
)


def test_rank_scores_every_row_on_the_stated_scale_best_first(ip, aiml_simulator):
    out = LATE.aiml.rank("how 'late' it is", scale=(1, 5), progress=False)
    assert out.index.tolist() == ["u", "x", "v", "y", "z", "w"]  # ties keep the frame's order
    assert out["score"].tolist() == [4, 3, 2, 2, 2, 1]
    assert out["rank"].tolist() == [1, 2, 3, 4, 5, 6]
    sent = aiml_simulator.chat_requests[0].body["response_format"]["json_schema"]
    assert sent["name"] == "aiml_score"
    assert (
        sent["schema"]["properties"]["score"]["minimum"],
        sent["schema"]["properties"]["score"]["maximum"],
    ) == (1, 5)
    assert (
        "Score from 1 (meets it least) to 5 (meets it most)."
        in (aiml_simulator.chat_requests[0].body["messages"][-1]["content"])
    )
    assert len(aiml_simulator.chat_requests) == 6  # no k: no tie needs breaking


def test_top_k_compares_only_the_rows_tied_at_the_cut(ip, aiml_simulator):
    out = LATE.aiml.rank("how 'late' it is", k=3, progress=False)
    compared = [
        r.body["messages"][-1]["content"]
        for r in aiml_simulator.chat_requests
        if r.body["response_format"]["json_schema"]["name"] == "aiml_compare"
    ]
    assert len(compared) == 3  # the three rows scoring 2: v, y, z, each pair once
    assert not any("late late late" in c or "on time" in c for c in compared)
    # "late" and "late!" put the keyword first; "late" is shorter: it takes the third place
    assert out.index.tolist() == ["u", "x", "v"]
    report = out.attrs["aiml"]
    assert report.requests == 9 and "3 pairwise comparisons" in str(report)


def test_rank_checks_its_arguments(ip, aiml_simulator):
    with pytest.raises(UsageError, match="scale goes from low to high"):
        LATE.aiml.rank("x", scale=(5, 1), progress=False)
    with pytest.raises(UsageError, match="k is how many rows to keep"):
        LATE.aiml.rank("x", k=0, progress=False)
    plan = LATE.aiml.rank("how 'late'", k=2, dry_run=True, progress=False)
    assert isinstance(plan, DryRun) and plan.requests == 6 and "tied at the k-th" in str(plan)
    assert aiml_simulator.chat_requests == []


def test_summarize_gives_one_answer_per_group(ip, aiml_simulator):
    out = LATE.aiml.summarize("the main complaint", by="team", progress=False)
    assert out.index.tolist() == ["a", "b"] and out.index.name == "team"
    assert out["summary"].tolist() == ["3 items", "3 items"]
    assert out["rows"].tolist() == [3, 3] and out["error"].isna().all()
    assert len(aiml_simulator.chat_requests) == 2


def test_a_group_longer_than_a_request_is_summarised_by_map_reduce(ip, aiml_simulator):
    long_rows = pd.DataFrame({"text": [("word " * 100) + str(n) for n in range(30)]})
    plan = long_rows.aiml.summarize("the gist", chunk_tokens=300, dry_run=True, progress=False)
    assert plan.requests == 15 and "at least 1 reduce" in str(plan)
    out = long_rows.aiml.summarize("the gist", chunk_tokens=300, progress=False)
    assert out["summary"].tolist() == ["30 items"]  # every row counted once through the reduce
    texts = [r.body["messages"][-1]["content"] for r in aiml_simulator.chat_requests]
    assert len(texts) == 16 and texts[-1].count("<summary>") == 15
    assert all(len(t) < 300 * 4 + 400 for t in texts[:15])
    assert out["credits"].sum() == pytest.approx(out.attrs["aiml"].credits)
