"""What a user reads when replay cannot answer (`chat/replay/messages.py`)."""

from __future__ import annotations

from aiml_magics.api.result import ChatResult
from aiml_magics.chat.replay.key import canonical_request
from aiml_magics.chat.replay.messages import ReplayMissError, cell_label, miss_error
from aiml_magics.chat.replay.records import Recording
from aiml_magics.chat.replay.store import ReplayStore


def test_a_cell_is_named_by_the_first_line_it_asked():
    assert cell_label("\n  \n  What is a p-value?  \nMore.") == "What is a p-value?"
    parts = [
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}},
        {"type": "text", "text": "Describe"},
        {"type": "text", "text": "this plot."},
    ]
    assert cell_label(parts) == "Describe this plot."
    long = cell_label("x" * 80)
    assert len(long) == 58 and long.endswith("…")
    assert cell_label("") == "" and cell_label(None) == "None"


def test_a_miss_without_recordings_names_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = ReplayStore(tmp_path / "notes.aiml.jsonl")
    error = miss_error(store, canonical_request("m", [], {}), "")
    assert isinstance(error, ReplayMissError) and error.title == "Not recorded"
    assert error.message == (
        "this cell was not recorded (notes.aiml.jsonl has no recordings); "
        "nothing was sent (AimlMagics.replay = 'only')."
    )
    assert error.hint == "Record it with %aiml replay auto (or record) and a key."
    assert str(error) == f"Not recorded: {error.message} {error.hint}", "one line for IPython"


def test_a_miss_names_at_most_three_differences(tmp_path):
    store = ReplayStore(tmp_path / "a.aiml.jsonl")
    asked = [{"role": "user", "content": "q"}]
    store.add(Recording.of(canonical_request("m", asked, {}), ChatResult(text="t")), replace=False)
    context = [{"role": "system", "content": "s"}, {"role": "user", "content": "other"}]
    wanted = canonical_request("n", context, {"seed": 1, "temperature": 1})
    message = miss_error(store, wanted, "other").message
    assert message.startswith("the cell 'other' was not recorded (it differs from the closest ")
    assert (
        "recording in the model (n here, m recorded), the parameter seed (1 here, unset "
        "recorded) and the parameter temperature (1 here, unset recorded));"
    ) in message
    assert "context" not in message and "\n" not in message
    one = miss_error(store, canonical_request("m", asked, {"seed": 2}), "q").message
    assert "closest recording in the parameter seed (2 here, unset recorded));" in one
