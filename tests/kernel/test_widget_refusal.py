"""A frontend without a widget manager, through the real Jupyter protocol.

Such a frontend answers the comm_open of a widget with a comm_close (the messaging rule for
an unknown comm target). The test plays that frontend against a real kernel: after the
refusal, the next cells stream their answers as displays, with a one-line notice, and open
no widget.
"""

from __future__ import annotations

import pytest
from test_kernel_workflows import execute, kernel  # noqa: F401  (the kernel fixture)

from aiml_magics.simulator import Reply

pytestmark = pytest.mark.kernel


def run_cell(client, code, cell_id):
    """What the cell sent on iopub: from its execute_input to the kernel going idle."""
    execute(client, code, cell_id=cell_id)
    messages: list[dict] = []
    while True:
        message = client.get_iopub_msg(timeout=30)
        content = message["content"]
        if message["msg_type"] == "execute_input" and content["code"] == code:
            messages = [message]
        elif (
            messages
            and message["parent_header"]["msg_id"] == messages[0]["parent_header"]["msg_id"]
        ):
            messages.append(message)
            if message["msg_type"] == "status" and content["execution_state"] == "idle":
                return messages


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
def test_a_frontend_that_refuses_widgets_gets_displays_and_one_notice(kernel, aiml_env, refuse):  # noqa: F811
    assert execute(kernel, "%load_ext aiml_magics")["status"] == "ok"
    aiml_env.script(Reply(content="First answer.", reasoning=""))
    first = run_cell(kernel, "%%aiml\nfirst", "c1")
    opened = widget_opens(first)
    assert opened, "a live frontend with ipywidgets gets the panel"
    if refuse:
        for comm_id in opened:
            close = kernel.session.msg("comm_close", {"comm_id": comm_id, "data": {}})
            kernel.shell_channel.send(close)
    for n in (2, 3):
        aiml_env.script(Reply(content=f"Answer {n}.", reasoning=""))
        later = run_cell(kernel, f"%%aiml\nquestion {n}", f"c{n}")
        assert any(f"Answer {n}." in markdown for markdown in answers_in(later))
        assert bool(widget_opens(later)) is not refuse
        told = "shows no widgets" in stderr_of(later)
        assert told is (refuse and n == 2), "the notice is one line, once"
