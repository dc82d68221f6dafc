"""A real kernel (nbclient) runs a notebook of `%%aiml` cells against the simulator."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from aiml_magics.simulator import Fault, Reply


def outputs_of(cell, output_type):
    return [o for o in cell.outputs if o.output_type == output_type]


def test_notebook_of_aiml_cells_runs_in_a_kernel(aiml_env, tmp_path):
    sim = aiml_env
    sim.script(
        Reply(content="## First\n\nanswer one", reasoning="step by step"),
        Reply(content="answer two"),
        Reply(content="x" * 200, reasoning="", chunk_size=10, fault=Fault.disconnect(3)),
        Reply(content="answer one, again"),
    )
    nb = new_notebook()
    nb.cells = [
        new_code_cell("%load_ext aiml_magics"),
        new_code_cell("%%aiml -t 0.2\nfirst question"),
        new_code_cell("%%aiml\nsecond question"),
        new_code_cell("_aiml.text"),
        new_code_cell("%aiml chats"),
        new_code_cell("%%aiml\nthis one breaks"),
    ]
    client = NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True)
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        # Re-running the first question (same text, no cell id from nbclient) replaces its turn.
        client.execute_cell(nb.cells[1], 1)
        client.execute_cell(nb.cells[4], 4)

    first = outputs_of(nb.cells[1], "display_data")
    assert len(first) == 1, "updates replace the display in place"
    markdown = first[0].data["text/markdown"]
    assert "answer one, again" in markdown
    assert "<details><summary>Reasoning" in markdown  # collapsed, but saved with the answer
    assert "credits" in markdown and "tokens" in markdown
    assert first[0].metadata["aiml"]["params"]["temperature"] == 0.2

    second_request = sim.chat_requests[1].body["messages"]
    assert [m["content"] for m in second_request] == [
        "first question",
        "## First\n\nanswer one",
        "second question",
    ]
    rerun_request = sim.chat_requests[3].body["messages"]
    assert [m["content"] for m in rerun_request] == ["first question"]

    assert outputs_of(nb.cells[3], "execute_result")[0].data["text/plain"] == "'answer two'"
    chats_table = outputs_of(nb.cells[4], "display_data")[0].data["text/markdown"]
    assert "| default | 2 |" in chats_table  # the re-run replaced its turn; the cut one is absent

    broken = nb.cells[5]
    error = outputs_of(broken, "error")[0]
    assert error.ename == "StreamError"
    assert "broke" in "".join(error.traceback)
    kept = outputs_of(broken, "display_data")[0].data["text/markdown"]
    assert kept.startswith("xxxx") and "incomplete" not in kept  # the error says it, once

    saved = tmp_path / "run.ipynb"
    nbformat.write(nb, saved)
    assert sim.api_key not in saved.read_text()
    # Provenance survives saving: the reopened notebook says how each answer was produced.
    reopened = nbformat.read(saved, as_version=4)
    meta = outputs_of(reopened.cells[2], "display_data")[0].metadata["aiml"]
    assert meta["requested_model"] == "bytedance/seed-1-8" and meta["model"]
    assert meta["usage"]["prompt_tokens"] > 0 and meta["credits_used"] > 0
    assert meta["inference_id"] and meta["time"].endswith("+00:00")
