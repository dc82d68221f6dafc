"""The credit budget and `--dry-run`: a real shell against the simulator and its catalogue."""

from __future__ import annotations

import builtins
import json
import re

import pytest
from IPython.core.error import StdinNotImplementedError

from aiml_magics.api.catalogue import ModelInfo, Pricing
from aiml_magics.simulator import Reply

QUESTION = "%%aiml --no-history --max-tokens 1000\nWhat is a p-value?"


def spent(ip) -> float:
    magics = next(m for m in ip.configurables if type(m).__name__ == "AimlMagics")
    return magics.session.spent_credits()


def answer(prompt: str):
    def ask(question: str) -> str:
        ask.questions.append(question)
        return prompt

    ask.questions = []
    return ask


def test_once_the_budget_is_spent_nothing_is_sent(run, ip, aiml_simulator):
    assert run(QUESTION).error is None
    used = spent(ip)
    assert used > 0
    run(f"%config AimlMagics.budget_credits = {used}")
    out = run(QUESTION)
    message = str(out.error)
    assert type(out.error).__name__ == "BudgetError" and "\n" not in message
    assert (
        f"has spent {used:,.0f} credits" in message and f"budget of {used:,.0f} credits" in message
    )
    assert "%config AimlMagics.budget_credits = N" in message
    assert len(aiml_simulator.chat_requests) == 1, "nothing was sent"
    assert run(f"%config AimlMagics.budget_credits = {used * 100}").error is None
    assert run(QUESTION).error is None and len(aiml_simulator.chat_requests) == 2


def test_a_request_that_may_cost_more_than_is_left_asks_first(run, ip, aiml_simulator, monkeypatch):
    # seed-1-8 costs $2.6 per 1M output tokens: 1000 tokens may cost up to 5,200 credits.
    run("%config AimlMagics.budget_credits = 3000")
    yes = answer("y")
    monkeypatch.setattr(builtins, "input", yes)
    assert run(QUESTION).error is None
    (question,) = yes.questions
    assert re.search(r"may cost up to 5,2\d\d credits .* but 3,000 credits \(\$0\.0015\)", question)
    assert len(aiml_simulator.chat_requests) == 1

    no = answer("n")
    monkeypatch.setattr(builtins, "input", no)
    out = run(QUESTION)
    assert str(out.error).startswith("Budget: not confirmed") and len(no.questions) == 1
    assert len(aiml_simulator.chat_requests) == 1


def test_where_nobody_can_be_asked_it_is_refused(run, aiml_simulator, monkeypatch):
    def no_stdin(prompt=""):
        raise StdinNotImplementedError("raw_input was called, but this frontend does not support")

    monkeypatch.setattr(builtins, "input", no_stdin)
    run("%config AimlMagics.budget_credits = 3000")
    out = run(QUESTION)
    assert "this frontend cannot ask for confirmation; nothing was sent" in str(out.error)
    assert aiml_simulator.chat_requests == []
    # A cheap request fits: it is sent without a question.
    assert run("%%aiml --no-history --max-tokens 100\nShort?").error is None
    assert len(aiml_simulator.chat_requests) == 1


def test_without_a_price_the_budget_asks_instead_of_passing(run, aiml_simulator, monkeypatch):
    no = answer("n")
    monkeypatch.setattr(builtins, "input", no)
    run("%config AimlMagics.budget_credits = 1000000")
    out = run("%%aiml -m mistralai/Mistral-7B-Instruct-v0.2 --max-tokens 4000\nHi")
    (question,) = no.questions
    assert (
        "cost of this request cannot be estimated: mistralai/Mistral-7B-Instruct-v0.2: "
        "the catalogue has no prices for this model" in question
    )
    assert str(out.error).startswith("Budget: not confirmed") and "\n" not in str(out.error)
    assert aiml_simulator.chat_requests == []
    yes = answer("y")
    monkeypatch.setattr(builtins, "input", yes)
    assert run("%%aiml -m mistralai/Mistral-7B-Instruct-v0.2 --max-tokens 4000\nHi").error is None
    assert len(yes.questions) == 1 and len(aiml_simulator.chat_requests) == 1


