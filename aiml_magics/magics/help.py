"""`%aiml help`: the commands and every option of `%%aiml`, from the one registry, parser and
rule table. A notebook gets Markdown with a section per topic and tables; a terminal (and
`text/plain`) gets the same as aligned text."""

from __future__ import annotations

import argparse

from ..display.sanitize import escape_markdown_inline
from . import registry, rules

INTRO = (
    "Type `%%aiml [options]` on a cell's first line and the message below it: the answer "
    "streams as Markdown, and the next `%%aiml` cell continues the chat. `%%aiml?` shows "
    "the options with examples."
)


def help_bundle(parser: argparse.ArgumentParser) -> dict[str, str]:
    plain = registry.help_text() + "\nOptions of %%aiml:\n" + parser.format_help()
    return {"text/plain": plain, "text/markdown": help_markdown(parser)}


def help_markdown(parser: argparse.ArgumentParser) -> str:
    commands = [("%%aiml [options]", "send the cell body; the answer streams as Markdown")]
    commands += [(command.usage, command.summary) for command in registry.SUBCOMMANDS]
    parts = ["### %%aiml", INTRO, "### Commands", _table(("command", "what it does"), commands)]
    parts.append("### Options of %%aiml")
    for group in parser._action_groups:  # argparse keeps its groups only here
        rows = [(_option(action), action.help or "") for action in group._group_actions]
        if rows and group.title not in ("positional arguments",):
            parts += [f"#### {_text(group.title or 'Options')}", _table(("option", ""), rows)]
    parts.append("#### Which options go together")
    parts.append("\n".join(f"- {_text(row)}" for row in rules.help_rows()))
    parts.append("### Settings")
    parts.append("\n".join(f"- {_text(line)}" for line in registry.FOOTNOTE.splitlines()))
    return "\n\n".join(parts)


def _option(action: argparse.Action) -> str:
    """`-m MODEL, --model MODEL` as argparse spells an option in its help."""
    if not action.option_strings:
        return action.metavar or action.dest
    if action.nargs == 0:
        return ", ".join(action.option_strings)
    metavar = action.metavar or action.dest.upper()
    if isinstance(metavar, tuple):
        metavar = " ".join(metavar)
    if action.choices and not action.metavar:
        metavar = "{" + ",".join(map(str, action.choices)) + "}"
    return ", ".join(f"{option} {metavar}" for option in action.option_strings)


def _table(header: tuple[str, str], rows: list[tuple[str, str]]) -> str:
    lines = [f"| {header[0]} | {header[1]} |", "|---|---|"]
    lines += [f"| `{_cell(code)}` | {_text(text)} |" for code, text in rows]
    return "\n".join(lines)


def _text(text: str) -> str:
    """Our own words as Markdown text: nothing in them is read as markup, math or a table's
    column bar."""
    return escape_markdown_inline(text)


def _cell(code: str) -> str:
    """A code span inside a table cell: only its bars need escaping."""
    return code.replace("|", "\\|")
