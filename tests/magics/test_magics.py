"""`%%aiml` end to end: a real InteractiveShell, real HTTP, the local simulator."""

from __future__ import annotations

import re

import pytest

from aiml_magics.api.result import ChatResult
from aiml_magics.simulator import Reply


def user_messages(request) -> list[str]:
    return [m["content"] for m in request.body["messages"] if m["role"] == "user"]


def test_answer_streams_as_markdown_with_reasoning_and_footer(run, aiml_simulator, ip):
    aiml_simulator.script(
        Reply(content="## Title\n\nSome **bold** text.", reasoning="Thinking it over.")
    )
    out = run("%%aiml -t 0.3\nExplain p-values.")
    assert out.error is None
    final = out.final_markdown
    assert "## Title" in final and "Some **bold** text." in final
    # Reasoning is kept in the saved output, collapsed once the answer is complete.
    assert "<details><summary>Reasoning" in final and "Thinking it over." in final
    assert final.index("Thinking it over.") < final.index("## Title")
    footer = final.rsplit("---", 1)[1]
    for expected in ("prompt", "completion", "credits", "tok/s", "simulated"):
        assert expected in footer
    # Streaming means the display was updated in place, more than once.
    assert len(out.outputs) >= 2
    assert all(o.data["text/plain"] for o in out.outputs)
    body = aiml_simulator.chat_requests[-1].body
    assert body["temperature"] == 0.3 and body["stream"] is True
    assert user_messages(aiml_simulator.chat_requests[-1]) == ["Explain p-values."]
    result = ip.user_ns["_aiml"]
    assert isinstance(result, ChatResult)
    assert result.text == "## Title\n\nSome **bold** text."
    assert result.reasoning == "Thinking it over."


def test_output_metadata_records_provenance(run, aiml_simulator):
    aiml_simulator.script(Reply(content="ok"))
    out = run("%%aiml --seed 7\nhi")
    meta = out.final_metadata["aiml"]
    assert meta["requested_model"] == "bytedance/seed-1-8"
    assert meta["params"]["seed"] == 7
    assert meta["usage"]["completion_tokens"] > 0
    assert meta["inference_id"] and meta["credits_used"] is not None
    assert meta["chat"] == "default" and meta["complete"] is True


def test_next_cell_continues_the_conversation(run, aiml_simulator):
    aiml_simulator.script(Reply(content="first answer"), Reply(content="second answer"))
    run("%%aiml\nfirst question", cell_id="cell-1")
    run("%%aiml\nsecond question", cell_id="cell-2")
    messages = aiml_simulator.chat_requests[-1].body["messages"]
    assert [(m["role"], m["content"]) for m in messages] == [
        ("user", "first question"),
        ("assistant", "first answer"),
        ("user", "second question"),
    ]


def test_rerunning_a_cell_replaces_its_turn(run, aiml_simulator, magics):
    aiml_simulator.script(Reply(content="a1"), Reply(content="a2"), Reply(content="a1 again"))
    run("%%aiml\nq1", cell_id="c1")
    run("%%aiml\nq2", cell_id="c2")
    run("%%aiml\nq1 edited", cell_id="c1")
    rerun = aiml_simulator.chat_requests[-1]
    assert user_messages(rerun) == ["q1 edited"]  # only turns before this cell
    turns = magics.session.chats.get("default").turns
    assert [(t.user, t.answer) for t in turns] == [("q1 edited", "a1 again"), ("q2", "a2")]


def test_without_cell_ids_identical_text_replaces_its_turn(run, aiml_simulator, magics):
    aiml_simulator.script(Reply(content="a"), Reply(content="b"))
    run("%%aiml\nsame question")
    run("%%aiml\nsame question")
    assert len(magics.session.chats.get("default").turns) == 1
    assert user_messages(aiml_simulator.chat_requests[-1]) == ["same question"]


def test_named_chats_are_independent_and_keep_their_system_prompt(run, aiml_simulator, magics):
    run('%%aiml -c a -s "You are terse."\none')
    run("%%aiml -c b\ntwo")
    run("%%aiml -c a\nthree")
    last = aiml_simulator.chat_requests[-1].body["messages"]
    assert last[0] == {"role": "system", "content": "You are terse."}
    assert user_messages(aiml_simulator.chat_requests[-1]) == ["one", "three"]
    assert len(magics.session.chats.get("b").turns) == 1


def test_new_clears_and_no_history_records_nothing(run, aiml_simulator, magics):
    run("%%aiml\none", cell_id="1")
    run("%%aiml --no-history\naside", cell_id="2")
    assert user_messages(aiml_simulator.chat_requests[-1]) == ["aside"]
    assert len(magics.session.chats.get("default").turns) == 1
    run("%%aiml --new\nfresh start", cell_id="3")
    assert user_messages(aiml_simulator.chat_requests[-1]) == ["fresh start"]
    assert len(magics.session.chats.get("default").turns) == 1


