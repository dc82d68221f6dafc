"""The `mcpServers` file: which MCP servers a notebook may start or reach.

The format is the one Claude Desktop, notebook-intelligence and llm-tools-mcp read: an object
`mcpServers` mapping a name to a stdio server (`command`, `args`, `env`) or a streamable HTTP
server (`url`, `headers`). Only this file, written by the user, says what runs: nothing the
model sends can name a command. `env` and `headers` values are secrets: they are kept out of
every repr and message here, and `Secrets.redact` removes them from text that came back.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...api.errors import UsageError

DEFAULT_RELATIVE = Path(".jupyter") / "mcp.json"
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
HIDDEN = "****"


def configured_path(settings: Any) -> Path:
    """The file `AimlMagics.mcp_config` names, else the default one."""
    configured = getattr(settings, "mcp_config", "") or ""
    return Path(configured).expanduser() if configured else default_path()


def server_names(settings: Any) -> list[str]:
    """The configured servers' names, for TAB; none when the file is missing or invalid."""
    try:
        return list(load(configured_path(settings)))
    except UsageError:
        return []


def default_path(cwd: Path | None = None) -> Path:
    """`.jupyter/mcp.json` in the working directory if it exists, else in the user's
    Jupyter config folder."""
    local = (cwd or Path.cwd()) / DEFAULT_RELATIVE
    if local.is_file():
        return local
    from jupyter_core.paths import jupyter_config_dir

    return Path(jupyter_config_dir()) / "mcp.json"


@dataclass(frozen=True)
class ServerConfig:
    """One configured server. `env` and `headers` never show in its repr."""

    name: str
    command: str | None = None
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict, repr=False)
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    cwd: str | None = None

    @property
    def kind(self) -> str:
        return "stdio" if self.command is not None else "http"

    @property
    def target(self) -> str:
        """What `%aiml mcp` shows: the command line or the URL (no secrets)."""
        if self.command is not None:
            return " ".join([self.command, *self.args])
        return str(self.url)

    def secrets(self) -> list[str]:
        return [v for v in (*self.env.values(), *self.headers.values()) if v]


def load(path: Path) -> dict[str, ServerConfig]:
    """The servers of `path`; one clear UsageError for a file that cannot be used."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(
            f"no MCP configuration at {path}: write an mcpServers JSON file there "
            "(or set %config AimlMagics.mcp_config = 'path/to/mcp.json')"
        ) from None
    except OSError as exc:
        raise UsageError(f"could not read {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{path} is not valid JSON: {exc}") from None
    servers = data.get("mcpServers") if isinstance(data, dict) else None
    if not isinstance(servers, dict):
        raise UsageError(f'{path} needs an object "mcpServers" mapping names to servers')
    return {name: _server(path, name, entry) for name, entry in servers.items()}


def _server(path: Path, name: str, entry: Any) -> ServerConfig:
    where = f"{path}: server {name!r}"
    if not _NAME.match(name) or "__" in name:
        raise UsageError(
            f"{where}: a name is 1-40 letters, digits, '_' or '-', without '__' "
            "(tools are named SERVER__TOOL)"
        )
    if not isinstance(entry, dict):
        raise UsageError(f"{where} must be an object with command or url")
    has_command, has_url = "command" in entry, "url" in entry
    if has_command == has_url:
        raise UsageError(f"{where} needs either command (stdio) or url (streamable HTTP)")
    if has_command:
        return ServerConfig(
            name,
            command=_text(entry["command"], where, "command"),
            args=tuple(_text(a, where, "args") for a in _list(entry.get("args", []), where)),
            env=_strings(entry.get("env", {}), where, "env"),
            cwd=_text(entry["cwd"], where, "cwd") if "cwd" in entry else None,
        )
    url = _text(entry["url"], where, "url")
    if not url.lower().startswith(("http://", "https://")):
        raise UsageError(f"{where}: url must start with http:// or https://")
    return ServerConfig(name, url=url, headers=_strings(entry.get("headers", {}), where, "headers"))


def _text(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str) or not value:
        raise UsageError(f"{where}: {key} must be a non-empty string")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise UsageError(f"{where}: args must be a list of strings")
    return value


def _strings(value: Any, where: str, key: str) -> dict[str, str]:
    """`env` or `headers`: string values (the values are not quoted in any error)."""
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise UsageError(f"{where}: {key} must map names to strings")
    return dict(value)


class Secrets:
    """Every `env` and `headers` value of the configuration, to cut out of text."""

    def __init__(self, servers: dict[str, ServerConfig] | None = None) -> None:
        values = {v for s in (servers or {}).values() for v in s.secrets() if len(v) >= 3}
        self._values = sorted(values, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for value in self._values:
            text = text.replace(value, HIDDEN)
        return text
