"""Tab completion for `%%aiml` options and `%aiml` subcommands.

Nothing here is listed by hand: cell options and their choices come from the `%%aiml`
argument parser (less the ones the rule table excludes given what the line has), subcommands
and their flags from `registry.SUBCOMMANDS`. Model ids come
from the session's cached model list; the completer never waits on the network for more than
a moment (the first TAB starts the fetch in the background).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from . import registry
from .rules import excluded_by

MODEL_FLAGS = {"-m", "--model"}
CHAT_FLAGS = {"-c", "--chat"}
# An option's metavar says what its value is: a name of which source, one or a comma list.
VALUE_METAVARS = {
    "MODEL": ("models", False),
    "MODELS": ("models", True),
    "SERVERS": ("servers", True),
    "FUNCTIONS": ("tools", True),
}


def _none(kind: str) -> Iterable[str]:
    return ()


@dataclass(frozen=True)
class Names:
    """Where TAB finds the names it offers; each source is asked only when its names are due
    (the model list may need a fetch, MCP servers and tools load their modules)."""

    models: Callable[[], Iterable[str]] = tuple
    chats: Callable[[], Iterable[str]] = tuple
    servers: Callable[[], Iterable[str]] = tuple
    tools: Callable[[], Iterable[str]] = tuple
    kind_models: Callable[[str], Iterable[str]] = _none  # models of a `--make` KIND

    def of(self, source: str) -> Iterable[str]:
        return getattr(self, source)()


def cell_options(parser: argparse.ArgumentParser) -> list[str]:
    """Every long option of the cell magic (short ones are its aliases)."""
    return sorted(
        option
        for action in parser._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    )


def option_choices(parser: argparse.ArgumentParser) -> dict[str, tuple[str, ...]]:
    """Options whose value is one of a fixed set (`--reasoning`, `--image-detail`, ...)."""
    return {
        option: tuple(str(choice) for choice in action.choices)
        for action in parser._actions
        if action.choices
        for option in action.option_strings
    }


def valued_options(parser: argparse.ArgumentParser) -> dict[str, tuple[str, bool]]:
    """Options whose value is a name TAB can offer: a model (`-m`, `--keep`), models, MCP
    servers or tools separated by commas (`--compare`, `--mcp`, `--tools`); with the source
    and whether a list."""
    return {
        option: VALUE_METAVARS[action.metavar]
        for action in parser._actions
        if isinstance(action.metavar, str) and action.metavar in VALUE_METAVARS
        for option in action.option_strings
    }


def _option_values(
    words: list[str], parser: argparse.ArgumentParser, names: Names
) -> Iterable[str] | None:
    """Names when the word being typed is an option's value: right after the option, or after
    a comma in a list (the names listed already are left out)."""
    options = valued_options(parser)
    previous = words[-1]
    if previous in options:
        return names.of(options[previous][0])
    if previous.endswith(",") and len(words) > 2 and options.get(words[-2], ("", False))[1]:
        listed = set(previous.split(","))
        return [name for name in names.of(options[words[-2]][0]) if name not in listed]
    return None


def made_kind(words: list[str]) -> str | None:
    """The KIND of `--make KIND` on the line, if any."""
    if "--make" not in words[:-1]:
        return None
    return words[words.index("--make") + 1]


def candidates(
    words: list[str], names: Names, parser: argparse.ArgumentParser | None = None
) -> Iterable[str]:
    """What may follow `words` (the line's words before the one being typed); after `-m`
    on a `--make KIND` line, the models of that kind."""
    command, previous = words[0], words[-1]
    kind = made_kind(words) if command == "%%aiml" else None
    if previous in MODEL_FLAGS and kind is not None:
        return names.kind_models(kind)
    if previous in MODEL_FLAGS:
        return names.models()
    if previous in CHAT_FLAGS:
        return names.chats()
    if command == "%%aiml":
        if parser is None:
            return ()
        values = _option_values(words, parser, names)
        if values is not None:
            return values
        choices = option_choices(parser)
        if previous in choices:
            return choices[previous]
        left_out = excluded_by(set(words[1:]))
        return [option for option in cell_options(parser) if option not in left_out]
    if len(words) == 1:
        return registry.NAMES
    subcommand = registry.BY_NAME.get(words[1])
    if subcommand is None:
        return ()
    values = dict(subcommand.values)
    if previous in values:
        return values[previous]
    named = dict(subcommand.sources)
    if previous in named:
        return names.of(named[previous])
    if subcommand.takes_model and len(words) == 2:
        return [*subcommand.flags, *names.models()]
    return subcommand.flags


def complete(
    line: str, token: str, names: Names, parser: argparse.ArgumentParser | None = None
) -> list[str] | None:
    """Completions for the token at the end of `line`; None when the line is not ours."""
    words = line[: len(line) - len(token)].split()
    if not words or words[0] not in ("%aiml", "%%aiml"):
        return None
    return sorted({c for c in candidates(words, names, parser) if c.startswith(token)})


def make_matcher(session: Any, parser: argparse.ArgumentParser) -> Callable[[Any], dict[str, Any]]:
    """An IPython context matcher bound to a session (chats, the model cache, the notebook)."""
    from IPython.core.completer import SimpleCompletion, context_matcher

    from ..chat.mediacost import kind_model_names
    from .make import CATALOGUE_KIND

    def kind_models(kind: str) -> list[str]:
        return kind_model_names(session, CATALOGUE_KIND[kind]) if kind in CATALOGUE_KIND else []

    def servers() -> list[str]:
        from ..chat.mcp.config import server_names  # on TAB after --mcp only: load stays light

        return server_names(session.settings)

    def tools() -> list[str]:
        from ..chat.tools.define import offerable  # on TAB after --tools only

        return offerable(session.namespace)

    names = Names(session.model_names, session.chats.names, servers, tools, kind_models)

    @context_matcher()
    def aiml_matcher(context: Any) -> dict[str, Any]:
        line = context.line_with_cursor
        on_first_line = context.full_text.lstrip().startswith(line.lstrip())
        found = complete(line, context.token, names, parser) if on_first_line else None
        if found is None:
            return {"completions": [], "suppress": False}
        return {
            "completions": [SimpleCompletion(text=name, type="aiml") for name in found],
            "suppress": True,
        }

    return aiml_matcher
