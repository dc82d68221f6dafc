"""The tutorial notebooks in notebooks/, run end to end in real kernels against the simulator.

For every notebook:
- it has a script of simulator replies (tests/tutorials/replies.py), is shaped like a tutorial,
  and holds no API key or key-like string;
- `pytest --nbval` passes on it (strict on untagged cells, masked by the sanitize file), in a
  subprocess whose kernel talks to a fresh simulator;
- a fresh nbclient run (display updates applied, as in JupyterLab) produces the stored outputs of
  every cell, tagged ones included, once durations, speeds, ids and ports are masked;
- that run sends the requests the notebook's text claims it sends (checked per notebook below).

When outputs differ because the code changed on purpose: `python -m tests.tutorials.refresh`.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import nbformat
import pytest
from tutorials import harness
from tutorials import replies as script

pytestmark = pytest.mark.timeout(600)

NAMES = harness.notebook_names()
EXPECTED = {
    "01-quickstart",
    "02-parameters-and-widgets",
    "03-conversations",
    "04-reasoning-usage-and-cost",
    "05-errors-and-configuration",
    "06-tools-and-images",
    "07-structured-output",
    "08-compare-models",
    "09-replay-and-budget",
    "10-batch-over-data",
    "11-notebook-context",
    "12-images-speech-embeddings",
    "13-semantic-dataframes",
    "14-evaluate-models",
    "15-mcp-tools",
}
NBVAL_TIMEOUT = 300
# Cells that are not streamed answers: batch rows, evaluations, generated files, operators.
STREAMED_AIML = re.compile(r"\A%%aiml\b(?![^\n]*--(?:no-stream|over|eval|make|filter|classify)\b)")
KEY_SETTING = re.compile(
    r"%(?:set_)?env\s+\w*KEY|environ\[[^\]]*KEY[^\]]*\]\s*=|\.set_key\(|%aiml\s+key\b"
    r"|api_key\s*=\s*['\"]"
)


def read(name: str) -> Any:
    return nbformat.read(harness.notebook_path(name), as_version=4)


def code_cells(nb: Any) -> list[Any]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def tags(cell: Any) -> list[str]:
    return list(cell.metadata.get("tags", []))


# -- static checks -------------------------------------------------------------------------------


def test_every_notebook_is_covered():
    assert set(NAMES) >= EXPECTED, f"missing tutorials: {sorted(EXPECTED - set(NAMES))}"
    unscripted = sorted(set(NAMES) - set(script.REPLIES))
    assert not unscripted, f"notebooks without replies in tests/tutorials/replies.py: {unscripted}"
    orphaned = sorted(set(script.REPLIES) - set(NAMES))
    assert not orphaned, f"scripts without a notebook: {orphaned}"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_holds_no_key_or_key_like_string(name):
    text = harness.notebook_path(name).read_text(encoding="utf-8")
    assert harness.key_findings(text) == []


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_shaped_like_a_tutorial(name):
    nb = read(name)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    for needle in ("simulator", "AIML_API_KEY", "%aiml key"):
        assert needle in first.source, f"the first cell should mention {needle!r}"

    cells = code_cells(nb)
    assert cells[0].source == "%load_ext aiml_magics", "load the extension first, as a user does"
    problems = []
    for number, cell in enumerate(cells, 1):
        where = f"code cell {number} ({cell.source.splitlines()[0]!r})"
        if "NBVAL" in cell.source.upper():
            problems.append(f"{where}: nbval markers belong in cell tags, not in the source")
        if KEY_SETTING.search(cell.source):
            problems.append(f"{where}: sets or asks for a key inside the notebook")
        answers = STREAMED_AIML.match(cell.source) and "raises-exception" not in tags(cell)
        if answers and "nbval-ignore-output" not in tags(cell):
            problems.append(f"{where}: a streamed answer needs the nbval-ignore-output tag")
        if cell.execution_count != number:
            problems.append(
                f"{where}: execution count {cell.execution_count}, expected {number}; "
                f"store outputs with `{harness.REFRESH_COMMAND} {name}`"
            )
    assert problems == []
    assert "widgets" not in nb.metadata


# -- runs ----------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What the two runs of one notebook produced."""

    name: str
    nbval_returncode: int | None = None
    nbval_log: str = ""
    nbval_script: str | None = None
    executed: Any = None
    execute_error: str | None = None
    script: str | None = None
    requests: list[Any] = field(default_factory=list)
    key: str = ""


