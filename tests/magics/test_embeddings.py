"""`aiml_magics.embed` and `similar`: a real shell, the simulator over HTTP, a real recording."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

import aiml_magics
from aiml_magics.api import errors
from aiml_magics.simulator import Reply

MODEL = "openai/text-embedding-3-small"
PATH = "/v1/embeddings"


def embedding_requests(sim) -> list:
    return [r for r in sim.requests if r.path == PATH]


def sent_texts(sim) -> list[str]:
    return [t for r in embedding_requests(sim) for t in r.body["input"]]


@pytest.fixture
def recording(tmp_path, ip):
    path = tmp_path / "vectors.aiml.jsonl"
    ip.run_line_magic("config", f"AimlMagics.replay_path = {str(path)!r}")
    return path


def test_one_row_per_text_in_order_batched_and_each_text_sent_once(ip, aiml_simulator):
    texts = ["alpha beta", "gamma", "alpha beta", "delta epsilon", "zeta", "gamma"]
    matrix = aiml_magics.embed(texts, batch_size=2)
    assert isinstance(matrix, np.ndarray) and matrix.dtype == np.float32
    assert matrix.shape == (6, 1536)
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(matrix[0], matrix[2]) and np.array_equal(matrix[1], matrix[5])
    assert not np.allclose(matrix[0], matrix[1])
    assert sorted(sent_texts(aiml_simulator)) == sorted(set(texts))
    assert [len(r.body["input"]) for r in embedding_requests(aiml_simulator)] == [2, 2]
    assert all(r.body["model"] == MODEL for r in embedding_requests(aiml_simulator))
    session = next(m for m in ip.configurables if type(m).__name__ == "AimlMagics").session
    assert session.media.last_embed.unique == 4 and session.media.last_embed.requests == 2


def test_batches_run_concurrently(ip, aiml_simulator):
    aiml_simulator.latency = 0.3
    started = time.monotonic()
    aiml_magics.embed([f"text number {n}" for n in range(8)], batch_size=2, concurrency=4)
    elapsed = time.monotonic() - started
    assert len(embedding_requests(aiml_simulator)) == 4
    assert elapsed < 4 * 0.3  # four requests of 0.3 s in less than their sum


def test_a_series_keeps_its_index_and_a_string_gives_one_vector(ip, aiml_simulator):
    series = pd.Series(["red apple", "green pear", "red apple"], index=[30, 10, 20])
    frame = aiml_magics.embed(series, dimensions=16)
    assert isinstance(frame, pd.DataFrame) and list(frame.index) == [30, 10, 20]
    assert frame.shape == (3, 16)
    one = aiml_magics.embed("red apple", dimensions=16)
    assert one.shape == (16,) and np.array_equal(one, frame.loc[30].to_numpy())
    assert all(r.body["dimensions"] == 16 for r in embedding_requests(aiml_simulator))
    assert sent_texts(aiml_simulator) == ["red apple", "green pear"]  # the third call: cached


def test_embedded_texts_are_not_sent_again_unless_fresh(ip, aiml_simulator):
    first = aiml_magics.embed(["one", "two"])
    again = aiml_magics.embed(["two", "one", "three"])
    assert sent_texts(aiml_simulator) == ["one", "two", "three"]
    assert np.array_equal(first[0], again[1])
    aiml_magics.embed(["one"], fresh=True)
    assert sent_texts(aiml_simulator)[-1] == "one"
    other = aiml_magics.embed(["one"], dimensions=8)  # another size is another vector
    assert other.shape == (1, 8) and sent_texts(aiml_simulator)[-1] == "one"


def test_similar_finds_the_texts_that_share_words(ip, aiml_simulator):
    docs = pd.Series(
        [
            "the cat sat on the mat",
            "stock markets fell sharply today",
            "a cat chased the mouse",
            "interest rates and markets",
            "my dog likes the park",
        ],
        index=["a", "b", "c", "d", "e"],
    )
    found = aiml_magics.similar("cat on a mat", docs, k=2)
    assert [n.index for n in found] == ["a", "c"]
    assert found[0].text == docs["a"] and found[0].score > found[1].score > 0
    markets = aiml_magics.similar("markets", docs.tolist(), k=1)
    assert markets[0].index in (1, 3) and "markets" in markets[0].text
    frame = aiml_magics.embed(docs)
    by_vector = aiml_magics.similar(frame.loc["b"].to_numpy(), frame, k=1)
    assert by_vector[0].index == "b" and by_vector[0].text is None
    assert by_vector[0].score == pytest.approx(1.0, abs=1e-5)


def test_similar_refuses_vectors_of_another_size(ip, aiml_simulator):
    matrix = aiml_magics.embed(["x", "y"], dimensions=8)
    with pytest.raises(errors.UsageError, match="8"):
        aiml_magics.similar("x", matrix)  # the query gets 1536 dimensions


def test_tokens_and_credits_count_in_usage_like_chat(ip, aiml_simulator, run):
    aiml_magics.embed(["the first text", "and a second one"])
    session = next(m for m in ip.configurables if type(m).__name__ == "AimlMagics").session
    totals = session.totals[MODEL]
    (request,) = embedding_requests(aiml_simulator)
    tokens = sum(-(-len(t) // 4) for t in request.body["input"])
    assert totals.usage.prompt_tokens == tokens and totals.requests == 1
    assert totals.credits == pytest.approx(tokens * 0.02 / 1e6 * 2_000_000)
    out = run("%aiml usage")
    assert MODEL in out.stdout or any(MODEL in str(o.data) for o in out.outputs)


def test_a_429_with_retry_after_is_waited_out_then_answered(ip, aiml_simulator):
    aiml_simulator.media.script(Reply.error(429, headers={"Retry-After": "1"}), path=PATH)
    started = time.monotonic()
    matrix = aiml_magics.embed(["patience"])
    assert matrix.shape == (1, 1536)
    first, second = embedding_requests(aiml_simulator)
    assert second.received - first.received >= 0.95
    assert time.monotonic() - started >= 0.95


def test_a_server_error_after_the_retries_is_one_clear_error(ip, aiml_simulator, run):
    aiml_simulator.media.script(Reply.error(503, times=3, headers={"Retry-After": "0"}))
    ip.user_ns["texts"] = ["will fail"]
    out = run("import aiml_magics\naiml_magics.embed(texts)")
    assert isinstance(out.error, errors.ServerError)
    assert len(embedding_requests(aiml_simulator)) == 3  # the first try and two retries
    assert "Traceback" not in out.stdout


def test_a_missing_value_is_named_and_nothing_is_sent(ip, aiml_simulator):
    with pytest.raises(errors.UsageError, match="item 1 is float nan"):
        aiml_magics.embed(pd.Series(["fine", float("nan")]))
    assert embedding_requests(aiml_simulator) == []


def test_an_unknown_model_is_the_services_own_error(ip, aiml_simulator):
    with pytest.raises(errors.BadRequestError, match="not a embedding model"):
        aiml_magics.embed(["x"], model="openai/gpt-4o")


def test_a_spent_budget_sends_nothing(ip, aiml_simulator, run):
    aiml_magics.embed(["spend a little"])
    ip.run_line_magic("config", "AimlMagics.budget_credits = 0.01")
    with pytest.raises(errors.AimlError, match="budget"):
        aiml_magics.embed(["and then some more"])
    assert sent_texts(aiml_simulator) == ["spend a little"]


def test_vectors_replay_from_the_recording_without_the_service(ip, recording, aiml_simulator, run):
    run("%aiml replay auto")
    live = aiml_magics.embed(["recorded text", "another"], dimensions=32)
    lines = [json.loads(x) for x in recording.read_text().splitlines()]
    assert len(lines) == 2 and all("embedding_f32" in x["answer"] for x in lines)
    # A new session (the in-memory cache is gone) with no service at all:
    ip.run_line_magic("unload_ext", "aiml_magics")
    ip.run_line_magic("load_ext", "aiml_magics")
    ip.run_line_magic("config", f"AimlMagics.replay_path = {str(recording)!r}")
    ip.run_line_magic("config", "AimlMagics.base_url = 'http://127.0.0.1:9/v1'")  # closed
    run("%aiml replay only")
    replayed = aiml_magics.embed(["another", "recorded text"], dimensions=32)
    assert np.array_equal(replayed, live[::-1])
    session = next(m for m in ip.configurables if type(m).__name__ == "AimlMagics").session
    assert session.media.last_embed.replayed == 2 and MODEL in session.saved
    with pytest.raises(errors.AimlError, match="not recorded"):
        aiml_magics.embed(["never recorded"], dimensions=32)
    assert len(embedding_requests(aiml_simulator)) == 1


def test_importing_the_package_does_not_import_numpy():
    code = "import sys, aiml_magics; aiml_magics.embed; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
