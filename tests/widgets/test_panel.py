"""The parameter panel above `%%aiml` answers and the `%aiml panel` session panel.

No frontend: the widgets live in the test process with dummy comms, clicks are
`Button.click()`, and what was sent is read from the simulator's request record.
"""

from __future__ import annotations

import re

import pytest
from IPython.utils.capture import capture_output

from aiml_magics.simulator import Fault, Reply

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def turns(magics, chat="default"):
    return [(t.user, t.answer) for t in magics.session.chats.get(chat).turns]


def conversation(request):
    return [(m["role"], m["content"]) for m in request.body["messages"]]


def bundles_for(outputs, display_id):
    """Every bundle published to one display (first display and its updates), in order."""
    return [o.data for o in outputs if o.transient.get("display_id") == display_id]


def click(button):
    with capture_output() as captured:
        button.click()
    return captured


def widget_outputs(out):
    return [o for o in out.outputs if WIDGET_MIME in o.data]


@pytest.fixture
def statuses():
    """statuses(panel) -> a list that records every value the status line takes from now on."""

    def record(panel):
        seen = []
        panel.status.observe(lambda change: seen.append(change["new"] or ""), names="tooltip")
        return seen

    return record


# -- the cell panel -------------------------------------------------------------------------


def test_panel_is_shown_above_the_answer_prefilled_with_what_was_sent(run, magics, aiml_simulator):
    aiml_simulator.script(Reply(content="the answer"))
    out = run(
        "%%aiml -m openai/gpt-4o -t 0.3 --top-p 0.9 --max-tokens 50 --seed 7 "
        "--frequency-penalty 0.5 --presence-penalty -0.5 --no-stream\nquestion",
        cell_id="c1",
    )
    assert out.error is None
    panel = magics.last_panel
    # The panel is its own display, first; the answer is a separate ordinary bundle below it.
    assert WIDGET_MIME in out.outputs[0].data
    assert out.outputs[0].data[WIDGET_MIME]["model_id"] == panel.widget.model_id
    assert "aiml panel" in out.outputs[0].data["text/plain"]
    assert "the answer" in out.final_markdown
    assert out.outputs[-1].transient["display_id"] == panel.answer_id

    c = panel.controls
    assert c.model.value == "openai/gpt-4o"
    assert {name: box.value for name, box in c.numbers.items()} == {
        "temperature": "0.3",
        "top_p": "0.9",
        "max_tokens": "50",
        "seed": "7",
        "frequency_penalty": "0.5",
        "presence_penalty": "-0.5",
    }
    assert c.stream.value is False
    # Collapsed: one line until the toggle opens the controls.
    assert c.widget.layout.display == "none"
    panel.toggle.value = True
    assert c.widget.layout.display != "none"
    # The status line ends with "done" and the time; the usage is the footer's alone.
    assert re.fullmatch(r"done · \d+\.\d s", panel.status.tooltip)
    for expected in ("prompt", "completion", "credits", "$"):
        assert expected in out.final_markdown
    assert not panel.busy and not panel.regenerate_button.disabled


def test_panel_defaults_show_the_effective_model_and_empty_boxes(run, magics, aiml_simulator):
    run("%%aiml\nquestion", cell_id="c1")
    c = magics.last_panel.controls
    assert c.model.value == "bytedance/seed-1-8"
    assert all(box.value == "" for box in c.numbers.values())
    assert c.stream.value is True


def test_model_combobox_offers_the_cached_model_list_and_free_text(run, magics, aiml_simulator):
    names = magics.session.model_names(wait=10)
    assert "openai/gpt-4o" in names
    run("%%aiml\nquestion", cell_id="c1")
    combo = magics.last_panel.controls.model
    assert "openai/gpt-4o" in combo.options and combo.ensure_option is False