def test_reasoning_is_never_sent_back(run, aiml_simulator):
    aiml_simulator.script(Reply(content="answer", reasoning="SECRET THOUGHTS"))
    run("%%aiml\nq1", cell_id="1")
    run("%%aiml\nq2", cell_id="2")
    body = str(aiml_simulator.chat_requests[-1].body)
    assert "SECRET THOUGHTS" not in body


def test_options_become_request_fields(run, aiml_simulator, ip):
    out = run(
        "%%aiml -m openai/gpt-4o --top-p 0.5 --max-tokens 100 --frequency-penalty 1 "
        "--presence-penalty -1 --seed 3 -p reasoning_effort=low -p 'stop=[\"\\n\\n\"]' "
        "-p n=1 --no-stream -o answer\nhello"
    )
    assert out.error is None
    body = aiml_simulator.chat_requests[-1].body
    assert body["model"] == "openai/gpt-4o"
    assert body["stream"] is False
    assert (body["top_p"], body["max_tokens"], body["seed"], body["n"]) == (0.5, 100, 3, 1)
    assert (body["frequency_penalty"], body["presence_penalty"]) == (1.0, -1.0)
    assert body["reasoning_effort"] == "low"
    assert body["stop"] == ["\n\n"]
    assert ip.user_ns["answer"] == ip.user_ns["_aiml"].text != ""


def test_json_option_parses_the_answer(run, aiml_simulator, ip):
    aiml_simulator.script(Reply(content='{"answer": 42}'))
    run("%%aiml --json\nGive JSON")
    assert aiml_simulator.chat_requests[-1].body["response_format"] == {"type": "json_object"}
    assert ip.user_ns["_aiml"].json == {"answer": 42}


def test_body_is_interpolated_unless_raw(run, aiml_simulator, ip):
    ip.user_ns["secret_value"] = 12345
    run("%%aiml\nvalue {secret_value}, code {'a': 1}")
    assert user_messages(aiml_simulator.chat_requests[-1]) == ["value 12345, code {'a': 1}"]
    run("%%aiml --raw\nvalue {secret_value}")
    assert user_messages(aiml_simulator.chat_requests[-1])[-1] == "value {secret_value}"


@pytest.mark.parametrize(
    ("line", "body", "message"),
    [
        ("-t 3", "hi", "temperature"),
        ("-t hot", "hi", "temperature"),
        ("--top-p 0", "hi", "top_p"),
        ("--seed 0", "hi", "seed"),
        ("--max-tokens 0", "hi", "max_tokens"),
        ("--frequency-penalty 5", "hi", "frequency_penalty"),
        ("-p novalue", "hi", "KEY=VALUE"),
        ("-p model=x", "hi", "model"),
        ("-p temperature=9", "hi", "temperature"),
        ("--reasoning loud", "hi", "reasoning"),
        ("-o 1bad", "hi", "-o"),
        ("", "   ", "empty"),
    ],
)
def test_invalid_options_give_a_usage_error_and_send_nothing(
    run, aiml_simulator, line, body, message
):
    out = run(f"%%aiml {line}\n{body}")
    assert "UsageError" in out.stdout + out.captured.stderr
    assert message in out.stdout + out.captured.stderr
    assert aiml_simulator.chat_requests == []


def test_finish_reason_length_is_warned(run, aiml_simulator, visible):
    aiml_simulator.script(Reply(content="", reasoning="long thoughts", finish_reason="length"))
    out = run("%%aiml --max-tokens 5\nq")
    seen = visible(out.final_markdown)
    assert "finish_reason: length" in seen and "raise --max-tokens" in seen


def test_hostile_answer_is_neutralised(run, aiml_simulator):
    aiml_simulator.script(
        Reply(
            content="Hi <script>alert(1)</script> <img src=x onerror=alert(2)> "
            "[x](javascript:alert(3)) ![p](https://evil.example/p.png)"
        )
    )
    out = run("%%aiml\nq")
    for output in out.outputs:
        markdown = output.data["text/markdown"]
        assert "<script" not in markdown and "<img" not in markdown
        assert "](javascript:" not in markdown
        assert "![p](https://evil" not in markdown


def test_reasoning_modes(run, aiml_simulator):
    aiml_simulator.script(Reply(content="A", reasoning="R1"), Reply(content="A", reasoning="R2"))
    shown = run("%%aiml --reasoning show\nq").final_markdown
    assert "<details open>" in shown and "R1" in shown
    hidden = run("%%aiml --reasoning hide\nq2").final_markdown
    assert "R2" not in hidden and "<details" not in hidden


