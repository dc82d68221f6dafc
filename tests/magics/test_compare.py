"""`%%aiml --compare`: several models at once through the one send path, nothing recorded
until an answer is chosen, failures kept to their own column, the usage errors."""

from __future__ import annotations

import time

import pytest
from test_failures import interrupt_when_streaming

from aiml_magics.chat.compare import Comparison
from aiml_magics.display.compare import comparison_markdown
from aiml_magics.simulator import Fault, Reply
from aiml_magics.widgets.compare_grid import CompareGrid

GPT, SEED, SONNET = "openai/gpt-4o", "bytedance/seed-1-8", "anthropic/claude-sonnet-4.5"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def turns(magics, name="default"):
    return [(t.user, t.answer, t.requested_model) for t in magics.session.chats.get(name).turns]


def table_output(out):
    return next(o for o in reversed(out.outputs) if "| model |" in o.data.get("text/markdown", ""))


def test_the_models_stream_at_the_same_time(run, aiml_simulator, magics):
    for model in (GPT, SEED, SONNET):
        aiml_simulator.script_for(
            model, Reply(content="word " * 30, reasoning="", chunk_size=15, delay=0.1)
        )
    started = time.monotonic()
    out = run(f"%%aiml --compare {GPT},{SEED},{SONNET}\nhello")
    wall = time.monotonic() - started
    assert out.error is None
    received = sorted(r.received for r in aiml_simulator.chat_requests)
    assert len(received) == 3
    # each answer takes about 1 s (10 pieces, 0.1 s apart): one after another would be 3 s
    assert received[-1] - received[0] < 0.5, "all three requests went out at once"
    assert wall < 2.4
    comparison = magics.session.namespace["_aiml"]
    assert isinstance(comparison, Comparison)
    assert [r.text for r in comparison.results.values()] == ["word " * 30] * 3
    assert turns(magics) == [], "nothing is recorded before an answer is chosen"


def test_aiml_shows_a_comparison_as_its_table(run, aiml_simulator, ip, magics):
    """The formatter is registered by module and class name: it must follow `Comparison`."""
    for model in (GPT, SEED):
        aiml_simulator.script_for(model, Reply(content=f"from {model}", reasoning=""))
    assert run(f"%%aiml --compare {GPT},{SEED}\nhello").error is None
    comparison = magics.session.namespace["_aiml"]
    shown, _ = ip.display_formatter.format(comparison)
    assert shown["text/markdown"] == comparison_markdown(comparison)
    assert shown["text/markdown"].startswith("| model |")


def test_one_failure_does_not_stop_the_others(run, aiml_simulator, magics):
    aiml_simulator.script_for(
        GPT, Reply.error(400, message="Unsupported parameter: 'seed' is not supported")
    )
    aiml_simulator.script_for(
        SEED,
        Reply(content="half of it " * 20, reasoning="", chunk_size=8, fault=Fault.disconnect(3)),
    )
    aiml_simulator.script_for(SONNET, Reply(content="complete answer", reasoning=""))
    out = run(f"%%aiml --compare {GPT},{SEED},{SONNET} --seed 7\nhello")
    assert out.error is None, "one model answered, so the cell succeeded"
    comparison = magics.session.namespace["_aiml"]
    rows = {row["model"]: row for row in comparison.rows()}
    assert rows[GPT]["status"] == "failed" and "Unsupported parameter" in rows[GPT]["error"]
    assert rows[SEED]["status"] == "incomplete" and "connection broke" in rows[SEED]["error"]
    assert rows[SONNET]["status"] == "done" and rows[SONNET]["error"] is None
    assert comparison.results[SEED].text.startswith("half of it")
    assert comparison.results[SEED].complete is False
    assert comparison.results[SONNET].text == "complete answer"
    assert comparison.completed() == [SONNET]
    shown = "\n".join(o.data["text/markdown"] for o in out.outputs)
    assert "Unsupported parameter" in shown and "complete answer" in shown
    assert all(r.body["seed"] == 7 for r in aiml_simulator.chat_requests), "-s applies to all"


