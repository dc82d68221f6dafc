"""Daily notebook workflows: code into cells, explain errors, carry chats, complete names."""

from __future__ import annotations

import json
import sys

import pytest
from IPython.core.completer import provisionalcompleter

from aiml_magics.simulator import Reply

CODE_ANSWER = """Here you go:

```bash
pip install numpy
```

```python
import numpy as np
print(np.arange(3))
```

```python
print("second")
```
"""


def user_messages(request):
    return [m["content"] for m in request.body["messages"] if m["role"] == "user"]


@pytest.mark.parametrize(
    ("option", "inserted"),
    [
        ("--to-cell", "import numpy as np\nprint(np.arange(3))"),
        ("--to-cell 3", 'print("second")'),
        (
            "--to-cell all",
            'pip install numpy\n\nimport numpy as np\nprint(np.arange(3))\n\nprint("second")',
        ),
    ],
)
def test_to_cell_puts_code_into_the_next_cell(run, ip, aiml_simulator, option, inserted):
    aiml_simulator.script(Reply(content=CODE_ANSWER))
    ip.rl_next_input = None
    out = run(f"%%aiml {option}\nshow me numpy")
    assert ip.rl_next_input == inserted
    assert "into a new cell below (not run)" in out.stdout
    assert "numpy" in out.final_markdown  # the answer is still rendered


def test_to_cell_without_code_inserts_nothing(run, ip, aiml_simulator):
    aiml_simulator.script(Reply(content="Just prose, with `inline` code."))
    ip.rl_next_input = None
    out = run("%%aiml --to-cell\nq")
    assert ip.rl_next_input is None
    assert "no Python code block; nothing was inserted" in out.stdout


def test_to_cell_rejects_nonsense(run, aiml_simulator):
    out = run("%%aiml --to-cell first\nq")
    assert "--to-cell takes a block number" in out.captured.stderr
    assert aiml_simulator.chat_requests == []


def test_fix_sends_the_last_exception_with_its_cell(run, aiml_simulator, magics, monkeypatch):
    monkeypatch.delattr(sys, "last_value", raising=False)
    assert "nothing was sent" in run("%aiml fix").stdout
    assert aiml_simulator.chat_requests == []
    run("numbers = [1, 2]\nnumbers[5]")
    aiml_simulator.script(Reply(content="Use a valid index."))
    out = run("%aiml fix -m openai/gpt-4o keep it short")
    request = aiml_simulator.chat_requests[-1]
    prompt = user_messages(request)[-1]
    assert "IndexError: list index out of range" in prompt
    assert "numbers[5]" in prompt and "keep it short" in prompt
    assert "\x1b[" not in prompt  # no colour codes
    assert request.body["model"] == "openai/gpt-4o"
    assert "Use a valid index." in out.final_markdown
    assert [t.answer for t in magics.session.chats.get("fix").turns] == ["Use a valid index."]
    assert "default" not in magics.session.chats


def test_export_import_round_trip_reproduces_the_next_request(run, aiml_simulator, tmp_path):
    aiml_simulator.script(Reply(content="one"), Reply(content="two"))
    run("%%aiml -c work -s 'Be exact.'\nfirst", cell_id="a")
    run("%%aiml -c work -t 0.4\nsecond", cell_id="b")
    path = tmp_path / "work.json"
    assert "Wrote chat 'work' (2 turns)" in run(f"%aiml export -c work {path}").stdout
    run("%%aiml -c work\nnext", cell_id="c")
    before = aiml_simulator.chat_requests[-1].body["messages"]

    run("%aiml reset --all")
    assert "Imported chat 'work' with 2 turns" in run(f"%aiml import {path}").stdout
    run("%%aiml -c work\nnext", cell_id="c")
    assert aiml_simulator.chat_requests[-1].body["messages"] == before

    exported = json.loads(path.read_text())
    turn = exported["turns"][1]
    assert turn["params"]["temperature"] == 0.4 and turn["usage"]["completion_tokens"] > 0
    assert turn["created"] > 0 and turn["model"] and turn["inference_id"]
    assert aiml_simulator.api_key not in path.read_text()


