"""Prices as the service documents them: `units[]` read by origin or measure, `per` always read
with `price`, `variants` and `variable` that cannot be quoted, cached-input rates; the dry run
and the budget through a real shell against the simulator's catalogue."""

from __future__ import annotations

import builtins
import re

import pytest
from IPython.core.error import StdinNotImplementedError

from aiml_magics.api.catalogue import chat_models, is_chat_model
from aiml_magics.api.client import AimlClient
from aiml_magics.api.pricing import Pricing, read_pricing
from aiml_magics.simulator import Reply


def unit(role: str, price: float, per: int = 1_000_000, style: str = "origin", **more) -> dict:
    return {"name": "token", style: role, "price": price, "per": per, **more}


def fixed(*units: dict) -> dict:
    return {"kind": "fixed", "currency": "USD", "units": list(units)}


def test_origin_units_as_the_services_integrations_read_them():
    text = {"type": "charge", "content": "text", "phase": "inference"}
    pricing, problem = read_pricing(
        fixed(
            unit("provided", 4.1262, author="user", **text),
            unit("generated", 20.631, author="model", **text),
            unit("cached", 0.41262, **text),
            unit("cache_write", 5.15775, **text),
        )
    )
    assert problem == ""
    assert pricing == Pricing(4.1262, 20.631, cached_input=0.41262, cache_write=5.15775)


def test_measure_units_and_per_are_read_together():
    pricing, _ = read_pricing(
        fixed(unit("input", 0.0025, 1000, "measure"), unit("output", 0.01, 1000, "measure"))
    )
    assert pricing.input == pytest.approx(2.5) and pricing.output == pytest.approx(10.0)
    assert pricing.cached_input is None


def test_units_that_are_not_text_tokens_are_not_token_prices():
    units = [
        unit("provided", 99, content="image"),
        unit("provided", 98, phase="training"),
        {"name": "search", "measure": "input", "price": 5, "per": 1000},
        unit("provided", 0.5),
        unit("generated", 1.5),
    ]
    pricing, _ = read_pricing(fixed(*units))
    assert (pricing.input, pricing.output) == (0.5, 1.5)


@pytest.mark.parametrize(
    ("pricing", "reason"),
    [
        ({"kind": "variable", "currency": "USD"}, "variable and cannot be quoted"),
        (
            {"kind": "variants", "dimensions": ["resolution"], "variants": [{"price": 0.39}]},
            "depends on resolution",
        ),
        (fixed(unit("generated", 3.25, style="origin")), "no input token price"),
        ({**fixed(unit("provided", 1), unit("generated", 2)), "currency": "EUR"}, "in EUR"),
        ({"currency": "USD", "unit": "1M tokens", "input": 1, "output": 4}, "no input or output"),
        (None, "no prices"),
        (fixed(unit("provided", "x"), unit("generated", 2)), "no input token price"),
        (fixed(unit("provided", 1, per=0), unit("generated", 2)), "no input token price"),
    ],
)
def test_prices_that_cannot_be_read_say_why(pricing, reason):
    found, problem = read_pricing(pricing)
    assert found is None and reason in problem


def test_cached_prompt_tokens_are_billed_at_the_cache_rate():
    claude = Pricing(4.0, 20.0, cached_input=0.4)
    assert claude.dollars(1_000_000, 0, cached_tokens=900_000) == pytest.approx(0.1 * 4 + 0.9 * 0.4)
    assert claude.dollars(100, 0, cached_tokens=500) == pytest.approx(100 * 0.4 / 1e6)
    without = Pricing(4.0, 20.0)  # no cache rate: every prompt token at the input rate
    assert without.dollars(1_000_000, 0, cached_tokens=900_000) == pytest.approx(4.0)


def test_image_generators_and_twins_are_not_listed_as_chat_models():
    chat = {"type": "openai/chat-completions", "modalities": {"output": ["text"]}}
    assert is_chat_model({"id": "a/b", **chat})
    assert not is_chat_model({**chat, "id": "a/draw", "modalities": {"output": ["text", "image"]}})
    assert not is_chat_model({**chat, "id": "google/gemini-2.5-flash-image"})
    models = chat_models(
        [
            {**chat, "id": "anthropic/claude-opus-4.8", "aliases": ["claude-opus-4.8"]},
            {**chat, "id": "anthropic/claude-opus-4-8", "aliases": ["claude-opus-4-8"]},
        ]
    )
    (opus,) = models
    assert opus.id == "anthropic/claude-opus-4.8"
    assert opus.is_named("ANTHROPIC/CLAUDE-OPUS-4-8") and opus.is_named("claude-opus-4-8")