def test_an_unknown_model_names_close_matches_in_its_row(run, aiml_simulator, magics):
    out = run(f"%%aiml --compare openai/gpt-4oo,{SONNET}\nhello")
    assert out.error is None
    error = magics.session.namespace["_aiml"].errors["openai/gpt-4oo"]
    assert "not a model" in error and "openai/gpt-4o" in error


def test_retry_waits_show_in_that_models_column_only(run, aiml_simulator, magics):
    magics.max_retries = 1
    aiml_simulator.script_for(GPT, Reply.error(429, headers={"retry-after-ms": "10"}, times=2))
    aiml_simulator.script_for(SONNET, Reply(content="fine", reasoning=""))
    out = run(f"%%aiml --compare {GPT},{SONNET}\nhello")
    assert out.error is None
    states = {s.model: s for s in magics.session.namespace["_aiml"].states}
    assert any("retry 1 of 1" in note for note in states[GPT].notes)
    assert states[SONNET].notes == ()
    assert "429" in states[GPT].error


def test_every_option_goes_to_every_model(run, aiml_simulator):
    out = run(
        f"%%aiml --compare {GPT},{SONNET} -t 0.3 --top-p 0.9 --max-tokens 50 "
        '--presence-penalty 0.5 -p user=abc --json -s "Be brief."\nhello'
    )
    assert out.error is None
    bodies = [r.body for r in aiml_simulator.chat_requests]
    assert sorted(b["model"] for b in bodies) == sorted([GPT, SONNET])
    for body in bodies:
        assert body["temperature"] == 0.3 and body["top_p"] == 0.9 and body["max_tokens"] == 50
        assert body["presence_penalty"] == 0.5 and body["user"] == "abc"
        assert body["response_format"] == {"type": "json_object"}
        assert body["messages"][0] == {"role": "system", "content": "Be brief."}


def test_choosing_records_exactly_one_turn_and_choosing_again_replaces_it(
    run, aiml_simulator, magics
):
    aiml_simulator.script_for(GPT, Reply(content="answer of gpt", reasoning=""))
    aiml_simulator.script_for(SONNET, Reply(content="answer of sonnet", reasoning=""))
    run(f"%%aiml --compare {GPT},{SONNET}\nwhich?", cell_id="cmp")
    grid = magics.last_comparison
    assert isinstance(grid, CompareGrid)
    assert turns(magics) == []
    grid.columns[SONNET].button.click()
    assert turns(magics) == [("which?", "answer of sonnet", SONNET)]
    grid.columns[GPT].button.click()
    assert turns(magics) == [("which?", "answer of gpt", GPT)]
    assert grid.columns[GPT].button.description.startswith("✓")
    assert not grid.columns[SONNET].button.description.startswith("✓")
    # the next cell continues from the chosen answer
    run("%%aiml\nand then?", cell_id="next")
    sent = aiml_simulator.chat_requests[-1].body["messages"]
    assert sent[-2] == {"role": "assistant", "content": "answer of gpt"}


def test_the_grid_shows_columns_whose_answers_are_markdown_not_html(run, aiml_simulator, magics):
    hostile = "<img src=x onerror=alert(1)> **bold**"
    aiml_simulator.script_for(GPT, Reply(content=hostile, reasoning=""))
    aiml_simulator.script_for(SONNET, Reply(content="calm", reasoning=""))
    out = run(f"%%aiml --compare {GPT},{SONNET}\nhi", cell_id="grid")
    assert WIDGET_VIEW in out.outputs[0].data
    grid = magics.last_comparison
    data = grid.columns[GPT].answer.outputs[0]["data"]
    assert set(data) == {"text/markdown", "text/plain"}
    assert "<img" not in data["text/markdown"] and "**bold**" in data["text/markdown"]
    assert grid.columns[SONNET].button.disabled is False
    assert grid.widget.layout.flex_flow == "row wrap"
    # Widget state is not saved: the grid's own output carries its answers as a stand-in,
    # once; the table under it does not repeat them.
    stand_in = [o.data for o in out.outputs if WIDGET_VIEW in o.data][-1]["text/markdown"]
    assert "calm" in stand_in and "**bold**" in stand_in and "<img" not in stand_in
    assert "calm" not in table_output(out).data["text/markdown"]


