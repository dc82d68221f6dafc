"""The notebook context through the real magic: `@name`, `--context`, `%config`, the budget,
"Context sent", the dry run, the replay key, provenance and `%aiml fix` (a real shell, the
simulator, every request read from its log)."""

from __future__ import annotations

import functools
import json
import sys

import pytest

from aiml_magics.chat.context.attached import PREAMBLE
from aiml_magics.simulator import Reply


@pytest.fixture
def run(run):
    """Cells run as a notebook runs them: kept in the input history, like `In`."""
    return functools.partial(run, store_history=True)


@pytest.fixture
def nb(ip, run):
    """A shell whose input history starts now, with a small DataFrame `df` defined."""
    ip.history_manager.reset()
    ip.execution_count = 1  # as in a new kernel: history index = execution count
    run("import pandas as pd\ndf = pd.DataFrame({'price': [1.5, None, 3.0], 'city': list('abc')})")
    yield ip
    for name in ("df", "pd", "big", "numbers", "notes", "total", "ratio"):
        ip.user_ns.pop(name, None)


def sent(simulator, index: int = -1) -> str:
    """The last user message of a request the simulator received."""
    messages = simulator.chat_requests[index].body["messages"]
    return [m["content"] for m in messages if m["role"] == "user"][-1]


def said(out) -> str:
    return out.stdout + out.captured.stderr


# -- mentions ------------------------------------------------------------------------------


def test_a_mention_attaches_the_frame_and_the_body_reads_as_typed(nb, run, aiml_simulator):
    nb.user_ns["notes"] = "shop"
    out = run("%%aiml\nWhy is @df missing prices in {notes}? Mail me@example.com, or @@team.")
    assert out.error is None
    message = sent(aiml_simulator)
    context, _, body = message.partition("\n\n---\n\n")
    assert "### @df" in context and "price" in context and "city" in context
    assert body == "Why is @df missing prices in shop? Mail me@example.com, or @team."


def test_raw_sends_the_body_as_typed_without_mentions(nb, run, aiml_simulator):
    run("%%aiml --raw\nKeep @df and {notes} and @@ as they are")
    assert sent(aiml_simulator) == "Keep @df and {notes} and @@ as they are"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("What is @dff?", "no variable named 'dff' in the notebook. Did you mean @df?"),
        ("What is @_hidden?", "names starting with _ are not attached"),
    ],
)
def test_a_bad_mention_is_one_error_and_nothing_is_sent(nb, run, aiml_simulator, body, error):
    out = run(f"%%aiml\n{body}")
    assert error in said(out) and "Traceback" not in said(out)
    assert aiml_simulator.chat_requests == []


# -- --context and the session default ---------------------------------------------------------


def test_a_bad_spec_is_a_usage_error_and_nothing_is_sent(nb, run, aiml_simulator):
    out = run("%%aiml --context cels\nq")
    assert "UsageError" in said(out) and "Did you mean cells?" in said(out)
    assert aiml_simulator.chat_requests == []


def test_cells_newest_first_and_outputs(nb, run, aiml_simulator):
    run("total = df.price.sum()\ntotal")
    run("%%aiml --context cells=2,outputs\nContinue")
    context = sent(aiml_simulator).partition("\n\n---\n\n")[0]
    assert context.index("total = df.price.sum()") < context.index("df = pd.DataFrame")
    assert "### output of In [2]" in context and "4.5" in context


def test_the_session_default_applies_and_a_cell_can_turn_it_off(nb, run, aiml_simulator):
    run("%config AimlMagics.context = 'vars'")
    run("%%aiml\nfirst")
    first = sent(aiml_simulator)
    assert "### variables" in first and "df: pandas.DataFrame 3x2" in first
    run("%%aiml --context none\nsecond")
    assert sent(aiml_simulator) == "second"


def test_a_bad_session_default_is_refused_when_set(nb, run, magics, caplog):
    run("%config AimlMagics.context = 'cells=0'")
    assert "AimlMagics.context: cells=N needs a whole number" in caplog.text
    assert magics.context == "none"


def test_errors_attach_the_last_exception_with_its_cell(nb, run, aiml_simulator):
    run("ratio = 1 / 0")
    run("%%aiml --context errors\nWhy?")
    context = sent(aiml_simulator).partition("\n\n---\n\n")[0]
    assert "### last error" in context and "ZeroDivisionError: division by zero" in context
    assert "The cell that raised it:\nratio = 1 / 0" in context


