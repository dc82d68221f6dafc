"""`%%aiml --compare` in JupyterLab: the columns grow at the same time, and Use this answer
records the chosen answer as the cell's turn."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from aiml_magics.simulator import Reply

pytestmark = pytest.mark.timeout(300)

UI_TIMEOUT_MS = 60_000
KERNEL_TIMEOUT_MS = 120_000
MODELS = ["openai/gpt-4o", "anthropic/claude-sonnet-4.5", "bytedance/seed-1-8"]


def answer_of(model: str) -> str:
    # ~1,000 characters, 10 at a time every 30 ms: each column streams for about 3 s.
    return f"Answer of {model}. " + "The columns stream side by side. " * 30 + f"End of {model}."


# Record, on every change of the grid, how much text each column shows.
OBSERVE = """
const cell = notebook.widgets[arg];
const snaps = [];
const take = () => {
  const columns = [...cell.node.querySelectorAll('.aiml-compare-column')];
  const lengths = columns.map(c => {
    const answer = c.querySelector('.jp-RenderedMarkdown');
    const text = answer ? answer.innerText : '';
    return text.includes('Answer of') ? text.length : 0;  // not the placeholder
  });
  const last = snaps[snaps.length - 1];
  if (last && last.join() === lengths.join()) return;
  snaps.push(lengths);
};
take();
const observer = new MutationObserver(take);
observer.observe(cell.node, {subtree: true, childList: true, characterData: true});
window.__aiml.compareSnaps = snaps;
window.__aiml.stopCompareObserving = () => { take(); observer.disconnect(); return snaps; };
"""

CHOSEN = """
from aiml_magics.magics import AimlMagics
m = next(c for c in get_ipython().configurables if isinstance(c, AimlMagics))
print("turns:", [t.requested_model for t in m.session.chats.get("default").turns])
"""


def test_three_columns_grow_together_and_use_this_answer_records_it(lab, notebook_factory, sim):
    for model in MODELS:
        sim.script_for(
            model, Reply(content=answer_of(model), reasoning="", chunk_size=10, delay=0.03)
        )
    nb = notebook_factory(
        ["%load_ext aiml_magics", f"%%aiml --compare {','.join(MODELS)}\nCompare yourselves."]
    )
    nb.run(0)
    nb.js(OBSERVE, 1)
    run = nb.start_run(1)
    nb.wait_during_run(
        run,
        "(window.__aiml.compareSnaps || []).some(s => s.length === 3 && s.every(n => n > 0))",
        "the three columns showed text",
    )
    lab.screenshot("compare-streaming")
    nb.wait_run(run)
    nb.assert_no_error(1)
    snaps = nb.js("return window.__aiml.stopCompareObserving();")
    lab.screenshot("compare-done")

    snaps = [s for s in snaps if len(s) == 3]  # once the grid is there
    final = snaps[-1]
    assert len(final) == 3 and all(n > 900 for n in final), final
    # At one moment all three columns showed part of their answer: they grew together.
    together = [s for s in snaps if all(0 < n < f * 0.9 for n, f in zip(s, final, strict=True))]
    assert together, snaps
    for index in range(3):
        # (setting an Output's outputs empties it for a moment inside one DOM update)
        lengths = [s[index] for s in snaps if s[index]]
        assert len(set(lengths)) >= 3, f"column {index} was seen growing: {lengths}"
        whole = lengths.index(max(lengths)) + 1
        assert lengths[:whole] == sorted(lengths[:whole]), f"column {index} only grew: {lengths}"
        # Once whole it stays whole (the end re-renders the grid with its saved stand-in, which
        # may lay out a character of white space differently).
        assert min(lengths[whole:], default=max(lengths)) >= max(lengths) - 2, lengths
    columns = nb.cell(1).locator(".aiml-compare-column")
    expect(columns).to_have_count(3)
    for column, model in zip(columns.all(), MODELS, strict=True):
        expect(column).to_contain_text(f"End of {model}.")
    # the summary table under the grid, an ordinary output
    expect(nb.cell(1).locator("table").last).to_contain_text("cheapest", timeout=UI_TIMEOUT_MS)

    buttons = nb.cell(1).locator("button", has_text="Use this answer")
    expect(buttons).to_have_count(3, timeout=UI_TIMEOUT_MS)
    expect(buttons.nth(1)).to_be_enabled()
    buttons.nth(1).click()
    expect(nb.cell(1).locator("button", has_text="continues the chat")).to_have_count(
        1, timeout=KERNEL_TIMEOUT_MS
    )
    index = nb.run_new(CHOSEN)
    assert f"turns: ['{MODELS[1]}']" in nb.output_text(index)
    # the choice is in the output metadata of the table
    chosen = [
        o["metadata"]["aiml"]["chosen"]
        for o in nb.outputs(1)
        if "aiml" in (o.get("metadata") or {})
    ]
    assert chosen == [MODELS[1]], chosen
    assert not lab.page_errors, lab.page_errors
