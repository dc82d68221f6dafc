"""The per-cell parameter panel reads as a form at a usual notebook width: its labels in one
column, its inputs starting at one left edge, every placeholder whole inside its box."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from aiml_magics.simulator import Reply

pytestmark = pytest.mark.timeout(300)

UI_TIMEOUT_MS = 60_000

# Each labelled control of the open panel: where its label and its input are, and whether
# the input's placeholder fits (a text input scrolls when its text, or its placeholder shown
# as text, is wider than the box).
MEASURE = """
cell => {
  const panel = [...cell.querySelectorAll('.aiml-parameters')][0];
  if (!panel) return null;
  const rows = [...panel.querySelectorAll('.widget-inline-hbox')]
    .filter(row => row.querySelector(':scope > .widget-label'))
    .filter(row => row.querySelector('input, select'));
  return {
    width: panel.getBoundingClientRect().width,
    left: panel.getBoundingClientRect().left,
    rows: rows.map(row => {
      const label = row.querySelector(':scope > .widget-label');
      const input = row.querySelector('input, select');
      const box = input.getBoundingClientRect();
      let fits = true;
      if (input.placeholder) {
        const probe = input.value;
        input.value = input.placeholder;
        fits = input.scrollWidth <= input.clientWidth;
        input.value = probe;
      }
      return {
        label: label.textContent, labelLeft: label.getBoundingClientRect().left,
        labelTop: label.getBoundingClientRect().top + label.getBoundingClientRect().height / 2
          - box.height / 2,
        labelWidth: label.getBoundingClientRect().width,
        labelFits: label.scrollWidth <= label.clientWidth,
        left: box.left, width: box.width, top: box.top, placeholder: input.placeholder, fits,
      };
    }),
  };
}
"""


def test_the_parameter_panel_is_aligned_and_placeholders_fit(lab, notebook_factory, sim):
    sim.script(Reply(content="An answer.", reasoning=""))
    nb = notebook_factory(["%load_ext aiml_magics", "%%aiml\nhi", "%aiml panel"])
    nb.run(0)
    nb.run(1)
    cell = nb.cell(1)
    toggle = cell.locator("button", has_text="parameters")
    expect(toggle).to_be_visible(timeout=UI_TIMEOUT_MS)
    toggle.click()
    expect(toggle).to_have_class(re.compile(r"\bmod-active\b"), timeout=UI_TIMEOUT_MS)
    expect(cell.locator(".aiml-parameters")).to_be_visible(timeout=UI_TIMEOUT_MS)
    area = cell.locator(".jp-OutputArea-output").first.bounding_box()
    assert 800 <= area["width"] <= 1000, area
    shot = lab.screenshot("panel-open")
    cell.locator(".aiml-parameters").screenshot(path=str(shot.with_name("panel-only.png")))
    assert_a_form(cell.element_handle().evaluate(MEASURE))
    # The session panel (`%aiml panel`) holds the same controls.
    nb.run(2)
    session = nb.cell(2)
    expect(session.locator(".aiml-parameters")).to_be_visible(timeout=UI_TIMEOUT_MS)
    session.locator(".aiml-parameters").screenshot(path=str(shot.with_name("session-panel.png")))
    assert_a_form(session.element_handle().evaluate(MEASURE))


def assert_a_form(layout: dict | None) -> None:
    assert layout is not None
    rows = layout["rows"]
    labels = [row["label"] for row in rows]
    assert {"model", "temperature", "max tokens", "effort"} <= set(labels), labels
    offsets = {round(row["left"] - row["labelLeft"]) for row in rows}
    assert len(offsets) == 1, f"labels of one width: {[(r['label'], r['left']) for r in rows]}"
    columns: dict[int, set[int]] = {}
    for row in rows:
        columns.setdefault(round(row["labelLeft"]), set()).add(round(row["left"]))
    assert all(len(lefts) == 1 for lefts in columns.values()), columns
    assert 1 <= len(columns) <= 3, f"a form of a few columns, not a wrapped line: {columns}"
    first = min(columns)
    firsts = [row["label"] for row in rows if round(row["labelLeft"]) == first]
    assert {"model", "temperature", "effort"} <= set(firsts), firsts
    assert all(abs(row["top"] - row["labelTop"]) < 6 for row in rows), "label beside its box"
    right = layout["left"] + layout["width"]
    assert all(row["left"] + row["width"] <= right + 1 for row in rows), "nothing sticks out"
    assert all(row["labelFits"] for row in rows), rows
    cut = [(row["label"], row["placeholder"]) for row in rows if not row["fits"]]
    assert cut == [], f"placeholders cut: {cut}"
    boxes = [row for row in rows if row["label"].strip("\u200b") and row["label"] != "model"]
    assert len(boxes) >= 7 and len({round(row["width"]) for row in boxes}) == 1, boxes
