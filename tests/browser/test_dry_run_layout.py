"""The dry run as JupyterLab renders it: the cost first, the request body folded under it."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.timeout(300)


def test_the_cost_is_above_a_closed_request_body(lab, notebook_factory, sim):
    nb = notebook_factory(["%load_ext aiml_magics", "%%aiml --dry-run --max-tokens 300\nhi"])
    nb.run(0)
    nb.run(1)
    rendered = nb.cell(1).locator(".jp-OutputArea .jp-RenderedMarkdown").last
    rendered.locator("details").first.wait_for(state="attached")
    layout = rendered.evaluate(
        """node => {
          const cost = [...node.querySelectorAll('li')]
            .find(li => li.textContent.startsWith('Estimated cost:'));
          const details = node.querySelector('details');
          const code = details && details.querySelector('pre code');
          const top = el => el ? el.getBoundingClientRect().top : null;
          return {
            cost: top(cost), details: top(details), open: details && details.open,
            summary: details && details.querySelector('summary').textContent,
            code: code ? code.textContent : null,
            codeShown: code ? code.checkVisibility() : null,
          };
        }"""
    )
    lab.screenshot("dry-run-closed")
    assert layout["cost"] is not None and layout["details"] is not None, layout
    assert layout["cost"] < layout["details"], "the cost line is read first"
    assert layout["open"] is False and layout["codeShown"] is False, "folded"
    assert layout["summary"].startswith("Request body (") and "JSON" in layout["summary"]
    body = json.loads(layout["code"])  # a code block, not Markdown text
    assert body["messages"][-1] == {"role": "user", "content": "hi"}
    rendered.locator("details summary").first.click()
    block = rendered.locator("details pre code").first
    block.wait_for(state="visible")
    lab.screenshot("dry-run-opened")
    assert block.evaluate("code => code.checkVisibility()") and block.bounding_box()["height"] > 100
