"""Tab completion for `%%aiml` options and `%aiml` subcommands.

Model ids come from the session's cached model list; the completer never waits on the
network for more than a moment (the first TAB starts the fetch in the background).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .chat.settings import REASONING_MODES

SUBCOMMANDS = (
    "models",
    "history",
    "chats",
    "reset",
    "config",
    "key",
    "usage",
    "fix",
    "export",
    "import",
    "help",
)
CELL_OPTIONS = (
    "--model",
    "--chat",
    "--new",
    "--no-history",
    "--system",
    "--temperature",
    "--top-p",
    "--max-tokens",
    "--frequency-penalty",
    "--presence-penalty",
    "--seed",
    "--json",
    "--param",
    "--no-stream",
    "--reasoning",
    "--out",
    "--raw",
    "--to-cell",
)
MODEL_FLAGS = {"-m", "--model"}
CHAT_FLAGS = {"-c", "--chat"}


def candidates(
    words: list[str],
    models: Callable[[], Iterable[str]],
    chats: Callable[[], Iterable[str]],
) -> Iterable[str]:
    """What may follow `words` (the line's words before the one being typed)."""
    command, previous = words[0], words[-1]
    if previous in MODEL_FLAGS:
        return models()
    if previous in CHAT_FLAGS:
        return chats()
    if command == "%%aiml":
        return REASONING_MODES if previous == "--reasoning" else CELL_OPTIONS
    if len(words) == 1:
        return SUBCOMMANDS
    if words[1] == "models" and len(words) == 2:
        return models()
    if words[1] in ("history", "reset", "export", "import", "fix"):
        return ("-c", "--all") if words[1] == "reset" else ("-c",)
    return ()


def complete(
    line: str,
    token: str,
    models: Callable[[], Iterable[str]],
    chats: Callable[[], Iterable[str]],
) -> list[str] | None:
    """Completions for the token at the end of `line`; None when the line is not ours."""
    words = line[: len(line) - len(token)].split()
    if not words or words[0] not in ("%aiml", "%%aiml"):
        return None
    return sorted({c for c in candidates(words, models, chats) if c.startswith(token)})


def make_matcher(session: Any) -> Callable[[Any], dict[str, Any]]:
    """An IPython context matcher bound to a session (chats and the model cache)."""
    from IPython.core.completer import SimpleCompletion, context_matcher

    @context_matcher()
    def aiml_matcher(context: Any) -> dict[str, Any]:
        line = context.line_with_cursor
        on_first_line = context.full_text.lstrip().startswith(line.lstrip())
        found = (
            complete(line, context.token, session.model_names, session.chats.names)
            if on_first_line
            else None
        )
        if found is None:
            return {"completions": [], "suppress": False}
        return {
            "completions": [SimpleCompletion(text=name, type="aiml") for name in found],
            "suppress": True,
        }

    return aiml_matcher
