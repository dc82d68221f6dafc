"""Dollar amounts in the package's own Markdown read as amounts in JupyterLab: its math
pre-pass would typeset the text between two `$` of one paragraph."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.timeout(300)

MATH = ".MathJax, mjx-container, .jp-RenderedLatex"


def test_a_dry_run_shows_two_dollar_amounts_as_text(lab, notebook_factory, sim):
    nb = notebook_factory(["%load_ext aiml_magics", "%%aiml --dry-run --max-tokens 5000\nhi"])
    nb.run(0)
    nb.run(1)
    rendered = nb.cell(1).locator(".jp-OutputArea .jp-RenderedMarkdown").last
    rendered.wait_for()
    text = rendered.inner_text()
    lab.screenshot("dry-run-amounts")
    line = next(line for line in text.splitlines() if line.startswith("Estimated cost:"))
    assert len(re.findall(r"\(\$\d[\d.]*\)", line)) == 2, line
    assert rendered.locator(MATH).count() == 0
    assert nb.cell(1).locator(f".jp-OutputArea :is({MATH})").count() == 0
