"""Where recordings live (`chat/replay/paths.py`): beside the notebook, else `replay_path`."""

from __future__ import annotations

from pathlib import Path

from aiml_magics.chat.replay.paths import notebook_path, recording_path, shown_path
from aiml_magics.chat.settings import AimlSettings


def test_no_notebook_is_none():
    assert notebook_path({}, {}) is None
    assert notebook_path({"__session__": "console"}, {"JPY_SESSION_NAME": "x.py"}) is None


def test_our_variable_wins_over_jupyters_over_the_session(tmp_path):
    ours, jupyters, session = (tmp_path / f"{n}.ipynb" for n in ("ours", "jupyter", "session"))
    namespace = {"__session__": str(session)}
    both = {"AIML_NOTEBOOK": str(ours), "JPY_SESSION_NAME": str(jupyters)}
    assert notebook_path(namespace, both) == ours
    assert notebook_path(namespace, {"JPY_SESSION_NAME": f" {jupyters} "}) == jupyters
    assert notebook_path(namespace, {}) == session


def test_a_path_relative_to_the_servers_root_is_the_notebook_in_this_directory(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    assert notebook_path({}, {"JPY_SESSION_NAME": "work/analysis.ipynb"}) == (
        tmp_path / "analysis.ipynb"
    )
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "analysis.ipynb").write_text("{}")
    assert notebook_path({}, {"JPY_SESSION_NAME": "work/analysis.ipynb"}) == (
        tmp_path / "work" / "analysis.ipynb"
    )


def test_the_file_sits_beside_the_notebook_unless_replay_path_is_set(tmp_path, monkeypatch):
    monkeypatch.setenv("AIML_NOTEBOOK", str(tmp_path / "study.ipynb"))
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    settings = AimlSettings()
    assert recording_path(settings, {}) == tmp_path / "study.aiml.jsonl"
    settings.replay_path = str(tmp_path / "elsewhere.jsonl")
    assert recording_path(settings, {}) == tmp_path / "elsewhere.jsonl"


def test_without_a_notebook_the_default_file_is_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("AIML_NOTEBOOK", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.chdir(tmp_path)
    assert recording_path(AimlSettings(), {}) == tmp_path / "aiml-replay.jsonl"


def test_a_file_is_shown_relative_to_the_working_directory_when_inside(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert shown_path(tmp_path / "sub" / "a.aiml.jsonl") == str(Path("sub") / "a.aiml.jsonl")
    outside = tmp_path.parent / "b.aiml.jsonl"
    assert shown_path(outside) == str(outside)
