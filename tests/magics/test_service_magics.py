"""The service's own features through the real magic against the simulator: `--effort`,
`%aiml balance`, the deprecation notice and `%aiml models`' status and speed columns."""

from __future__ import annotations

from aiml_magics.simulator import Reply


def said(out) -> str:
    return (
        out.stdout
        + out.captured.stderr
        + "".join(o.data.get("text/plain", "") for o in out.outputs)
    )


def metrics_requests(simulator):
    return [r for r in simulator.requests if r.path.endswith("/models/metrics")]


# -- --effort ------------------------------------------------------------------------------


def test_effort_sends_reasoning_effort_apart_from_how_reasoning_is_shown(run, aiml_simulator):
    aiml_simulator.script(Reply(content="ok"))
    out = run("%%aiml -m bytedance/seed-1-8 --effort high --reasoning hide\nthink")
    assert out.error is None
    (sent,) = aiml_simulator.chat_requests
    assert sent.body["reasoning_effort"] == "high"
    assert "reasoning_effort may be ignored" not in said(out)  # seed-1-8 lists reasoning


def test_effort_refuses_other_words_and_sends_nothing(run, aiml_simulator):
    out = run("%%aiml --effort extreme\nhi")
    assert "--effort" in said(out) and "extreme" in said(out)
    assert aiml_simulator.chat_requests == []


def test_the_effort_setting_is_the_default_and_the_option_wins(run, ip, aiml_simulator):
    aiml_simulator.script(Reply(content="a"), Reply(content="b"), Reply(content="c"))
    ip.run_line_magic("config", "AimlMagics.effort = 'low'")
    run("%%aiml -m bytedance/seed-1-8\nhi")
    run("%%aiml -m bytedance/seed-1-8 --effort medium\nhi")
    ip.run_line_magic("config", "AimlMagics.effort = None")
    run("%%aiml -m bytedance/seed-1-8\nhi")
    sent = [r.body.get("reasoning_effort") for r in aiml_simulator.chat_requests]
    assert sent == ["low", "medium", None]


def test_a_model_without_reasoning_gets_one_note_once(run, aiml_simulator):
    aiml_simulator.script(Reply(content="one"), Reply(content="two"))
    first = run("%%aiml -m openai/gpt-4o --effort low\nhi")
    second = run("%%aiml -m openai/gpt-4o --effort low\nhi again")
    note = "openai/gpt-4o does not list the reasoning capability: reasoning_effort may be ignored"
    assert note in said(first)
    assert note not in said(second)
    assert [r.body["reasoning_effort"] for r in aiml_simulator.chat_requests] == ["low", "low"]


# -- the deprecation notice ----------------------------------------------------------------


def test_a_deprecated_model_is_named_once_with_its_date_and_replacement(run, aiml_simulator):
    aiml_simulator.script(Reply(content="old but fine"), Reply(content="again"))
    first = run("%%aiml -m openai/gpt-4-turbo\nhi")
    second = run("%%aiml -m openai/gpt-4-turbo\nhi")
    assert first.error is None and "old but fine" in said(first)
    assert "openai/gpt-4-turbo is deprecated; it retires on 2027-03-31; use openai/gpt-4o" in (
        said(first)
    )
    assert "deprecated" not in said(second)


def test_a_superseded_alias_is_named_with_its_replacement(run, aiml_simulator):
    aiml_simulator.script(Reply(content="fine"))
    out = run("%%aiml -m bytedance/seed-1-6\nhi")
    assert "bytedance/seed-1-6 is superseded by bytedance/seed-1-8 since 2026-05-01" in said(out)


def test_a_current_model_gets_no_notice(run, aiml_simulator):
    aiml_simulator.script(Reply(content="fine"))
    out = run("%%aiml -m openai/gpt-4o\nhi")
    assert "⚠" not in said(out)


def test_replay_only_asks_the_service_nothing_for_notes(run, ip, aiml_simulator, tmp_path):
    ip.run_line_magic("config", f"AimlMagics.replay_path = {str(tmp_path / 'r.jsonl')!r}")
    ip.run_line_magic("config", "AimlMagics.replay = 'only'")
    run("%%aiml -m openai/gpt-4-turbo\nhi")
    assert not [r for r in aiml_simulator.requests if "deprecat" in r.path]


# -- %aiml balance -------------------------------------------------------------------------


