"""The extension is installed, loads in JupyterLab, and highlights %%aiml cells as Markdown."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.timeout(300)

AIML_MIME = "text/x-aiml-markdown"
PYTHON_MIME = "text/x-ipython"
PLUGIN = "aiml-magics:plugin"
INSERT = "aiml-magics:insert-cell"
RESET = "aiml-magics:reset"


def test_labextension_list_shows_it_enabled_and_ok():
    listing = subprocess.run(
        [sys.executable, "-c", "from jupyterlab.labextensions import main; main()", "list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    text = listing.stdout + listing.stderr
    line = next((row for row in text.splitlines() if "aiml-magics" in row), "")
    assert "enabled" in line and "OK" in line and "(python, aiml-magics)" in line, text


def test_plugin_commands_settings_and_shortcut_are_registered(lab):
    state = lab.page.evaluate(
        """async ([plugin, insert, reset]) => {
          const app = window.jupyterapp;
          const settings = await app.serviceManager.settings.fetch(plugin);
          return {
            activated: app.isPluginActivated(plugin),
            labels: [app.commands.label(insert), app.commands.label(reset)],
            schema: settings.schema.properties.cellPrefix,
            bindings: app.commands.keyBindings.map(b => [b.command, b.keys.join(' ')])
          };
        }""",
        [PLUGIN, INSERT, RESET],
    )
    assert state["activated"]
    assert state["labels"] == ["Insert AIML cell below", "Reset the AIML conversation…"]
    assert state["schema"]["default"] == "%%aiml"
    ours = {keys for command, keys in state["bindings"] if command == INSERT}
    assert ours, "the insert command has a keyboard shortcut"
    clashes = [(c, k) for c, k in state["bindings"] if k in ours and c != INSERT]
    assert clashes == [], "the shortcut clashes with JupyterLab's own"
    assert [e for e in lab.page_errors if "aiml" in e.lower()] == []


def test_palette_lists_both_commands(lab, notebook_factory):
    notebook_factory(["1 + 1"])
    lab.command("apputils:activate-command-palette")
    search = lab.page.locator(".lm-CommandPalette-input")
    search.fill("AIML")
    items = lab.page.locator(".lm-CommandPalette-item .lm-CommandPalette-itemLabel")
    items.filter(has_text="Insert AIML cell below").wait_for()
    items.filter(has_text="Reset the AIML conversation…").wait_for()
    lab.screenshot("palette")
    search.press("Escape")


def test_aiml_cells_get_markdown_highlighting(lab, notebook_factory):
    nb = notebook_factory(["%%aiml\n# Title\nSome *emphasis* here", "# Title\nprint('python')"])
    nb.wait(f"notebook.widgets[0].model.mimeType === '{AIML_MIME}'")
    assert nb.mimes() == [AIML_MIME, PYTHON_MIME]

    # Same text, two languages: a Markdown heading in the %%aiml cell, a comment in Python.
    heading = nb.cell(0).locator(".cm-line", has_text="Title").locator("span").first
    comment = nb.cell(1).locator(".cm-line", has_text="Title").locator("span").first
    heading.wait_for()
    styles = lab.page.evaluate(
        """([h, c]) => [h, c].map(el => {
             const s = getComputedStyle(el);
             return {weight: s.fontWeight, style: s.fontStyle, color: s.color};
        })""",
        [heading.element_handle(), comment.element_handle()],
    )
    assert int(styles[0]["weight"]) >= 600, styles  # Markdown heading: bold
    assert styles[1]["style"] == "italic", styles  # Python comment: italic
    assert styles[0]["color"] != styles[1]["color"], styles
    # The %%aiml line itself stays plain, readable text.
    magic_line = nb.cell(0).locator(".cm-line").first
    assert magic_line.inner_text() == "%%aiml"
    lab.screenshot("highlighting")


def test_highlighting_survives_kernel_restart_and_change(notebook_factory):
    nb = notebook_factory(["%%aiml\nExplain *this*", "x = 1"])
    nb.wait(f"notebook.widgets[0].model.mimeType === '{AIML_MIME}'")

    nb.js("await panel.sessionContext.restartKernel();")
    nb.wait_kernel_idle()
    assert nb.mimes() == [AIML_MIME, PYTHON_MIME]

    old_kernel = nb.js("return panel.sessionContext.session.kernel.id;")
    nb.js("await panel.sessionContext.changeKernel({name: 'python3'});")
    nb.wait("panel.sessionContext.session.kernel.id !== arg", old_kernel)
    nb.wait_kernel_idle()
    assert nb.mimes() == [AIML_MIME, PYTHON_MIME]

    # What the notebook does on every language change: reset all code cells to the kernel's.
    nb.js(
        "const info = notebook.model.getMetadata('language_info');"
        " notebook.model.setMetadata('language_info', {...info, name: 'python'});"
    )
    assert nb.mimes() == [AIML_MIME, PYTHON_MIME]


def test_editing_the_first_line_in_and_out_switches_highlighting(lab, notebook_factory):
    nb = notebook_factory(["print('a')", "%%aiml\nHello"])
    page = lab.page
    nb.wait(f"notebook.widgets[1].model.mimeType === '{AIML_MIME}'")

    nb.cell(0).locator(".cm-content").click()
    page.keyboard.press("Control+Home")
    page.keyboard.type("%%aiml")
    page.keyboard.press("Enter")
    nb.wait(f"notebook.widgets[0].model.mimeType === '{AIML_MIME}'")
    assert nb.sources()[0] == "%%aiml\nprint('a')"

    # Delete the magic line again: back to Python.
    page.keyboard.press("Control+Home")
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Delete")
    nb.wait(f"notebook.widgets[0].model.mimeType === '{PYTHON_MIME}'")
    assert nb.sources()[0] == "print('a')"

    # Spoiling the magic name in the other cell also turns it back into Python.
    nb.cell(1).locator(".cm-content").click()
    page.keyboard.press("Control+Home")
    page.keyboard.press("End")
    page.keyboard.type("x")
    nb.wait(f"notebook.widgets[1].model.mimeType === '{PYTHON_MIME}'")
    page.keyboard.press("Backspace")
    nb.wait(f"notebook.widgets[1].model.mimeType === '{AIML_MIME}'")

    # A plain new cell stays Python.
    index = nb.append("y = 2")
    nb.wait(f"notebook.widgets[{index}].model.mimeType === '{PYTHON_MIME}'")
    assert nb.mimes() == [PYTHON_MIME, AIML_MIME, PYTHON_MIME]


def test_magic_line_options_are_not_read_as_markdown(lab, notebook_factory):
    source = "%%aiml --schema list[Contact] -m *mini*\nSee [the docs](http://x) *now*"
    nb = notebook_factory([source])
    nb.wait(f"notebook.widgets[0].model.mimeType === '{AIML_MIME}'")
    lines = nb.cell(0).locator(".cm-line")
    link = lines.nth(1).locator("span", has_text="the docs").first
    link.wait_for()
    styles = lab.page.evaluate(
        """([magic, link]) => {
          const look = el => {
            const s = getComputedStyle(el);
            return [s.color, s.textDecorationLine, s.fontStyle, s.fontWeight].join(' ');
          };
          return {
            plain: look(magic),
            magic: [...magic.querySelectorAll('span')].map(look),
            link: look(link),
          };
        }""",
        [lines.nth(0).element_handle(), link.element_handle()],
    )
    # The body is Markdown (the link is styled), the magic line is plain all through.
    assert styles["link"] != styles["plain"], styles
    assert all(style == styles["plain"] for style in styles["magic"]), styles
    assert lines.nth(0).inner_text() == "%%aiml --schema list[Contact] -m *mini*"
    lab.screenshot("magic-line")