def test_replayed_answers_cost_nothing_and_count_nothing(run, ip, aiml_simulator, tmp_path):
    ip.run_line_magic("config", f"AimlMagics.replay_path = {str(tmp_path / 'r.jsonl')!r}")
    run("%aiml replay auto")
    run(QUESTION)
    used = spent(ip)
    run(f"%config AimlMagics.budget_credits = {used}")
    for _ in range(3):
        out = run(QUESTION)
        assert out.error is None and ip.user_ns["_aiml"].replayed
    assert spent(ip) == used and len(aiml_simulator.chat_requests) == 1
    usage = run("%aiml usage").stdout
    assert f"Budget: {used:,.0f} credits" in usage and "left 0 credits ($0)" in usage


def test_usage_shows_budget_spent_and_left(run, ip):
    run("%config AimlMagics.budget_credits = 2000000")
    assert run("%aiml usage").stdout.strip() == (
        "No requests yet.\nBudget: 2,000,000 credits ($1) · spent 0 credits ($0) · "
        "left 2,000,000 credits ($1)"
    )
    run(QUESTION)
    line = run("%aiml usage").stdout.strip()
    used = spent(ip)
    assert line == (
        f"Budget: 2,000,000 credits ($1) · spent {used:,.0f} credits (${used / 2e6:.6f}".rstrip("0")
        + f") · left {2e6 - used:,.0f} credits (${(2e6 - used) / 2e6:.6f}".rstrip("0")
        + ")"
    )


def test_a_negative_budget_is_refused(run, ip, caplog):
    run("%config AimlMagics.budget_credits = -5")  # %config logs a trait's refusal
    assert "budget_credits must be a number >= 0, got -5.0" in caplog.text
    magics = next(m for m in ip.configurables if type(m).__name__ == "AimlMagics")
    assert magics.budget_credits is None


# -- what the budget plans with when --max-tokens is unset -----------------------------------------


def test_without_max_tokens_the_budget_plans_with_a_likely_answer_not_the_output_limit(
    run, ip, aiml_simulator, monkeypatch
):
    # $0.13 left: seed-1-8's whole output limit (64,000 tokens at $2.6 per 1M: ~333,000
    # credits) is more, so costing it would ask before every cell. A likely answer is not.
    never = answer("n")
    monkeypatch.setattr(builtins, "input", never)
    run("%config AimlMagics.budget_credits = 260000")
    for question in ("What is a p-value?", "And a z-score?", "And a t-test?"):
        assert run(f"%%aiml\n{question}").error is None
    assert never.questions == [] and len(aiml_simulator.chat_requests) == 3


def test_the_plan_follows_this_models_answers_and_says_so(run, ip, aiml_simulator, monkeypatch):
    aiml_simulator.script(Reply(content="word " * 400, reasoning=""))
    assert run("%%aiml --no-history\nA long answer, please.").error is None
    longest = ip.user_ns["_aiml"].usage.completion_tokens
    no = answer("n")
    monkeypatch.setattr(builtins, "input", no)
    # Less left than that answer cost: the next one will likely cost as much, so it asks.
    run(f"%config AimlMagics.budget_credits = {spent(ip) + longest * 2.6 / 1e6 * 2e6 / 2}")
    out = run("%%aiml --no-history\nAnother one.")
    (question,) = no.questions
    assert "will likely cost about" in question
    assert (
        f"~{longest:,} output tokens: the longest of this model's 1 answer(s) in this session"
        in question
    )
    assert "--max-tokens sets a bound" in question
    assert str(out.error) == "Budget: not confirmed; nothing was sent."
    assert len(aiml_simulator.chat_requests) == 1