# How many nbval runs (each a pytest process and a kernel) at once, beside the nbclient runs.
# Starting all fifteen together on a 2-core machine made kernels miss their 60 s start-up.
NBVAL_AT_ONCE = max(2, min(4, (os.cpu_count() or 2)))


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, Outcome]:
    """nbval subprocesses, a few at a time, run while nbclient executes the notebooks one by one.

    Each run has its own simulator, so replies are consumed in each notebook's own order.
    """
    base = tmp_path_factory.mktemp("tutorials")
    results = {name: Outcome(name) for name in NAMES}
    running: list[subprocess.Popen] = []

    def run_nbval(name: str, sim) -> None:
        outcome = results[name]
        for attempt in (1, 2):
            ipython_dir = base / f"ipython-{name}-{attempt}"
            ipython_dir.mkdir()
            log = base / f"nbval-{name}-{attempt}.log"
            process = harness.start_nbval(name, sim, str(ipython_dir), log)
            running.append(process)
            try:
                outcome.nbval_returncode = process.wait(timeout=NBVAL_TIMEOUT)
            except subprocess.TimeoutExpired:
                _stop(process)
            outcome.nbval_log = log.read_text(encoding="utf-8", errors="replace")
            if not _kernel_never_started(outcome, sim):
                break
        outcome.nbval_script = harness.script_problem(sim, name)

    with ExitStack() as stack, ThreadPoolExecutor(NBVAL_AT_ONCE) as pool:
        stack.callback(lambda: [_stop(process) for process in list(running)])
        nbval_runs = [
            pool.submit(run_nbval, name, stack.enter_context(harness.scripted_simulator(name)))
            for name in NAMES
        ]
        for name in NAMES:
            outcome = results[name]
            with harness.scripted_simulator(name) as sim:
                try:
                    outcome.executed = harness.execute(name, sim)
                except Exception as exc:  # reported by the tests that need the run
                    outcome.execute_error = f"{type(exc).__name__}: {exc}"
                outcome.script = harness.script_problem(sim, name)
                outcome.requests = sim.chat_requests
                outcome.key = sim.api_key
        for run in nbval_runs:
            run.result()
    return results


KERNEL_START_FAILURES = ("Kernel died before replying to kernel_info", "Kernel didn't respond in")


