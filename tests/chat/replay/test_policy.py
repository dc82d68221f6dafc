"""The replay mode of a turn (`chat/replay/policy.py`): what it answers and what it records."""

from __future__ import annotations

import pytest

from aiml_magics.api.result import ChatResult
from aiml_magics.chat.replay.key import canonical_request
from aiml_magics.chat.replay.messages import ReplayMissError
from aiml_magics.chat.replay.policy import Replay, ReplayModeError, mode_of
from aiml_magics.chat.replay.store import ReplayStore
from aiml_magics.chat.settings import AimlSettings

SECRET = "sk-" + "test-0123456789abcdef"  # a fake key, assembled: no key-shaped literal


def request(prompt: str = "What is a p-value?") -> dict:
    return canonical_request("m", [{"role": "user", "content": prompt}], {"temperature": 0})


@pytest.fixture
def store(tmp_path):
    return ReplayStore(tmp_path / "a.aiml.jsonl")


def texts(store: ReplayStore) -> list[str]:
    lines = store.path.read_text().splitlines() if store.path.exists() else []
    return [line.split('"text":"')[1].split('"')[0] for line in lines]


def test_the_mode_and_where_it_came_from(monkeypatch):
    monkeypatch.delenv("AIML_REPLAY", raising=False)
    settings = AimlSettings()
    assert mode_of(settings) == ("off", "default")
    settings.replay = "record"
    assert mode_of(settings) == ("record", "%config")
    monkeypatch.setenv("AIML_REPLAY", " ONLY ")
    assert mode_of(settings) == ("only", "environment AIML_REPLAY (wins over %config)")


def test_the_environment_supplies_the_mode_when_not_configured(monkeypatch):
    monkeypatch.setenv("AIML_REPLAY", " Auto ")
    assert mode_of(AimlSettings()) == ("auto", "environment AIML_REPLAY")


def test_a_bad_mode_in_the_environment_is_one_clear_line(monkeypatch):
    monkeypatch.setenv("AIML_REPLAY", "sometimes")
    with pytest.raises(ReplayModeError) as caught:
        mode_of(AimlSettings())
    assert str(caught.value) == "Replay setting: " + (
        "AIML_REPLAY='sometimes' is not a replay mode; use one of off, auto, record, only."
    )


@pytest.mark.parametrize(
    ("mode", "fresh", "answers", "records"),
    [
        ("off", False, False, False),
        ("auto", False, True, True),
        ("auto", True, False, True),
        ("record", False, False, True),
        ("only", False, True, False),
        ("only", True, True, False),
    ],
)
def test_what_each_mode_answers_and_records(store, mode, fresh, answers, records):
    replay = Replay(mode, store, fresh=fresh)
    assert (replay.answers, replay.records) == (answers, records)


def test_auto_answers_a_recorded_request_and_lets_a_new_one_through(store):
    auto = Replay("auto", store)
    assert auto.lookup(request()) is None
    auto.record(request(), ChatResult(text="recorded"), cell="What is a p-value?")
    found = auto.lookup(request())
    assert found.answer["text"] == "recorded" and found.cell == "What is a p-value?"
    assert auto.lookup(request("Something else?")) is None
    assert Replay("auto", store, fresh=True).lookup(request()) is None, "--fresh asks anew"
    assert Replay("record", store).lookup(request()) is None, "record always asks"


def test_a_miss_in_only_is_an_error_naming_the_cell(store):
    Replay("auto", store).record(request(), ChatResult(text="recorded"))
    only = Replay("only", store, label="What is a z-score?")
    assert only.lookup(request()).answer["text"] == "recorded"
    with pytest.raises(ReplayMissError) as caught:
        only.lookup(request("What is a z-score?"))
    assert caught.value.message.startswith("the cell 'What is a z-score?' was not recorded")


def test_auto_appends_while_record_and_fresh_replace(store):
    Replay("auto", store).record(request(), ChatResult(text="one"))
    Replay("auto", store).record(request(), ChatResult(text="two"))
    assert texts(store) == ["one", "two"]
    Replay("record", store).record(request(), ChatResult(text="three"))
    assert texts(store) == ["three"]
    Replay("auto", store, fresh=True).record(request(), ChatResult(text="four"))
    assert texts(store) == ["four"]


def test_an_answer_holding_the_key_is_never_written(store):
    replay = Replay("auto", store, secret=SECRET)
    replay.record(request(), ChatResult(text=f"Your key is {SECRET}."))
    assert not store.path.exists()
    replay.record(request(), ChatResult(text="A harmless answer."))
    assert texts(store) == ["A harmless answer."] and SECRET not in store.path.read_text()
    assert SECRET not in repr(replay)
