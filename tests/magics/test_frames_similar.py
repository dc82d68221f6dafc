"""Candidate narrowing for `join` and `dedup` (pure numpy over a vector function), and the two
operators judged by the simulator's rules with a bag-of-words vector function standing in
for embeddings (end-to-end tests through `aiml_magics.embed` come with the embeddings)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from aiml_magics.magics.frames import similar
from aiml_magics.magics.frames.runner import Options


def bag_of_words(texts: list[str]) -> np.ndarray:
    """A vector per text: word counts over the texts' vocabulary."""
    words = [re.findall(r"\w+", t.lower()) for t in texts]
    vocabulary = sorted({w for ws in words for w in ws})
    place = {w: n for n, w in enumerate(vocabulary)}
    vectors = np.zeros((len(texts), len(vocabulary)))
    for row, ws in enumerate(words):
        for w in ws:
            vectors[row, place[w]] += 1
    return vectors


def test_candidates_are_the_k_nearest_by_cosine_best_first():
    left = np.array([[1.0, 0.0], [0.0, 1.0]])
    right = np.array([[0.0, 2.0], [1.0, 1.0], [3.0, 0.1], [-1.0, 0.0]])
    pairs = similar.candidates(left, right, 2)
    assert [(i, j) for i, j, _ in pairs] == [(0, 2), (0, 1), (1, 0), (1, 1)]
    assert pairs[2][2] == pytest.approx(1.0) and pairs[1][2] == pytest.approx(2**-0.5)
    assert len(similar.candidates(left, right, 10)) == 8  # k beyond the rows: every row
    assert similar.candidates(left, right[:0], 3) == []


def test_planted_matches_are_among_the_candidates_never_n_by_m():
    products = [
        f"{c} {t} model {n}"
        for n, (c, t) in enumerate(
            zip(
                ["red", "blue", "green", "black"] * 25,
                ["kettle", "lamp", "chair", "desk"] * 25,
                strict=True,
            )
        )
    ]
    invoices = [f"invoice for {p}" for p in reversed(products)]
    vectors = bag_of_words(products + invoices)
    pairs = similar.candidates(vectors[:100], vectors[100:], 5)
    assert len(pairs) == 100 * 5
    found = {(i, j) for i, j, _ in pairs}
    recall = sum((n, 99 - n) in found for n in range(100)) / 100
    assert recall == 1.0


def test_near_pairs_and_clusters():
    vectors = np.array([[1.0, 0.0], [0.99, 0.05], [0.0, 1.0], [0.05, 0.99], [1.0, 1.0]])
    pairs = similar.near_pairs(vectors, threshold=0.95, k=2)
    assert [(i, j) for i, j, _ in pairs] == [(0, 1), (2, 3)]
    assert similar.clusters(5, [(0, 1), (2, 3)]) == [0, 0, 2, 2, 4]
    assert similar.clusters(4, [(2, 3), (1, 3), (0, 1)]) == [0, 0, 0, 0]


def test_join_judges_only_the_k_candidates_per_row(ip, aiml_simulator):
    people = pd.DataFrame(
        {"name": ["Ada Lovelace", "Alan Turing", "Grace Hopper"]}, index=[10, 20, 30]
    )
    notes = pd.DataFrame(
        {"note": ["note on Grace Hopper", "Turing Alan paper", "a cat"]}, index=["x", "y", "z"]
    )
    plan = similar.join(
        people,
        notes,
        "the same person",
        2,
        None,
        None,
        Options(dry_run=True, progress=False),
        vectors=bag_of_words,
    )
    assert plan.requests == 6 and aiml_simulator.chat_requests == []
    out = similar.join(
        people,
        notes,
        "the same person",
        2,
        None,
        None,
        Options(progress=False),
        vectors=bag_of_words,
    )
    assert len(aiml_simulator.chat_requests) == 6  # 3 rows x k=2, not 3 x 3
    assert list(zip(out["index"], out["index_other"], strict=True)) == [(20, "y"), (30, "x")]
    assert out["error"].isna().all() and out.attrs["aiml"].requests == 6


def test_dedup_clusters_confirmed_near_duplicates(ip, aiml_simulator):
    frame = pd.DataFrame(
        {
            "text": [
                "the parcel arrived late",
                "parcel arrived late!",
                "great coffee",
                "the parcel arrived very late",
                "tea",
            ]
        }
    )
    out = similar.dedup(frame, "text", 0.7, 3, None, Options(progress=False), vectors=bag_of_words)
    assert out["cluster"].tolist() == [0, 0, 2, 0, 4]
    assert out["representative"].tolist() == [True, False, True, False, True]
    names = {r.body["response_format"]["json_schema"]["name"] for r in aiml_simulator.chat_requests}
    assert names == {"aiml_duplicate"}


def embedding_requests(sim) -> list:
    return [r for r in sim.requests if r.path == "/v1/embeddings"]


def test_join_end_to_end_through_embed(ip, aiml_simulator):
    """df.aiml.join with the simulator's embeddings: one embedding call for both sides,
    k judged pairs per row, the planted matches found; a dry run sends nothing."""
    people = pd.DataFrame({"name": ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Tim Peters"]})
    notes = pd.DataFrame(
        {"note": ["Grace Hopper on compilers", "cats and dogs", "Alan Turing machines", "tea"]}
    )
    plan = people.aiml.join(notes, "the same person", k=2, dry_run=True, progress=False)
    assert plan.requests == 8  # the most it could judge: k per row
    assert embedding_requests(aiml_simulator) == [] and aiml_simulator.chat_requests == []
    out = people.aiml.join(notes, "the same person", k=2, progress=False)
    assert len(embedding_requests(aiml_simulator)) == 1
    assert len(aiml_simulator.chat_requests) == 8  # 4 rows x k=2, not 4 x 4
    pairs = set(zip(out["name"], out["note"], strict=True))
    assert pairs == {
        ("Alan Turing", "Alan Turing machines"),
        ("Grace Hopper", "Grace Hopper on compilers"),
    }
    again = people.aiml.join(notes, "the same person", k=2, progress=False)
    assert len(aiml_simulator.chat_requests) == 8 and len(embedding_requests(aiml_simulator)) == 1
    assert again[["name", "note"]].equals(out[["name", "note"]])


def test_dedup_end_to_end_through_embed(ip, aiml_simulator):
    frame = pd.DataFrame(
        {
            "text": [
                "the parcel arrived late",
                "great coffee beans",
                "the parcel arrived late again",
                "a red bicycle",
                "great coffee beans!",
            ]
        }
    )
    out = frame.aiml.dedup("text", threshold=0.6, k=2, progress=False)
    assert len(embedding_requests(aiml_simulator)) == 1
    assert out["cluster"].tolist() == [0, 1, 0, 3, 1]
    assert out[out.representative]["text"].tolist() == [
        "the parcel arrived late",
        "great coffee beans",
        "a red bicycle",
    ]
