"""The "Insert AIML cell below" and "Reset the AIML conversation…" commands, from every entry."""

from __future__ import annotations

import pytest

from aiml_magics.simulator import Reply

pytestmark = pytest.mark.timeout(300)

AIML_MIME = "text/x-aiml-markdown"
INSERT = "aiml-magics:insert-cell"
RESET = "aiml-magics:reset"


def assert_ready_aiml_cell(lab, nb, index, prefix="%%aiml"):
    """Cell `index` is a new code cell starting with `prefix`, focused, cursor below it."""
    nb.wait(
        "notebook.activeCellIndex === arg && notebook.mode === 'edit'"
        " && notebook.widgets[arg].editor && notebook.widgets[arg].editor.hasFocus()",
        index,
    )
    state = nb.js(
        "const cell = notebook.widgets[arg];"
        " return {type: cell.model.type, source: cell.model.sharedModel.getSource(),"
        " mime: cell.model.mimeType, cursor: cell.editor.getCursorPosition()};",
        index,
    )
    assert state["type"] == "code"
    assert state["source"] == prefix + "\n"
    assert state["mime"] == AIML_MIME
    assert state["cursor"] == {"line": prefix.count("\n") + 1, "column": 0}
    # Typing goes straight into the prompt line.
    lab.page.keyboard.type("Hi there")
    nb.wait(
        "notebook.widgets[arg[0]].model.sharedModel.getSource() === arg[1]",
        [index, f"{prefix}\nHi there"],
    )


def test_insert_command_adds_a_ready_aiml_cell_below(lab, notebook_factory):
    nb = notebook_factory(["a = 1", "b = 2"])
    nb.select(0)
    lab.command(INSERT)
    assert len(nb.sources()) == 3
    assert_ready_aiml_cell(lab, nb, 1)
    assert nb.sources()[0] == "a = 1" and nb.sources()[2] == "b = 2"
    lab.screenshot("inserted-cell")


def test_toolbar_button_inserts_a_cell(lab, notebook_factory):
    nb = notebook_factory(["a = 1"])
    nb.select(0)
    button = lab.page.locator(f"{nb.panel_selector} .jp-Toolbar [data-command='{INSERT}']")
    button.click()
    assert_ready_aiml_cell(lab, nb, 1)


def test_context_menu_inserts_a_cell(lab, notebook_factory):
    nb = notebook_factory(["a = 1", "b = 2"])
    nb.select(0)
    # Right-clicking a cell makes it the active one: the new cell goes below the clicked one.
    nb.cell(1).locator(".jp-InputPrompt").click(button="right")
    item = lab.page.locator(f".lm-Menu-item[data-command='{INSERT}']")
    item.wait_for()
    lab.screenshot("context-menu")
    item.click()
    assert_ready_aiml_cell(lab, nb, 2)


def test_keyboard_shortcut_inserts_a_cell_in_both_modes(lab, notebook_factory):
    nb = notebook_factory(["a = 1"])
    keys = lab.page.evaluate(
        "command => window.jupyterapp.commands.keyBindings"
        ".find(b => b.command === command).keys[0]",
        INSERT,
    )
    playwright_keys = "+".join("Control" if k == "Ctrl" else k for k in keys.split(" "))
    nb.select(0)
    lab.page.keyboard.press(playwright_keys)  # command mode
    assert_ready_aiml_cell(lab, nb, 1)
    lab.page.keyboard.press(playwright_keys)  # edit mode, inside the new cell
    assert_ready_aiml_cell(lab, nb, 2)
    assert len(nb.sources()) == 3


def set_prefix_in_settings_editor(lab, value):
    """Type `value` into the extension's page of JupyterLab's settings editor."""
    lab.command("settingeditor:open", {"query": "AIML magics"})
    field = lab.page.locator(".jp-SettingsPanel input[id$='cellPrefix']")
    field.fill(value)
    field.press("Tab")
    lab.page.wait_for_function(
        "([command, value]) => window.jupyterapp.commands.caption(command)"
        ".includes(` with ${value} below`)",
        arg=[INSERT, value],
    )


def test_prefix_from_the_settings_editor_is_used(lab, notebook_factory):
    prefix = "%%aiml -m openai/gpt-4o -t 0.3"
    set_prefix_in_settings_editor(lab, prefix)
    lab.screenshot("settings-editor")
    try:
        nb = notebook_factory(["a = 1"])
        nb.select(0)
        lab.command(INSERT)
        assert_ready_aiml_cell(lab, nb, 1, prefix)
    finally:
        set_prefix_in_settings_editor(lab, "%%aiml")
        lab.command("application:close", {})


