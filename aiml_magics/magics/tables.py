"""How `%aiml` subcommands show text and tables: raw `text/markdown` + `text/plain` bundles,
service text escaped."""

from __future__ import annotations

from typing import Any

from ..display.compose import escape_markdown_inline
from ..display.tables import markdown_table, plain_table


def show(markdown: str, plain: str) -> None:
    from IPython.display import display

    display({"text/markdown": markdown, "text/plain": plain}, raw=True)


def show_table(title: str, headers: list[str], rows: list[list[Any]]) -> None:
    """A table in a bundle; drawn by rich in a colour terminal."""
    from IPython import get_ipython

    from ..display import rich_terminal
    from .frontend import in_terminal

    if in_terminal(get_ipython()) and rich_terminal.wanted():
        rich_terminal.print_table(title, headers, rows)
        return
    show(
        f"**{escape_markdown_inline(title)}**\n\n{markdown_table(headers, rows)}",
        f"{title}\n{plain_table(headers, rows)}",
    )
