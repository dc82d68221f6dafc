"""The kernel's MCP servers: configuration, one `Connection` each, their tools as `Tool`s.

`McpHub` is what the rest of the package sees. Its tools join the notebook's in the same
tool loop under `server__tool` names, so they stay apart from notebook functions (a cell
that would offer one name twice is refused). A call that fails raises `ToolFailed` with one
line, which the loop gives the model as the tool's result.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...api.errors import UsageError
from ..images import MAX_BYTES, sniff
from ..tools import Tool, ToolFailed, ToolOutput
from ..tools.define import ArgumentError
from .config import Secrets, ServerConfig, configured_path, load
from .connection import Connection, ServerError, ToolInfo
from .loop import BackgroundLoop

SEPARATOR = "__"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass
class McpTool(Tool):
    """A server's tool offered to the model; the arguments go to the server as they are
    (the server checks them against its own schema)."""

    server: str = ""
    remote: str = ""  # the tool's name on its server
    hub: Any = field(default=None, repr=False)

    def bind(self, arguments: Any) -> dict[str, Any]:
        if not isinstance(arguments, dict):
            raise ArgumentError("arguments must be a JSON object")
        return {"arguments": arguments}


def tool_name(server: str, tool: str) -> str:
    """`server__tool`, only characters a tool name may have, at most 64 of them."""
    return _UNSAFE.sub("_", f"{server}{SEPARATOR}{tool}")[:64]


class McpHub:
    """Every configured server of this kernel, started on first use."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self._loop = BackgroundLoop()
        self._connections: dict[str, Connection] = {}
        self._loaded: tuple[Path, float] | None = None
        self._servers: dict[str, ServerConfig] = {}
        self.secrets = Secrets()

    def config_path(self) -> Path:
        return configured_path(self.settings)

    def servers(self) -> dict[str, ServerConfig]:
        """The configured servers, read again when the file changed (a changed server is
        restarted on its next use)."""
        path = self.config_path()
        try:
            stamp = (path, path.stat().st_mtime)
        except OSError:
            stamp = None
        if stamp is None or stamp != self._loaded:
            servers = load(path)
            for name, connection in list(self._connections.items()):
                if servers.get(name) != connection.config:
                    connection.stop()
                    del self._connections[name]
            self._servers, self._loaded = servers, stamp
            self.secrets = Secrets(servers)
        return self._servers

    def connection(self, name: str) -> Connection:
        servers = self.servers()
        if name not in servers:
            known = ", ".join(servers) or "none"
            raise UsageError(
                f"--mcp: no server named {name!r} in {self.config_path()} (configured: {known})"
            )
        if name not in self._connections:
            self._connections[name] = Connection(servers[name], self._loop, self.secrets)
        return self._connections[name]

    @property
    def timeout(self) -> float:
        return float(getattr(self.settings, "mcp_timeout", 30.0))

    def tools_for(self, names: str) -> tuple[list[McpTool], list[str]]:
        """The tools of `--mcp a,b`, and one line per server that could not start."""
        wanted = [n.strip() for n in names.split(",") if n.strip()]
        if not wanted:
            raise UsageError("--mcp expects comma-separated server names, e.g. --mcp files,db")
        require_sdk()
        offered: list[McpTool] = []
        problems: list[str] = []
        for name in dict.fromkeys(wanted):
            connection = self.connection(name)
            try:
                connection.ensure(self.timeout)
            except ServerError as exc:
                problems.append(f"{exc}; its tools are not offered")
                continue
            offered += [self._tool(name, info) for info in connection.tools]
        return offered, problems

    def _tool(self, server: str, info: ToolInfo) -> McpTool:
        name = tool_name(server, info.name)
        schema = info.schema if info.schema.get("type") == "object" else {"type": "object"}
        description = info.description or f"The tool {info.name} of the MCP server {server}."
        return McpTool(
            name,
            lambda arguments: self.call(server, info.name, arguments),
            description,
            schema,
            server=server,
            remote=info.name,
            hub=self,
        )

    def call(self, server: str, tool: str, arguments: dict[str, Any]) -> ToolOutput:
        """Run a tool; ToolFailed (one line) for anything that went wrong."""
        try:
            result = self.connection(server).call(tool, arguments, self.timeout)
        except ServerError as exc:
            raise ToolFailed(str(exc)) from None
        output = tool_output(result, self.secrets)
        if getattr(result, "is_error", False) or getattr(result, "isError", False):
            said = " ".join(output.text.split()) or "no details"
            raise ToolFailed(f"{server}{SEPARATOR}{tool} reported an error: {said}")
        return output

    def read_resource(self, uri: str, servers: list[str]) -> tuple[str, list[str]]:
        """`--mcp-resource URI` from the first of `servers` that has it: text, images."""
        require_sdk()
        failures = []
        for name in servers:
            try:
                result = self.connection(name).read(uri, self.timeout)
            except ServerError as exc:
                failures.append(str(exc))
                continue
            return resource_content(result, self.secrets)
        raise UsageError(f"--mcp-resource {uri}: " + ("; ".join(failures) or "no server"))

    def restart(self, name: str) -> Connection:
        connection = self.connection(name)
        connection.stop()
        connection.problem = None
        connection.ensure(self.timeout)
        return connection

    def known(self) -> list[Connection]:
        """Every configured server's connection (none is started by asking)."""
        return [self.connection(name) for name in self.servers()]

    def close(self) -> None:
        for connection in self._connections.values():
            connection.stop()