def test_a_comparison_asks_once_and_states_what_it_planned_with(
    run, ip, aiml_simulator, monkeypatch
):
    no = answer("n")
    monkeypatch.setattr(builtins, "input", no)
    run("%config AimlMagics.budget_credits = 20000")  # less than two answers of ~4,096 tokens
    out = run("%%aiml --compare openai/gpt-4o,bytedance/seed-1-8\nHello?")
    (question,) = no.questions
    assert "These 2 requests will likely cost about" in question
    assert "~4,096 (assumed: no answer of this model in this session yet) output tokens each" in (
        question
    )
    assert "--max-tokens sets a bound" in question and "20,000 credits" in question
    assert str(out.error) == "Budget: not confirmed; nothing was sent."
    assert aiml_simulator.chat_requests == []


def test_likely_output_is_a_high_percentile_of_what_answers_used():
    from aiml_magics.chat.estimate import ASSUMED_OUTPUT, likely_output

    assert likely_output([]) == (
        ASSUMED_OUTPUT,
        "assumed: no answer of this model in this session yet",
    )
    assert likely_output([120, 900, 300])[0] == 900  # few answers: the longest
    twenty = [100] * 18 + [5000, 9000]  # two outliers of twenty: the 90th percentile is 100
    assert likely_output(twenty) == (
        100,
        "the 90th percentile of this model's 20 answers in this session",
    )
    assert likely_output([100] * 17 + [5000] * 3)[0] == 5000


def test_while_the_budget_asks_the_panel_says_it_waits_for_you(
    run, ip, magics, aiml_simulator, monkeypatch
):
    seen = []

    def ask(question: str) -> str:
        seen.append(magics.last_panel.status.tooltip)
        return "y"

    monkeypatch.setattr(builtins, "input", ask)
    run("%config AimlMagics.budget_credits = 3000")
    assert run(QUESTION, cell_id="cell-1").error is None  # may cost 5,200 credits: it asks
    assert seen == ["waiting for your confirmation"]
    assert magics.last_panel.status.tooltip.startswith("done")
    assert len(aiml_simulator.chat_requests) == 1


# -- dry run -------------------------------------------------------------------------------------