def test_history_chats_reset_and_usage_subcommands(run, aiml_simulator, magics, visible):
    aiml_simulator.script(Reply(content="first answer"))
    run("%%aiml -s 'Be kind.'\nfirst question", cell_id="1")
    history = visible(run("%aiml history").final_markdown)
    assert "first question" in history and "first answer" in history and "Be kind." in history
    chats = run("%aiml chats").final_markdown
    assert "| default | 1 | Be kind\\. |" in chats
    usage = run("%aiml usage").outputs[-1].data["text/plain"]
    assert "bytedance/seed-1-8  1 " in usage
    assert "Forgot chat 'default'" in run("%aiml reset").stdout
    assert "default" not in magics.session.chats
    run("%%aiml -c other\nx")
    assert "Forgot all 1" in run("%aiml reset --all").stdout


def test_models_subcommand_lists_chat_models_and_filters(run, visible):
    everything = visible(run("%aiml models").final_markdown)
    assert "bytedance/seed-1-8" in everything and "openai/gpt-4o" in everything
    assert "flux" not in everything  # not a chat model
    filtered = visible(run("%aiml models gpt").final_markdown)
    assert "openai/gpt-4o" in filtered and "bytedance/seed-1-8" not in filtered


def test_config_subcommand_shows_sources_and_redacts_the_key(run, ip, aiml_simulator):
    ip.run_line_magic("config", "AimlMagics.temperature = 0.7")
    out = run("%aiml config")
    table = out.outputs[-1].data["text/plain"]
    rows = {line.split()[0]: line.split()[1:] for line in table.splitlines()[2:]}
    assert rows["temperature"] == ["0.7", "%config"]
    assert rows["base_url"] == [aiml_simulator.base_url, "environment", "AIML_API_BASE"]
    assert rows["model"] == ["bytedance/seed-1-8", "default"]
    assert rows["top_p"] == ["(unset:", "not", "sent)", "default"]
    assert aiml_simulator.api_key not in table + out.final_markdown
    run("%%aiml\nhi")
    assert aiml_simulator.chat_requests[-1].body["temperature"] == 0.7


def test_help_lists_subcommands_and_cell_options(run, ip):
    (shown,) = run("%aiml help").outputs
    text = shown.data["text/plain"]
    for word in ("models", "history", "chats", "reset", "config", "key", "usage", "--top-p"):
        assert word in text
    assert "\n  %%aiml [-m MODEL]" in text and "%aiml_cell" not in text
    doc = ip.find_cell_magic("aiml").__doc__
    assert "--temperature" in doc and "--no-history" in doc and "%%aiml [-m MODEL]" in doc


def test_help_in_a_notebook_is_markdown_with_a_section_per_topic(run, ip):
    from markdown_it import MarkdownIt

    from aiml_magics.magics.registry import SUBCOMMANDS

    (shown,) = run("%aiml help").outputs
    html = MarkdownIt("commonmark").enable("table").render(shown.data["text/markdown"])
    headings = re.findall(r"<h[34]>(.*?)</h[34]>", html)
    assert headings[:3] == ["%%aiml", "Commands", "Options of %%aiml"]
    assert {"Model and conversation", "Generation parameters", "Which options go together"} <= set(
        headings
    )
    assert headings[-1] == "Settings"
    # One row per command and option, the bar of `[-c NAME | --all]` kept inside its cell.
    assert html.count("<tr>") >= len(SUBCOMMANDS) + 40
    assert "<code>%aiml reset [-c NAME | --all]</code>" in html
    assert "<td>0..2: Sampling temperature: higher is more varied.</td>" in html


def test_key_subcommand_keeps_the_typed_key_in_memory(run, aiml_simulator, monkeypatch):
    monkeypatch.delenv("AIML_API_KEY")
    missing = run("%%aiml\nhi")
    assert "No API key" in missing.stdout and "%aiml key" in missing.stdout
    # A loopback server may need no key, so it is asked without one; this one refuses (401).
    (asked,) = aiml_simulator.chat_requests
    assert not asked.authorized and "authorization" not in asked.headers
    monkeypatch.setattr("getpass.getpass", lambda prompt: aiml_simulator.api_key)
    assert "in memory" in run("%aiml key").stdout
    assert run("%%aiml\nhi").error is None
    assert aiml_simulator.chat_requests[-1].authorized


def test_load_ext_imports_only_what_it_needs():
    """`%load_ext` stays fast: HTTP, widgets, the parser and tools load on first use."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "InteractiveShell.instance().run_line_magic('load_ext', 'aiml_magics')\n"
        "heavy = ['requests', 'ipywidgets', 'markdown_it', 'aiml_magics.api.client',\n"
        "         'aiml_magics.display.sanitize', 'aiml_magics.chat.tools',\n"
        "         'aiml_magics.chat.images', 'mcp', 'aiml_magics.chat.mcp']\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
