"""`%aiml SUBCOMMAND`: models, history, chats, reset, config, key, usage, help.

Output is published as raw `text/markdown` + `text/plain` bundles; anything that came from
the service (model names, answers) is neutralised or escaped first.
"""

from __future__ import annotations

import getpass
import shlex
from collections.abc import Callable
from typing import Any

from IPython.core.error import StdinNotImplementedError, UsageError

from .compose import footer_text, format_money
from .conversation import Turn
from .result import ChatResult
from .sanitize import escape_markdown_inline, neutralize_markdown

SETTINGS_SHOWN = (
    "model",
    "base_url",
    "system_prompt",
    "temperature",
    "top_p",
    "max_tokens",
    "frequency_penalty",
    "presence_penalty",
    "seed",
    "stream",
    "reasoning",
    "max_retries",
    "connect_timeout",
    "read_timeout",
    "context_tokens",
    "update_interval",
    "allow_remote_images",
)


def markdown_table(headers: list[str], rows: list[list[Any]]) -> str:
    def cell(value: Any) -> str:
        text = "" if value is None else str(value)
        return escape_markdown_inline(text).replace("|", "\\|")

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def plain_table(headers: list[str], rows: list[list[Any]]) -> str:
    table = [headers] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(headers))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in table)


def show(markdown: str, plain: str) -> None:
    from IPython.display import display

    display({"text/markdown": markdown, "text/plain": plain}, raw=True)


def show_table(title: str, headers: list[str], rows: list[list[Any]]) -> None:
    show(
        f"**{escape_markdown_inline(title)}**\n\n{markdown_table(headers, rows)}",
        f"{title}\n{plain_table(headers, rows)}",
    )


HELP = """\
%%aiml [options]          send the cell body; the answer streams as Markdown
%aiml models [FILTER]     chat models of the service (id, name, context, max output)
%aiml history [-c NAME]   the turns of a chat
%aiml chats               chats with their number of turns and system prompts
%aiml reset [-c NAME | --all]
                          forget a chat (default: the chat named default), or all chats
%aiml config              every effective setting and where it came from
%aiml key                 type the API key at a hidden prompt (kept in memory only)
%aiml usage               requests, tokens, credits and dollars per model
%aiml help                this text

Settings: %config AimlMagics.<name> = value (see %aiml config for the names).
Environment: AIML_API_KEY (or AIMLAPI_API_KEY), AIML_API_BASE, AIML_MODEL.
"""


class SubcommandsMixin:
    """Mixed into `AimlMagics`; needs `self.session` and the settings traits."""

    session: Any

    def dispatch_subcommand(self, line: str) -> Any:
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise UsageError(f"could not parse {line!r}: {exc}") from None
        name, args = (words[0], words[1:]) if words else ("help", [])
        handler: Callable[[list[str]], Any] | None = getattr(self, f"_sub_{name}", None)
        if handler is None:
            raise UsageError(
                f"unknown subcommand {name!r}; try one of: "
                "models, history, chats, reset, config, key, usage, help"
            )
        return handler(args)

    @staticmethod
    def _chat_option(args: list[str], allow_all: bool = False) -> tuple[str, bool]:
        name, everything, rest = "default", False, list(args)
        while rest:
            word = rest.pop(0)
            if word in ("-c", "--chat") and rest:
                name = rest.pop(0)
            elif word == "--all" and allow_all:
                everything = True
            else:
                raise UsageError(f"unexpected argument {word!r}")
        return name, everything

    def _sub_help(self, args: list[str]) -> None:
        options = self.aiml_cell.parser.format_help()  # type: ignore[attr-defined]
        print(HELP + "\nOptions of %%aiml:\n" + options)

    def _sub_models(self, args: list[str]) -> None:
        needle = " ".join(args)
        models = self.session.client().models()
        rows = [
            [
                m.id,
                m.name,
                f"{m.context_length:,}" if m.context_length else "",
                f"{m.max_output:,}" if m.max_output else "",
                ", ".join(m.capabilities),
            ]
            for m in models
            if not needle or m.matches(needle)
        ]
        title = f"{len(rows)} chat models" + (f" matching {needle!r}" if needle else "")
        show_table(title, ["id", "name", "context", "max output", "capabilities"], rows)

    def _sub_history(self, args: list[str]) -> None:
        name, _ = self._chat_option(args)
        if name not in self.session.chats or not self.session.chats.get(name).turns:
            print(f"Chat {name!r} has no turns yet.")
            return
        chat = self.session.chats.get(name)
        parts = [f"### Chat {escape_markdown_inline(name)}"]
        plain = [f"Chat {name}"]
        if chat.system:
            parts.append(f"**System:** {escape_markdown_inline(chat.system)}")
            plain.append(f"System: {chat.system}")
        for number, turn in enumerate(chat.turns, 1):
            parts += _turn_markdown(number, turn)
            plain += [f"[{number}] You: {turn.user}", f"[{number}] {turn.model}: {turn.answer}"]
        show("\n\n".join(parts), "\n\n".join(plain))

    def _sub_chats(self, args: list[str]) -> None:
        rows = [[c.name, len(c.turns), c.system or ""] for c in self.session.chats]
        if not rows:
            print("No chats yet: the first %%aiml cell starts the chat named default.")
            return
        show_table("Chats", ["chat", "turns", "system prompt"], rows)

    def _sub_reset(self, args: list[str]) -> None:
        name, everything = self._chat_option(args, allow_all=True)
        if everything:
            count = self.session.chats.reset_all()
            print(f"Forgot all {count} chat(s).")
        elif self.session.chats.reset(name):
            print(f"Forgot chat {name!r}.")
        else:
            print(f"Chat {name!r} had nothing to forget.")

    def _sub_config(self, args: list[str]) -> None:
        rows = []
        for name in SETTINGS_SHOWN:
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

    def _sub_usage(self, args: list[str]) -> None:
        totals = self.session.totals
        if not totals:
            print("No requests yet.")
            return
        rows = []
        for model, t in totals.items():
            u = t.usage
            rows.append(
                [
                    model,
                    t.requests,
                    f"{u.prompt_tokens:,}",
                    f"{u.completion_tokens:,}",
                    f"{u.reasoning_tokens:,}",
                    f"{t.credits:,.0f}",
                    format_money(t.dollars),
                ]
            )
        headers = ["model", "requests", "prompt", "completion", "reasoning", "credits", "dollars"]
        show_table("Usage this session", headers, rows)


def _turn_markdown(number: int, turn: Turn) -> list[str]:
    user = turn.user if isinstance(turn.user, str) else str(turn.user)
    summary = ChatResult(
        model=turn.model,
        requested_model=turn.requested_model,
        usage=turn.usage,
        credits_used=turn.credits_used,
        usd_spent=turn.usd_spent,
        text=turn.answer,
    )
    return [
        f"**{number}. You**\n\n{neutralize_markdown(user)}",
        f"**{number}. {escape_markdown_inline(turn.model or 'assistant')}**\n\n"
        f"{neutralize_markdown(turn.answer)}",
        f"*{escape_markdown_inline(footer_text(summary))}*",
        "---",
    ]
