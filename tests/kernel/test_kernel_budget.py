"""The budget in a real kernel: it asks through the frontend's stdin only when the likely cost
of a request crosses what is left, and the question says what it assumed."""

from __future__ import annotations

from aiml_magics.simulator import Reply


def run(client, code: str, reply: str | None = None) -> tuple[str, list[str]]:
    return client.execute(code, reply=reply)


def test_the_budget_asks_only_when_the_likely_cost_crosses_what_is_left(kernel, aiml_env):
    # ~$0.13 left is less than seed-1-8's whole output limit costs, but plenty for answers.
    run(kernel, "%config AimlMagics.budget_credits = 260000")
    for question in ("What is a p-value?", "And a z-score?"):
        shown, asked = run(kernel, f"%%aiml\n{question}", reply="n")
        assert asked == [] and "Budget" not in shown
    assert len(aiml_env.chat_requests) == 2

    aiml_env.script(Reply(content="word " * 2000, reasoning=""))
    run(kernel, "%%aiml --no-history\nA long one.", reply="n")
    shown, _ = run(kernel, "print(_aiml.usage.completion_tokens)")
    longest = int(shown.strip())
    run(kernel, "m = get_ipython().find_magic('aiml', 'cell').__self__")
    run(kernel, "m.budget_credits = m.session.spent_credits() + 1000")
    shown, asked = run(kernel, "%%aiml --no-history\nAnother long one.", reply="n")
    (question,) = asked
    assert "will likely cost about" in question and f"~{longest:,} output tokens" in question
    assert "Budget: not confirmed" in shown and len(aiml_env.chat_requests) == 3
    shown, asked = run(kernel, "%%aiml --no-history\nAnother long one.", reply="y")
    assert len(asked) == 1 and "Budget" not in shown and len(aiml_env.chat_requests) == 4
