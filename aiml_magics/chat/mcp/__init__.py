"""MCP servers as tool sources for the tool loop (`%%aiml --mcp NAME`).

Servers come from the user's `mcpServers` file (`AimlMagics.mcp_config`); each gets one
session for the kernel's lifetime on one background event loop, started on first use.
Nothing here imports the `mcp` SDK until a server starts, so `import aiml_magics` and
`%load_ext` stay cheap and work without it.
"""

from .config import ServerConfig, default_path, load
from .hub import McpHub, McpTool, tool_name

__all__ = ["McpHub", "McpTool", "ServerConfig", "default_path", "load", "tool_name"]
