"""The built context end to end: a real IPython shell, the extension's payload, the result type."""

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from aiml_magics.chat.context import (
    NOTEBOOK_KEY,
    AttachedContext,
    ContextError,
    NotebookState,
    build_context,
)


@pytest.fixture
def shell():
    ip = InteractiveShell.instance()
    ip.history_manager.reset()
    ip.execution_count = 1  # as in a new kernel: history index = execution count
    yield ip
    for name in ("frame", "total", "shout"):
        ip.user_ns.pop(name, None)


def run(ip, source):
    with capture_output():
        return ip.run_cell(source, store_history=True)


def test_from_shell_reads_history_outputs_error_and_vars(shell):
    run(shell, "import pandas as pd\nframe = pd.DataFrame({'n': [1, 2, 3]})")
    run(shell, "total = frame.n.sum()\ntotal")
    run(shell, "%%aiml\nnot context: the chat carries it")
    run(shell, "frame.missing")
    run(shell, "# the running cell")
    state = NotebookState.from_shell(shell)
    context = build_context("Why does @frame fail?", state, "cells=2,outputs,errors,vars")
    labels = [p.label for p in context.parts]
    assert labels == ["@frame", "last error", "variables", "In [4]", "In [2]", "output of In [2]"]
    parts = {p.label: p for p in context.parts}
    assert "AttributeError" in parts["last error"].text and "missing" in parts["last error"].text
    assert "# the running cell" not in context.as_message_text()
    assert "np.int64(6)" in parts["output of In [2]"].text
    assert "frame: pandas.DataFrame 3x1" in parts["variables"].text
    assert "total: numpy.int64" in parts["variables"].text
    assert "pd:" not in parts["variables"].text and "In:" not in parts["variables"].text
    assert parts["In [2]"].language == "python"


def test_payload_cells_follow_notebook_order_and_text_outputs_only():
    cells = [
        {"cell_type": "markdown", "source": "# Sales\nQuarterly numbers."},
        {
            "cell_type": "code",
            "source": "print('first')",
            "execution_count": 9,
            "outputs": [
                {"output_type": "stream", "name": "stdout", "text": "first\n"},
                {
                    "output_type": "display_data",
                    "data": {
                        "image/png": "iVBORw0KGgo=",
                        "text/html": "<b>bold</b>",
                        "text/plain": "<Figure>",
                    },
                },
            ],
        },
        {"cell_type": "code", "source": "%%aiml\nask", "outputs": []},
        {"cell_type": "code", "source": "x = 2", "execution_count": 3, "outputs": []},
        "not a cell",
    ]
    state = NotebookState({}, history=["", "ignored when cells are sent"], notebook_cells=cells)
    context = build_context("", state, "cells,outputs")
    assert [p.label for p in context.parts] == [
        "In [3]",
        "In [9]",
        "output of In [9]",
        "Markdown cell 1",
    ]
    output = context.parts[2].text
    assert output == "first\n<Figure>"
    assert "iVBOR" not in context.as_message_text() and "<b>" not in context.as_message_text()
    assert context.parts[3].language == "markdown"


def test_payload_comes_from_request_metadata_key(shell):
    cells = [
        {"id": "a", "cell_type": "code", "source": "y = 1", "outputs": []},
        {"id": "b", "cell_type": "code", "source": "%%aiml\nthe running cell", "outputs": []},
        {"id": "c", "cell_type": "code", "source": "below = 'never sent'", "outputs": []},
    ]
    metadata = {NOTEBOOK_KEY: {"cells": cells, "index": 1}, "deletedCells": []}
    state = NotebookState.from_shell(shell, metadata)
    context = build_context("", state, "cells")
    assert [p.text for p in context.parts] == ["y = 1"]
    assert "never sent" not in context.as_message_text()


@pytest.mark.parametrize("index", [None, -1, 4, "1", True])
def test_a_payload_without_a_valid_index_falls_back_to_the_history(shell, index):
    run(shell, "from_history = 1")
    run(shell, "# the running cell")
    cells = [{"cell_type": "code", "source": "below = 'never sent'", "outputs": []}]
    payload = {"cells": cells} if index is None else {"cells": cells, "index": index}
    state = NotebookState.from_shell(shell, {NOTEBOOK_KEY: payload})
    text = build_context("", state, "cells").as_message_text()
    assert "from_history = 1" in text and "never sent" not in text


def test_the_old_key_is_not_read(shell):
    run(shell, "from_history = 2")
    run(shell, "# the running cell")
    cells = [{"cell_type": "code", "source": "old_payload = 1", "outputs": []}]
    state = NotebookState.from_shell(shell, {"aimlCells": cells})
    text = build_context("", state, "cells").as_message_text()
    assert "from_history = 2" in text and "old_payload" not in text


def test_outputs_alone_take_the_newest_cells_outputs_without_code():
    state = NotebookState({}, ["", "a", "b"], {1: "one", 2: "two"})
    context = build_context("", state, "outputs")
    assert [p.kind for p in context.parts] == ["output", "output"]


def test_no_error_yet_is_said():
    context = build_context("", NotebookState({}), "errors")
    assert context.parts[0].text == "No error has been raised in this session."


def test_message_text_summary_and_fingerprint():
    namespace = {"rows": [1, 2, 3]}
    context = build_context("Sum @rows", NotebookState(namespace), "vars", budget=500)
    text = context.as_message_text()
    assert text.index("### @rows") < text.index("### variables")
    assert context.prepend_to("Sum @rows").endswith("---\n\nSum @rows")
    summary = context.summary()
    assert summary["spec"] == "vars" and summary["budget"] == 500
    assert summary["parts"] == [p.as_dict() for p in context.parts]
    assert "1, 2, 3" not in str(summary) and summary["fingerprint"] == context.fingerprint()[:16]
    same = build_context("Sum @rows", NotebookState({"rows": [1, 2, 3]}), "vars", budget=500)
    assert same.fingerprint() == context.fingerprint()
    namespace["rows"].append(4)
    changed = build_context("Sum @rows", NotebookState(namespace), "vars", budget=500)
    assert changed.fingerprint() != context.fingerprint()


def test_nothing_attached_is_empty_and_leaves_the_body():
    context = build_context("plain question", NotebookState({}), None)
    assert not context and context.as_message_text() == "" and context.tokens == 0
    assert context.prepend_to("plain question") == "plain question"
    assert isinstance(context, AttachedContext)


def test_budget_applies_and_is_reported():
    history = ["", *[f"step_{i} = {i}\n" + "# comment line\n" * 40 for i in range(1, 30)]]
    context = build_context("", NotebookState({}, history), "cells", budget=600)
    assert context.tokens <= 600
    assert context.trimmed and context.trimmed[0].startswith("dropped In [1] ")
    assert context.parts[0].label == "In [29]"


def test_a_bad_mention_or_spec_fails_before_anything_is_built():
    with pytest.raises(ContextError, match="@nope"):
        build_context("@nope", NotebookState({}), "cells")
    with pytest.raises(ContextError, match="unknown part"):
        build_context("", NotebookState({}), "cell")