def test_the_client_reads_the_simulators_catalogue_prices(aiml_simulator):
    client = AimlClient(aiml_simulator.api_key, aiml_simulator.base_url)
    models = {m.id: m for m in client.models()}
    assert models["bytedance/seed-1-8"].pricing == Pricing(0.325, 2.6)
    gpt = models["openai/gpt-4o"].pricing
    assert (gpt.input, gpt.output) == (pytest.approx(2.5), pytest.approx(10.0))
    assert models["anthropic/claude-sonnet-4.5"].pricing.cached_input == pytest.approx(0.41262)
    assert models["perplexity/sonar-pro"].pricing is None
    assert "variable" in models["perplexity/sonar-pro"].pricing_problem
    assert "anthropic/claude-sonnet-4-5" not in models, "the dashed twin is one model"
    assert "google/gemini-2.5-flash-image" not in models
    assert "openai/gpt-4-turbo" not in models, "deprecated with a date: off the list"
    (listing,) = [r for r in aiml_simulator.requests if r.path == "/v1/models"]
    assert listing.query["type"] == "openai/chat-completions"
    client.close()


def test_a_dry_run_quotes_the_catalogue_prices(run, aiml_simulator):
    out = run("%%aiml --dry-run --max-tokens 1000 -m openai/gpt-4o\nHi")
    plain = out.outputs[-1].data["text/plain"]
    assert "$2.5 / $10 per 1M prompt / output tokens." in plain
    high = re.search(r"to ([\d,]+) credits", plain)[1]
    assert 20_000 <= int(high.replace(",", "")) < 20_200  # 1,000 output tokens at $10 per 1M
    assert aiml_simulator.chat_requests == []


def test_a_dry_run_of_a_deprecated_model_off_the_list_is_priced_from_its_card(run):
    out = run("%%aiml --dry-run --max-tokens 100 -m openai/gpt-4-turbo\nHi")
    plain = out.outputs[-1].data["text/plain"]
    assert "$13 / $39 per 1M prompt / output tokens" in plain


def test_a_variable_price_is_unknown_in_the_dry_run(run):
    out = run("%%aiml --dry-run -m perplexity/sonar-pro\nWho won?")
    plain = out.outputs[-1].data["text/plain"]
    assert "Estimated cost: unknown (perplexity/sonar-pro: its price is variable" in plain


def test_the_cached_prefix_is_priced_at_the_cache_rate(run, aiml_simulator):
    usage = {
        "prompt_tokens": 4000,
        "completion_tokens": 10,
        "total_tokens": 4010,
        "prompt_tokens_details": {"cached_tokens": 3000},
    }
    aiml_simulator.script(Reply(content="noted", usage=usage))
    assert run("%%aiml -m anthropic/claude-sonnet-4.5\n" + "context " * 4000).error is None
    out = run("%%aiml --dry-run --max-tokens 10 -m anthropic/claude-sonnet-4.5\nAnd now?")
    plain = out.outputs[-1].data["text/plain"]
    assert "$0.41262 per 1M cached prompt tokens (~3,000 cached)" in plain
    prompt = int(re.search(r"Estimated prompt tokens: ~([\d,]+)\.", plain)[1].replace(",", ""))
    low = int(re.search(r"Estimated cost: ([\d,]+) credits", plain)[1].replace(",", ""))
    expected = ((prompt - 3000) * 4.1262 + 3000 * 0.41262) / 1e6 * 2e6
    assert low == round(expected), "3,000 prompt tokens at the cache-read rate"


def test_the_budget_refuses_an_unpriceable_request_where_nobody_can_be_asked(
    run, aiml_simulator, monkeypatch
):
    def no_stdin(prompt=""):
        raise StdinNotImplementedError("raw_input was called, but this frontend does not support")

    monkeypatch.setattr(builtins, "input", no_stdin)
    run("%config AimlMagics.budget_credits = 2000000")
    out = run("%%aiml -m perplexity/sonar-pro\nWho won the match?")
    message = str(out.error)
    assert type(out.error).__name__ == "BudgetError" and "\n" not in message
    assert "cannot be estimated (perplexity/sonar-pro: its price is variable" in message
    assert "cannot ask for confirmation; nothing was sent" in message
    assert aiml_simulator.chat_requests == []
    assert run("%%aiml --max-tokens 100\nShort?").error is None, "a priced model still goes"


def test_a_comparison_with_an_unpriceable_model_asks_once(run, aiml_simulator, monkeypatch):
    questions = []
    monkeypatch.setattr(builtins, "input", lambda q: questions.append(q) or "n")
    run("%config AimlMagics.budget_credits = 2000000")
    out = run("%%aiml --compare openai/gpt-4o,perplexity/sonar-pro --keep openai/gpt-4o\nHi")
    assert "not confirmed" in str(out.error) and len(questions) == 1
    assert "1 of these requests cannot be estimated: perplexity/sonar-pro" in questions[0]
    assert aiml_simulator.chat_requests == []
