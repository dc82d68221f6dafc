"""Options and subcommands are declared once; help, errors and TAB completion follow them.

Expectations are read from the declarations themselves, so the next option or subcommand
cannot be forgotten in one of those places.
"""

from __future__ import annotations

import pytest
from IPython.utils.capture import capture_output

from aiml_magics.magics import AimlMagics, registry
from aiml_magics.magics.completion import cell_options, option_choices

# `shell.complete` (what TAB asks in a plain shell) warns of a future API; the answer is the same.
pytestmark = [
    pytest.mark.unit,
    pytest.mark.filterwarnings("ignore:`Completer.complete` is pending deprecation"),
]

PARSER = AimlMagics.aiml_cell.parser
DECLARED_OPTIONS = sorted(
    option
    for action in PARSER._actions
    for option in action.option_strings
    if option.startswith("--") and option != "--help"
)


def tab(ip, line: str) -> list[str]:
    """What TAB offers at the end of `line` in a real shell's completer."""
    _, matches = ip.complete("", line, len(line))
    return matches


def test_the_declaration_has_the_options_users_type():
    for option in ("--tools", "--tool-choice", "--image", "--image-detail", "--to-cell"):
        assert option in DECLARED_OPTIONS


@pytest.mark.parametrize("option", DECLARED_OPTIONS)
def test_every_declared_cell_option_completes(ip, option):
    assert option in tab(ip, "%%aiml ")
    assert option in tab(ip, "%%aiml -t 0.2 " + option[:4])


@pytest.mark.parametrize("option", sorted(option_choices(PARSER)))
def test_options_with_choices_complete_their_values(ip, option):
    offered = tab(ip, f"%%aiml {option} ")
    assert offered and set(offered) == set(option_choices(PARSER)[option])


def test_the_completer_lists_exactly_the_declared_options():
    assert cell_options(PARSER) == DECLARED_OPTIONS


@pytest.mark.parametrize("name", registry.NAMES)
def test_every_subcommand_completes_appears_in_help_and_in_the_error(ip, name):
    assert name in tab(ip, "%aiml ")
    with capture_output() as help_output:
        ip.run_line_magic("aiml", "help")
    (shown,) = help_output.outputs
    assert f"%aiml {name}" in shown.data["text/plain"]
    assert f"`%aiml {name}" in shown.data["text/markdown"]
    with capture_output():
        result = ip.run_cell("%aiml nosuch")
    assert name in str(result.error_in_exec)


def test_the_unknown_subcommand_error_names_them_all(ip):
    with capture_output():
        result = ip.run_cell("%aiml nosuch")
    message = str(result.error_in_exec)
    assert "unknown subcommand 'nosuch'" in message
    assert all(name in message for name in ("fix", "export", "import", "panel"))


def test_every_declared_subcommand_has_a_handler_and_no_handler_is_undeclared():
    handlers = {name for name in dir(AimlMagics) if name.startswith("_sub_")}
    assert handlers == {command.handler for command in registry.SUBCOMMANDS}


@pytest.mark.parametrize(
    "command", [c for c in registry.SUBCOMMANDS if c.flags], ids=lambda c: c.name
)
def test_subcommand_flags_complete(ip, command):
    assert set(command.flags) <= set(tab(ip, f"%aiml {command.name} "))
