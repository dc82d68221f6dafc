"""The mcpServers file: what it may say, the one-line errors, and secrets kept out."""

from __future__ import annotations

import json

import pytest

from aiml_magics.api.errors import UsageError
from aiml_magics.chat.mcp import config, tool_name
from aiml_magics.chat.mcp.config import Secrets, default_path, load


def written(tmp_path, data) -> object:
    path = tmp_path / "mcp.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_stdio_and_http_servers_are_read(tmp_path):
    servers = load(
        written(
            tmp_path,
            {
                "mcpServers": {
                    "files": {"command": "npx", "args": ["-y", "fs"], "env": {"TOKEN": "abc123"}},
                    "web": {"url": "https://mcp.example.test/mcp", "headers": {"A": "xyz789"}},
                }
            },
        )
    )
    files, web = servers["files"], servers["web"]
    assert (files.kind, files.target, files.env) == ("stdio", "npx -y fs", {"TOKEN": "abc123"})
    assert (web.kind, web.target, web.headers) == (
        "http",
        "https://mcp.example.test/mcp",
        {"A": "xyz789"},
    )
    assert "abc123" not in repr(files) and "xyz789" not in repr(web)
    secrets = Secrets(servers)
    assert secrets.redact("token abc123, header xyz789") == "token ****, header ****"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ("{", "is not valid JSON"),
        ({"servers": {}}, 'needs an object "mcpServers"'),
        ({"mcpServers": {"a__b": {"command": "x"}}}, "without '__'"),
        ({"mcpServers": {"a": {"command": "x", "url": "https://h"}}}, "either command"),
        ({"mcpServers": {"a": {}}}, "either command"),
        ({"mcpServers": {"a": {"command": "x", "args": "y"}}}, "args must be a list"),
        ({"mcpServers": {"a": {"command": "x", "env": {"K": 1}}}}, "env must map names"),
        ({"mcpServers": {"a": {"url": "ftp://h"}}}, "url must start with http"),
    ],
)
def test_a_bad_file_gives_one_clear_error(tmp_path, data, error):
    with pytest.raises(UsageError, match=error) as caught:
        load(written(tmp_path, data))
    assert "\n" not in str(caught.value)


def test_a_missing_file_says_where_to_write_it(tmp_path):
    with pytest.raises(UsageError, match="no MCP configuration at .*mcp_config"):
        load(tmp_path / "absent.json")


def test_the_default_path_prefers_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "user"))
    assert default_path(tmp_path) == tmp_path / "user" / "mcp.json"
    local = tmp_path / config.DEFAULT_RELATIVE
    local.parent.mkdir()
    local.write_text("{}", encoding="utf-8")
    assert default_path(tmp_path) == local


def test_tool_names_are_prefixed_and_safe():
    assert tool_name("calc", "add") == "calc__add"
    assert tool_name("db", "run.query") == "db__run_query"
    assert len(tool_name("s", "x" * 100)) == 64
