"""Copy buttons on the code blocks of rendered %%aiml answers, and only there."""

from __future__ import annotations

import pytest

from aiml_magics.simulator import Reply

pytestmark = pytest.mark.timeout(300)

CODE = 'def greet(name):\n    return f"<b>{name}</b>"'
ANSWER = f"Here you go:\n\n```python\n{CODE}\n```\n\nAnd a shell line:\n\n```\nls -la\n```"
OTHER = (
    "from IPython.display import display\n"
    'display({"text/markdown": "```\\nnot an answer\\n```", "text/plain": "x"}, raw=True)'
)


def test_code_blocks_of_answers_get_a_copy_button_that_copies_the_code(lab, notebook_factory, sim):
    lab.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=lab.server.url)
    sim.script(Reply(content=ANSWER))
    nb = notebook_factory(["%load_ext aiml_magics", "%%aiml\nWrite greet", OTHER])
    for index in range(3):
        nb.run(index)
    buttons = nb.cell(1).locator(".jp-OutputArea pre button.aiml-CopyButton")
    buttons.nth(1).wait_for()
    assert buttons.count() == 2
    other = nb.cell(2).locator(".jp-OutputArea")
    assert other.locator("pre").count() == 1
    assert other.locator("button").count() == 0, "only outputs of %%aiml cells"
    # The button adds no text to the answer.
    assert "Copy" not in nb.answer(1).inner_text()
    assert CODE in nb.answer(1).inner_text()

    for button, expected in ((buttons.first, CODE), (buttons.nth(1), "ls -la")):
        button.hover()
        button.click()
        lab.page.wait_for_function(
            "el => el.dataset.state === 'copied'", arg=button.element_handle()
        )
        assert lab.page.evaluate("() => navigator.clipboard.readText()") == expected
        lab.screenshot("copy-button")
