"""Failures in a cell: one clear message, what was shown is kept, the chat stays as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from aiml_magics.simulator import Fault, Reply


def chat_turns(magics, name="default"):
    return [(t.user, t.answer) for t in magics.session.chats.get(name).turns]


def interrupt_when_streaming(sim, after_seconds=0.3):
    """Send SIGINT to this process once the simulator is streaming, like a kernel interrupt."""

    def fire():
        deadline = time.monotonic() + 30
        while not sim.chat_requests and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(after_seconds)
        os.kill(os.getpid(), signal.SIGINT)

    thread = threading.Thread(target=fire, daemon=True)
    thread.start()
    return thread


def test_interrupt_stops_the_stream_keeps_the_text_and_leaves_the_chat(run, aiml_simulator, magics):
    aiml_simulator.script(Reply(content="kept answer"))
    run("%%aiml\nfirst", cell_id="1")
    before = chat_turns(magics)
    aiml_simulator.script(Reply(content="word " * 400, reasoning="", chunk_size=5, delay=0.02))
    thread = interrupt_when_streaming(aiml_simulator)
    started = time.monotonic()
    out = run("%%aiml\nlong one", cell_id="2")
    thread.join()
    assert time.monotonic() - started < 5, "the stream stopped at once, not at its end"
    assert type(out.error).__name__ == "StoppedError"
    assert "stopped" in out.stdout and "Traceback" not in out.stdout
    final = out.final_markdown
    assert "word word" in final and "interrupted" not in final  # the error says it, once
    assert "not added to the conversation" in str(out.error)
    assert chat_turns(magics) == before
    assert magics.session.namespace["_aiml"].text == "kept answer"


def test_retry_waits_are_shown_in_the_output(run, aiml_simulator):
    aiml_simulator.script(
        Reply.error(429, headers={"retry-after-ms": "10"}), Reply(content="after the wait")
    )
    out = run("%%aiml\nhi")
    assert out.error is None
    notices = [o.data["text/plain"] for o in out.outputs if "retry 1 of 2" in o.data["text/plain"]]
    assert notices and "429" in notices[0] and "waiting 0.0 s" in notices[0]
    assert "after the wait" in out.final_markdown


def test_giving_up_after_retries_is_one_message(run, aiml_simulator, magics):
    aiml_simulator.script(Reply.error(503, times=3, headers={"retry-after-ms": "1"}))
    out = run("%%aiml\nhi")
    assert type(out.error).__name__ == "ServerError"
    assert "HTTP 503" in out.stdout and "inference id" in out.stdout
    assert "Traceback" not in out.stdout
    assert chat_turns(magics) == []
    assert "Gave up after 2 retries." in str(out.error)
    # Without a status line the retry notices stay visible; the display no longer waits.
    final = out.outputs[-1].data["text/plain"]
    assert "retry 2 of 2" in final and "waiting for" not in final


def test_budget_note_says_how_many_turns_were_left_out(run, ip, aiml_simulator):
    for number in range(3):
        aiml_simulator.script(Reply(content="a" * 400))
        run(f"%%aiml\nquestion {number}", cell_id=str(number))
    ip.run_line_magic("config", "AimlMagics.context_tokens = 200")
    out = run("%%aiml\nlast", cell_id="last")
    assert "2 earlier turn(s) left out" in out.outputs[-1].data["text/plain"]
    users = [m["content"] for m in aiml_simulator.chat_requests[-1].body["messages"]]
    assert users == ["question 2", "a" * 400, "last"]


def test_cut_stream_keeps_partial_text_and_records_nothing(run, aiml_simulator, magics):
    aiml_simulator.script(
        Reply(content="partial " * 30, reasoning="", chunk_size=8, fault=Fault.disconnect(5))
    )
    out = run("%%aiml\nq")
    assert type(out.error).__name__ == "StreamError"
    assert "partial" in out.final_markdown and "incomplete" not in out.final_markdown
    assert "was not added to the conversation" in str(out.error)
    assert magics.session.chats.get("default").turns == []
    assert "_aiml" not in magics.session.namespace


def test_terminal_ipython_streams_plain_text(aiml_env):
    code = (
        "ip = get_ipython(); ip.run_line_magic('load_ext', 'aiml_magics'); "
        "ip.run_cell_magic('aiml', '', 'hello'); print(type(ip).__name__)"
    )
    aiml_env.script(Reply(content="**plain** <b>answer</b>\x1b[31m", reasoning="hmm"))
    proc = subprocess.run(
        [sys.executable, "-m", "IPython", "--no-banner", "--colors=nocolor", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "TerminalInteractiveShell" in proc.stdout
    assert "**plain** <b>answer</b>" in proc.stdout  # raw text: a terminal renders nothing
    assert "\x1b[31m" not in proc.stdout
    assert "completion" in proc.stdout and "simulated" in proc.stdout
