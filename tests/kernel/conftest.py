"""A real kernel with the extension loaded, and one way to run a cell in it as a frontend
would: with execute-request metadata (what JupyterLab and the extension send) and, when asked,
answering `input()` through stdin."""

from __future__ import annotations

import queue
from dataclasses import dataclass, field

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


@dataclass
class Run:
    """What one cell did: its iopub messages, its shell reply, the `input()` questions."""

    messages: list[dict] = field(default_factory=list)
    reply: dict = field(default_factory=dict)  # content: status, payload, ...
    questions: list[str] = field(default_factory=list)

    @property
    def shown(self) -> str:
        """The text the cell showed (plain text of displays, streams, the error line)."""
        shown = []
        for message in self.messages:
            content = message["content"]
            if message["msg_type"] in ("display_data", "update_display_data", "execute_result"):
                shown.append(content["data"].get("text/plain", ""))
            elif message["msg_type"] == "stream":
                shown.append(content["text"])
            elif message["msg_type"] == "error":
                shown.append(f"{content['ename']}: {content['evalue']}")
        return "\n".join(shown)


class Kernel:
    """A started kernel's client, run as a frontend runs cells."""

    def __init__(self, client) -> None:
        self.client = client

    def execute(
        self, code: str, *, metadata: dict | None = None, reply: str | None = None
    ) -> tuple[str, list[str]]:
        """Run `code`; the text the cell showed and the `input()` questions it asked (each
        answered with `reply`; without one, the frontend cannot answer, as in nbclient)."""
        run = self.run(code, metadata=metadata, reply=reply)
        return run.shown, run.questions

    def run(self, code: str, *, metadata: dict | None = None, reply: str | None = None) -> Run:
        """Run `code` and collect everything it sent until the kernel is idle again."""
        return run_cell(self.client, code, metadata=metadata, reply=reply)


def run_cell(client, code: str, *, metadata: dict | None = None, reply: str | None = None) -> Run:
    """`Kernel.run` for a bare client (tests that start or restart kernels themselves)."""
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
    run = Run()
    while True:
        if reply is not None:
            try:
                request = client.get_stdin_msg(timeout=0.05)
            except queue.Empty:
                pass
            else:
                run.questions.append(request["content"]["prompt"])
                client.input(reply)
        try:
            message = client.get_iopub_msg(timeout=0.05)
        except queue.Empty:
            continue
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        run.messages.append(message)
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            break
    answer = client.get_shell_msg(timeout=60)
    while answer["parent_header"].get("msg_id") != msg_id:
        answer = client.get_shell_msg(timeout=60)
    run.reply = answer["content"]
    return run
