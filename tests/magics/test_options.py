"""The option rules, the parameters and the options page are each derived from one
declaration; these tests are derived from the same declarations, so a rule, parameter or
option added later is tested (and documented) without anyone remembering to."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from aiml_magics.chat.params import PARAMS
from aiml_magics.chat.settings import SETTINGS, AimlSettings
from aiml_magics.magics import rules
from aiml_magics.magics.cell import AimlMagics
from aiml_magics.magics.options import parse_options
from aiml_magics.widgets.controls import NUMBER_CONTROLS

pytestmark = [
    pytest.mark.unit,
    pytest.mark.filterwarnings("ignore:`Completer.complete` is pending deprecation"),
]

PARSER = AimlMagics.aiml_cell.parser
OPTIONS_PAGE = Path(__file__).resolve().parents[2] / "docs" / "options.md"

# How each option of the table is typed in a test line.
TYPED = {
    "--keep": "--keep a",
    "--compare": "--compare a,b",
    "-m/--model": "-m a",
    "--tools": "--tools f",
    "--mcp": "--mcp s",
    "--tools or --mcp": "--tools f",
    "--mcp-resource": "--mcp-resource notes://today",
    "--to-cell": "--to-cell",
    "--no-history": "--no-history",
    "--over": "--over rows",
    "--tool-choice": "--tool-choice required",
    "--confirm-tools": "--confirm-tools",
    "-c/--chat": "-c other",
    "--new": "--new",
    "--image": "--image x.png",
    "--dry-run": "--dry-run",
    "--out-col": "--out-col x",
    "--concurrency": "--concurrency 2",
    "--max-credits": "--max-credits 5",
    "--json": "--json",
    "--schema": "--schema S",
    "-p response_format": "-p response_format=x",
    "--image-detail": "--image-detail low",
    "--context": "--context cells",
    "--eval": "--eval rows",
    "--over or --eval or --filter or --classify": "--over rows",
    "--filter or --classify": "--filter rows",
    "--filter": "--filter rows",
    "--classify": "--classify rows",
    "--labels": "--labels a,b",
    "--repeats": "--repeats 2",
    "--metric": "--metric exact",
    "--judge": "--judge j",
    "--make": "--make image",
    "--make image": "--make image",
    "--make speech": "--make speech",
    "--size": "--size 64x64",
    "--n": "--n 2",
    "--voice": "--voice alloy",
    "-s/--system": "-s brief",
}


def parsed(line: str):
    return parse_options(AimlMagics.aiml_cell, line)


def first_broken(line: str) -> rules.Rule | None:
    return next((r for r in rules.RULES if r.broken(parsed(line))), None)


def breaking(rule: rules.Rule) -> str:
    """A line whose first broken rule is `rule`: its options, plus what they need."""
    for tool_choice in ("--tool-choice required", "--tool-choice auto"):
        typed = {**TYPED, "--tool-choice": tool_choice}
        words = [rule.subject] + ([rule.other] if rule.kind == rules.EXCLUDES else [])
        line = " ".join(typed[option] for option in words)
        for _ in range(len(rules.RULES)):  # add what another broken rule needs
            other = first_broken(line)
            if other is None or other is rule or other.kind == rules.EXCLUDES:
                break
            line += " " + typed[other.other]
        if first_broken(line) is rule:
            return line
    raise AssertionError(f"no line breaks {rule_id(rule)} first")


def rule_id(rule: rules.Rule) -> str:
    return f"{rule.subject} {rule.kind} {rule.other}"


def test_the_table_has_todays_rules():
    assert len(rules.RULES) == 77
    assert {rule.kind for rule in rules.RULES} == {rules.NEEDS, rules.EXCLUDES, rules.ONLY_WITH}


@pytest.mark.parametrize("rule", rules.RULES, ids=rule_id)
def test_each_rule_gives_its_own_error_and_sends_nothing(run, aiml_simulator, rule):
    out = run(f"%%aiml {breaking(rule)}\nhi")
    said = out.stdout + out.captured.stderr
    assert "UsageError" in said and rule.reason in said
    assert aiml_simulator.chat_requests == []


@pytest.mark.parametrize("rule", rules.RULES, ids=rule_id)
def test_a_line_that_keeps_a_rule_passes_it(rule):
    line = breaking(rule)
    assert rule.broken(parsed(line))
    if rule.kind == rules.EXCLUDES:
        kept = line.replace(TYPED[rule.other], "")
    else:
        kept = f"{line} {TYPED[rule.other]}"
    assert not rule.broken(parsed(kept))


def test_tool_choice_none_and_auto_need_no_tools():
    for choice in ("none", "auto"):
        assert first_broken(f"--tool-choice {choice}") is None


@pytest.mark.parametrize("rule", rules.RULES, ids=rule_id)
def test_help_lists_every_rule(rule):
    help_text = " ".join(AimlMagics.aiml_cell.__doc__.split())
    section = help_text[help_text.index("Which options go together:") :]
    assert rule.subject in section and rule.other in section


def test_tab_leaves_out_what_the_line_excludes(ip):
    _, offered = ip.complete("", "%%aiml --compare a,b --", len("%%aiml --compare a,b --"))
    assert "--tools" not in offered and "--to-cell" not in offered and "--model" not in offered
    assert "--keep" in offered and "--reasoning" in offered
    _, offered = ip.complete("", "%%aiml --over rows --", len("%%aiml --over rows --"))
    assert "--chat" not in offered and "--dry-run" not in offered
    assert "--out-col" in offered


# -- the generation parameters ------------------------------------------------------------


@pytest.mark.parametrize("param", PARAMS, ids=lambda p: p.name)
def test_each_parameter_reaches_every_place_from_its_declaration(param):
    trait = AimlSettings.class_traits()[param.name]
    assert param.bounds in trait.help and param.name in SETTINGS
    action = next(a for a in PARSER._actions if a.dest == param.name)
    assert tuple(action.option_strings) == param.flags and param.bounds in action.help
    assert NUMBER_CONTROLS[param.name] == (param.label, param.bounds)


@pytest.mark.parametrize("param", PARAMS, ids=lambda p: p.name)
def test_each_parameter_refuses_its_bounds_everywhere(run, aiml_simulator, param):
    outside = (param.high + 1) if param.high is not None else param.low - 1
    flag = param.flags[-1]
    out = run(f"%%aiml {flag} {outside:g}\nhi")
    assert param.name in out.stdout + out.captured.stderr
    with pytest.raises(ValueError, match=param.name):
        param.check(outside)
    assert param.check(param.low) == param.low
    assert aiml_simulator.chat_requests == []


# -- docs/options.md ----------------------------------------------------------------------


def page_rows() -> dict[str, str]:
    """First cell -> second cell of every table row of the options page."""
    rows = {}
    for line in OPTIONS_PAGE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) >= 2 and not set(cells[0]) <= set("-"):
            rows[cells[0]] = " | ".join(cells[1:])
    return rows


def documented_flags(first_cell: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", first_cell))


@pytest.mark.parametrize(
    "action",
    [a for a in PARSER._actions if a.option_strings and a.dest != "help"],
    ids=lambda a: a.dest,
)
def test_the_options_page_lists_every_option_with_its_flags(action):
    flags = set(action.option_strings)
    assert any(flags <= documented_flags(first) for first in page_rows()), flags


@pytest.mark.parametrize("param", PARAMS, ids=lambda p: p.name)
def test_the_options_page_shows_each_parameters_declared_bounds(param):
    row = next(m for first, m in page_rows().items() if set(param.flags) <= documented_flags(first))
    assert row.startswith(param.bounds)


@pytest.mark.parametrize("name", SETTINGS)
def test_the_options_page_lists_every_setting(name):
    assert any(f"`{name}`" in first for first in page_rows())


def test_the_page_table_is_read(tmp_path):
    """The row reader finds a row, and a missing flag would be noticed."""
    assert documented_flags("`-t/--temperature X`") == {"-t", "--temperature"}
    assert "--no-such-option" not in {f for first in page_rows() for f in documented_flags(first)}
    assert shlex.split(TYPED["--compare"]) == ["--compare", "a,b"]
