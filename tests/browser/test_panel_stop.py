"""The panel's Stop button ends a streaming answer, as the toolbar's interrupt does."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from aiml_magics.simulator import Reply

pytestmark = pytest.mark.timeout(300)

BEGINNING = "Here begins a long answer"
# Streamed 4 characters every 20 ms: about 50 seconds if nobody stops it.
LONG = BEGINNING + ", one sentence after another. " + "More words keep coming. " * 400
NEVER_SHOWN = "The very last sentence."


def test_stop_interrupts_the_answer_keeps_what_came_and_leaves_the_chat_alone(
    lab, notebook_factory, sim
):
    sim.script(Reply(content=LONG + NEVER_SHOWN, reasoning="", chunk_size=4, delay=0.02))
    nb = notebook_factory(["%load_ext aiml_magics", "%%aiml\nTell me everything.", "%aiml history"])
    nb.run(0)
    stop = nb.cell(1).locator("button.aiml-stop")
    run = nb.start_run(1)
    nb.wait_during_run(run, f"document.body.innerText.includes({BEGINNING!r})", "the answer began")
    expect(stop).to_be_visible()
    lab.screenshot("stop-while-streaming")
    stop.click()
    nb.wait_run(run, timeout=60_000)  # long before the 50 s the answer would take

    text = nb.output_text(1)
    assert BEGINNING in text, "what came before the click stays"
    assert NEVER_SHOWN not in text
    assert "The answer was stopped; what was shown is kept but not added" in text
    assert text.lower().count("interrupted") == 1, "said once, by the error, not thrice"
    expect(stop).to_be_hidden()
    lab.screenshot("stop-after")

    nb.run(2)  # the kernel lives on, and the chat holds no half answer
    assert BEGINNING not in nb.output_text(2)