def test_regenerate_sends_the_panel_values_with_the_same_context(run, ip, magics, aiml_simulator):
    aiml_simulator.script(
        Reply(content="a1"), Reply(content="a2"), Reply(content="a3"), Reply(content="a2 new")
    )
    run("%%aiml -s 'Be brief.'\nq1", cell_id="c1")
    second = run("%%aiml -t 0.3 -o answer\nq2", cell_id="c2")
    panel = magics.last_panel
    run("%%aiml\nq3", cell_id="c3")
    assert ip.user_ns["answer"] == "a2" and ip.user_ns["_aiml"].text == "a3"
    sent = len(aiml_simulator.chat_requests)

    panel.controls.model.value = "openai/gpt-4o"
    panel.controls.numbers["temperature"].value = "1.2"
    panel.controls.numbers["max_tokens"].value = "64"
    assert len(aiml_simulator.chat_requests) == sent  # changing a control sends nothing
    captured = click(panel.regenerate_button)

    assert len(aiml_simulator.chat_requests) == sent + 1
    body = aiml_simulator.chat_requests[-1].body
    assert body["model"] == "openai/gpt-4o"
    assert (body["temperature"], body["max_tokens"], body["stream"]) == (1.2, 64, True)
    # Same context: the system prompt and the turns before this cell, not the ones after it.
    assert conversation(aiml_simulator.chat_requests[-1]) == [
        ("system", "Be brief."),
        ("user", "q1"),
        ("assistant", "a1"),
        ("user", "q2"),
    ]
    # The cell's turn is replaced in place, not appended.
    assert turns(magics) == [("q1", "a1"), ("q2", "a2 new"), ("q3", "a3")]
    assert ip.user_ns["_aiml"].text == "a2 new"
    assert ip.user_ns["answer"] == "a2 new"
    # Streamed in place into the cell's own answer display: updates only, no new display.
    answer_id = second.outputs[-1].transient["display_id"]
    assert panel.answer_id == answer_id
    assert captured.outputs and all(o.update for o in captured.outputs)
    panel_ids = (answer_id, panel.panel_id)
    assert all(o.transient["display_id"] in panel_ids for o in captured.outputs)
    # The panel's output gets a static stand-in (shown when a reopened notebook has no widget
    # state), before the answer's final update, which stays the last output.
    stand_in = bundles_for(captured.outputs, panel.panel_id)[-1]
    assert stand_in["text/plain"] == f"[aiml: openai/gpt-4o · {panel.ended}]"
    assert panel.status.tooltip.startswith(f"{panel.ended} · sent with model openai/gpt-4o")
    assert stand_in["text/markdown"].startswith("*openai/gpt\\-4o · done · ")
    assert WIDGET_MIME in stand_in
    assert captured.outputs[-1].transient["display_id"] == answer_id
    assert "a2 new" in captured.outputs[-1].data["text/markdown"]
    assert captured.outputs[-1].metadata["aiml"]["requested_model"] == "openai/gpt-4o"
    assert panel.status.tooltip.startswith("done")
    assert not panel.busy and not panel.regenerate_button.disabled


def test_regenerate_with_unchanged_controls_resends_the_same_request(run, magics, aiml_simulator):
    aiml_simulator.script(Reply(content='{"a": 1}'), Reply(content='{"a": 2}'))
    run(
        "%%aiml --json -t 0.5 --seed 3 -p reasoning_effort=low -p 'stop=[\"END\"]'\nGive JSON",
        cell_id="c1",
    )
    first = aiml_simulator.chat_requests[-1].body
    click(magics.last_panel.regenerate_button)
    again = aiml_simulator.chat_requests[-1].body
    assert again == first
    assert magics.session.namespace["_aiml"].json == {"a": 2}


def test_regenerate_with_new_values_says_the_cell_source_still_holds_the_old_ones(
    run, magics, aiml_simulator
):
    run("%%aiml -t 0.3\nq", cell_id="c1")
    panel = magics.last_panel
    panel.controls.numbers["temperature"].value = "0.9"
    panel.controls.numbers["top_p"].value = "0.5"
    click(panel.regenerate_button)
    assert aiml_simulator.chat_requests[-1].body["temperature"] == 0.9
    status = panel.status.tooltip
    assert status.startswith("done · ")
    assert status.endswith(
        "sent with temperature 0.9, top_p 0.5; the cell's source is unchanged (running the "
        "cell sends its own options)"
    )
    # Back to the cell's own values: nothing to say.
    panel.controls.numbers["temperature"].value = "0.3"
    panel.controls.numbers["top_p"].value = ""
    click(panel.regenerate_button)
    assert "source" not in panel.status.tooltip


