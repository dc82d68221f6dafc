"""Workflows through the real Jupyter protocol: payloads, request metadata, completion."""

from __future__ import annotations

from kernel_metadata import frontend_metadata

from aiml_magics.simulator import Reply


def execute(kernel, code, cell_id=None, deleted=()):
    """Run a cell the way JupyterLab does (cellId, deletedCells in metadata); the shell reply."""
    return kernel.run(code, metadata=frontend_metadata(cell_id, tuple(deleted))).reply


def test_workflows_in_a_real_kernel(kernel, aiml_env):
    sim = aiml_env
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
    kernel.client.complete(line, len(line))
    matches = []
    for _ in range(20):  # the first request starts the background fetch of the model list
        content = kernel.client.get_shell_msg(timeout=30)["content"]
        matches = content["matches"]
        if matches:
            break
        kernel.client.complete(line, len(line))
    assert "openai/gpt-4o" in matches
