"""One UsageError story (`magics/usage.py`): in a magic, an options error and a value the
library cannot use both reach the user as IPython's `UsageError`, one line on stderr with no
traceback; from Python the library's `UsageError` is raised, one line too."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError as IPythonUsageError

import aiml_magics
from aiml_magics.api import errors
from aiml_magics.magics.usage import shows_usage_errors, usage_text


def said(out) -> str:
    return out.stdout + out.captured.stderr


def assert_one_usage_line(out, message: str) -> None:
    assert type(out.error) is IPythonUsageError
    lines = [line for line in said(out).splitlines() if line.strip()]
    assert lines == [f"UsageError: {message}"], said(out)


def test_an_options_error_is_one_line_on_stderr(run, aiml_simulator):
    out = run("%%aiml --top-p 0\nhi")
    assert_one_usage_line(out, "argument --top-p: top_p must be between 0.01 and 1, got 0")
    assert aiml_simulator.chat_requests == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("--over rows --concurrency 0", "concurrency must be at least 1, got 0"),
        ("--image no-such-file.png", "--image 'no-such-file.png': file not found"),
        ("--tools rows", "--tools: 'rows' is not a function (list)"),
        ("--schema Pair", "tuples are not supported; use list[...]"),
    ],
)
def test_a_value_the_library_cannot_use_is_the_same_line(run, ip, aiml_simulator, line, message):
    """These are raised below the magics as `api.errors.UsageError` (or a kind of it)."""
    ip.user_ns["rows"] = ["a"]
    ip.user_ns["Pair"] = tuple[int, int]
    out = run(f"%%aiml {line}\nQ: {{text}}")
    assert_one_usage_line(out, message)
    assert aiml_simulator.chat_requests == []


def test_from_python_the_library_error_is_raised_and_shown_as_one_line(run, ip, aiml_simulator):
    with pytest.raises(errors.UsageError, match="the prompt is empty"):
        aiml_magics.batch("  ", ["a"], progress=False)
    ip.user_ns["aiml_magics"] = aiml_magics
    out = run("aiml_magics.batch('Q: {text}', ['a'], concurrency=0, progress=False)")
    assert type(out.error) is errors.UsageError
    lines = [line for line in said(out).splitlines() if line.strip()]
    assert lines == ["Usage error: concurrency must be at least 1, got 0"]
    assert aiml_simulator.chat_requests == []


def test_the_boundary_translates_only_usage_errors():
    def broken(kind: type[Exception], message: str) -> None:
        raise kind(message)

    wrapped = shows_usage_errors(broken)
    with pytest.raises(IPythonUsageError, match="^bad value$") as caught:
        wrapped(errors.UsageError, "bad value")
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    with pytest.raises(errors.ServerError):
        wrapped(errors.ServerError, "not a usage problem")
    assert wrapped.__name__ == "broken"


def test_usage_text_keeps_the_hint_on_one_line():
    error = errors.UsageError("--image x:\n  not found", hint="Give a path.")
    assert usage_text(error) == "--image x: not found Give a path."