def test_balance_is_the_services_figure(run, aiml_simulator):
    aiml_simulator.balance = 12.5
    out = run("%aiml balance")
    assert out.error is None
    assert out.stdout.splitlines() == ["Balance: $12.50 (as the service states it)"]
    (asked,) = [r for r in aiml_simulator.requests if r.path == "/v2/billing"]
    assert asked.authorized
    assert not [r for r in aiml_simulator.requests if "detail" in r.path]


def test_balance_states_the_budget_against_it(run, ip, aiml_simulator):
    aiml_simulator.balance = 0.25  # 500,000 credits
    ip.run_line_magic("config", "AimlMagics.budget_credits = 1000000")
    out = run("%aiml balance")
    lines = out.stdout.splitlines()
    assert lines[0] == "Balance: $0.25 (as the service states it)"
    assert lines[1] == (
        "budget: 1,000,000 credits left of 1,000,000; the balance (500,000 credits) runs out first"
    )
    aiml_simulator.balance = 10.0
    assert "the balance covers it (20,000,000 credits)" in run("%aiml balance").stdout


def test_balance_without_a_key_is_one_clear_line(run, aiml_simulator, monkeypatch):
    monkeypatch.delenv("AIML_API_KEY")
    out = run("%aiml balance")
    text = out.stdout + out.captured.stderr
    assert out.error is not None
    assert "Traceback" not in text
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert "key" in lines[0].lower()


def test_balance_takes_no_arguments(run, aiml_simulator):
    out = run("%aiml balance now")
    assert "takes no arguments" in said(out)
    assert aiml_simulator.requests == []


# -- %aiml models ----------------------------------------------------------------------------


def test_models_marks_deprecations_and_shows_speed_from_one_metrics_request(
    run, magics, aiml_simulator
):
    out = run("%aiml models")
    assert out.error is None
    plain = out.outputs[-1].data["text/plain"]
    assert "status" in plain and "speed" in plain
    lines = {line.split()[0]: line for line in plain.splitlines() if line.strip()}
    assert "412 ms first token · 52 tok/s" in lines["openai/gpt-4o"]
    assert "replaces bytedance/seed-1-6 (superseded)" in lines["bytedance/seed-1-8"]
    # A deprecated model with a retirement date has left the list (a cell on it says so).
    assert "openai/gpt-4-turbo" not in lines
    # No data is blank, never zero.
    no_data = [line for key, line in lines.items() if key.startswith("google/")]
    assert no_data and not any("tok/s" in line or " 0 ms" in line for line in no_data)
    (asked,) = metrics_requests(aiml_simulator)
    asked_for = [value for name, value in asked.query_pairs if name == "aliases"]
    listed = [m.id for m in magics.session.client().models()]
    assert sorted(asked_for) == sorted(listed)


def test_a_model_filter_asks_speed_only_for_the_listed_models(run, aiml_simulator):
    out = run("%aiml models gpt-4o")
    assert out.error is None
    (asked,) = metrics_requests(aiml_simulator)
    asked_for = [value for name, value in asked.query_pairs if name == "aliases"]
    assert "openai/gpt-4o" in asked_for
    assert not [name for name in asked_for if "bytedance" in name]


# -- the --compare table -------------------------------------------------------------------


def test_the_compare_table_shows_the_services_speed_beside_the_measured(
    run, magics, aiml_simulator
):
    gpt, sonar = "openai/gpt-4o", "perplexity/sonar-pro"  # measured by the service / not
    aiml_simulator.script_for(gpt, Reply(content="a"))
    aiml_simulator.script_for(sonar, Reply(content="b"))
    out = run(f"%%aiml --compare {gpt},{sonar}\nhello")
    assert out.error is None
    table = next(o for o in reversed(out.outputs) if "service" in o.data.get("text/plain", ""))
    lines = table.data["text/plain"].splitlines()
    header = lines[0]
    assert header.index("speed") < header.index("service first token p50")
    row = {line.split()[0]: line for line in lines if line.split()[:1] in ([gpt], [sonar])}
    assert "0.41 s" in row[gpt] and "52 tok/s" in row[gpt]
    assert "0.00 s" not in row[sonar] and " 0 tok/s" not in row[sonar]
    (asked,) = metrics_requests(aiml_simulator)
    assert sorted(v for k, v in asked.query_pairs if k == "aliases") == sorted([gpt, sonar])
    rows = {r["model"]: r for r in magics.session.namespace["_aiml"].rows()}
    assert (rows[gpt]["service_ttft_s"], rows[gpt]["service_tokens_per_s"]) == (0.412, 51.7)
    assert (rows[sonar]["service_ttft_s"], rows[sonar]["service_tokens_per_s"]) == (None, None)
