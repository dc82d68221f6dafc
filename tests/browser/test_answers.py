"""What a user sees when an %%aiml cell runs: streaming, Markdown, reasoning, footer, no key."""

from __future__ import annotations

import json

import pytest

from aiml_magics.simulator import Reply

pytestmark = pytest.mark.timeout(300)

# Long enough (about 1.5 s of streaming) that a busy machine renders it several times.
REASONING = (
    "The user wants p-values explained. Start with the definition, then a table, then code. "
    + ("Keep it short and concrete, with one worked example. " * 6)
)
ANSWER = "\n".join(
    [
        "# What a p-value is",
        "",
        "A **p-value** is the probability of seeing data at least as extreme as yours "
        "if the null hypothesis were true. " * 3,
        "",
        "## Steps",
        "",
        "- State the null hypothesis and the alternative.",
        "- Choose a test statistic that measures the effect.",
        "- Compute how often chance alone would give that statistic.",
        "",
        "| p-value | reading |",
        "|---|---|",
        "| < 0.01 | strong evidence against the null |",
        "| 0.01 - 0.05 | moderate evidence |",
        "| > 0.05 | weak or no evidence |",
        "",
        "```python",
        "from scipy import stats",
        "",
        "sample = [5.1, 4.9, 5.3, 5.2, 4.8, 5.0, 5.4]",
        "result = stats.ttest_1samp(sample, popmean=5.0)",
        'print(f"t = {result.statistic:.3f}, p = {result.pvalue:.3f}")',
        "```",
        "",
        "A small p-value does not say the effect is large, only that it is unlikely under "
        "the null hypothesis. " * 6,
        "",
        "Report it together with an effect size and a confidence interval. " * 6,
    ]
)

# Record every distinct state of the cell's rendered answer, with whether it still ran.
OBSERVE = """
const cell = notebook.widgets[arg];
const snaps = [];
const take = () => {
  const area = cell.node.querySelector('.jp-OutputArea');
  const parts = area && window.__aiml.answerParts(area);
  if (!parts) return;
  const running = cell.model.executionState === 'running';
  const last = snaps[snaps.length - 1];
  if (last && last.answer === parts.answer && last.reasoning === parts.reasoning
      && last.reasoningOpen === parts.reasoningOpen && last.running === running) return;
  snaps.push({...parts, running});
};
const observer = new MutationObserver(take);
observer.observe(
  cell.node, {subtree: true, childList: true, characterData: true, attributes: true});
window.__aiml.snaps = snaps;
window.__aiml.stopObserving = () => { take(); observer.disconnect(); return snaps; };
"""


