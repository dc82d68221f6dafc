"""The notebook context through a real kernel: each `--context` part in nbclient (cells from
the input history), and the JupyterLab extension's `aimlNotebook` metadata reaching the request."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from aiml_magics.chat.context import NOTEBOOK_KEY

SETUP = [
    "%load_ext aiml_magics",
    "import pandas as pd\ndf = pd.DataFrame({'price': [1.5, None, 3.0]})",
    "total = df.price.sum()\ntotal",
    "ratio = df.missing / total",
]


def user_message(request) -> str:
    return [m["content"] for m in request.body["messages"] if m["role"] == "user"][-1]


def context_of(request) -> str:
    return user_message(request).partition("\n\n---\n\n")[0]


def test_each_context_part_in_nbclient(aiml_env, tmp_path):
    sim = aiml_env
    asks = {
        "cells": "%%aiml --no-history --context cells\nq1",
        "cells=1": "%%aiml --no-history --context cells=1\nq2",
        "outputs": "%%aiml --no-history --context outputs\nq3",
        "errors": "%%aiml --no-history --context errors\nq4",
        "vars": "%%aiml --no-history --context vars\nq5",
        "mention": "%%aiml --no-history\nWhat is in @df?",
    }
    nb = new_notebook(cells=[new_code_cell(c) for c in [*SETUP, *asks.values()]])
    client = NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True)
    client.execute()
    sent = dict(zip(asks, (context_of(r) for r in sim.chat_requests), strict=True))

    assert "### In [3]" in sent["cells"] and "### In [2]" in sent["cells"]
    assert sent["cells"].index("ratio = df.missing / total") < sent["cells"].index(
        "total = df.price"
    )
    assert "%load_ext" in sent["cells"] and "### output of" not in sent["cells"]
    assert (
        "ratio = df.missing / total" in sent["cells=1"]
        and "total = df.price" not in sent["cells=1"]
    )
    assert "### output of In [3]" in sent["outputs"] and "4.5" in sent["outputs"]
    assert "ratio = df.missing / total" not in sent["outputs"], "outputs alone: no code"
    assert "AttributeError" in sent["errors"] and "ratio = df.missing / total" in sent["errors"]
    assert "df: pandas.DataFrame 3x1" in sent["vars"] and "total: " in sent["vars"]
    assert "### @df" in sent["mention"] and "price" in sent["mention"]

    saved = tmp_path / "context.ipynb"
    nbformat.write(nb, saved)
    reopened = nbformat.read(saved, as_version=4)
    (answer,) = [o for o in reopened.cells[len(SETUP)].outputs if o.output_type == "display_data"]
    assert "<details><summary>Context sent (" in answer.data["text/markdown"]
    assert answer.metadata["aiml"]["context"]["spec"] == "cells"
    assert "ratio = df.missing / total" not in str(answer.metadata), "provenance holds no contents"


def test_the_extensions_notebook_cells_reach_the_request(kernel, aiml_env):
    sim = aiml_env
    kernel.run("x = 1  # run, but not in the notebook the extension sends")
    cells = [
        new_markdown_cell("# Prices", id="m1"),
        new_code_cell("prices = [1, 2]", id="c1"),
        new_code_cell("%%aiml --context cells,outputs\nq", id="c2"),
        new_code_cell("below = 'never sent'", id="c3"),
    ]
    cells[1].outputs = [{"output_type": "stream", "name": "stdout", "text": "printed\n"}]
    payload = {"cells": [dict(c) for c in cells], "index": 2}
    run = kernel.run(cells[2].source, metadata={"cellId": "c2", NOTEBOOK_KEY: payload})
    assert run.reply["status"] == "ok", run.shown
    sent = context_of(sim.chat_requests[-1])
    assert "# Prices" in sent and "prices = [1, 2]" in sent and "printed" in sent
    assert "never sent" not in sent and "x = 1" not in sent
