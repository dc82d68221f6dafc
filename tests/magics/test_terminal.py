"""Terminal IPython: a real `ipython` process on a pseudo-terminal, against the simulator.

On a colour terminal the answer's Markdown is rendered by rich (a heading without `#`, code
in syntax colours, a table drawn), reasoning folds into one line, the footer closes it; with
`NO_COLOR` or when the output is not a terminal, the plain text arrives as it always did.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from aiml_magics.simulator import Reply

pytestmark = pytest.mark.kernel

ROOT = Path(__file__).resolve().parents[2]
ANSWER = (
    "# Big Title\n\nSome **bold** text.\n\n"
    "```python\ndef twice(x):\n    return 2 * x\n```\n\n"
    "| name | value |\n|---|---|\n| alpha | 1 |\n\n"
    "Evil \x1b]0;pwned\x07 title and \x1b[31mred\x1b[0m.\n"
)
REASONING = "Secret chain of thought."
CELL = "%load_ext aiml_magics\nget_ipython().run_cell_magic('aiml', '', 'hello')\n"
COLOURED = "\x1b[38;5;"  # a 256-colour foreground: what syntax highlighting writes


def ipython(env: dict[str, str], *, tty: bool = True, cell: str = CELL) -> str:
    """Run the cell in a fresh `ipython -c`, its output on a pseudo-terminal (or a pipe)."""
    env = {**os.environ, **env, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color"}
    env.update(COLUMNS="80", LINES="40")
    command = [sys.executable, "-m", "IPython", "--no-banner", "--colors=NoColor", "-c", cell]
    if not tty:
        done = subprocess.run(command, env=env, capture_output=True, timeout=60, check=True)
        return done.stdout.decode()
    controller, terminal = pty.openpty()
    process = subprocess.Popen(command, stdin=terminal, stdout=terminal, stderr=terminal, env=env)
    os.close(terminal)
    out = b""
    while select.select([controller], [], [], 60)[0]:
        try:
            data = os.read(controller, 65536)
        except OSError:  # the process ended and closed its side
            break
        if not data:
            break
        out += data
    os.close(controller)
    assert process.wait(timeout=60) == 0
    return out.decode(errors="replace")


@pytest.fixture
def scripted(aiml_env):
    aiml_env.script(Reply(content=ANSWER, reasoning=REASONING, chunk_size=5, delay=0.005))
    return aiml_env


def test_a_colour_terminal_renders_the_answers_markdown_live(scripted):
    out = ipython({"NO_COLOR": ""})
    assert "Big Title" in out and "# Big Title" not in out
    assert "```" not in out and "|---|" not in out  # the fence and the table are drawn
    line = next(line for line in out.splitlines() if "twice" in line)
    assert COLOURED in line  # code in syntax colours
    assert "alpha" in out and "value" in out
    assert "▸ Reasoning (4 words" in out and REASONING not in out  # folded into one line
    assert "─" in out and "bytedance/seed-1-8" in out  # the footer under a rule
    assert "\x1b]0;pwned" not in out and "\x1b[31m" not in out  # model text cannot drive it
    assert scripted.api_key not in out
    chats = [r for r in scripted.requests if r.path.endswith("/chat/completions")]
    assert len(chats) == 1  # the deprecation feed is asked too, once


@pytest.mark.parametrize("tty", [True, False], ids=["NO_COLOR", "not a terminal"])
def test_no_color_or_no_terminal_prints_the_plain_text(scripted, tty):
    out = ipython({"NO_COLOR": "1"} if tty else {}, tty=tty)
    plain = out.replace("\r\n", "\n")
    assert "# Big Title\n\nSome **bold** text." in plain
    assert "```python\ndef twice(x):\n    return 2 * x\n```" in plain
    assert "| alpha | 1 |" in plain
    assert COLOURED not in out and "\x1b[2m" not in out
    assert "\x1b]0;pwned" not in out and "\x1b[31m" not in out


GPT, SONNET = "openai/gpt-4o", "anthropic/claude-sonnet-4.5"
COMPARE = (
    "%load_ext aiml_magics\n"
    f"get_ipython().run_cell_magic('aiml', '--compare {GPT},{SONNET}', 'which?')\n"
    "get_ipython().run_line_magic('aiml', 'usage')\n"
)


@pytest.mark.parametrize("colour", [True, False], ids=["rich", "NO_COLOR"])
def test_a_comparison_and_the_usage_table_are_drawn_in_a_colour_terminal(aiml_env, colour):
    aiml_env.script_for(GPT, Reply(content="## From gpt\n\n- one", reasoning=""))
    aiml_env.script_for(SONNET, Reply(content="## From sonnet\n\n- two", reasoning=""))
    out = ipython({"NO_COLOR": "" if colour else "1"}, cell=COMPARE)
    assert "From gpt" in out and "From sonnet" in out
    assert ("## From gpt" in out) is not colour  # rendered as a heading, or the plain text
    drawn = ("┃" in out or "│" in out) and "━" in out  # rich's table borders
    assert drawn is colour
    assert "Usage this session" in out and "model" in out
    assert (COLOURED in out or "\x1b[1m" in out) is colour


BATCH = (
    "import aiml_magics\n"
    "rows = aiml_magics.batch('Say {x}', [{'x': n} for n in range(6)], concurrency=2)\n"
    "print('rows', len(rows))\n"
)


@pytest.mark.parametrize("colour", [True, False], ids=["rich", "NO_COLOR"])
def test_a_batch_shows_its_progress_then_the_summary(aiml_env, colour):
    aiml_env.script(Reply(content="ok", reasoning="", delay=0.05))
    out = ipython({"NO_COLOR": "" if colour else "1"}, cell=BATCH)
    assert "6/6" in out and "0 failed" in out and "credits" in out
    assert "Batch: " in out and "rows 6" in out
    assert ("━" in out) is colour  # rich's bar, or the plain one
    assert ("░" in out or "█" in out) is not colour