def test_answer_streams_then_renders_as_markdown(lab, notebook_factory, sim):
    sim.script(Reply(content=ANSWER, reasoning=REASONING, chunk_size=8, delay=0.03))
    nb = notebook_factory(["%load_ext aiml_magics", "%%aiml\nExplain p-values."])
    nb.run(0)
    nb.js(OBSERVE, 1)
    run = nb.start_run(1)

    nb.wait_during_run(
        run,
        "window.__aiml.snaps.some(s => s.running && s.reasoningOpen && s.reasoning)",
        "any reasoning was shown",
    )
    lab.screenshot("streaming-reasoning")
    nb.wait_during_run(
        run,
        "window.__aiml.snaps.some(s => s.running && s.answer.length > 200)",
        "200 characters of the answer were shown",
    )
    lab.screenshot("streaming-answer")
    nb.wait_run(run)
    nb.assert_no_error(1)
    snaps = nb.js("return window.__aiml.stopObserving();")
    lab.screenshot("answer-final")

    streamed = [s for s in snaps if s["running"]]
    final = snaps[-1]
    # States of the answer itself (not a placeholder shown before it), in the order seen.
    answers = []
    for snap in streamed:
        text = snap["answer"]
        if text and final["answer"].startswith(text[:6]) and (not answers or text != answers[-1]):
            answers.append(text)
    lengths = [len(a) for a in answers]
    assert len(answers) >= 3, f"answer seen growing only {lengths}"
    # It grows. When a block settles into an output of its own, the next piece appears a
    # message before the settled one is trimmed, so for a moment text shows twice; a block
    # still being written may also read longer as text than once complete (a table's pipes).
    # Such moments pass at once: no state stays short of what was seen for long.
    assert lengths[0] < lengths[-1], lengths
    steady = [min(lengths[i : i + 3]) for i in range(len(lengths) - 2)]
    assert all(b >= 0.6 * a for a, b in zip(steady, steady[1:], strict=False)), lengths

    # Reasoning streamed first, shown open while the model thought.
    thinking = [s for s in streamed if s["reasoning"] and not s["answer"]]
    assert thinking and all(s["reasoningOpen"] for s in thinking)
    assert "Start with the definition" in " ".join(s["reasoning"] for s in thinking)

    assert not final["running"]
    assert final["reasoningOpen"] is False, "reasoning ends collapsed"
    assert final["reasoning"].startswith("Reasoning")

    markdown = nb.answer(1)
    displays = nb.answer_displays(nb.outputs(1))
    assert len(displays) == 1, "updates replaced the one display in place"
    assert markdown.locator("h1", has_text="What a p-value is").count() == 1
    assert markdown.locator("h2", has_text="Steps").count() == 1
    assert markdown.locator("ul > li").count() == 3
    assert markdown.locator("table th", has_text="reading").count() == 1
    assert markdown.locator("table td").count() == 6
    assert markdown.locator("strong", has_text="p-value").count() >= 1
    code = markdown.locator("pre code")
    assert "stats.ttest_1samp" in code.inner_text()
    highlighted = code.locator("span[class]")
    assert highlighted.count() >= 5, "the code block is syntax-highlighted"
    # Keywords and strings get different colours than plain code.
    colours = lab.page.evaluate(
        "el => new Set([...el.querySelectorAll('span[class]')]"
        ".map(s => getComputedStyle(s).color)).size",
        code.element_handle(),
    )
    assert colours >= 2

    footer = markdown.locator("hr ~ p").last
    footer.scroll_into_view_if_needed()
    lab.screenshot("answer-footer")
    assert "tokens" in footer.inner_text() and "credits" in footer.inner_text()

    # The saved notebook keeps one final display (answer, collapsed reasoning, footer).
    saved = json.loads(nb.save().read_text())
    outputs = saved["cells"][1]["outputs"]
    markdowns = ["".join(o["data"]["text/markdown"]) for o in nb.answer_displays(outputs)]
    assert len(markdowns) == 1
    saved_markdown = markdowns[0]
    assert "stats.ttest_1samp" in saved_markdown
    assert "<details>" in saved_markdown


def test_api_key_never_reaches_the_page_or_the_saved_notebook(lab, notebook_factory, sim):
    sim.script(
        Reply(content="Hello from the simulator.", reasoning="short thought"), Reply.error(401)
    )
    nb = notebook_factory(
        [
            "%load_ext aiml_magics",
            "%%aiml\nSay hello.",
            "%aiml config",
            "import os\nos.environ.get('AIML_API_KEY', '').startswith('aiml-e2e-secret-')",
            "%%aiml\nThis one is refused.",
        ]
    )
    for index in range(4):
        nb.run(index)
    nb.run(4, check=False)
    assert sim.chat_requests[0].authorized, "the kernel did use the key"
    assert "Hello from the simulator." in nb.output_text(1)
    assert "(set)" in nb.output_text(2)
    assert nb.output_text(3).split()[-1] == "True"
    assert "401" in nb.output_text(4)
    lab.screenshot("key-safety")

    key = sim.api_key
    assert key.startswith("aiml-e2e-secret-")
    html = lab.page_html()
    assert "Hello from the simulator." in html
    assert key not in html
    assert key not in lab.page.evaluate("() => document.body.innerText")
    path = nb.save()
    text = path.read_text()
    assert "Hello from the simulator." in text
    assert key not in text
