"""Record and replay (`AimlMagics.replay`): a real shell, the simulator, a real recording file."""

from __future__ import annotations

import json

import pytest

from aiml_magics.simulator import Reply


@pytest.fixture
def recording(tmp_path, ip):
    """Recordings go to a file of this test (not the working directory)."""
    path = tmp_path / "answers.aiml.jsonl"
    ip.run_line_magic("config", f"AimlMagics.replay_path = {str(path)!r}")
    return path


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


QUESTION = "%%aiml --no-history\nWhat is a p-value?"


def test_off_records_nothing(run, recording, aiml_simulator):
    assert run(QUESTION).error is None
    assert run(QUESTION).error is None
    assert len(aiml_simulator.chat_requests) == 2
    assert not recording.exists()


def test_auto_records_then_replays_through_the_same_view(
    run, ip, recording, aiml_simulator, visible
):
    aiml_simulator.script(Reply(content="A **p-value** is...", reasoning="think first"))
    run("%aiml replay auto")
    live = run(QUESTION)
    assert live.error is None and len(aiml_simulator.chat_requests) == 1
    assert ip.user_ns["_aiml"].replayed is False
    (stored,) = lines(recording)
    assert stored["answer"]["text"] == "A **p-value** is..."
    assert stored["answer"]["reasoning"] == "think first"
    assert stored["answer"]["credits_used"] > 0 and stored["answer"]["inference_id"]
    assert stored["request"]["model"] == "bytedance/seed-1-8"

    again = run(QUESTION)
    assert again.error is None
    assert len(aiml_simulator.chat_requests) == 1, "the recording answered: nothing was sent"
    result = ip.user_ns["_aiml"]
    assert result.replayed is True and result.text == "A **p-value** is..."
    assert result.reasoning == "think first"
    markdown = again.final_markdown
    assert "A **p-value** is..." in markdown and "<summary>Reasoning" in markdown
    date = stored["recorded"][:10]
    saved = f"{stored['answer']['credits_used']:,.0f} credits"
    assert f"replayed from the recording of {date}, saved {saved}" in visible(markdown)
    provenance = again.final_metadata["aiml"]
    assert provenance["replayed"] is True and provenance["recorded"] == stored["recorded"]
    assert provenance["inference_id"] == stored["answer"]["inference_id"]


def test_usage_shows_spent_and_saved_apart(run, recording, aiml_simulator):
    run("%aiml replay auto")
    run(QUESTION)
    run(QUESTION)
    run(QUESTION)
    out = run("%aiml usage")
    spent, saved = (o.data["text/plain"] for o in out.outputs)
    assert spent.startswith("Usage this session (spent)")
    assert saved.startswith("Replayed from recordings (saved, not spent)")
    assert "bytedance/seed-1-8  1 " in spent and "bytedance/seed-1-8  2 " in saved
    status = run("%aiml replay").stdout
    assert "Replay mode: auto (from %config)" in status
    assert f"Recording file: {recording}" in status
    assert "Recordings: 1," in status and "Replayed this session: 2 request(s)" in status


def test_record_always_asks_and_replaces_the_older_recording(run, ip, recording, aiml_simulator):
    aiml_simulator.script(Reply(content="first answer"), Reply(content="second answer"))
    run("%aiml replay record")
    run(QUESTION)
    inode = recording.stat().st_ino
    run(QUESTION)
    assert len(aiml_simulator.chat_requests) == 2
    (stored,) = lines(recording)
    assert stored["answer"]["text"] == "second answer"
    assert recording.stat().st_ino != inode, "replaced by a new file renamed over the old one"
    run("%aiml replay auto")
    run(QUESTION)
    assert ip.user_ns["_aiml"].text == "second answer" and len(aiml_simulator.chat_requests) == 2


def test_fresh_asks_the_service_even_in_auto_and_keeps_the_new_answer(
    run, ip, recording, aiml_simulator
):
    aiml_simulator.script(Reply(content="old"), Reply(content="new"))
    run("%aiml replay auto")
    run(QUESTION)
    out = run("%%aiml --no-history --fresh\nWhat is a p-value?")
    assert out.error is None and ip.user_ns["_aiml"].text == "new"
    assert len(aiml_simulator.chat_requests) == 2
    assert [r["answer"]["text"] for r in lines(recording)] == ["new"]
    run(QUESTION)
    assert ip.user_ns["_aiml"].text == "new" and ip.user_ns["_aiml"].replayed


def test_only_replays_without_a_key_and_sends_nothing(
    run, ip, recording, monkeypatch, aiml_simulator
):
    run("%aiml replay auto")
    run(QUESTION)
    monkeypatch.delenv("AIML_API_KEY")
    run("%aiml replay only")
    out = run(QUESTION)
    assert out.error is None and ip.user_ns["_aiml"].replayed
    assert len(aiml_simulator.chat_requests) == 1


@pytest.mark.parametrize(
    ("cell", "difference"),
    [
        ("%%aiml --no-history -m openai/gpt-4o\nWhat is a p-value?", "the model (openai/gpt-4o"),
        ("%%aiml --no-history -t 0.3\nWhat is a p-value?", "the parameter temperature (0.3 here"),
        ("%%aiml --no-history\nWhat is a z-score?", "the prompt"),
        ("%%aiml -s 'Be brief.' --no-history\nWhat is a p-value?", "the context (1 earlier"),
    ],
)
def test_a_miss_in_only_names_the_cell_and_what_differs(
    run, recording, aiml_simulator, cell, difference
):
    run("%aiml replay auto")
    run(QUESTION)
    run("%aiml replay only")
    out = run(cell)
    message = str(out.error)
    assert type(out.error).__name__ == "ReplayMissError"
    assert message.count("\n") == 0 and message.startswith("Not recorded: the cell '")
    assert cell.splitlines()[1] in message
    assert f"differs from the closest recording in {difference}" in message
    assert len(aiml_simulator.chat_requests) == 1, "a miss sends nothing"