def test_regenerate_asks_for_a_new_answer_even_when_recordings_replay(
    run, ip, magics, aiml_simulator, tmp_path
):
    ip.run_line_magic("config", f"AimlMagics.replay_path = {str(tmp_path / 'r.jsonl')!r}")
    run("%aiml replay auto")
    aiml_simulator.script(Reply(content="first"), Reply(content="second"))
    run("%%aiml\nq", cell_id="c1")
    click(magics.last_panel.regenerate_button)
    assert len(aiml_simulator.chat_requests) == 2
    assert magics.session.namespace["_aiml"].text == "second"
    run("%%aiml\nq", cell_id="c1")  # the new answer replaced the recording
    assert len(aiml_simulator.chat_requests) == 2
    assert magics.session.namespace["_aiml"].text == "second"


def test_streaming_can_be_switched_off_in_the_panel(run, magics, aiml_simulator):
    run("%%aiml\nq", cell_id="c1")
    panel = magics.last_panel
    panel.controls.stream.value = False
    click(panel.regenerate_button)
    assert aiml_simulator.chat_requests[-1].body["stream"] is False


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("temperature", "hot", "temperature must be a number, got 'hot'"),
        ("temperature", "5", "temperature must be between 0 and 2, got 5"),
        ("top_p", "0", "top_p must be between 0.01 and 1"),
        ("max_tokens", "0", "max_tokens must be >= 1, got 0"),
        ("seed", "1.5", "seed must be a whole number"),
        ("presence_penalty", "nan", "presence_penalty must be a finite number"),
    ],
)
def test_an_invalid_value_sends_nothing_and_says_why(
    run, ip, magics, aiml_simulator, name, text, message
):
    aiml_simulator.script(Reply(content="old answer"))
    run("%%aiml -o answer\nq", cell_id="c1")
    panel = magics.last_panel
    sent = len(aiml_simulator.chat_requests)
    before = (turns(magics), ip.user_ns["_aiml"], ip.user_ns["answer"])

    panel.controls.numbers[name].value = text
    captured = click(panel.regenerate_button)

    assert len(aiml_simulator.chat_requests) == sent
    assert message in panel.status.tooltip and "nothing was sent" in panel.status.tooltip
    assert captured.outputs == [] and captured.stdout == "" and captured.stderr == ""
    assert (turns(magics), ip.user_ns["_aiml"], ip.user_ns["answer"]) == before
    assert not panel.busy


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply.error(401), "Invalid API key"),
        (Reply(content="NEW PARTIAL " * 30, fault=Fault.disconnect(2)), "Incomplete answer"),
        (Reply.error(429, headers={"retry-after-ms": "10"}, times=3), "Rate limited"),
    ],
    ids=["401", "cut-stream", "retries-then-429"],
)
def test_an_error_while_regenerating_keeps_the_old_answer_and_turn(
    run, ip, magics, aiml_simulator, reply, error
):
    aiml_simulator.script(Reply(content="old answer"))
    first = run("%%aiml -o answer\nq", cell_id="c1")
    panel = magics.last_panel
    old_final = first.outputs[-1].data
    before = (turns(magics), ip.user_ns["_aiml"], ip.user_ns["answer"])

    aiml_simulator.script(reply)
    panel.controls.numbers["temperature"].value = "1"
    captured = click(panel.regenerate_button)

    assert aiml_simulator.chat_requests[-1].body["temperature"] == 1.0  # it was really tried
    # The answer display ends as it was before the click, whatever was streamed into it.
    history = bundles_for(first.outputs + captured.outputs, panel.answer_id)
    assert history[-1] == old_final
    assert "old answer" in history[-1]["text/markdown"]
    assert "NEW PARTIAL" not in history[-1]["text/markdown"]
    # The conversation, `_aiml` and the -o variable are unchanged.
    assert (turns(magics), ip.user_ns["_aiml"], ip.user_ns["answer"]) == before
    # The error is in the status line, not a traceback in the kernel.
    assert error in panel.status.tooltip and "previous answer is kept" in panel.status.tooltip
    assert "Traceback" not in captured.stdout + captured.stderr
    assert not panel.busy and not panel.regenerate_button.disabled
    # A second failure still puts back the last complete answer, not the first failure's.
    aiml_simulator.script(Reply(content="SECOND PARTIAL " * 30, fault=Fault.disconnect(2)))
    again = click(panel.regenerate_button)
    assert bundles_for(again.outputs, panel.answer_id)[-1] == old_final
    # The panel still works afterwards.
    aiml_simulator.script(Reply(content="recovered"))
    click(panel.regenerate_button)
    assert turns(magics) == [("q", "recovered")]