def test_keep_chooses_without_widgets_and_the_metadata_says_so(run, aiml_simulator, magics):
    aiml_simulator.script_for(GPT, Reply(content="gpt says", reasoning=""))
    aiml_simulator.script_for(SONNET, Reply(content="sonnet says", reasoning=""))
    out = run(f"%%aiml --compare {GPT},{SONNET} --keep {SONNET} -o cmp\nwhich?")
    assert out.error is None
    assert turns(magics) == [("which?", "sonnet says", SONNET)]
    meta = table_output(out).metadata["aiml"]
    assert meta["chosen"] == SONNET
    assert set(meta["compare"]["answers"]) == {GPT, SONNET}
    assert meta["compare"]["answers"][GPT]["usage"]["completion_tokens"] > 0
    assert magics.session.namespace["cmp"] is magics.session.namespace["_aiml"]
    assert "sonnet says's answer" not in table_output(out).data["text/markdown"]


def test_keep_of_a_model_that_failed_records_nothing_and_says_why(run, aiml_simulator, magics):
    aiml_simulator.script_for(GPT, Reply(content="gpt says", reasoning=""))
    aiml_simulator.script_for(SONNET, Reply.error(400, message="bad request"))
    out = run(f"%%aiml --compare {GPT},{SONNET} --keep {SONNET}\nwhich?")
    assert type(out.error).__name__ == "CompareError" and "--keep" in str(out.error)
    assert turns(magics) == []


def test_the_table_numbers_are_each_streams_usage(run, aiml_simulator, magics):
    usages = {
        GPT: {"prompt_tokens": 11, "completion_tokens": 22, "total_tokens": 33},
        SONNET: {
            "prompt_tokens": 44,
            "completion_tokens": 55,
            "total_tokens": 99,
            "completion_tokens_details": {"reasoning_tokens": 6},
        },
    }
    credits = {GPT: 1234.0, SONNET: 567.0}
    for model in usages:
        aiml_simulator.script_for(
            model, Reply(content=f"from {model}", usage=usages[model], credits=credits[model])
        )
    out = run(f"%%aiml --compare {GPT},{SONNET}\nhi")
    comparison = magics.session.namespace["_aiml"]
    rows = {row["model"]: row for row in comparison.rows()}
    for model, usage in usages.items():
        result = comparison.results[model]
        assert rows[model]["prompt_tokens"] == usage["prompt_tokens"] == result.usage.prompt_tokens
        assert rows[model]["completion_tokens"] == usage["completion_tokens"]
        assert rows[model]["credits"] == credits[model]
        assert rows[model]["dollars"] == result.dollars
    assert rows[SONNET]["reasoning_tokens"] == 6
    assert rows[SONNET]["mark"].startswith("cheapest")
    assert comparison.best("credits") == SONNET
    assert [r["model"] for r in comparison.rows()] == [GPT, SONNET], "sorted as asked"
    table = table_output(out).data["text/markdown"]
    assert "1,234" in table and "567" in table and "↓ cheapest" in table
    frame = comparison.table
    assert list(frame.index) == [GPT, SONNET] and frame.loc[GPT, "credits"] == 1234.0


def test_usage_counts_each_models_request(run, aiml_simulator, ip):
    run(f"%%aiml --compare {GPT},{SONNET}\nhi")
    out = run("%aiml usage")
    shown = out.stdout + "".join(o.data.get("text/plain", "") for o in out.outputs)
    assert GPT in shown and SONNET in shown


