"""The marks of a comparison's summary table ("cheapest", "fastest") are drawn with a real
glyph in Chromium's default fonts, not as the missing-glyph box (an emoji needs an emoji font,
which a plain Linux desktop often lacks)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from aiml_magics.display.compare import MARKS
from aiml_magics.simulator import Reply

pytestmark = pytest.mark.timeout(300)

MODELS = ["openai/gpt-4o", "anthropic/claude-sonnet-4.5"]
# No font has U+10FFFD (the last private-use code point): its drawing is the missing glyph.
MISSING = "\U0010fffd"

# Draw each character large with the table cell's computed font; return the pixels of each.
DRAW = """
([cell, chars]) => {
  const style = getComputedStyle(cell);
  const font = `${style.fontStyle} ${style.fontWeight} 40px ${style.fontFamily}`;
  return chars.map(ch => {
    const canvas = document.createElement('canvas');
    canvas.width = 80;
    canvas.height = 80;
    const ctx = canvas.getContext('2d');
    ctx.font = font;
    ctx.textBaseline = 'top';
    ctx.fillStyle = '#000';
    ctx.fillText(ch, 10, 10);
    return Array.from(ctx.getImageData(0, 0, 80, 80).data).join(',');
  });
}
"""


def glyphs(mark: str) -> list[str]:
    return [ch for ch in mark if not ch.isascii() and not ch.isspace()]


def test_every_mark_has_a_glyph_in_the_default_fonts(lab, notebook_factory, sim):
    for model in MODELS:
        sim.script_for(model, Reply(content=f"Answer of {model}.", reasoning=""))
    nb = notebook_factory(["%load_ext aiml_magics", f"%%aiml --compare {','.join(MODELS)}\nhi"])
    nb.run(0)
    nb.run(1)
    table = nb.cell(1).locator(".jp-RenderedMarkdown table").last
    expect(table).to_contain_text("cheapest", timeout=60_000)
    expect(table).to_contain_text("fastest")
    lab.screenshot("compare-marks")
    text = table.inner_text()
    marks = [ch for mark in MARKS.values() for ch in glyphs(mark)]
    assert marks, "the marks have a symbol before their word"
    assert all(ch in text for ch in marks), (marks, text)
    cell = table.locator("td", has_text="cheapest").first
    pixels = lab.page.evaluate(DRAW, [cell.element_handle(), [MISSING, "\U0010fffc", *marks]])
    missing, second_missing, *drawn = pixels
    assert missing == second_missing, "two characters no font has are drawn alike"
    assert len(set(missing.split(","))) > 1, "the missing glyph draws something (a box)"
    boxes = [ch for ch, pixels in zip(marks, drawn, strict=True) if pixels == missing]
    assert boxes == [], f"drawn as the missing-glyph box: {[f'U+{ord(c):04X}' for c in boxes]}"
