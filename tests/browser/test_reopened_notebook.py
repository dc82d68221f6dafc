"""A saved notebook reopened with a new kernel reads cleanly: no widget errors above answers."""

from __future__ import annotations

import pytest

from aiml_magics.simulator import Reply

pytestmark = pytest.mark.timeout(400)

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
ANSWER = "The saved answer survives the reload."
# ipywidgets' manager waits about 2 s for a missing model before it gives up.
SETTLE_MS = 4000


GPT, SONNET = "openai/gpt-4o", "anthropic/claude-sonnet-4.5"
GPT_SAYS, SONNET_SAYS = "Answer of the first column.", "Answer of the second column."


def test_reopened_notebook_shows_answers_without_widget_errors(lab, notebook_factory, sim):
    sim.script(Reply(content=ANSWER))
    sim.script_for(GPT, Reply(content=GPT_SAYS, reasoning=""))
    sim.script_for(SONNET, Reply(content=SONNET_SAYS, reasoning=""))
    nb = notebook_factory(
        [
            "%load_ext aiml_magics",
            "%%aiml\nSay something worth keeping",
            f"%%aiml --compare {GPT},{SONNET}\nWhich?",
            "rows = ['one', 'two', 'three']",
            "%%aiml --over rows\nSay {text}",
            "%aiml panel",
        ]
    )
    for index in range(6):
        nb.run(index)
    widgets = nb.cell(1).locator(".jp-OutputArea .jupyter-widgets")
    widgets.first.wait_for()  # the live panel above the answer
    saved = [o for o in nb.outputs(1) if WIDGET_MIME in o.get("data", {})]
    assert saved, "the cell shows a widget, so the reopened notebook has one to replace"
    nb.save()
    nb.close()  # shuts the kernel down: the widget models are gone for good

    lab.load()  # a fresh page, as after closing the browser
    lab.command("docmanager:open", {"path": nb.path, "factory": "Notebook"})
    nb.wait("panel.context.isReady && notebook.widgets.length === 6")
    nb.js("await panel.sessionContext.ready;")
    nb.wait_kernel_idle()
    area = nb.cell(1).locator(".jp-OutputArea")
    area.locator(".aiml-WidgetFallback").first.wait_for()
    lab.page.wait_for_timeout(SETTLE_MS)
    text = area.inner_text()
    lab.screenshot("reopened-notebook")
    assert "Error displaying widget" not in text, text
    assert "Loading widget" not in text, text
    assert ANSWER in nb.answer(1).inner_text()
    footer = nb.answer(1).locator("hr ~ p").last
    assert "tokens" in footer.inner_text(), footer.inner_text()
    assert footer.is_visible()
    # Every cell reads cleanly, and says each thing once: the grid's answers (its stand-in,
    # not again under the table), the batch summary (the bar became it), the panel's note.
    page = nb.js("return document.querySelector('.jp-Notebook').innerText;")
    assert "Error displaying widget" not in page and "Loading widget" not in page
    compare = nb.output_text(2)
    assert compare.count(GPT_SAYS) == 1 and compare.count(SONNET_SAYS) == 1, compare
    saved = "".join(o.get("data", {}).get("text/markdown", "") for o in nb.outputs(2))
    assert saved.count(GPT_SAYS) == 1, "the file keeps each answer once too"
    batch = nb.output_text(4)
    assert batch.count("3 rows: 3 answered") == 1, batch
    assert "%aiml panel opens it again" in nb.output_text(5)