def test_a_dry_run_shows_the_request_and_sends_nothing(run, ip, aiml_simulator):
    aiml_simulator.script(Reply(content="first answer"))
    run("%%aiml\nWhat is a p-value?", cell_id="a")
    out = run("%%aiml --dry-run -t 0.3 --max-tokens 500\nAnd a z-score?", cell_id="b")
    assert out.error is None
    assert len(aiml_simulator.chat_requests) == 1, "a dry run sends nothing"
    plain = out.outputs[-1].data["text/plain"]
    body = json.loads(plain[plain.index("{") : plain.rindex("}") + 1])
    assert body == {
        "model": "bytedance/seed-1-8",
        "messages": [
            {"role": "user", "content": "What is a p-value?"},
            {"role": "assistant", "content": "first answer"},
            {"role": "user", "content": "And a z-score?"},
        ],
        "temperature": 0.3,
        "max_tokens": 500,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    assert "Earlier turns included: 'What is a p-value?' (~" in plain
    tokens = int(re.search(r"Estimated prompt tokens: ~(\d+)\.", plain)[1])
    assert 10 < tokens < 40
    low = tokens * 0.325 / 1e6 * 2e6  # seed-1-8: $0.325 / $2.6 per 1M tokens
    high = (tokens * 0.325 + 500 * 2.6) / 1e6 * 2e6
    assert f"Estimated cost: {low:,.0f} credits" in plain
    assert f"to {high:,.0f} credits" in plain and "(up to 500 output tokens, max_tokens)" in plain
    assert aiml_simulator.api_key not in plain and "Bearer" not in plain
    markdown = out.outputs[-1].data["text/markdown"]
    assert "```json" in markdown and "Dry run" in markdown
    assert "_aiml" not in ip.user_ns or ip.user_ns["_aiml"].text == "first answer"
    chat_turns = run("%aiml chats").outputs[-1].data["text/plain"]
    assert re.search(r"default +1\b", chat_turns), "a dry run records no turn"


def test_a_dry_run_names_the_turns_left_out_and_changes_nothing(run, ip, aiml_simulator):
    run("%config AimlMagics.context_tokens = 60")
    aiml_simulator.script(Reply(content="x" * 120), Reply(content="short"))
    run("%%aiml\nFirst question", cell_id="a")
    run("%%aiml\nSecond question", cell_id="b")
    out = run("%%aiml --dry-run --new -s 'Be brief.'\nThird?", cell_id="c")
    assert "Earlier turns included: none." in out.outputs[-1].data["text/plain"]
    out = run("%%aiml --dry-run\nThird?", cell_id="c")
    plain = out.outputs[-1].data["text/plain"]
    assert "Earlier turns included: 'Second question'" in plain
    assert "Left out for the context budget (AimlMagics.context_tokens = 60): 'First question'" in (
        plain
    )
    assert len(aiml_simulator.chat_requests) == 2
    magics = next(m for m in ip.configurables if type(m).__name__ == "AimlMagics")
    chat = magics.session.chats.get("default")
    assert len(chat.turns) == 2 and chat.system is None, "--new and -s left the chat alone"


def test_a_dry_run_shows_images_by_size_and_digest(run, ip, aiml_simulator, tmp_path):
    import base64

    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    (tmp_path / "dot.png").write_bytes(png)
    out = run(f"%%aiml --dry-run --image {tmp_path / 'dot.png'}\nWhat is this?")
    plain = out.outputs[-1].data["text/plain"]
    assert f"<image/png image, {len(png)} bytes, sha256 " in plain
    assert "base64" not in plain
    assert aiml_simulator.chat_requests == []


def test_a_dry_run_copes_without_prices(run, aiml_simulator):
    out = run("%%aiml --dry-run -m mistralai/Mistral-7B-Instruct-v0.2\nHi")
    plain = out.outputs[-1].data["text/plain"]
    assert (
        "Estimated cost: unknown (mistralai/Mistral-7B-Instruct-v0.2: the catalogue has no prices"
        in plain
    )
    assert aiml_simulator.chat_requests == []


def test_pricing_is_read_from_the_catalogue_shape():
    units = [
        {"name": "token", "measure": "input", "price": 1, "per": 1_000_000},
        {"name": "token", "measure": "output", "price": 4, "per": 1_000_000},
    ]
    entry = {"id": "m", "pricing": {"kind": "fixed", "currency": "USD", "units": units}}
    assert ModelInfo.from_api(entry).pricing == Pricing(1.0, 4.0)
    assert Pricing(1.0, 4.0).dollars(1_000_000, 500_000) == pytest.approx(3.0)
    invented = {"currency": "USD", "unit": "1M tokens", "input": 1, "output": 4}  # never sent
    for broken in (None, {}, invented, {"kind": "fixed", "units": [{"name": "image"}]}):
        assert ModelInfo.from_api({"id": "m", "pricing": broken}).pricing is None


@pytest.mark.parametrize(
    "model", ["bytedance/seed-1-8", "openai/gpt-4o", "google/gemini-3-5-flash"]
)
def test_what_an_answer_costs_is_what_the_catalogue_prices_say(run, ip, magics, model):
    """The service bills by the prices it lists, so a budget planned from the catalogue holds
    (the simulator does the same; reasoning is output, also where the usage counts it apart)."""
    from aiml_magics.api.result import USD_PER_CREDIT
    from aiml_magics.chat.estimate import model_info

    assert run(f"%%aiml -m {model}\nWhat is a p-value?").error is None
    result = ip.user_ns["_aiml"]
    usage = result.usage
    output = usage.completion_tokens + (
        usage.reasoning_tokens
        if usage.total_tokens > usage.prompt_tokens + usage.completion_tokens
        else 0
    )
    info, _ = model_info(magics.session.client(), model)
    dollars = info.pricing.dollars(usage.prompt_tokens, output)
    assert result.credits_used == pytest.approx(dollars / USD_PER_CREDIT, abs=1)