# -- shown with the answer, kept as provenance -----------------------------------------------------


def test_context_sent_is_listed_under_the_answer_and_in_provenance(nb, run, ip, visible):
    out = run("%%aiml --context vars\nLook at @df")
    markdown, plain = out.final_markdown, out.outputs[-1].data["text/plain"]
    assert "<details><summary>Context sent (2 parts, ~" in markdown
    assert "@df: ~" in visible(markdown) and "variables: ~" in visible(markdown)
    assert "[Context sent (2 parts" in plain and "@df: ~" in plain
    recorded = out.final_metadata["aiml"]["context"]
    assert recorded == ip.user_ns["_aiml"].provenance()["context"]
    assert recorded["spec"] == "vars"
    assert [(p["label"], p["kind"]) for p in recorded["parts"]] == [
        ("@df", "mention"),
        ("variables", "vars"),
    ]
    assert "price" not in json.dumps(recorded), "provenance records which parts, not contents"


def test_a_cell_without_context_shows_no_section(nb, run):
    out = run("%%aiml\nplain question")
    assert "Context sent" not in out.final_markdown
    assert "context" not in out.final_metadata["aiml"]


def test_what_the_budget_trimmed_is_said(nb, run, magics, aiml_simulator, visible):
    magics.notebook_context_tokens = 200
    nb.user_ns["big"] = "word " * 5000
    out = run("%%aiml\nSummarise @big")
    assert "trimmed: cut @big from ~" in visible(out.final_markdown)
    assert len(sent(aiml_simulator)) < 200 * 4 + 200


def test_labels_from_the_notebook_are_escaped_in_the_section(nb, run):
    nb.user_ns["notes"] = {"<img src=x onerror=alert(1)>": 1}
    out = run('%%aiml\nRead @notes["<img src=x onerror=alert(1)>"]')
    assert "<img" not in out.final_markdown


def test_the_dry_run_shows_the_context_exactly_and_sends_nothing(
    nb, run, magics, aiml_simulator, visible
):
    out = run("%%aiml --dry-run --context vars\nLook at @df")
    assert aiml_simulator.chat_requests == []
    from aiml_magics.magics.context import notebook_context

    expected = notebook_context(magics, "Look at @df", "vars").as_message_text()
    plain = out.outputs[-1].data["text/plain"]
    assert expected in plain
    assert "Context sent (2 parts" in visible(out.outputs[-1].data["text/markdown"])
    body = json.loads(plain[plain.index("{") : plain.index("\n}") + 2])
    assert body["messages"][-1]["content"].startswith(expected)


def test_a_changed_frame_makes_a_new_request_in_replay_auto(nb, run, tmp_path, aiml_simulator):
    run(f"%config AimlMagics.replay_path = {str(tmp_path / 'r.aiml.jsonl')!r}")
    run("%aiml replay auto")
    question = "%%aiml\nWhat is the mean of @df?"
    run(question)
    run(question)
    assert len(aiml_simulator.chat_requests) == 1, "the same frame: answered from the recording"
    run("df.loc[1, 'price'] = 2.0")
    run(question)
    assert len(aiml_simulator.chat_requests) == 2, "a changed frame is a new request"
    assert "2.0" in sent(aiml_simulator)


# -- %aiml fix -----------------------------------------------------------------------------------


def test_fix_sends_the_builders_error_context(nb, run, aiml_simulator):
    run("numbers = [1, 2]\nnumbers[5]")
    aiml_simulator.script(Reply(content="Use a valid index."))
    out = run("%aiml fix be brief")
    prompt = sent(aiml_simulator)
    assert prompt.startswith(PREAMBLE)
    assert "### last error" in prompt and "IndexError: list index out of range" in prompt
    assert "The cell that raised it:\nnumbers = [1, 2]\nnumbers[5]" in prompt
    assert prompt.endswith("give a corrected version of the code.\n\nbe brief")
    assert "Context sent (1 part" in out.final_markdown
    assert out.final_metadata["aiml"]["context"]["parts"][0]["label"] == "last error"


def test_fix_without_an_error_sends_nothing(nb, run, aiml_simulator, monkeypatch):
    monkeypatch.delattr(sys, "last_value", raising=False)
    assert "nothing was sent" in run("%aiml fix").stdout
    assert aiml_simulator.chat_requests == []
