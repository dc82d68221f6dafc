"""A restarted kernel has none of the chat the page shows: the next `%%aiml` cell says so.

The JupyterLab extension sends the notebook's cells with each `%%aiml` run; when cells above
show answers of the chat and the kernel's chat is empty, the answer carries a notice.
"""

from __future__ import annotations

from nbformat.v4 import new_code_cell

from aiml_magics.chat.context import NOTEBOOK_KEY

SAVED_ANSWER = {
    "output_type": "display_data",
    "data": {"text/markdown": "A p-value is ...", "text/plain": "A p-value is ..."},
}
PANEL = {"output_type": "display_data", "data": {"text/plain": "[aiml panel]"}, "widget": True}


def run(client, code: str, above: list | None = None) -> str:
    """Execute `code` as JupyterLab with the extension would, below the cells `above` (none:
    as a frontend without the extension); the text the cell displayed."""
    metadata = {"cellId": "now", NOTEBOOK_KEY: notebook(above, code)} if above else {}
    return client.execute(code, metadata=metadata)[0]


def notebook(above: list, running: str) -> dict:
    cells = [*above, new_code_cell(running, id="now")]
    return {"cells": [dict(c) for c in cells], "index": len(cells) - 1}


def answered(source: str, *outputs) -> object:
    cell = new_code_cell(source)
    cell.outputs = list(outputs) or [PANEL, SAVED_ANSWER]
    return cell


def test_answers_from_before_a_restart_are_announced_not_silently_dropped(kernel, aiml_env):
    earlier = [answered("%%aiml\nWhat is a p-value?"), answered("%%aiml -t 0.2\nAnd a t-test?")]
    shown = run(kernel, "%%aiml\nWhich one for my data?", earlier)
    assert "starts fresh: the 2 answer(s) above are from before a kernel restart" in shown
    assert "%aiml import PATH.json" in shown
    sent = aiml_env.chat_requests[-1].body["messages"]
    assert [m["role"] for m in sent if m["role"] != "system"] == ["user"], "told, not rebuilt"

    # The chat has a turn now: the next cell continues it without the notice.
    shown = run(kernel, "%%aiml\nThanks.", earlier)
    assert "starts fresh" not in shown


def test_other_chats_comparisons_batches_and_unanswered_cells_are_not_counted(kernel):
    above = [
        answered("%%aiml -c other\nIn another chat"),
        answered("%%aiml --compare openai/gpt-4o,bytedance/seed-1-8\nCompared"),
        answered("%%aiml --over rows\nRow {text}"),
        answered("%%aiml --dry-run\nNever sent"),
        answered("%%aiml\nFailed before answering", PANEL),
        answered("%%aiml --no-such-option\nNever ran"),
        answered("print('%%aiml')"),
    ]
    shown = run(kernel, "%%aiml\nFirst real question", above)
    assert "starts fresh" not in shown
    shown = run(kernel, "%%aiml -c other\nBack to the other chat", above)
    assert "this chat 'other' starts fresh: the 1 answer(s) above" in shown


def test_a_new_chat_or_no_notebook_sent_says_nothing(kernel):
    earlier = [answered("%%aiml\nWhat is a p-value?")]
    assert "starts fresh" not in run(kernel, "%%aiml --new\nStart over", earlier)
    assert "starts fresh" not in run(kernel, "%%aiml -c plain\nNo extension")
