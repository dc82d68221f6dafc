"""The budget in a real kernel: it asks through the frontend's stdin only when the likely cost
of a request crosses what is left, and the question says what it assumed."""

from __future__ import annotations

import queue

import pytest

from aiml_magics.simulator import Reply


@pytest.fixture
def kernel(aiml_env):
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    run(client, "%load_ext aiml_magics")
    yield client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def run(client, code: str, reply: str | None = None) -> tuple[str, list[str]]:
    """Execute `code` as a frontend that can answer `input()` (JupyterLab does); the text
    shown and the questions asked (each answered with `reply`)."""
    msg_id = client.execute(code, allow_stdin=reply is not None)
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


def test_the_budget_asks_only_when_the_likely_cost_crosses_what_is_left(kernel, aiml_env):
    # ~$0.13 left is less than seed-1-8's whole output limit costs, but plenty for answers.
    run(kernel, "%config AimlMagics.budget_credits = 260000")
    for question in ("What is a p-value?", "And a z-score?"):
        shown, asked = run(kernel, f"%%aiml\n{question}", reply="n")
        assert asked == [] and "Budget" not in shown
    assert len(aiml_env.chat_requests) == 2

    aiml_env.script(Reply(content="word " * 2000, reasoning=""))
    run(kernel, "%%aiml --no-history\nA long one.", reply="n")
    shown, _ = run(kernel, "print(_aiml.usage.completion_tokens)")
    longest = int(shown.strip())
    run(kernel, "m = get_ipython().find_magic('aiml', 'cell').__self__")
    run(kernel, "m.budget_credits = m.session.spent_credits() + 1000")
    shown, asked = run(kernel, "%%aiml --no-history\nAnother long one.", reply="n")
    (question,) = asked
    assert "will likely cost about" in question and f"~{longest:,} output tokens" in question
    assert "Budget: not confirmed" in shown and len(aiml_env.chat_requests) == 3
    shown, asked = run(kernel, "%%aiml --no-history\nAnother long one.", reply="y")
    assert len(asked) == 1 and "Budget" not in shown and len(aiml_env.chat_requests) == 4