def test_export_markdown_transcript(run, aiml_simulator, tmp_path, visible):
    aiml_simulator.script(Reply(content="**an** answer"))
    run("%%aiml\nwhat is it?")
    path = tmp_path / "chat.md"
    run(f"%aiml export {path}")
    text = visible(path.read_text())
    assert "what is it?" in text and "an answer" in text and "completion" in text


@pytest.mark.parametrize(
    "content",
    [
        "not json at all",
        '{"format": "something-else"}',
        '{"format": "aiml-magics-chat", "version": 1, "name": "x", "turns": [{"key": 1}]}',
        "[1, 2]",
    ],
)
def test_bad_imports_change_nothing(run, aiml_simulator, magics, tmp_path, content):
    run("%%aiml\nkeep me")
    path = tmp_path / "bad.json"
    path.write_text(content)
    out = run(f"%aiml import {path} -c default")
    assert (
        "is not a chat export" in out.captured.stderr and "nothing changed" in out.captured.stderr
    )
    assert [t.user for t in magics.session.chats.get("default").turns] == ["keep me"]
    missing = run(f"%aiml import {tmp_path / 'nope.json'}")
    assert "could not read" in missing.captured.stderr


def test_deleted_cells_leave_the_conversation(run, ip, aiml_simulator, magics):
    run("%%aiml\none", cell_id="keep")
    run("%%aiml\ntwo", cell_id="gone")
    ip.run_cell("%%aiml\nthree", cell_id="new", cell_meta={"deletedCells": ["gone"]})
    assert user_messages(aiml_simulator.chat_requests[-1]) == ["one", "three"]
    assert [t.key for t in magics.session.chats.get("default").turns] == ["id:keep", "id:new"]


def completions(ip, line):
    with provisionalcompleter():
        return [c.text for c in ip.Completer.completions(line, len(line))]


def test_tab_completion_of_models_subcommands_chats_and_options(run, ip, magics):
    magics.session.model_names(wait=10)  # let the background fetch finish
    assert "openai/gpt-4o" in completions(ip, "%%aiml -m open")
    assert "gpt-4o" in completions(ip, "%%aiml -t 0.2 --model gp")
    assert completions(ip, "%aiml mo") == ["models"]
    assert "bytedance/seed-1-8" in completions(ip, "%aiml models byte")
    run("%%aiml -c research\nq")
    assert completions(ip, "%aiml history -c res") == ["research"]
    assert "--no-history" in completions(ip, "%%aiml --no-h")
    assert completions(ip, "%%aiml --reasoning co") == ["collapse"]
    assert "models" not in completions(ip, "print(mo")


def test_completion_never_waits_long_for_the_network(ip, magics, monkeypatch):
    import time

    monkeypatch.setenv("AIML_API_BASE", "http://10.255.255.1:9/v1")  # never contacted:
    magics.session._model_names = None  # the fetch thread below is replaced
    started = time.monotonic()

    def slow_fetch(base_url):
        time.sleep(2)

    monkeypatch.setattr(magics.session, "_fetch_model_names", slow_fetch)
    assert completions(ip, "%%aiml -m op") == []
    assert time.monotonic() - started < 1.5


def test_fix_prompt_leaves_out_local_paths():
    from pathlib import Path

    from aiml_magics.chat.context.tracebacks import private_paths_removed

    home = str(Path.home())
    text = (
        'File "/tmp/ipykernel_4242/1234.py", line 2, in <module>\n'
        f'File "{home}/venv/lib/python3.11/site-packages/numpy/core/_methods.py", line 9\n'
        f'File "{home}/project/helpers.py", line 3\n'
    )
    cleaned = private_paths_removed(text)
    assert 'File "<notebook cell>", line 2' in cleaned
    assert 'File "numpy/core/_methods.py", line 9' in cleaned
    assert 'File "~/project/helpers.py", line 3' in cleaned
    assert "ipykernel_4242" not in cleaned