def test_a_failed_cell_can_be_fixed_and_regenerated_into_its_reserved_display(
    run, magics, aiml_simulator
):
    aiml_simulator.script(Reply.error(401))
    out = run("%%aiml\nq", cell_id="c1")
    assert type(out.error).__name__ == "AuthenticationError"
    panel = magics.last_panel
    # The error is said once, by the cell's one-line error: not in the status line, and no
    # "no answer yet" stand-in between them.
    assert "Invalid API key" in str(out.error)
    assert not panel.status.tooltip
    assert out.outputs[-1].transient["display_id"] == panel.answer_id
    assert out.outputs[-1].data == {"text/plain": ""}
    assert not panel.busy
    assert turns(magics) == []

    aiml_simulator.script(Reply(content="now it works"))
    captured = click(panel.regenerate_button)
    assert "now it works" in bundles_for(captured.outputs, panel.answer_id)[-1]["text/markdown"]
    assert turns(magics) == [("q", "now it works")]


def test_a_click_while_streaming_starts_nothing(run, magics, aiml_simulator):
    seen = []

    def click_during_the_turn(_result):
        panel = magics.last_panel
        seen.append((panel.busy, panel.regenerate_button.disabled))
        panel.regenerate_button.click()

    magics.session.listeners.append(click_during_the_turn)
    try:
        run("%%aiml\nq", cell_id="c1")  # the cell's own stream
        assert len(aiml_simulator.chat_requests) == 1
        click(magics.last_panel.regenerate_button)  # a regeneration's stream
        assert len(aiml_simulator.chat_requests) == 2
    finally:
        magics.session.listeners.remove(click_during_the_turn)
    assert seen == [(True, True), (True, True)]
    assert len(magics.session.chats.get("default").turns) == 1
    assert not magics.last_panel.busy and not magics.last_panel.regenerate_button.disabled


def test_status_line_follows_retries_reasoning_and_ends_with_usage(
    run, magics, aiml_simulator, statuses
):
    run("%%aiml\nq", cell_id="c1")
    panel = magics.last_panel
    seen = statuses(panel)
    aiml_simulator.script(
        Reply.error(429, headers={"retry-after-ms": "10"}),
        Reply(content="the answer", reasoning="SECRET REASONING " * 20, credits=1234),
    )
    click(panel.regenerate_button)

    text = "\n".join(seen)
    assert "waiting 0.0 s before retry 1 of 2 (429 Too Many Requests)" in text
    assert any(s.startswith("thinking... (~") and "tokens" in s for s in seen)
    assert any(s.startswith("streaming ·") and "tok/s" in s for s in seen)
    assert "SECRET REASONING" not in text  # the reasoning is never repeated in the panel
    final = seen[-1]
    assert re.fullmatch(r"done · \d+\.\d s", final), "the usage is the footer's, not repeated"
    answer = panel.shown.result.text
    assert "the answer" in answer and all("retry" not in note for note in panel.shown.notes)


def test_a_failed_turn_leaves_the_status_line_to_the_error(run, magics, aiml_simulator):
    aiml_simulator.script(
        Reply(content="cut " * 40, reasoning="", chunk_size=8, fault=Fault.disconnect(4))
    )
    out = run("%%aiml\nq", cell_id="c1")
    assert "not added to the conversation" in str(out.error)  # said here, once
    assert not magics.last_panel.status.tooltip and not magics.last_panel.status.value
    assert "incomplete" not in out.final_markdown and "not added" not in out.final_markdown


def test_rerunning_a_cell_closes_the_panel_of_its_previous_run(run, magics, aiml_simulator):
    run("%%aiml\nq", cell_id="c1")
    old = magics.last_panel
    run("%%aiml\nq again", cell_id="c1")
    assert magics.last_panel is not old
    assert old.widget.comm is None and old.regenerate_button.comm is None
    assert magics.last_panel.widget.comm is not None


@pytest.mark.parametrize(
    "setup, source",
    [
        ("", "%%aiml --no-panel\nq"),
        ("%config AimlMagics.panel = False", "%%aiml\nq"),
    ],
)
def test_panel_can_be_turned_off(run, magics, aiml_simulator, setup, source):
    if setup:
        run(setup)
    out = run(source, cell_id="c1")
    assert out.error is None and widget_outputs(out) == []
    assert getattr(magics, "last_panel", None) is None
    assert out.final_markdown.strip()


