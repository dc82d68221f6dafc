"""The recording file (`chat/replay/store.py`): appended under a lock, replaced by renaming,
damaged lines skipped, and nothing lost between concurrent writers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest

from aiml_magics.api.result import ChatResult
from aiml_magics.chat.replay.key import canonical_request, request_key
from aiml_magics.chat.replay.records import Recording
from aiml_magics.chat.replay.store import ReplayStore


def recording(prompt: str, text: str, **params) -> Recording:
    request = canonical_request("m", [{"role": "user", "content": prompt}], params)
    return Recording.of(request, ChatResult(text=text))


def test_a_missing_file_has_no_recordings(tmp_path):
    store = ReplayStore(tmp_path / "none.aiml.jsonl")
    assert store.recordings() == {} and store.find("k") is None
    assert store.take_warning() is None and store.closest({"model": "m"}) == (None, [])
    assert not store.path.exists()


def test_the_newest_line_of_a_request_wins_and_replace_drops_the_older(tmp_path):
    store = ReplayStore(tmp_path / "sub" / "a.aiml.jsonl")
    store.add(recording("q", "first"), replace=False)
    store.add(recording("q", "second"), replace=False)
    store.add(recording("other", "kept"), replace=False)
    assert len(store.path.read_text().splitlines()) == 3
    key = recording("q", "").key
    assert store.find(key).answer["text"] == "second"
    inode = store.path.stat().st_ino
    store.add(recording("q", "third"), replace=True)
    texts = [Recording.parse(line).answer["text"] for line in store.path.read_text().splitlines()]
    assert texts == ["kept", "third"]
    assert store.path.stat().st_ino != inode, "a new file renamed over the old one"
    assert store.path.stat().st_mode & 0o777 == 0o644
    assert not [p for p in store.path.parent.iterdir() if p.name.endswith(".tmp")]


def test_replace_of_a_new_request_appends(tmp_path):
    store = ReplayStore(tmp_path / "a.aiml.jsonl")
    store.add(recording("q", "first"), replace=False)
    inode = store.path.stat().st_ino
    store.add(recording("new", "appended"), replace=True)
    assert store.path.stat().st_ino == inode and len(store.recordings()) == 2


def test_damaged_lines_are_skipped_kept_and_warned_about_once(tmp_path):
    store = ReplayStore(tmp_path / "a.aiml.jsonl")
    store.add(recording("q", "kept"), replace=False)
    with store.path.open("a", encoding="utf-8") as out:
        out.write('{"format": "aiml-replay", "key": "cut short\n\nnot json at all\n')
    assert [r.answer["text"] for r in store.recordings().values()] == ["kept"]
    assert store.damaged == [2, 4]
    warning = store.take_warning()
    assert warning.startswith("⚠ skipped 2 damaged line(s) of a.aiml.jsonl (line 2, 4)")
    assert store.take_warning() is None, "warned once"
    store.add(recording("q", "replaced"), replace=True)
    kept = store.path.read_text().splitlines()
    assert kept[:3] == ['{"format": "aiml-replay", "key": "cut short', "", "not json at all"], (
        "a damaged line is not ours to drop"
    )
    with store.path.open("a", encoding="utf-8") as out:
        out.write("\n".join(["junk"] * 5) + "\n")
    store.recordings()
    assert "7 damaged line(s) of a.aiml.jsonl (line 1, 3, 5, 6, 7…);" in store.take_warning()
    assert store.take_warning() is None


def test_a_change_by_another_kernel_is_read(tmp_path):
    path = tmp_path / "a.aiml.jsonl"
    mine, theirs = ReplayStore(path), ReplayStore(path)
    mine.add(recording("q", "mine"), replace=False)
    assert len(theirs.recordings()) == 1
    theirs.add(recording("q", "theirs"), replace=True)
    assert mine.find(recording("q", "").key).answer["text"] == "theirs"
    path.unlink()
    assert mine.recordings() == {}


def test_the_closest_recording_differs_least_and_the_newest_breaks_ties(tmp_path):
    store = ReplayStore(tmp_path / "a.aiml.jsonl")
    store.add(recording("q", "far", temperature=1, seed=2), replace=False)
    store.add(recording("q", "near", temperature=1), replace=False)
    store.add(recording("z", "tie", temperature=0.5), replace=False)
    wanted = canonical_request("m", [{"role": "user", "content": "q"}], {"temperature": 0.5})
    closest, differences = store.closest(wanted)
    assert closest.answer["text"] == "tie" and differences == ["the prompt"]
    store.add(recording("q", "later", temperature=2), replace=False)
    closest, differences = store.closest(wanted)
    assert closest.answer["text"] == "later"
    assert differences == ["the parameter temperature (0.5 here, 2 recorded)"]
    assert request_key(wanted) not in store.recordings()


@pytest.mark.parametrize("shared", [True, False], ids=["one store", "a store per thread"])
def test_threads_writing_at_once_lose_nothing(tmp_path, shared):
    path = tmp_path / "threads.aiml.jsonl"
    one = ReplayStore(path)
    count, names = 40, [f"t{n}" for n in range(6)]
    failures: list[BaseException] = []

    def write(name: str) -> None:
        store = one if shared else ReplayStore(path)
        try:
            for number in range(count):
                store.add(recording(f"{name} {number}", f"{name} {number}"), replace=False)
                if number % 8 == 0:
                    again = recording(f"{name} {number}", f"{name} {number} again")
                    store.add(again, replace=True)
                store.recordings()  # readers at the same time as the writers
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == [] and not any(t.is_alive() for t in threads)
    store = ReplayStore(path)
    texts = sorted(r.answer["text"] for r in store.recordings().values())
    expected = sorted(
        f"{name} {number}" + (" again" if number % 8 == 0 else "")
        for name in names
        for number in range(count)
    )
    assert store.damaged == [] and texts == expected
    assert len(path.read_text().splitlines()) == len(names) * count, "no duplicate, no loss"


APPENDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from aiml_magics.api.result import ChatResult
    from aiml_magics.chat.replay.key import canonical_request
    from aiml_magics.chat.replay.records import Recording
    from aiml_magics.chat.replay.store import ReplayStore

    path, name, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    store = ReplayStore(path)
    for number in range(count):
        request = canonical_request("m", [{"role": "user", "content": f"{name} {number}"}], {})
        store.add(Recording.of(request, ChatResult(text=f"{name} {number}")), replace=False)
        if number % 10 == 0:  # a replacement: a new file renamed over the old one
            again = Recording.of(request, ChatResult(text=f"{name} {number} again"))
            store.add(again, replace=True)
    """
)


def test_two_processes_appending_at_once_lose_nothing(tmp_path):
    path = tmp_path / "shared.aiml.jsonl"
    count = 60
    writers = [
        subprocess.Popen([sys.executable, "-c", APPENDER, str(path), name, str(count)])
        for name in ("left", "right")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    store = ReplayStore(path)
    texts = {r.answer["text"] for r in store.recordings().values()}
    assert store.damaged == []
    for name in ("left", "right"):
        for number in range(count):
            expected = f"{name} {number}" + (" again" if number % 10 == 0 else "")
            assert expected in texts
    assert len(path.read_text().splitlines()) == 2 * count, (
        "each replacement dropped its older line"
    )
