"""`%aiml SUBCOMMAND`: the handlers of the subcommands declared in `registry.SUBCOMMANDS`.

Output is published as raw `text/markdown` + `text/plain` bundles; anything that came from
the service (model names, answers) is neutralised or escaped first.
"""

from __future__ import annotations

import getpass
import json
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from IPython.core.error import StdinNotImplementedError, UsageError

from ..api.errors import AimlError
from ..api.result import ChatResult
from ..chat.conversation import USAGE_HEADERS, Chat, Turn
from ..chat.settings import SETTINGS
from ..display.compose import (
    escape_markdown_inline,
    footer_text,
    neutralize_markdown,
    tool_exchange_markdown,
    user_markdown,
    user_plain,
)
from . import registry
from .tables import show, show_table


class SubcommandsMixin:
    """Mixed into `AimlMagics`; needs `self.session` and the settings traits."""

    session: Any

    def dispatch_subcommand(self, line: str) -> Any:
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise UsageError(f"could not parse {line!r}: {exc}") from None
        name, args = (words[0], words[1:]) if words else ("help", [])
        command = registry.BY_NAME.get(name)
        handler: Callable[[list[str]], Any] | None = (
            getattr(self, command.handler, None) if command else None
        )
        if handler is None:
            raise UsageError(registry.unknown(name))
        try:
            return handler(args)
        except AimlError as exc:  # e.g. `%aiml models` against a server that refuses
            self.session.last_error = exc
            raise

    @staticmethod
    def _chat_option(
        args: list[str], allow_all: bool = False, positional: int = 0
    ) -> tuple[str, bool, list[str]]:
        """`-c NAME`, `--all` and up to `positional` other words."""
        name, everything, rest, others = "default", False, list(args), []
        while rest:
            word = rest.pop(0)
            if word in ("-c", "--chat") and rest:
                name = rest.pop(0)
            elif word == "--all" and allow_all:
                everything = True
            elif len(others) < positional and not word.startswith("-"):
                others.append(word)
            else:
                raise UsageError(f"unexpected argument {word!r}")
        return name, everything, others

    def _sub_help(self, args: list[str]) -> None:
        from .help import help_bundle

        self.frontend().show(help_bundle(self.aiml_cell.parser))  # type: ignore[attr-defined]

    def _sub_models(self, args: list[str]) -> None:
        """The chat models, marked from the deprecation feed, with the live speed
        (`models_table.py`); `--type KIND`: models of another kind with their prices."""
        if "--type" in args:
            from .media_commands import kind_table

            show_table(*kind_table(self.session, args))
            return
        from .models_table import models_table

        client = self.session.client()
        models = client.models()
        self.session.remember_models(models)
        show_table(*models_table(client, models, " ".join(args)))

    def _sub_balance(self, args: list[str]) -> None:
        """The service's own figure (`GET /v2/billing`), never the account details."""
        if args:
            raise UsageError(f"%aiml balance takes no arguments, got {' '.join(args)!r}")
        from ..chat.budget import against_balance

        balance = self.session.client().balance()
        stated = against_balance(self.session, balance)
        print(f"Balance: {balance} (as the service states it)" + (f"\n{stated}" if stated else ""))

    def _sub_history(self, args: list[str]) -> None:
        name, _, _ = self._chat_option(args)
        if name not in self.session.chats or not self.session.chats.get(name).turns:
            print(f"Chat {name!r} has no turns yet.")
            return
        chat = self.session.chats.get(name)
        show(chat_markdown(chat), chat_plain(chat))

    def _sub_chats(self, args: list[str]) -> None:
        rows = [[c.name, len(c.turns), c.system or ""] for c in self.session.chats]
        if not rows:
            print("No chats yet: the first %%aiml cell starts the chat named default.")
            return
        show_table("Chats", ["chat", "turns", "system prompt"], rows)

    def _sub_reset(self, args: list[str]) -> None:
        name, everything, _ = self._chat_option(args, allow_all=True)
        if everything:
            count = self.session.chats.reset_all()
            print(f"Forgot all {count} chat(s).")
        elif self.session.chats.reset(name):
            print(f"Forgot chat {name!r}.")
        else:
            print(f"Chat {name!r} had nothing to forget.")

    def _sub_config(self, args: list[str]) -> None:
        rows = []
        for name in SETTINGS:
            value, source = self.resolve(name)  # type: ignore[attr-defined]
            rows.append([name, "(unset: not sent)" if value is None else value, source])
        key = self.session.key()
        rows.append(["api key", "**** (set)" if key else "missing", key.source if key else "-"])
        show_table("Effective settings", ["setting", "value", "from"], rows)

    def _sub_key(self, args: list[str]) -> None:
        try:
            value = getpass.getpass("AI/ML API key (kept in memory only, never saved): ")
        except (StdinNotImplementedError, EOFError, OSError):
            raise UsageError(
                "this frontend cannot prompt for input; set AIML_API_KEY in the environment "
                "before starting Jupyter instead"
            ) from None
        if not value.strip():
            print("No key entered; nothing changed.")
            return
        self.set_key(value)  # type: ignore[attr-defined]
        print("Key stored in memory for this session.")

    def _sub_export(self, args: list[str]) -> None:
        name, _, paths = self._chat_option(args, positional=1)
        if not paths:
            raise UsageError("usage: %aiml export [-c NAME] PATH (.json or .md)")
        path = Path(paths[0]).expanduser()
        if path.suffix not in (".json", ".md"):
            raise UsageError(f"{path} must end in .json (re-importable) or .md (transcript)")
        if name not in self.session.chats:
            raise UsageError(f"there is no chat named {name!r} (see %aiml chats)")
        chat = self.session.chats.get(name)
        if path.suffix == ".json":
            text = json.dumps(chat.to_dict(), indent=1, ensure_ascii=False)
        else:
            text = chat_markdown(chat)
        try:
            path.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"could not write {path}: {exc.strerror or exc}") from None
        print(f"Wrote chat {name!r} ({len(chat.turns)} turns) to {path}.")

    def _sub_import(self, args: list[str]) -> None:
        chosen = "-c" in args or "--chat" in args
        name, _, paths = self._chat_option(args, positional=1)
        if not paths:
            raise UsageError("usage: %aiml import PATH [-c NAME]")
        path = Path(paths[0]).expanduser()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            chat = Chat.from_dict(data, name if chosen else None)
        except OSError as exc:
            raise UsageError(f"could not read {path}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise UsageError(f"{path} is not a chat export: {exc}; nothing changed") from None
        replaced = chat.name in self.session.chats
        self.session.chats.put(chat)
        verb = "Replaced" if replaced else "Imported"
        print(f"{verb} chat {chat.name!r} with {len(chat.turns)} turns from {path}.")

    def _sub_fix(self, args: list[str]) -> None:
        model, words = None, list(args)
        if words[:1] in (["-m"], ["--model"]):
            if len(words) < 2:
                raise UsageError("usage: %aiml fix [-m MODEL] [extra words]")
            model, words = words[1], words[2:]
        error = getattr(sys, "last_value", None)
        if error is None:
            print("No exception in this kernel yet: nothing to fix, nothing was sent.")
            return
        from .context import notebook_context

        context = notebook_context(self, "", "errors")
        self.send_prompt(  # type: ignore[attr-defined]
            fix_prompt(context, " ".join(words)),
            chat="fix",
            model=model,
            key_text=f"fix {context.fingerprint()}",
            context=context,
        )

    def _sub_panel(self, args: list[str]) -> None:
        if args:
            raise UsageError("%aiml panel takes no arguments")
        if not self.frontend().session_panel(self):  # type: ignore[attr-defined]
            print(
                "%aiml panel needs a widget frontend (JupyterLab, Notebook 7, VS Code); "
                "here use %config AimlMagics.<name>, %aiml chats and %aiml usage."
            )
            return

    def _sub_last_error(self, args: list[str]) -> None:
        """The one-line error cuts a long server message; this prints all of it (never the
        key: errors are redacted when they are made)."""
        if args:
            raise UsageError(f"unexpected argument {args[0]!r}")
        error = self.session.last_error
        if error is None:
            print("No aiml error in this session yet.")
            return
        print(str(error))
        if error.full_message != error.message:
            print("\nThe whole message:\n" + error.full_message)

    def _sub_jobs(self, args: list[str]) -> None:
        from .media_commands import jobs_command

        jobs_command(self, args)

    def _sub_usage(self, args: list[str]) -> None:
        from .media_commands import assets_table

        totals, saved = self.session.totals, self.session.saved
        made = assets_table(self.session)
        if not totals and not saved:
            print("No requests yet." + budget_line(self))
            return
        if totals:
            rows = [t.row(model) for model, t in totals.items()]
            show_table("Usage this session (spent)", list(USAGE_HEADERS), rows)
        if saved:
            rows = [t.row(model) for model, t in saved.items()]
            show_table("Replayed from recordings (saved, not spent)", list(USAGE_HEADERS), rows)
        if made is not None:
            show_table(*made)
        line = budget_line(self).strip()
        if line:
            print(line)

    def _sub_replay(self, args: list[str]) -> None:
        from ..chat import replay

        if len(args) > 1 or (args and args[0] not in registry.REPLAY_MODES):
            raise UsageError(f"usage: {registry.BY_NAME['replay'].usage}")
        if args:
            self.replay = args[0]  # type: ignore[attr-defined]  # as %config does
        print(replay_status(self, replay))


def budget_line(magics: Any) -> str:
    """The budget line of `%aiml usage`, after a newline ('' when there is no budget)."""
    from ..chat.budget import summary

    line = summary(magics.session)
    return "\n" + line if line else ""


def replay_status(magics: Any, replay: Any) -> str:
    """What `%aiml replay` prints: mode, file, recordings and what they saved."""
    mode, source = replay.mode_of(magics)
    store = magics.session.replay_store()
    recordings = store.recordings()
    worth = sum(r.credits for r in recordings.values())
    saved = magics.session.saved.values()
    replayed = sum(t.requests for t in saved)
    saved_credits = sum(t.credits for t in saved)
    lines = [
        f"Replay mode: {mode} (from {source})",
        f"Recording file: {replay.shown_path(store.path)}"
        + ("" if store.path.exists() else " (not created yet)"),
        f"Recordings: {len(recordings)}, which cost {_credits(worth)} when recorded",
        f"Replayed this session: {replayed} request(s), saving {_credits(saved_credits)}",
    ]
    if store.damaged:
        lines.append(f"Damaged lines skipped: {len(store.damaged)}")
    if mode == "only" and source.startswith("environment") and magics.replay != "only":
        lines.append("AIML_REPLAY=only in the environment keeps this kernel offline.")
    return "\n".join(lines)


def _credits(amount: float) -> str:
    from ..chat.budget import credits_text

    return credits_text(amount)


FIX_REQUEST = (
    "This code in a Jupyter notebook raised an exception (the last error above). Explain "
    "briefly what went wrong, then give a corrected version of the code."
)


def fix_prompt(context: Any, extra: str) -> str:
    """The question of `%aiml fix`: the error context from the builder, then the request."""
    return context.prepend_to(f"{FIX_REQUEST}\n\n{extra}" if extra else FIX_REQUEST)


def chat_markdown(chat: Chat) -> str:
    parts = [f"### Chat {escape_markdown_inline(chat.name)}"]
    if chat.system:
        parts.append(f"**System:** {escape_markdown_inline(chat.system)}")
    for number, turn in enumerate(chat.turns, 1):
        parts += _turn_markdown(number, turn)
    return "\n\n".join(parts)


def chat_plain(chat: Chat) -> str:
    lines = [f"Chat {chat.name}"]
    if chat.system:
        lines.append(f"System: {chat.system}")
    for number, turn in enumerate(chat.turns, 1):
        lines += [
            f"[{number}] You: {user_plain(turn.user)}",
            f"[{number}] {turn.model}: {turn.answer}",
        ]
    return "\n\n".join(lines)


def _turn_markdown(number: int, turn: Turn) -> list[str]:
    summary = ChatResult(
        model=turn.model,
        requested_model=turn.requested_model,
        usage=turn.usage,
        credits_used=turn.credits_used,
        usd_spent=turn.usd_spent,
        text=turn.answer,
    )
    return [
        f"**{number}. You**\n\n{user_markdown(turn.user)}",
        *([tool_exchange_markdown(turn.tool_exchange)] if turn.tool_exchange else []),
        f"**{number}. {escape_markdown_inline(turn.model or 'assistant')}**\n\n"
        f"{neutralize_markdown(turn.answer)}",
        f"*{escape_markdown_inline(footer_text(summary))}*",
        "---",
    ]
