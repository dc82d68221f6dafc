"""A frontend without a widget manager, through the real Jupyter protocol.

Such a frontend answers the comm_open of a widget with a comm_close (the messaging rule for
an unknown comm target). The test plays that frontend against a real kernel: after the
refusal, the next cells stream their answers as displays, with a one-line notice, and open
no widget.
"""

from __future__ import annotations

import pytest
from kernel_metadata import frontend_metadata

from aiml_magics.simulator import Reply

pytestmark = pytest.mark.kernel


def run_cell(kernel, code, cell_id):
    """What the cell sent on iopub, run as JupyterLab runs it."""
    return kernel.run(code, metadata=frontend_metadata(cell_id)).messages


def widget_opens(messages):
    return [
        m["content"]["comm_id"]
        for m in messages
        if m["msg_type"] == "comm_open" and m["content"]["target_name"] == "jupyter.widget"
    ]


def stderr_of(messages):
    return "".join(
        m["content"]["text"]
        for m in messages
        if m["msg_type"] == "stream" and m["content"]["name"] == "stderr"
    )


def answers_in(messages):
    return [
        m["content"]["data"].get("text/markdown", "")
        for m in messages
        if m["msg_type"] in ("display_data", "update_display_data")
    ]


@pytest.mark.parametrize("refuse", [True, False], ids=["no widget manager", "widget manager"])
def test_a_frontend_that_refuses_widgets_gets_displays_and_one_notice(kernel, aiml_env, refuse):
    aiml_env.script(Reply(content="First answer.", reasoning=""))
    first = run_cell(kernel, "%%aiml\nfirst", "c1")
    opened = widget_opens(first)
    assert opened, "a live frontend with ipywidgets gets the panel"
    if refuse:
        for comm_id in opened:
            close = kernel.client.session.msg("comm_close", {"comm_id": comm_id, "data": {}})
            kernel.client.shell_channel.send(close)
    for n in (2, 3):
        aiml_env.script(Reply(content=f"Answer {n}.", reasoning=""))
        later = run_cell(kernel, f"%%aiml\nquestion {n}", f"c{n}")
        assert any(f"Answer {n}." in markdown for markdown in answers_in(later))
        assert bool(widget_opens(later)) is not refuse
        told = "shows no widgets" in stderr_of(later)
        assert told is (refuse and n == 2), "the notice is one line, once"