def test_without_a_cell_id_there_is_no_widget_output_at_all(run, magics, aiml_simulator):
    aiml_simulator.script(Reply(content="plain answer"))
    out = run("%%aiml\nq")
    assert out.error is None
    assert widget_outputs(out) == []
    assert len({o.transient.get("display_id") for o in out.outputs}) == 1  # only the answer
    assert "plain answer" in out.final_markdown
    assert getattr(magics, "last_panel", None) is None
    panel_out = run("%aiml panel")
    assert panel_out.outputs == [] and "needs a widget frontend" in panel_out.stdout


# -- the session panel ----------------------------------------------------------------------


def session_panel(run, magics):
    out = run("%aiml panel", cell_id="p")
    assert out.error is None and len(widget_outputs(out)) == 1
    return magics.last_session_panel


def test_session_controls_change_what_the_next_cell_sends(run, magics, aiml_simulator):
    panel = session_panel(run, magics)
    c = panel.controls
    assert c.model.value == "bytedance/seed-1-8" and c.numbers["temperature"].value == ""
    c.model.value = "openai/gpt-4o"
    c.numbers["temperature"].value = "0.7"
    c.numbers["max_tokens"].value = "100"
    c.stream.value = False
    assert (magics.model, magics.temperature, magics.max_tokens) == ("openai/gpt-4o", 0.7, 100)

    run("%%aiml\nq1", cell_id="c1")
    body = aiml_simulator.chat_requests[-1].body
    assert body["model"] == "openai/gpt-4o"
    assert (body["temperature"], body["max_tokens"], body["stream"]) == (0.7, 100, False)

    table = run("%aiml config").outputs[-1].data["text/plain"]
    rows = {line.split()[0]: line.split() for line in table.splitlines()[2:]}
    assert rows["temperature"][1:] == ["0.7", "%config"]
    assert rows["model"][1:] == ["openai/gpt-4o", "%config"]

    c.numbers["temperature"].value = ""  # empty: not sent
    run("%%aiml\nq2", cell_id="c2")
    assert "temperature" not in aiml_simulator.chat_requests[-1].body
    assert magics.temperature is None


def test_session_controls_reject_impossible_values(run, magics, aiml_simulator):
    panel = session_panel(run, magics)
    panel.controls.numbers["temperature"].value = "0.4"
    panel.controls.numbers["temperature"].value = "hot"
    assert "temperature must be a number" in panel.status.tooltip
    assert magics.temperature == 0.4
    panel.controls.model.value = "  "
    assert "type a model id" in panel.status.tooltip
    assert magics.model == "bytedance/seed-1-8"


def test_session_controls_follow_config_changes(run, magics):
    panel = session_panel(run, magics)
    run("%config AimlMagics.temperature = 0.2")
    run("%config AimlMagics.model = 'openai/gpt-4o'")
    assert panel.controls.numbers["temperature"].value == "0.2"
    assert panel.controls.model.value == "openai/gpt-4o"


def test_a_saved_session_panel_says_how_to_open_it_again(run, magics):
    out = run("%aiml panel", cell_id="p")
    (shown,) = [o.data for o in out.outputs if WIDGET_MIME in o.data]
    assert shown["text/plain"].startswith("[aiml session panel")  # the extension's marker
    assert "`%aiml panel` opens it again" in shown["text/markdown"]


def test_session_panel_lists_chats_resets_them_and_refreshes_usage(run, magics, aiml_simulator):
    panel = session_panel(run, magics)
    assert "No requests yet" in panel.usage.value and panel.reset_buttons == {}

    run("%%aiml\nq1", cell_id="c1")
    run("%%aiml -c side\nq2", cell_id="c2")
    run("%%aiml\nq3", cell_id="c3")
    # Refreshed by the answers themselves, no click needed.
    labels = [row.children[0].value for row in panel.chats.children]
    assert labels == ["default: 2 turn(s)", "side: 1 turn(s)"]
    assert "seed-1-8" in panel.usage.value and "<td>3</td>" in panel.usage.value

    panel.reset_buttons["side"].click()
    assert "side" not in magics.session.chats
    assert [row.children[0].value for row in panel.chats.children] == ["default: 2 turn(s)"]
    assert "Forgot chat 'side'" in panel.status.tooltip
    assert len(turns(magics)) == 2


