"""Chats: a turn belongs to its cell; re-runs replace it; the budget drops the oldest turns."""

from aiml_magics.chat.conversation import Chat, ChatStore, Turn, cell_key, estimate_tokens


def turn(key, user="q", answer="a"):
    return Turn(key=key, user=user, answer=answer, model="m")


def contents(messages):
    return [(m["role"], m["content"]) for m in messages]


def test_new_cell_gets_system_prompt_all_earlier_turns_and_its_message():
    chat = Chat("default", system="Be brief.")
    chat.record(turn("c1", "one", "1"))
    chat.record(turn("c2", "two", "2"))
    context = chat.context("c3", "three", budget_tokens=10_000)
    assert contents(context.messages) == [
        ("system", "Be brief."),
        ("user", "one"),
        ("assistant", "1"),
        ("user", "two"),
        ("assistant", "2"),
        ("user", "three"),
    ]
    assert context.dropped == 0
    assert not context.replaces


def test_rerunning_a_cell_sends_only_the_turns_before_it_and_replaces_in_place():
    chat = Chat("default")
    for key in ("c1", "c2", "c3"):
        chat.record(turn(key, f"q-{key}", f"a-{key}"))
    context = chat.context("c2", "q-c2 again", budget_tokens=10_000)
    assert contents(context.messages) == [
        ("user", "q-c1"),
        ("assistant", "a-c1"),
        ("user", "q-c2 again"),
    ]
    assert context.replaces
    chat.record(turn("c2", "q-c2 again", "new answer"))
    assert [t.key for t in chat.turns] == ["c1", "c2", "c3"]
    assert chat.turns[1].answer == "new answer"


def test_cell_key_uses_the_cell_id_and_falls_back_to_the_text():
    assert cell_key("abc", "text") == cell_key("abc", "other text")
    assert cell_key(None, "same text") == cell_key(None, "same text  \n")
    assert cell_key(None, "one") != cell_key(None, "two")


def test_budget_drops_the_oldest_turns_first_and_counts_them():
    chat = Chat("default")
    for i in range(10):
        chat.record(turn(f"c{i}", "x" * 400, "y" * 400))  # ~208 tokens a turn
    context = chat.context("new", "hi", budget_tokens=700)
    kept_users = [m for m in context.messages if m["role"] == "user"][:-1]
    assert len(kept_users) == 3
    assert context.dropped == 7
    assert context.messages[-1] == {"role": "user", "content": "hi"}
    # The newest turns are the ones kept.
    assert context.messages[-2]["content"] == "y" * 400


def test_no_history_sends_only_system_and_the_cell():
    chat = Chat("default", system="S")
    chat.record(turn("c1"))
    context = chat.context("c2", "only me", budget_tokens=10_000, history=False)
    assert contents(context.messages) == [("system", "S"), ("user", "only me")]


def test_turn_messages_never_contain_reasoning():
    t = Turn(key="k", user="u", answer="a")
    assert all(set(m) == {"role", "content"} for m in t.messages())


def test_store_keeps_chats_independent_and_resets_them():
    store = ChatStore(default_system="sys")
    store.get("a").record(turn("c1"))
    assert store.get("b").turns == []
    assert store.get("b").system == "sys"
    assert store.names() == ["a", "b"]
    assert store.reset("a") and not store.reset("missing")
    assert "a" not in store
    assert store.reset_all() == 1


def test_estimate_counts_text_parts():
    assert estimate_tokens("abcd" * 10) > estimate_tokens("abcd")
    parts = [{"type": "text", "text": "abcd" * 10}, {"type": "image_url", "image_url": {}}]
    assert estimate_tokens(parts) >= estimate_tokens("abcd" * 10)
