"""The per-cell panel above a `%%aiml` answer: parameters, then Regenerate streams in place."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from aiml_magics.simulator import Reply

pytestmark = pytest.mark.timeout(300)

# As generous as conftest's: a busy 2-core machine can be slow to start a kernel or render.
UI_TIMEOUT_MS = 60_000
KERNEL_TIMEOUT_MS = 120_000

FIRST = "The first answer: a p-value measures surprise under the null hypothesis."
SECOND_END = "Report an effect size and a confidence interval next to it."
# About 1,300 characters; streamed 8 at a time every 30 ms, it takes several seconds.
SECOND = "\n".join(
    [
        "# Regenerated with a warmer temperature",
        "",
        "A **p-value** is the probability of data at least as extreme as the observed data, "
        "assuming the null hypothesis holds. " * 3,
        "",
        "## How to read it",
        "",
        "- A small value is evidence against the null hypothesis.",
        "- A large value is no evidence for the null hypothesis.",
        "- It says nothing about how large the effect is.",
        "",
        "It is not the probability that the null hypothesis is true. " * 4,
        "",
        SECOND_END,
    ]
)

# Record every distinct state of the cell's answer display while the panel regenerates it.
OBSERVE = """
const cell = notebook.widgets[arg];
const area = cell.node.querySelector('.jp-OutputArea');
area.dataset.aimlObserved = 'yes';
const answerCount = () => [...area.querySelectorAll('.jp-RenderedMarkdown')]
  .filter(el => !el.closest('.jupyter-widgets')).length;
const snaps = [];
const take = () => {
  const parts = window.__aiml.answerParts(area);
  const button = [...cell.node.querySelectorAll('button')]
    .find(b => b.textContent.includes('Regenerate'));
  const snap = {
    answer: parts ? parts.answer : null,
    outputs: cell.model.outputs.length,
    answers: answerCount(),
    busy: Boolean(button && button.disabled),
    sameArea: cell.node.querySelector('.jp-OutputArea') === area,
  };
  const last = snaps[snaps.length - 1];
  if (last && last.answer === snap.answer && last.outputs === snap.outputs
      && last.answers === snap.answers && last.busy === snap.busy
      && last.sameArea === snap.sameArea) return;
  snaps.push(snap);
};
take();
const observer = new MutationObserver(take);
observer.observe(
  cell.node, {subtree: true, childList: true, characterData: true, attributes: true});
