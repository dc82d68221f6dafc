"""The service's own features in the panels: the effort dropdown (declared once with
`--effort`), the balance in the session panel (asked in the background), and the notes in
the cell's status line."""

from __future__ import annotations

import time

from IPython.utils.capture import capture_output

from aiml_magics.simulator import Reply


def session_panel(run, magics):
    out = run("%aiml panel", cell_id="p")
    assert out.error is None
    return magics.last_session_panel


def wait_for(predicate, seconds=5.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end and not predicate():
        time.sleep(0.02)
    return predicate()


def test_the_cell_panel_has_the_effort_of_the_cell_and_regenerates_with_the_chosen_one(
    run, magics, aiml_simulator
):
    aiml_simulator.script(Reply(content="a1"), Reply(content="a2"), Reply(content="a3"))
    run("%%aiml -m bytedance/seed-1-8 --effort low\nq", cell_id="c1")
    panel = magics.last_panel
    assert panel.controls.choices["effort"].value == "low"
    panel.controls.choices["effort"].value = "high"
    with capture_output():
        panel.regenerate_button.click()
    assert aiml_simulator.chat_requests[-1].body["reasoning_effort"] == "high"
    panel.controls.choices["effort"].value = ""  # (not sent)
    with capture_output():
        panel.regenerate_button.click()
    assert "reasoning_effort" not in aiml_simulator.chat_requests[-1].body


def test_the_session_effort_dropdown_sets_the_setting(run, magics, ip, aiml_simulator):
    aiml_simulator.script(Reply(content="a"))
    panel = session_panel(run, magics)
    panel.controls.choices["effort"].value = "medium"
    assert magics.effort == "medium"
    run("%%aiml -m bytedance/seed-1-8\nq", cell_id="c1")
    assert aiml_simulator.chat_requests[-1].body["reasoning_effort"] == "medium"
    ip.run_line_magic("config", "AimlMagics.effort = 'high'")  # and back the other way
    assert panel.controls.choices["effort"].value == "high"


def test_the_session_panel_shows_the_balance_asked_once_in_the_background(
    run, magics, ip, aiml_simulator
):
    aiml_simulator.balance = 3.0
    ip.run_line_magic("config", "AimlMagics.budget_credits = 1000000")
    panel = session_panel(run, magics)
    assert wait_for(lambda: "$3.00" in panel.balance.tooltip), panel.balance.tooltip
    assert "budget: 1,000,000 credits left of 1,000,000" in panel.balance.tooltip
    panel.refresh()
    billing = [r for r in aiml_simulator.requests if r.path == "/v2/billing"]
    assert len(billing) == 1


def test_without_a_key_the_panel_says_the_balance_is_unavailable(
    run, magics, aiml_simulator, monkeypatch
):
    monkeypatch.delenv("AIML_API_KEY")
    panel = session_panel(run, magics)
    assert wait_for(lambda: "unavailable" in panel.balance.tooltip), panel.balance.tooltip


def test_the_deprecation_note_is_said_above_the_answer_once(run, magics, aiml_simulator):
    aiml_simulator.script(Reply(content="fine"), Reply(content="again"))
    note = "openai/gpt-4-turbo is deprecated; it retires on 2027-03-31; use openai/gpt-4o"
    first = run("%%aiml -m openai/gpt-4-turbo\nq", cell_id="c1")
    answer = first.outputs[-1].data["text/plain"]
    assert note in answer and answer.index(note) < answer.index("fine")
    second = run("%%aiml -m openai/gpt-4-turbo\nq2", cell_id="c2")
    assert note not in second.outputs[-1].data["text/plain"]