def reset_through_the_dialog(lab, button="Reset"):
    """Run the reset command, answer its confirmation dialog with `button`; its result."""
    lab.page.evaluate(
        "command => { window.__aimlReset = 'running';"
        " window.jupyterapp.commands.execute(command).then("
        "   r => { window.__aimlReset = r; }, e => { window.__aimlReset = 'error: ' + e; }); }",
        RESET,
    )
    dialog = lab.page.locator(".jp-Dialog")
    dialog.wait_for()
    assert "Reset the AIML conversation?" in dialog.inner_text()
    dialog.locator(".jp-Dialog-button", has_text=button).click()
    lab.page.wait_for_function("() => window.__aimlReset !== 'running'")
    return lab.page.evaluate("() => window.__aimlReset")


def test_reset_runs_silently_and_clears_the_conversation(lab, notebook_factory, sim):
    sim.script(Reply(content="first answer"), Reply(content="second answer"))
    nb = notebook_factory(["%load_ext aiml_magics", "%%aiml\nfirst question"])
    nb.run(0)
    nb.run(1)
    assert [m["content"] for m in sim.chat_requests[-1].body["messages"]] == ["first question"]
    chats = nb.run_new("%aiml chats")
    assert "default" in nb.output_text(chats)
    count_before = nb.js("return notebook.widgets[arg].model.executionCount;", chats)

    assert reset_through_the_dialog(lab) is True
    toast = lab.toast("AIML conversation reset")
    assert "Forgot chat 'default'" in toast.inner_text()
    lab.screenshot("reset-notification")
    assert len(nb.sources()) == 3, "reset adds no cell"

    after = nb.run_new("%aiml chats")
    count_after = nb.js("return notebook.widgets[arg].model.executionCount;", after)
    assert count_after == count_before + 1, "the silent reset used no execution count"
    assert "| default | 1 |" not in nb.output_text(after)

    nb.run_new("%%aiml\nsecond question")
    assert [m["content"] for m in sim.chat_requests[-1].body["messages"]] == ["second question"]


def test_reset_without_the_magics_loaded_says_what_to_do(lab, notebook_factory):
    notebook_factory(["1 + 1"])
    assert lab.command(RESET, {"confirm": False}) is False
    toast = lab.toast("Could not reset")
    assert "%load_ext aiml_magics" in toast.inner_text()


def test_kernel_menu_has_the_reset_entry(lab, notebook_factory):
    notebook_factory(["1 + 1"])
    lab.page.locator(".lm-MenuBar-itemLabel", has_text="Kernel").click()
    item = lab.page.locator(f".lm-Menu-item[data-command='{RESET}']")
    item.wait_for()
    assert "Reset the AIML conversation…" in item.inner_text()
    lab.page.keyboard.press("Escape")


def palette_run(lab, query):
    """Type `query` into the command palette and press Enter, as a user does."""
    lab.command("apputils:activate-command-palette")
    search = lab.page.locator(".lm-CommandPalette-input")
    search.fill(query)
    first = lab.page.locator(".lm-CommandPalette-item").first
    first.wait_for()
    label = first.locator(".lm-CommandPalette-itemLabel").inner_text()
    search.press("Enter")
    return label


def test_palette_aiml_enter_inserts_and_never_resets(lab, notebook_factory, sim):
    sim.script(Reply(content="first answer"), Reply(content="second answer"))
    nb = notebook_factory(["%load_ext aiml_magics", "%%aiml\nfirst question"])
    nb.run(0)
    nb.run(1)
    nb.select(1)
    assert palette_run(lab, "aiml") == "Insert AIML cell below"
    assert_ready_aiml_cell(lab, nb, 2)
    assert lab.page.locator(".jp-Dialog").count() == 0

    # Reset from the palette asks first; Cancel (also the default button) keeps the chat.
    nb.js("notebook.model.sharedModel.deleteCell(2);")
    nb.select(1)
    assert palette_run(lab, "reset aiml") == "Reset the AIML conversation…"
    dialog = lab.page.locator(".jp-Dialog")
    dialog.wait_for()
    lab.screenshot("reset-confirmation")
    assert "Reset the AIML conversation?" in dialog.inner_text()
    lab.page.keyboard.press("Enter")
    dialog.wait_for(state="detached")
    nb.run_new("%%aiml\nsecond question")
    contents = [m["content"] for m in sim.chat_requests[-1].body["messages"]]
    assert contents[0] == "first question" and contents[-1] == "second question"