def test_interrupt_stops_every_stream_and_keeps_what_was_shown(run, aiml_simulator, magics):
    for model in (GPT, SEED, SONNET):
        aiml_simulator.script_for(
            model, Reply(content="word " * 400, reasoning="", chunk_size=5, delay=0.02)
        )
    thread = interrupt_when_streaming(aiml_simulator, after_seconds=0.5)
    started = time.monotonic()
    out = run(f"%%aiml --compare {GPT},{SEED},{SONNET}\nlong")
    thread.join()
    assert time.monotonic() - started < 6, "stopped at once, not at the end of the answers"
    assert type(out.error).__name__ == "StoppedError"
    assert turns(magics) == []
    shown = [o.data["text/markdown"] for o in out.outputs]
    table = shown[-1]
    assert table.count("interrupted") >= 3
    assert sum("word word" in s for s in shown) >= 3, "each column keeps its text"


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (f"--compare {GPT}", "2 to 6 models"),
        ("--compare " + ",".join(f"m{i}" for i in range(7)), "2 to 6 models"),
        (f"--compare {GPT},{GPT}", "more than once"),
        (f"--compare {GPT},{SONNET} --tools len", "--tools cannot be used with --compare"),
        (f"--compare {GPT},{SONNET} -m {GPT}", "drop -m"),
        (f"--compare {GPT},{SONNET} --to-cell", "--to-cell"),
        (f"--compare {GPT},{SONNET} --keep {SEED}", "not among"),
        (f"--keep {GPT}", "--keep MODEL chooses"),
        (f"--compare {GPT},{SONNET} --keep {GPT} --no-history", "--no-history"),
    ],
)
def test_usage_errors_send_nothing(run, aiml_simulator, options, says):
    out = run(f"%%aiml {options}\nhi")
    assert type(out.error).__name__ == "UsageError"
    assert says in str(out.error)
    assert aiml_simulator.chat_requests == []


def test_dry_run_shows_each_models_request_and_sends_nothing(run, aiml_simulator):
    out = run(f"%%aiml --compare {GPT},{SONNET} --dry-run -t 0.2\nhi")
    assert out.error is None
    shown = "\n".join(o.data["text/markdown"] for o in out.outputs)
    assert f'"model": "{GPT}"' in shown and f'"model": "{SONNET}"' in shown
    assert aiml_simulator.chat_requests == []


def test_no_history_sends_no_context_and_offers_no_choice(run, aiml_simulator, magics):
    aiml_simulator.script(Reply(content="earlier", reasoning=""))
    run("%%aiml\nfirst")
    out = run(f"%%aiml --compare {GPT},{SONNET} --no-history\nsecond", cell_id="nh")
    assert out.error is None
    for request in aiml_simulator.chat_requests[1:]:
        assert [m["role"] for m in request.body["messages"]] == ["user"]
    grid = magics.last_comparison
    assert grid.columns[GPT].button.layout.display == "none"
    with pytest.raises(ValueError, match="no-history"):
        magics.session.namespace["_aiml"].choose(GPT)


def test_tab_completes_model_lists(ip, magics, aiml_simulator):
    names = magics.session.model_names(wait=10)
    assert GPT in names

    def tab(line):
        return ip.complete("", line, len(line))[1]

    assert GPT in tab("%%aiml --compare ")
    after_comma = tab(f"%%aiml --compare {GPT},")
    assert SONNET in after_comma and GPT not in after_comma
    assert SONNET in tab(f"%%aiml --compare {GPT},{SONNET} --keep ")
    offered = tab(f"%%aiml --compare {GPT},anth")
    assert offered, offered
    assert all(m.startswith("anth") for m in offered), offered


def test_script_for_answers_only_its_model_before_the_general_queue(aiml_simulator):
    from aiml_magics.api.client import AimlClient

    aiml_simulator.script(Reply(content="general", reasoning=""))
    aiml_simulator.script_for(SONNET, Reply(content="for sonnet", reasoning=""))
    client = AimlClient(aiml_simulator.api_key, aiml_simulator.base_url)
    assert aiml_simulator.pending == 2
    assert client.chat([{"role": "user", "content": "x"}], model=GPT).text == "general"
    assert client.chat([{"role": "user", "content": "x"}], model=SONNET).text == "for sonnet"
    assert aiml_simulator.pending == 0