def _kernel_never_started(outcome: Outcome, sim) -> bool:
    """A kernel that failed to start on a busy machine gets one more try; a test failure does not.

    Nothing reached the simulator, so the notebook's code never ran: the second try is the
    first run of the notebook, and a kernel that cannot start at all fails it the same way.
    """
    return (
        outcome.nbval_returncode != 0
        and not sim.requests
        and any(failure in outcome.nbval_log for failure in KERNEL_START_FAILURES)
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()


def executed(outcomes: dict[str, Outcome], name: str) -> Any:
    outcome = outcomes[name]
    assert outcome.execute_error is None, outcome.execute_error
    return outcome.executed


@pytest.mark.parametrize("name", NAMES)
def test_nbval_passes_against_the_simulator(outcomes, name):
    outcome = outcomes[name]
    lines = outcome.nbval_log.splitlines()
    # The kernel's own stderr (why it died) comes first; pytest's summary comes last.
    tail = "\n".join(lines if len(lines) <= 120 else [*lines[:40], "[…]", *lines[-80:]])
    assert outcome.nbval_returncode == 0, (
        f"pytest --nbval failed on notebooks/{name}.ipynb (exit {outcome.nbval_returncode}). "
        f"If the code changed on purpose: {harness.REFRESH_COMMAND} {name}\n{tail}"
    )
    assert outcome.nbval_script is None, outcome.nbval_script


@pytest.mark.parametrize("name", NAMES)
def test_stored_outputs_are_what_the_current_code_produces(outcomes, name):
    fresh = executed(outcomes, name)
    assert outcomes[name].script is None, outcomes[name].script
    stored = read(name)
    patterns = harness.sanitize_patterns()
    assert [c.source for c in stored.cells] == [c.source for c in fresh.cells]
    differences = []
    for number, (old, new) in enumerate(zip(code_cells(stored), code_cells(fresh), strict=True), 1):
        before = harness.comparable(old.outputs, patterns)
        after = harness.comparable(new.outputs, patterns)
        if before != after:
            diff = difflib.unified_diff(
                json.dumps(before, indent=1, ensure_ascii=False).splitlines(),
                json.dumps(after, indent=1, ensure_ascii=False).splitlines(),
                "stored",
                "current code",
                lineterm="",
                n=2,
            )
            head = old.source.splitlines()[0]
            differences.append(f"code cell {number} ({head!r}):\n" + "\n".join(list(diff)[:40]))
    assert not differences, (
        f"notebooks/{name}.ipynb does not hold the outputs the current code produces; "
        f"store them with `{harness.REFRESH_COMMAND} {name}`\n\n" + "\n\n".join(differences)
    )


@pytest.mark.parametrize("name", NAMES)
def test_a_fresh_run_leaks_no_key(outcomes, name):
    fresh = executed(outcomes, name)
    text = nbformat.writes(harness.normalize(fresh))
    assert harness.key_findings(text, outcomes[name].key) == []


@pytest.mark.parametrize("name", NAMES)
def test_error_cells_fail_and_the_others_do_not(outcomes, name):
    fresh = executed(outcomes, name)
    for cell in code_cells(fresh):
        failed = any(o.output_type == "error" for o in cell.outputs) or any(
            o.output_type == "stream" and o.name == "stderr" and "UsageError" in o.text
            for o in cell.outputs
        )
        expected = "raises-exception" in tags(cell)
        assert failed == expected, f"{cell.source.splitlines()[0]!r}: failed={failed}"


# -- what each notebook claims -------------------------------------------------------------------


def cell(nb: Any, start: str) -> Any:
    """The code cell whose source is `start`, or else the one that starts with it."""
    found = [c for c in code_cells(nb) if c.source == start]
    found = found or [c for c in code_cells(nb) if c.source.startswith(start)]
    assert len(found) == 1, f"{len(found)} cells start with {start!r}"
    return found[0]


def markdown(cell: Any) -> str:
    """The final Markdown of a cell's (last) rich output."""
    shown = [o for o in cell.outputs if o.output_type in ("display_data", "execute_result")]
    return shown[-1].data["text/markdown"]


def text_of(cell: Any) -> str:
    """Everything a cell printed, showed as plain text, or raised."""
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type == "error":
            parts.append(output.evalue)
        else:
            parts.append(output.data.get("text/plain", ""))
    return "\n".join(parts)


def asking(outcome: Outcome, words: str) -> list[Any]:
    """The chat requests whose last message contains `words` (retries included)."""
    return [r for r in outcome.requests if words in r.body["messages"][-1]["content"]]


def conversation(request: Any) -> list[tuple[str, str]]:
    return [(m["role"], m["content"]) for m in request.body["messages"]]


def test_quickstart_sends_what_it_explains(outcomes):
    outcome = outcomes["01-quickstart"]
    nb = executed(outcomes, "01-quickstart")
    (first,) = asking(outcome, "What is a p-value?")
    assert first.body["model"] == "bytedance/seed-1-8" and first.body["stream"] is True
    assert len(first.body["messages"]) == 1

    (second,) = asking(outcome, "Now compare two groups")
    sent = conversation(second)
    assert [role for role, _ in sent] == ["user", "assistant", "user"]
    assert sent[1][1] == script.P_VALUE, "the earlier answer goes along, without its reasoning"

    answer = markdown(cell(nb, "%%aiml\nWhat is a p-value?"))
    assert "<details><summary>Reasoning" in answer, "reasoning is collapsed by default"
    assert "stats.ttest_1samp" in answer
    assert "credits" in answer and "simulated answer" in answer
    assert "<details open><summary>Reasoning" in markdown(cell(nb, "%%aiml --reasoning show"))
    assert "two-sample" in text_of(cell(nb, "_aiml.text.splitlines()[0]"))


def test_parameters_reach_the_request(outcomes):
    outcome = outcomes["02-parameters-and-widgets"]
    nb = executed(outcomes, "02-parameters-and-widgets")

    def body(words: str) -> dict:
        (request,) = asking(outcome, words)
        return request.body

    assert body("descriptive name for a column")["model"] == "openai/gpt-4o"
    brainstorm = body("Brainstorm five playful names")
    assert (brainstorm["temperature"], brainstorm["seed"]) == (1.2, 7)
    assert body("one serious name")["top_p"] == 0.3
    missing = body("missing values")
    assert (missing["max_tokens"], missing["frequency_penalty"], missing["presence_penalty"]) == (
        400,
        0.5,
        0.3,
    )
    assert asking(outcome, "poem about outliers") == [], "an invalid value sends nothing"
    extra = body("groupby")
    assert (extra["reasoning_effort"], extra["stop"]) == ("low", ["\n\n"])
    assert body("order line")["response_format"] == {"type": "json_object"}
    assert text_of(cell(nb, "round(")) == "23.97"
    assert body("median instead of the mean")["stream"] is False

    defaults = body("one-line docstring")
    assert (defaults["model"], defaults["temperature"]) == ("openai/gpt-4o", 0.2)
    override = body("playful version")
    assert (override["model"], override["temperature"]) == ("bytedance/seed-1-8", 0.9)
    settings = text_of(cell(nb, "%aiml config"))
    assert re.search(r"^model +openai/gpt-4o +%config$", settings, re.MULTILINE)
    assert re.search(r"^temperature +0\.2 +%config$", settings, re.MULTILINE)
    assert re.search(r"^api key +\*\*\*\* \(set\) +environment AIML_API_KEY$", settings, re.M)


def test_conversations_send_the_context_they_describe(outcomes):
    outcome = outcomes["03-conversations"]
    nb = executed(outcomes, "03-conversations")

    def sent(words: str) -> list[tuple[str, str]]:
        (request,) = asking(outcome, words)
        return conversation(request)

    assert [r for r, _ in sent("Sorted from highest")] == ["user", "assistant", "user"]
    review = sent("Review this function")
    assert review[0] == ("system", script.REVIEW_SYSTEM)
    assert "result = {}" in review[1][1], "code braces are sent as typed"
    one_line = sent("in one line")
    assert [r for r, _ in one_line] == ["system", "user", "assistant", "user"]
    assert not any("revenue" in text for _, text in one_line), "chats are independent"
    assert [r for r, _ in sent("Review this line")] == ["system", "user"], "--new keeps the system"
    assert [r for r, _ in sent("keyboard shortcut")] == ["user"], "--no-history sends no turns"
    assert "| default | 2 |" in markdown(code_cells(nb)[11])

    budget = sent("Which of the snippets")
    assert [text for _, text in budget[:2]] == [
        "Sorted from highest to lowest, please.",
        script.SORTED_TOTALS,
    ], "the oldest turn was left out"
    assert "1 earlier turn(s) left out" in text_of(cell(nb, "%%aiml\nWhich of the snippets"))

    assert sent("Which chart shows")[-1][1].startswith(
        "My DataFrame has 12480 rows with the columns ['region', 'month', 'revenue'], "
        "covering 4 regions over 24 months."
    )
    braces = sent("What does the last line print")[-1][1]
    assert 'stats = {"rows": len(df), "cols": df.shape[1]}' in braces
    assert "print(f\"{summary} has {stats['rows']} rows\")" in braces
    assert text_of(cell(nb, "print(chart_code)")) == script.CHART_CODE + "\n"
    assert script.CHART_CODE in sent("Review this plotting code")[-1][1]


def test_reasoning_and_limits_show_up_in_the_footer(outcomes):
    outcome = outcomes["04-reasoning-usage-and-cost"]
    nb = executed(outcomes, "04-reasoning-usage-and-cost")
    (first,) = asking(outcome, "screening test")
    assert first.body["model"] == "deepseek/deepseek-r1"
    (second,) = asking(outcome, "second, independent test")
    assert conversation(second)[1] == ("assistant", script.SCREENING), "reasoning is not sent back"
    assert "<details" not in markdown(cell(nb, "%%aiml -m deepseek/deepseek-r1 --reasoning hide"))

    spent = markdown(cell(nb, "%%aiml --max-tokens 40"))
    assert "token limit was spent before any answer" in spent
    assert text_of(cell(nb, "_aiml.finish_reason")) == "('length', '')"
    cut = markdown(cell(nb, "%%aiml -m openai/gpt-4o --max-tokens 60"))
    assert "cut off at the token limit" in cut

    growth = re.search(r"prompt tokens: (\d+) -> (\d+)", text_of(cell(nb, 'print(f"prompt')))
    assert int(growth[2]) > 3 * int(growth[1]), "the second prompt carries the first turn"
    usage = text_of(cell(nb, "%aiml usage"))
    assert re.search(r"^deepseek/deepseek-r1 +2 ", usage, re.MULTILINE)


def test_failures_look_as_described(outcomes):
    outcome = outcomes["05-errors-and-configuration"]
    nb = executed(outcomes, "05-errors-and-configuration")

    def error(start: str) -> Any:
        (found,) = [o for o in cell(nb, start).outputs if o.output_type == "error"]
        return found

    assert error("import os").ename == "MissingKeyError"
    # The simulator is on loopback, where a server may need no key: asked without one, it refuses.
    assert [r.authorized for r in asking(outcome, "anybody there")] == [False]
    assert error("%%aiml\nWhich is bigger, 9.11 or 9.9?").ename == "AuthenticationError"
    assert "HTTP 403" in error("%%aiml\nWhich is bigger, 9.11 or 9.9? Answer").evalue
    assert "UsageError: argument --top-p" in text_of(cell(nb, "%%aiml --top-p 0"))
    assert len(asking(outcome, "Name three colours.")) == 2, "--top-p 0 was caught locally"
    assert "response_format.type" in error("%%aiml -p").evalue
    assert "Did you mean openai/gpt-4o" in error("%%aiml -m openai/gpt4o").evalue

    assert len(asking(outcome, "faster pandas code")) == 2
    retried = text_of(cell(nb, "%%aiml\nGive me one tip"))
    assert "waiting 1.0 s before retry 1 of 2 (429 Too Many Requests)" in retried
    assert "vectorise" not in retried and "arithmetic on whole columns" in retried
    assert len(asking(outcome, "one more tip")) == 3
    assert error("%%aiml\nAnd one more tip?").ename == "ServerError"
    broken = cell(nb, "%%aiml\nSummarise the assumptions")
    assert error("%%aiml\nSummarise the assumptions").ename == "StreamError"
    assert "Linearity" in markdown(broken) and "incomplete" not in markdown(broken)
    assert "not added to the conversation" in error("%%aiml\nSummarise the assumptions").evalue
    assert "| default | 1 |" in markdown(cell(nb, "%aiml chats"))

    assert error("from aiml_magics import AimlClient").ename == "InsecureURLError"
    assert text_of(cell(nb, "reviews = [")).splitlines() == [
        "positive  Arrived quickly and works perfectly.",
        "negative  Stopped charging after two days.",
        " neutral  It does the job, nothing special.",
    ]
    (review,) = asking(outcome, "Stopped charging")
    assert review.body["temperature"] == 0 and review.body["messages"][0]["role"] == "system"
    assert text_of(cell(nb, "from aiml_magics.api.events")).startswith("1, 2, 3, 4, 5\n")
    assert "rate limited (HTTP 429)" in text_of(cell(nb, "from aiml_magics.api.errors"))
    assert "Hello from notebook 5" in text_of(cell(nb, "offline = "))
    assert asking(outcome, "Hello from notebook 5") == [], "that one went to the local server"


def test_tools_and_images_make_the_round_trip_they_describe(outcomes):
    outcome = outcomes["06-tools-and-images"]
    nb = executed(outcomes, "06-tools-and-images")
    requests = [r.body for r in outcome.requests]
    assert len(requests) == 12

    offered = [t["function"]["name"] for t in requests[0]["tools"]]
    assert offered == ["lookup_price", "portfolio_value"]
    schema = requests[0]["tools"][0]["function"]["parameters"]
    assert schema["required"] == ["ticker"]
    assert "'required': ['ticker']" in text_of(cell(nb, "aiml_magics.chat.tools.describe"))

    asked, *results = requests[1]["messages"][-3:]
    assert [c["function"]["name"] for c in asked["tool_calls"]] == ["portfolio_value"] * 2
    assert [(m["role"], m["content"]) for m in results] == [("tool", "7037.0"), ("tool", "6856.5")]
    assert text_of(cell(nb, "_aiml.tool_rounds")) == "(1, 2)"
    assert "1 tool round, 2 calls, 2 requests" in markdown(
        cell(nb, "%%aiml --tools lookup_price,portfolio_value\nIs my")
    )

    failed = requests[3]["messages"][-1]
    assert failed["role"] == "tool" and "no closing price for TSLA" in failed["content"]

    forced, after = requests[4], requests[5]
    assert forced["tool_choice"] == {"type": "function", "function": {"name": "lookup_price"}}
    assert forced["parallel_tool_calls"] is False
    assert "tool_choice" not in after, "a named tool is forced on the first request only"

    (stopped,) = [
        o
        for o in cell(nb, "%%aiml --tools lookup_price,portfolio_value --no-stream").outputs
        if o.output_type == "error"
    ]
    assert stopped.ename == "ToolError" and "max_tool_rounds = 1" in stopped.evalue

    def images(body: dict) -> list[dict]:
        return [
            part["image_url"]
            for message in body["messages"]
            if isinstance(message["content"], list)
            for part in message["content"]
            if part["type"] == "image_url"
        ]

    (figure,) = images(requests[8])
    assert figure["url"].startswith("data:image/png;base64,")
    assert all(m.get("role") != "tool" for m in requests[8]["messages"]), "-c charts is separate"
    assert images(requests[9])[-1]["detail"] == "low"
    url = "https://matplotlib.org/stable/_images/sphx_glr_simple_plot_001.png"
    assert images(requests[10])[-1] == {"url": url}, "a URL is sent as the URL"
    assert len(images(requests[11])) == 3, "earlier images go along as context"
    thumbnail, _answer = cell(nb, "%%aiml -c charts --image fig").outputs
    assert thumbnail.data["text/markdown"].startswith("![fig"), "a thumbnail of what was sent"
    assert "data:image/png;base64," in thumbnail.data["text/markdown"]


def test_mcp_tools_make_the_round_trip_they_describe(outcomes):
    requests = outcomes["15-mcp-tools"].requests
    assert len(requests) == 5
    offered = [t["function"]["name"] for t in requests[0].body["tools"]]
    assert offered == ["rates__convert"]
    results = [m["content"] for m in requests[1].body["messages"] if m["role"] == "tool"]
    assert results == ["270.0", "40500.0"]
    error = json.loads(requests[3].body["messages"][-1]["content"])["error"]
    assert error.startswith("rates__convert reported an error:") and "unknown currency" in error
    user = requests[4].body["messages"][-1]["content"]
    assert "MCP resource rates://today:" in user and "1 EUR = 162.0 JPY" in user


def test_workflow_sections_do_what_they_say(outcomes):
    quickstart = outcomes["01-quickstart"]
    nb = executed(outcomes, "01-quickstart")
    assert "Put code block 1 of 1 into a new cell below" in text_of(cell(nb, "%%aiml --to-cell"))
    assert "def mean_ci" in markdown(cell(nb, "%%aiml --to-cell"))
    (fix,) = [r for r in quickstart.requests if "raised an exception" in str(r.body["messages"])]
    question = fix.body["messages"][-1]["content"]
    assert "heights[4]" in question and "IndexError: list index out of range" in question
    assert "ipykernel_" not in question and "site-packages" not in question  # no local paths
    assert len(fix.body["messages"]) == 1, "the chat fix starts empty"

    panel = text_of(cell(executed(outcomes, "02-parameters-and-widgets"), "%aiml panel"))
    assert panel.startswith("%aiml panel needs a widget frontend") and panel.count("\n") == 1

    nb = executed(outcomes, "03-conversations")
    assert "Wrote chat 'plots' (2 turns) to plots.json" in text_of(
        cell(nb, "%aiml export -c plots plots.json")
    )
    assert text_of(cell(nb, "with open(")).startswith("### Chat plots")
    assert "Imported chat 'plots' with 2 turns" in text_of(cell(nb, "%aiml import plots.json"))
    restored = markdown(code_cells(nb)[-2])  # the second `%aiml history -c plots`
    assert "**2. You**" in restored and "pivot_table" in restored


def test_replay_and_budget_spend_what_the_tutorial_says(outcomes, visible):
    outcome = outcomes["09-replay-and-budget"]
    nb = executed(outcomes, "09-replay-and-budget")
    question = "Which test compares the means of two independent groups?"
    assert len(asking(outcome, question)) == 2, "asked once, replayed once, asked --fresh"
    assert len(outcome.requests) == 3, "only, the dry run and the refused cells sent nothing"
    first, replayed, fresh = (
        c for c in code_cells(nb) if c.source.endswith("paragraph.") and ("-t 0.2" not in c.source)
    )
    assert "replayed" not in visible(markdown(first))
    assert "replayed from the recording of" in visible(markdown(replayed))
    assert script.WELCH_FRESH.split(".")[0] in markdown(fresh)
    assert text_of(cell(nb, "_aiml.replayed")) == "True"
    missed = text_of(cell(nb, "%%aiml --no-history -t 0.2"))
    assert "differs from the closest recording in the parameter temperature" in missed
    dry = text_of(cell(nb, "%%aiml --dry-run"))
    assert '"max_tokens": 300' in dry and "Estimated cost:" in dry and "credits" in dry
    assert "up to 104,0" in text_of(cell(nb, "%%aiml --max-tokens 20000"))  # $2.6 per 1M
    assert "of its budget of 1,000 credits" in text_of(cell(nb, "%%aiml\nOne more question?"))
    recorded = harness.recording_path("09-replay-and-budget").read_text(encoding="utf-8")
    assert len(recorded.splitlines()) == 2, "the fresh answer replaced the first recording"
    assert "sk-" not in recorded and "Bearer" not in recorded


def test_the_generated_image_goes_back_to_the_vision_model(outcomes):
    outcome = outcomes["12-images-speech-embeddings"]
    nb = executed(outcomes, "12-images-speech-embeddings")
    shown = next(
        o.data["image/png"]
        for o in cell(nb, "%%aiml --make image --size 512x512\n").outputs
        if "image/png" in o.data
    )
    (vision,) = [r for r in outcome.requests if isinstance(r.body["messages"][-1]["content"], list)]
    parts = vision.body["messages"][-1]["content"]
    (url,) = [p["image_url"]["url"] for p in parts if p["type"] == "image_url"]
    assert url == "data:image/png;base64," + shown, "the image shown is the image sent"
    assert "Estimated cost:" in text_of(cell(nb, "%%aiml --make image --size 512x512 --dry-run"))
    assert "<audio" in cell(nb, "%%aiml --make speech").outputs[0].data["text/html"]
    video = cell(nb, "%%aiml --make video").outputs
    assert video[0].data["text/plain"].startswith("video · completed · ")
    assert "<video" in video[-1].data["text/html"]
    assert "Files made this session" in text_of(cell(nb, "%aiml usage"))
