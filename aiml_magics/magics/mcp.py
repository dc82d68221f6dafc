"""`%aiml mcp`: the MCP servers of `AimlMagics.mcp_config`, their state and their tools.

Listing starts nothing (a server starts on first use); `%aiml mcp restart NAME` starts one
again, which is also how to see the tools of a server not used yet. Neither `env` nor
`headers` values are ever shown.
"""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError

from . import registry
from .handlers import show_table


class McpSubcommandMixin:
    """Mixed into `AimlMagics`; needs `self.session`."""

    session: Any

    def _sub_mcp(self, args: list[str]) -> None:
        hub = self.session.mcp
        if args[:1] == ["restart"] and len(args) == 2:
            from ..chat.mcp.connection import ServerError

            try:
                connection = hub.restart(args[1])
            except ServerError as exc:
                raise UsageError(str(exc)) from None
            names = ", ".join(tool_names(connection)) or "none"
            print(f"Restarted MCP server {args[1]!r}: {len(connection.tools)} tool(s): {names}")
            return
        if args:
            raise UsageError(f"usage: {registry.BY_NAME['mcp'].usage}")
        from ..chat.replay.paths import shown_path

        connections = hub.known()
        where = shown_path(hub.config_path())
        if not connections:
            print(f"No MCP servers in {where}.")
            return
        rows = [
            [
                c.config.name,
                c.config.kind,
                c.config.target,
                c.state,
                ", ".join(tool_names(c)) if c.running else "",
            ]
            for c in connections
        ]
        show_table(
            f"MCP servers of {where}",
            ["server", "kind", "command or URL", "state", "tools"],
            rows,
        )


def tool_names(connection: Any) -> list[str]:
    """The names the model sees: `server__tool`."""
    from ..chat.mcp import tool_name

    return [tool_name(connection.config.name, t.name) for t in connection.tools]