def require_sdk() -> None:
    """A clear error when the optional `mcp` package is missing (looked up, not imported)."""
    import importlib.util

    if importlib.util.find_spec("mcp") is None:
        raise UsageError("MCP servers need the mcp package: pip install 'aiml-magics[mcp]'")


def tool_output(result: Any, secrets: Secrets) -> ToolOutput:
    """A `CallToolResult` as text for the model, plus its images as data: URIs."""
    texts: list[str] = []
    images: list[str] = []
    for block in getattr(result, "content", None) or []:
        kind = getattr(block, "type", "")
        if kind == "text":
            texts.append(block.text)
        elif kind == "image":
            url, note = _image(block.data)
            images += [url] if url else []
            texts.append(note)
        elif kind == "resource":
            inner = block.resource
            texts.append(getattr(inner, "text", None) or f"[resource {inner.uri}]")
        elif kind == "resource_link":
            texts.append(f"[resource link {block.uri}]")
        else:
            texts.append(f"[{kind or 'unknown'} content, not passed on]")
    structured = getattr(result, "structured_content", None)
    if not texts and structured is not None:
        texts.append(json.dumps(structured, ensure_ascii=False))
    return ToolOutput(secrets.redact("\n".join(texts)), tuple(images))


def _image(encoded: str) -> tuple[str | None, str]:
    """A data: URI for base64 image data (PNG, JPEG, GIF or WebP only), and its text note."""
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError, TypeError):
        return None, "[an image that was not valid base64, left out]"
    media_type = sniff(data)
    if media_type is None or len(data) > MAX_BYTES:
        return None, f"[an image left out: not PNG/JPEG/GIF/WebP, or over {MAX_BYTES} bytes]"
    encoded = base64.b64encode(data).decode("ascii")
    return f"data:{media_type};base64,{encoded}", f"[image: {media_type}, {len(data)} bytes]"


def resource_content(result: Any, secrets: Secrets) -> tuple[str, list[str]]:
    """A `ReadResourceResult` as text (blobs that are images become images)."""
    texts: list[str] = []
    images: list[str] = []
    for item in getattr(result, "contents", None) or []:
        text = getattr(item, "text", None)
        if text is not None:
            texts.append(text)
            continue
        url, note = _image(getattr(item, "blob", ""))
        images += [url] if url else []
        texts.append(note)
    return secrets.redact("\n".join(texts)), images
