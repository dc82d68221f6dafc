"""A real kernel with the extension loaded, and one way to run a cell in it as a frontend
would: with execute-request metadata (what JupyterLab and the extension send) and, when asked,
answering `input()` through stdin."""

from __future__ import annotations

import queue

import pytest


@pytest.fixture
def kernel(aiml_env):
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    kernel = Kernel(client)
    kernel.execute("%load_ext aiml_magics")
    yield kernel
    client.stop_channels()
    manager.shutdown_kernel(now=True)


class Kernel:
    """A started kernel's client, run as a frontend runs cells."""

    def __init__(self, client) -> None:
        self.client = client

    def execute(
        self, code: str, *, metadata: dict | None = None, reply: str | None = None
    ) -> tuple[str, list[str]]:
        """Run `code`; the text the cell showed and the `input()` questions it asked (each
        answered with `reply`; without one, the frontend cannot answer, as in nbclient)."""
        return _execute(self.client, code, metadata, reply)


def _execute(client, code: str, metadata: dict | None, reply: str | None):
    msg = client.session.msg(
        "execute_request",
        {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": reply is not None,
        },
        metadata=metadata or {},
    )
    client.shell_channel.send(msg)
    msg_id = msg["header"]["msg_id"]
    shown, questions = [], []
    while True:
        if reply is not None:
            try:
                request = client.get_stdin_msg(timeout=0.05)
            except queue.Empty:
                pass
            else:
                questions.append(request["content"]["prompt"])
                client.input(reply)
        try:
            message = client.get_iopub_msg(timeout=0.05)
        except queue.Empty:
            continue
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        content = message["content"]
        if message["msg_type"] in ("display_data", "update_display_data", "execute_result"):
            shown.append(content["data"].get("text/plain", ""))
        elif message["msg_type"] == "stream":
            shown.append(content["text"])
        elif message["msg_type"] == "error":
            shown.append(f"{content['ename']}: {content['evalue']}")
        elif message["msg_type"] == "status" and content["execution_state"] == "idle":
            return "\n".join(shown), questions