window.__aiml.panelSnaps = snaps;
window.__aiml.stopPanelObserving = () => { take(); observer.disconnect(); return snaps; };
"""


def answer_outputs(outputs: list[dict]) -> list[int]:
    """Indices of the answer displays (Markdown bundles that are not the widget panel)."""
    return [
        i
        for i, o in enumerate(outputs)
        if "text/markdown" in o.get("data", {})
        and "application/vnd.jupyter.widget-view+json" not in o.get("data", {})
    ]


def test_regenerate_with_new_temperature_streams_in_place(lab, notebook_factory, sim):
    sim.script(
        Reply(content=FIRST, reasoning=""),
        Reply(content=SECOND, chunk_size=8, delay=0.03, reasoning=""),
    )
    nb = notebook_factory(["%load_ext aiml_magics", "%%aiml\nExplain p-values."])
    nb.run(0)
    nb.run(1)
    cell = nb.cell(1)

    # The panel is rendered above the answer; its status line ends with "done" and the time.
    panel = cell.locator(".jupyter-widgets").first
    expect(panel).to_be_visible(timeout=UI_TIMEOUT_MS)
    toggle = cell.locator("button", has_text="parameters")
    regenerate = cell.locator("button", has_text="Regenerate")
    expect(toggle).to_be_visible(timeout=UI_TIMEOUT_MS)
    expect(regenerate).to_be_enabled(timeout=KERNEL_TIMEOUT_MS)
    status = cell.locator(".widget-html", has_text=re.compile(r"^done · \d+\.\d s"))
    expect(status).to_be_visible(timeout=KERNEL_TIMEOUT_MS)
    first_status = status.inner_text()
    expect(nb.answer(1)).to_contain_text(FIRST, timeout=UI_TIMEOUT_MS)
    first_outputs = nb.outputs(1)
    first_answers = answer_outputs(first_outputs)
    assert len(first_answers) == 1, first_outputs
    assert len(sim.chat_requests) == 1
    lab.screenshot("panel-first-answer")

    # Open the parameters and type a temperature into the real input; Enter commits it.
    temperature = cell.locator(".widget-text", has_text="temperature").locator("input")
    expect(temperature).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_class(re.compile(r"\bmod-active\b"), timeout=UI_TIMEOUT_MS)
    expect(temperature).to_be_visible(timeout=UI_TIMEOUT_MS)
    temperature.click()
    temperature.fill("0.7")
    temperature.press("Enter")
    expect(temperature).to_have_value("0.7")
    lab.screenshot("panel-parameters-open")

    nb.js(OBSERVE, 1)
    regenerate.click()

    # The new answer streams into the same display: seen partly, then growing, then whole.
    lab.page.wait_for_function(
        "() => window.__aiml.panelSnaps.some(s => s.answer"
        " && s.answer.includes('Regenerated with a warmer temperature'))",
        timeout=KERNEL_TIMEOUT_MS,
    )
    lab.screenshot("panel-regenerating")
    expect(nb.answer(1)).to_contain_text(SECOND_END, timeout=KERNEL_TIMEOUT_MS)
    expect(regenerate).to_be_enabled(timeout=KERNEL_TIMEOUT_MS)
    expect(status).to_be_visible(timeout=KERNEL_TIMEOUT_MS)
    snaps = nb.js("return window.__aiml.stopPanelObserving();")
    lab.screenshot("panel-regenerated")

    partial = []
    for snap in snaps:
        text = snap["answer"] or ""
        streaming = "Regenerated with a warmer temperature" in text and SECOND_END not in text
        if streaming and (not partial or text != partial[-1]):
            partial.append(text)
    lengths = [len(text) for text in partial]
    assert len(partial) >= 2, f"the regenerated answer was seen growing only {lengths}"
    assert lengths == sorted(lengths) and len(set(lengths)) == len(lengths), lengths
    assert any(s["busy"] for s in snaps), "Regenerate was disabled while it streamed"
    assert all(s["sameArea"] for s in snaps), "the cell's output area was replaced"
    assert {s["answers"] for s in snaps} == {1}, "one answer display throughout"
    assert {s["outputs"] for s in snaps} == {len(first_outputs)}, "no output was added"
    assert (
        nb.js(
            "return notebook.widgets[arg].node.querySelector('.jp-OutputArea')"
            ".dataset.aimlObserved;",
            1,
        )
        == "yes"
    )

    # The final answer is the new text, in the one display the first answer had.
    final_outputs = nb.outputs(1)
    assert answer_outputs(final_outputs) == first_answers
    final_markdown = "".join(final_outputs[first_answers[0]]["data"]["text/markdown"])
    assert SECOND_END in final_markdown and FIRST not in final_markdown
    answer = nb.answer(1)
    assert answer.locator("h1", has_text="Regenerated with a warmer temperature").count() == 1
    assert answer.locator("ul > li").count() == 3
    assert FIRST not in answer.inner_text()
    assert status.inner_text().startswith("done · ") and first_status.startswith("done · ")
    # The cell still says what it said; the status line tells that Regenerate sent otherwise.
    assert "sent with temperature 0.7; the cell's source is unchanged" in status.inner_text()
    assert "source" not in first_status
    assert "tokens" in answer.inner_text()  # the usage is the answer's footer
    assert not lab.page_errors, lab.page_errors

    # The simulator saw the same turn again, now with temperature 0.7.
    assert len(sim.chat_requests) == 2
    first, last = sim.chat_requests[0].body, sim.chat_requests[-1].body
    assert last["temperature"] == 0.7
    assert "temperature" not in first
    assert last["messages"] == first["messages"]
    assert {k: v for k, v in last.items() if k != "temperature"} == first
