"""Workflows through the real Jupyter protocol: payloads, request metadata, completion."""

from __future__ import annotations

import pytest
from jupyter_client.manager import start_new_kernel

from aiml_magics.simulator import Reply


@pytest.fixture
def kernel(aiml_env):
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def execute(client, code, cell_id=None, deleted=()):
    """Send an execute_request the way JupyterLab does (cellId, deletedCells in metadata)."""
    metadata = {"cellId": cell_id, "deletedCells": list(deleted)} if cell_id else {}
    msg = client.session.msg(
        "execute_request",
        {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        },
        metadata=metadata,
    )
    client.shell_channel.send(msg)
    reply = client.get_shell_msg(timeout=60)
    while reply["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
        reply = client.get_shell_msg(timeout=60)
    return reply["content"]


def test_workflows_in_a_real_kernel(kernel, aiml_env):
    sim = aiml_env
    assert execute(kernel, "%load_ext aiml_magics")["status"] == "ok"

    sim.script(Reply(content="Try:\n\n```python\nprint('hi')\n```\n"))
    reply = execute(kernel, "%%aiml --to-cell\nshow code", cell_id="c1")
    payloads = [p for p in reply["payload"] if p["source"] == "set_next_input"]
    assert payloads and payloads[0]["text"] == "print('hi')"
    assert payloads[0]["replace"] is False

    execute(kernel, "%%aiml\nsecond", cell_id="c2")
    execute(kernel, "%%aiml\nthird", cell_id="c3", deleted=["c2"])
    users = [m["content"] for m in sim.chat_requests[-1].body["messages"] if m["role"] == "user"]
    assert users == ["show code", "third"]

    line = "%%aiml -m openai/gp"
    kernel.complete(line, len(line))
    matches = []
    for _ in range(20):  # the first request starts the background fetch of the model list
        content = kernel.get_shell_msg(timeout=30)["content"]
        matches = content["matches"]
        if matches:
            break
        kernel.complete(line, len(line))
    assert "openai/gpt-4o" in matches
