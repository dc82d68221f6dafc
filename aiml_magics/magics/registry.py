"""The registry of `%aiml` subcommands, declared once: help, the unknown-subcommand error
and tab completion are all generated from `SUBCOMMANDS`. The handlers are the `_sub_<name>`
methods of `handlers.py` (a dash in the name becoming an underscore)."""

from __future__ import annotations

from dataclasses import dataclass

from ..api.kinds import KINDS
from ..chat.settings import REPLAY_MODES

USAGE_COLUMN = 26


@dataclass(frozen=True)
class Subcommand:
    name: str
    arguments: str  # as shown in help, e.g. "[-c NAME]"
    summary: str
    flags: tuple[str, ...] = ()  # options TAB offers after the name
    takes_model: bool = False  # TAB offers model names as its first argument
    values: tuple[tuple[str, tuple[str, ...]], ...] = ()  # TAB offers these after an option
    sources: tuple[tuple[str, str], ...] = ()  # TAB offers the session's names after an option

    @property
    def handler(self) -> str:
        """The name of the `SubcommandsMixin` method that runs it."""
        return "_sub_" + self.name.replace("-", "_")

    @property
    def usage(self) -> str:
        return f"%aiml {self.name} {self.arguments}".rstrip()


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand(
        "models",
        "[--type KIND] [FILTER]",
        "chat models of the service (id, name, context, max output); --type "
        f"{'|'.join(KINDS)}: models of that kind with their prices",
        flags=("--type",),
        takes_model=True,
        values=(("--type", tuple(KINDS)),),
    ),
    Subcommand("history", "[-c NAME]", "the turns of a chat", flags=("-c",)),
    Subcommand("chats", "", "chats with their number of turns and system prompts"),
    Subcommand(
        "reset",
        "[-c NAME | --all]",
        "forget a chat (default: the chat named default), or all chats",
        flags=("-c", "--all"),
    ),
    Subcommand("config", "", "every effective setting and where it came from"),
    Subcommand("key", "", "type the API key at a hidden prompt (kept in memory only)"),
    Subcommand(
        "balance", "", "the account's balance as the service states it, and the budget against it"
    ),
    Subcommand("usage", "", "requests, tokens, credits and dollars per model; files made (assets)"),
    Subcommand(
        "jobs",
        "[ID]",
        "video and transcription jobs of this session; with an ID, look again (a finished "
        "video is saved and shown)",
    ),
    Subcommand(
        "last-error",
        "",
        "the whole text of the last error (its one-line form cuts long server messages)",
    ),
    Subcommand(
        "fix",
        "[-m MODEL] [WORDS]",
        'explain the last exception and suggest a fix (chat "fix")',
        flags=("-m",),
    ),
    Subcommand(
        "export",
        "[-c NAME] PATH",
        "write a chat to PATH.json (re-importable) or PATH.md (transcript)",
        flags=("-c",),
    ),
    Subcommand(
        "import",
        "PATH [-c NAME]",
        "load a .json export back, e.g. after a kernel restart",
        flags=("-c",),
    ),
    Subcommand(
        "replay",
        "[off|auto|record|only]",
        "record and replay answers; alone: mode, file, recordings, savings",
        flags=REPLAY_MODES,
    ),
    Subcommand(
        "mcp",
        "[restart NAME]",
        "MCP servers of AimlMagics.mcp_config: state and tools; restart one",
        flags=("restart",),
        sources=(("restart", "servers"),),
    ),
    Subcommand("panel", "", "session panel: default parameters, chats, usage (widgets)"),
    Subcommand("help", "", "this text"),
)

BY_NAME = {command.name: command for command in SUBCOMMANDS}
NAMES = tuple(BY_NAME)

FOOTNOTE = """\
Settings: %config AimlMagics.<name> = value (see %aiml config for the names).
Environment: AIML_API_KEY (or AIMLAPI_API_KEY), AIML_API_BASE, AIML_MODEL, AIML_REPLAY.
"""


def help_text() -> str:
    """One line per subcommand (the summary moves below a long usage), then the footnote."""
    lines = [_row("%%aiml [options]", "send the cell body; the answer streams as Markdown")]
    lines += [_row(command.usage, command.summary) for command in SUBCOMMANDS]
    return "\n".join(lines) + "\n\n" + FOOTNOTE


def unknown(name: str) -> str:
    return f"unknown subcommand {name!r}; try one of: {', '.join(NAMES)}"


def _row(usage: str, summary: str) -> str:
    if len(usage) < USAGE_COLUMN:
        return usage.ljust(USAGE_COLUMN) + summary
    return usage + "\n" + " " * USAGE_COLUMN + summary