def test_session_panel_escapes_model_names_in_the_usage_table(run, magics, aiml_simulator):
    from aiml_magics.chat.conversation import UsageTotals

    panel = session_panel(run, magics)
    magics.session.totals["<img src=x onerror=alert(1)>"] = UsageTotals(requests=1)
    run("%%aiml\nq", cell_id="c1")  # an answer refreshes the table
    assert "<img" not in panel.usage.value and "&lt;img" in panel.usage.value


def test_closed_session_panels_stop_listening(run, magics):
    panel = session_panel(run, magics)
    assert panel._listener in magics.session.listeners
    panel.close()
    assert panel._listener not in magics.session.listeners
    run("%config AimlMagics.temperature = 0.9")  # no error from a closed panel's observer
    assert magics.temperature == 0.9


def test_weak_listener_forgets_a_collected_panel():
    from aiml_magics.widgets.session_panel import WeakCallback

    class Target:
        def method(self, *args):
            calls.append(args)

    calls, registry = [], []
    target = Target()
    callback = WeakCallback(target.method, registry.remove)
    registry.append(callback)
    callback(1)
    assert calls == [(1,)]
    del target
    callback(2)
    assert calls == [(1,)] and registry == []


def test_interrupting_a_regeneration_puts_the_previous_answer_back(run, ip, magics, aiml_simulator):
    import os
    import signal
    import threading
    import time

    aiml_simulator.script(Reply(content="old answer"))
    first = run("%%aiml\nq", cell_id="c1")
    panel = magics.last_panel
    sent = len(aiml_simulator.chat_requests)
    aiml_simulator.script(Reply(content="word " * 400, reasoning="", chunk_size=5, delay=0.02))

    def interrupt_once_streaming():
        deadline = time.monotonic() + 30
        while len(aiml_simulator.chat_requests) == sent and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)
        os.kill(os.getpid(), signal.SIGINT)  # what a kernel interrupt does

    thread = threading.Thread(target=interrupt_once_streaming, daemon=True)
    thread.start()
    captured = click(panel.regenerate_button)
    thread.join()

    history = bundles_for(first.outputs + captured.outputs, panel.answer_id)
    assert any("word word" in b["text/markdown"] for b in history)  # it did stream
    assert history[-1] == first.outputs[-1].data
    assert (
        "Interrupted" in panel.status.tooltip and "previous answer is kept" in panel.status.tooltip
    )
    assert turns(magics) == [("q", "old answer")]
    assert ip.user_ns["_aiml"].text == "old answer"
    assert not panel.busy


def test_session_panel_sets_and_shows_the_budget(run, magics, aiml_simulator):
    panel = session_panel(run, magics)
    assert panel.budget.value == "" and panel.budget_status.tooltip == "No budget: no limit."
    panel.budget.value = "2,000,000"
    assert magics.budget_credits == 2_000_000
    assert "AimlMagics.budget_credits = 2000000.0" in panel.status.tooltip
    assert "budget_credits" in run("%aiml config").outputs[-1].data["text/plain"]
    run("%%aiml\nq1", cell_id="c1")
    spent = magics.session.spent_credits()
    assert panel.budget_status.tooltip.startswith("Budget: 2,000,000 credits ($1) · spent ")
    assert f"left {2_000_000 - spent:,.0f} credits" in panel.budget_status.tooltip
    panel.budget.value = "lots"
    assert "the budget must be a number of credits" in panel.status.tooltip
    assert magics.budget_credits == 2_000_000, "a bad value changes nothing"
    run("%config AimlMagics.budget_credits = 5000")
    assert panel.budget.value == "5,000"
    panel.budget.value = ""
    assert magics.budget_credits is None and panel.budget_status.tooltip == "No budget."


def test_the_status_line_shows_amounts_literally_wraps_and_keeps_the_whole_line(run, magics):
    """A Label is typeset by MathJax (two amounts would read as math) and is cut with an
    ellipsis: the status line is HTML that is never typeset, wraps, and has a tooltip."""
    import ipywidgets as widgets

    run("%%aiml\nq", cell_id="c1")
    panel = magics.last_panel
    line = "Not sent: ~0.5 credits ($0.00004) to 256,000 credits ($0.128) <b>over</b> budget"
    panel._report(line)
    assert type(panel.status) is widgets.HTML  # not Label, HTMLMath: nothing typesets it
    assert "$" not in panel.status.value and panel.status.value.count("&#36;") == 2
    assert "<b>" not in panel.status.value and "&lt;b&gt;over" in panel.status.value
    assert "white-space:normal" in panel.status.value
    assert panel.status.tooltip == line
