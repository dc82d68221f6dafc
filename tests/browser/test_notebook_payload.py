"""The extension sends the notebook (cells in notebook order, outputs as text) with %%aiml runs.

The kernel side is read through a `pre_run_cell` hook that keeps the metadata of every execute
request as ipykernel received it, so these tests see exactly what reached the kernel.
"""

from __future__ import annotations

import json

import pytest

from aiml_magics.simulator import Reply

pytestmark = pytest.mark.timeout(400)

KEY = "aimlNotebook"

HOOK = """\
from IPython import get_ipython
received = {}
def _keep_metadata(info):
    metadata = dict(get_ipython().kernel.get_parent()["metadata"])
    received[metadata.get("cellId")] = metadata
get_ipython().events.register("pre_run_cell", _keep_metadata)"""
NOTES = "# Sales notes\nThe *March* numbers are final."
PRINTS = 'print("rows: 3")\n{"answer": 42}'
LONG = 'print("x" * 20_000)'
FAILS = "1 / 0"
LOAD = "%load_ext aiml_magics"
FIRST = "%%aiml\nWhat do the rows say?"
SECOND = "%%aiml\nAnd the error?"
DUMP = "import json\nprint(json.dumps(received))"


def received(nb) -> dict:
    """The metadata of every request the kernel received, by cell id (run DUMP first)."""
    index = nb.run_new(DUMP)
    text = "".join(o["text"] for o in nb.outputs(index) if o["output_type"] == "stream")
    return json.loads(text)


def cell_ids(nb) -> list[str]:
    return nb.js("return notebook.model.sharedModel.cells.map(c => c.getId());")


def test_aiml_runs_carry_the_cells_above_in_notebook_order_with_outputs(notebook_factory, sim):
    sim.script(Reply(content="The first answer: three rows."), Reply(content="Division by 0."))
    nb = notebook_factory([HOOK, PRINTS, LONG, FAILS, LOAD, FIRST, SECOND])
    nb.js(
        "notebook.model.sharedModel.insertCell(1, {cell_type: 'markdown', source: arg});",
        NOTES,
    )
    # Not in notebook order: the error first, the printing cell after it.
    nb.run(0)
    nb.run(4, check=False)
    nb.run(2)
    nb.run(3)
    nb.run(5)
    nb.run(6)
    nb.run(7)
    ids = cell_ids(nb)
    seen = received(nb)

    assert KEY not in seen[ids[2]], "a plain code cell is sent as it always was"
    assert KEY not in seen[ids[5]]
    first, second = seen[ids[6]][KEY], seen[ids[7]][KEY]
    assert seen[ids[7]]["cellId"] == ids[7], "JupyterLab's own metadata is kept"

    assert [c["id"] for c in second["cells"]] == ids[:8]
    assert second["index"] == 7 and second["omitted"] == 0 and second["version"] == 1
    cells = second["cells"]
    assert [c["cell_type"] for c in cells] == ["code", "markdown"] + ["code"] * 6
    assert cells[1] == {"id": ids[1], "cell_type": "markdown", "source": NOTES, "outputs": []}
    assert cells[2]["source"] == PRINTS
    assert cells[2]["outputs"] == [
        {"output_type": "stream", "name": "stdout", "text": "rows: 3\n"},
        {"output_type": "execute_result", "data": {"text/plain": "{'answer': 42}"}},
    ]
    assert cells[2]["execution_count"] == 3
    long_output = cells[3]["outputs"][0]
    assert long_output["truncated"] is True and long_output["text"] == "x" * 8000
    error = cells[4]["outputs"][-1]
    assert error["output_type"] == "error" and error["ename"] == "ZeroDivisionError"
    assert error["evalue"] == "division by zero"
    assert all("traceback" not in o for o in cells[4]["outputs"])

    # The earlier %%aiml cell comes with its saved answer (for rebuilding the chat later).
    answer = [o["data"].get("text/markdown", "") for o in cells[6]["outputs"] if "data" in o]
    assert any("The first answer: three rows." in text for text in answer), cells[6]
    # The running cell is last, its old outputs already cleared.
    assert cells[7] == {
        "id": ids[7],
        "cell_type": "code",
        "source": SECOND,
        "execution_count": None,
        "outputs": [],
    }

    assert [c["id"] for c in first["cells"]] == ids[:7], "only the cells down to the running one"
    assert first["index"] == 6
    assert [o for o in first["cells"][6]["outputs"]] == []


def test_rerun_of_a_cell_in_the_middle_sends_only_the_cells_above_it(notebook_factory, sim):
    sim.script(Reply(content="one"), Reply(content="two"), Reply(content="three"))
    nb = notebook_factory([HOOK, LOAD, "%%aiml\nfirst", "%%aiml\nsecond"])
    for index in range(4):
        nb.run(index)
    nb.run(2)  # again, with the second answer below it
    ids = cell_ids(nb)
    payload = received(nb)[ids[2]][KEY]
    assert [c["id"] for c in payload["cells"]] == ids[:3]
    assert payload["cells"][2]["outputs"] == []
