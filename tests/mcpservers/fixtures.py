"""Fixtures that run the toolbox MCP server: over streamable HTTP on 127.0.0.1 (one process
per test module) and over stdio (started by the magic itself, from the config written here).

The config plants secrets in `env` and `headers`, so tests can check they never show.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

TOOLBOX = Path(__file__).with_name("toolbox.py")
ENV_SECRET = "planted-env-secret-4711"
HEADER_SECRET = "planted-header-secret-0815"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def http_toolbox():
    """The toolbox over streamable HTTP; yields its URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(TOOLBOX), "http", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("the HTTP toolbox exited") from None
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("the HTTP toolbox did not start")
    yield f"http://127.0.0.1:{port}/mcp"
    process.terminate()
    process.wait(10)


def write_config(folder: Path, url: str) -> Path:
    """calc (HTTP, a secret header), box (stdio, a secret env value), broken (no command)."""
    path = folder / "mcp.json"
    servers = {
        "calc": {"url": url, "headers": {"X-Api-Token": HEADER_SECRET}},
        "box": {
            "command": sys.executable,
            "args": [str(TOOLBOX)],
            "env": {"TOOLBOX_TOKEN": ENV_SECRET},
        },
        "broken": {"command": str(folder / "no-such-server")},
    }
    path.write_text(json.dumps({"mcpServers": servers}), encoding="utf-8")
    return path
