"""A small MCP server for the tests: a calculator, a lookup, an image, a crash and a hang.

Run as `python toolbox.py stdio` or `python toolbox.py http PORT` (bound to 127.0.0.1).
The `secret` tool reports whether the planted secret arrived, without ever returning it.
"""

from __future__ import annotations

import asyncio
import base64
import os
import sys

from mcp.server.mcpserver import Image, MCPServer
from mcp.server.mcpserver.exceptions import ToolError

# A 1x1 red PNG, so the image tool needs no imaging library.
RED_PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
CAPITALS = {"France": "Paris", "Japan": "Tokyo", "Kenya": "Nairobi"}

server = MCPServer("toolbox")


@server.tool()
def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b


@server.tool()
def capital(country: str) -> str:
    """The capital city of a country."""
    if country not in CAPITALS:
        raise ToolError(f"no capital known for {country}")
    return CAPITALS[country]


@server.tool()
def red_square() -> Image:
    """A tiny red picture."""
    return Image(data=RED_PIXEL, format="png")


@server.tool()
def crash() -> str:
    """Ends the server process in the middle of the call."""
    os._exit(3)


@server.tool()
async def hang(seconds: float = 3600) -> str:
    """Never answers in time (asleep without blocking the server's other calls)."""
    await asyncio.sleep(seconds)
    return "woke up"


@server.tool()
def secret_seen() -> bool:
    """Whether the configured secret reached the server's environment."""
    return bool(os.environ.get("TOOLBOX_TOKEN"))


@server.resource("notes://today")
def notes() -> str:
    """Today's notes."""
    return "Buy milk. Call Ada about the quarterly figures."


if __name__ == "__main__":
    if sys.argv[1:2] == ["http"]:
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        server.run("stdio")