def test_a_miss_with_no_recordings_says_so(run, recording, aiml_simulator):
    run("%aiml replay only")
    out = run(QUESTION)
    assert f"({recording} has no recordings)" in str(out.error)
    assert aiml_simulator.chat_requests == []


def test_only_in_the_environment_wins_over_the_notebook(run, ip, recording, monkeypatch, visible):
    run("%aiml replay auto")
    run(QUESTION)
    monkeypatch.setenv("AIML_REPLAY", "only")
    status = run("%aiml replay record").stdout
    assert "Replay mode: only (from environment AIML_REPLAY (wins over %config))" in status
    out = run("%%aiml --no-history --fresh\nWhat is a p-value?")
    assert out.error is None and ip.user_ns["_aiml"].replayed
    assert "--fresh is ignored" in visible(out.final_markdown)


def test_a_bad_mode_in_the_environment_is_one_line(run, recording, monkeypatch, aiml_simulator):
    monkeypatch.setenv("AIML_REPLAY", "sometimes")
    out = run(QUESTION)
    assert str(out.error).startswith("Replay setting: AIML_REPLAY='sometimes' is not a replay mode")
    assert aiml_simulator.chat_requests == []


def test_the_key_never_reaches_the_file(run, recording, aiml_simulator):
    run("%aiml replay auto")
    run(QUESTION)
    run("%%aiml -t 0.2\nAnd with a system prompt?")
    text = recording.read_text(encoding="utf-8")
    assert len(text.splitlines()) == 2
    assert aiml_simulator.api_key not in text
    assert "bearer" not in text.lower() and "authorization" not in text.lower()
    assert all(r.authorized for r in aiml_simulator.chat_requests), "the key was sent, not kept"
    assert "x-inference-id" not in text.lower() and "user-agent" not in text.lower()


def test_a_damaged_line_is_skipped_with_one_warning(run, ip, recording, aiml_simulator, visible):
    aiml_simulator.script(Reply(content="kept"))
    run("%aiml replay auto")
    run(QUESTION)
    with recording.open("a", encoding="utf-8") as out:
        out.write('{"format": "aiml-replay", "key": "cut short\n')
        out.write("not json at all\n")
    first = run(QUESTION)
    assert first.error is None and ip.user_ns["_aiml"].text == "kept"
    warning = "skipped 2 damaged line(s) of answers.aiml.jsonl (line 2, 3)"
    assert warning in visible(first.final_markdown)
    second = run(QUESTION)
    assert second.error is None and "damaged" not in second.final_markdown, "warned once"
    assert len(aiml_simulator.chat_requests) == 1


def test_the_recording_file_sits_beside_the_notebook(run, ip, tmp_path, monkeypatch):
    ip.run_line_magic("config", "AimlMagics.replay_path = 'aiml-replay.jsonl'")
    ip.config.AimlMagics.pop("replay_path", None)
    magics = next(m for m in ip.configurables if type(m).__name__ == "AimlMagics")
    magics._set_in_code.discard("replay_path")
    notebook = tmp_path / "analysis.ipynb"
    monkeypatch.setenv("AIML_NOTEBOOK", str(notebook))
    run("%aiml replay auto")
    run(QUESTION)
    assert (tmp_path / "analysis.aiml.jsonl").exists()
    monkeypatch.delenv("AIML_NOTEBOOK")
    monkeypatch.chdir(tmp_path)
    ip.user_ns["__session__"] = str(tmp_path / "other.ipynb")
    try:
        run(QUESTION)
    finally:
        del ip.user_ns["__session__"]
    assert (tmp_path / "other.aiml.jsonl").exists()


def test_a_tool_loop_replays_request_by_request(run, ip, recording, aiml_simulator):
    run(
        "calls = []\n"
        "def lookup_price(ticker: str) -> float:\n"
        '    """Closing price of a stock."""\n'
        "    calls.append(ticker)\n"
        "    return 187.5\n"
    )
    aiml_simulator.script(
        Reply(
            tool_calls=[{"id": "call_1", "name": "lookup_price", "arguments": '{"ticker": "AAPL"}'}]
        ),
        Reply(content="AAPL closed at 187.5."),
    )
    cell = "%%aiml --tools lookup_price\nWhat does AAPL cost?"
    run("%aiml replay auto")
    assert run(cell, cell_id="c1").error is None
    assert len(aiml_simulator.chat_requests) == 2 and len(lines(recording)) == 2
    replayed = run(cell, cell_id="c1")
    assert replayed.error is None
    assert len(aiml_simulator.chat_requests) == 2, "both requests came from the recording"
    assert ip.user_ns["calls"] == ["AAPL", "AAPL"], "the tool itself ran again in the kernel"
    result = ip.user_ns["_aiml"]
    assert result.replayed and result.text == "AAPL closed at 187.5." and result.tool_rounds == 1
    assert "replayed" in replayed.final_markdown

    # A tool that now returns something else makes the second request differ: it follows
    # the mode (here auto: it is sent and recorded).
    run(
        "def lookup_price(ticker: str) -> float:\n"
        '    """Closing price of a stock."""\n'
        "    return 190.0\n"
    )
    aiml_simulator.script(Reply(content="AAPL closed at 190."))
    run(cell, cell_id="c1")
    assert len(aiml_simulator.chat_requests) == 3
    assert aiml_simulator.chat_requests[-1].body["messages"][-1]["content"] == "190.0"
