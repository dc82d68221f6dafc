"""One MCP server's session, kept open for the kernel's lifetime on the background loop.

A session is started on first use (never at `%load_ext`). Its context managers (the
transport, the `ClientSession`) are entered and left by one owner task on the loop, as
anyio requires; calls come from other tasks of the same loop. When the server dies the
owner task ends and the next use starts it again. Every failure becomes `ServerError`
with one line of text, secrets cut out.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from dataclasses import dataclass
from typing import Any

from .config import Secrets, ServerConfig
from .loop import BackgroundLoop

HTTP_CONNECT_SECONDS = 30.0
PING_SECONDS = 2.0


class ServerError(Exception):
    """A server that could not start, died, timed out or refused: one line for the user."""


@dataclass(frozen=True)
class ToolInfo:
    """A tool as the server lists it."""

    name: str
    description: str
    schema: dict[str, Any]


class Connection:
    """The session with one configured server."""

    def __init__(self, config: ServerConfig, loop: BackgroundLoop, secrets: Secrets) -> None:
        self.config = config
        self._loop = loop
        self._secrets = secrets
        self._session: Any = None
        self._stop: asyncio.Event | None = None
        self._owner: Any = None  # concurrent Future of the owner task
        self.tools: list[ToolInfo] = []
        self.problem: str | None = None  # the last start failure or death, one line
        self.started = False

    def __repr__(self) -> str:
        return f"<Connection {self.config.name} ({self.config.kind}): {self.state}>"

    @property
    def running(self) -> bool:
        return self._session is not None

    @property
    def state(self) -> str:
        if self.running:
            return "running"
        if self.problem is not None:
            return f"failed: {self.problem}"
        return "stopped" if self.started else "not started"

    def ensure(self, timeout: float) -> None:
        """Start the server unless it runs; ServerError says why it cannot."""
        if self.running:
            return
        self.started = True

        self._new_errlog()

        async def start() -> list[ToolInfo]:
            ready = asyncio.get_running_loop().create_future()
            self._stop = asyncio.Event()
            self._owner = asyncio.ensure_future(self._own(ready))
            return await ready

        try:
            self.tools = self._loop.run(start(), timeout)
        except TimeoutError:
            self.stop()
            raise self._failed(f"did not start within {timeout:g} s") from None
        except KeyboardInterrupt:
            self.stop()
            raise
        except Exception as exc:
            raise self._failed(f"failed to start: {self.describe(exc)}") from None
        self.problem = None

    def _failed(self, text: str) -> ServerError:
        self.problem = text
        return ServerError(f"MCP server {self.config.name!r} {text}")

    async def _own(self, ready: asyncio.Future) -> None:
        """Enter the transport and the session, serve until stopped or dead, then leave."""
        try:
            async with contextlib.AsyncExitStack() as stack:
                session = await self._open(stack, self._errlog)
                listed = await session.list_tools()
                tools = [_info(tool) for tool in listed.tools]
                self._session = session
                ready.set_result(tools)
                await self._stop.wait()  # type: ignore[union-attr]
        except BaseException as exc:  # the owner must end quietly, whatever happened
            if not ready.done():
                ready.set_exception(exc if isinstance(exc, Exception) else ServerError("stopped"))
        finally:
            self._session = None

    def _new_errlog(self) -> None:
        """A fresh file for the server's stderr (its last line explains a failed start)."""
        old = getattr(self, "_errlog", None)
        if old is not None:
            old.close()
        self._errlog = tempfile.TemporaryFile("w+b")  # noqa: SIM115 (open while the server runs)

    async def _open(self, stack: contextlib.AsyncExitStack, errlog: Any) -> Any:
        from mcp import ClientSession

        if self.config.kind == "stdio":
            from mcp import StdioServerParameters, stdio_client

            parameters = StdioServerParameters(
                command=self.config.command,
                args=list(self.config.args),
                env=dict(self.config.env) or None,
                cwd=self.config.cwd,
            )
            read, write = await stack.enter_async_context(stdio_client(parameters, errlog))
        else:
            import httpx2
            from mcp.client.streamable_http import streamable_http_client

            http = httpx2.AsyncClient(
                headers=dict(self.config.headers),
                timeout=httpx2.Timeout(HTTP_CONNECT_SECONDS, read=300.0),
            )
            await stack.enter_async_context(http)
            read, write = await stack.enter_async_context(
                streamable_http_client(str(self.config.url), http_client=http)
            )
        session = await stack.enter_async_context(ClientSession(read, write))
        await session.initialize()
        return session

    def call(self, tool: str, arguments: dict[str, Any], timeout: float) -> Any:
        """`tools/call`; ServerError when the server is down, dies or does not answer."""
        self.ensure(timeout)
        return self._request(lambda s: s.call_tool(tool, arguments), f"call {tool}", timeout)

    def read(self, uri: str, timeout: float) -> Any:
        """`resources/read`."""
        self.ensure(timeout)
        return self._request(lambda s: s.read_resource(uri), f"read {uri}", timeout)

    def _request(self, make: Any, what: str, timeout: float) -> Any:
        session = self._session
        if session is None:
            raise self._failed("is not running")

        async def go() -> Any:
            return await make(session)

        try:
            return self._loop.run(go(), timeout)
        except TimeoutError:
            raise ServerError(
                f"MCP server {self.config.name!r}: no answer to {what} within {timeout:g} s "
                "(AimlMagics.mcp_timeout)"
            ) from None
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            died = "" if self._alive(session) else " (the server stopped)"
            raise ServerError(
                f"MCP server {self.config.name!r}: {what} failed{died}: {self.describe(exc)}"
            ) from None

    def _alive(self, session: Any) -> bool:
        """After a failed call: does the server still answer a ping? If not, forget the
        session, so the next use starts the server again."""
        if self._session is session:
            try:
                self._loop.run(session.send_ping(), PING_SECONDS)
                return True
            except Exception:
                pass
        self.stop()
        self.problem = "stopped during a call"
        return False

    def stop(self) -> None:
        """Close the session (and end a stdio server's process); quick, never raises."""
        stop, owner = self._stop, self._owner
        self._stop = self._owner = None
        if stop is not None:
            self._loop.loop.call_soon_threadsafe(stop.set)
        if owner is not None:
            with contextlib.suppress(Exception):
                self._loop.submit(_wait(owner)).result(5)
        self._session = None

    def describe(self, exc: BaseException) -> str:
        """One line for an exception (the innermost of a group), with the server's last
        words on stderr when it has any; secrets cut out."""
        while isinstance(getattr(exc, "exceptions", None), tuple) and exc.exceptions:  # a group
            exc = exc.exceptions[0]
        text = str(exc).strip() or type(exc).__name__
        last = self._last_stderr_line()
        if last and last not in text:
            text = f"{text} ({last})"
        return self._secrets.redact(" ".join(text.split()))

    def _last_stderr_line(self) -> str:
        errlog = getattr(self, "_errlog", None)
        if errlog is None or errlog.closed:
            return ""
        try:  # pread: the server's writes share the file offset, so leave it alone
            size = os.fstat(errlog.fileno()).st_size
            tail = os.pread(errlog.fileno(), 4000, max(0, size - 4000))
            lines = [line.strip(" │") for line in tail.decode("utf-8", "replace").splitlines()]
        except (OSError, ValueError):
            return ""
        return next((line.strip() for line in reversed(lines) if line.strip()), "")


async def _wait(owner: Any) -> None:
    with contextlib.suppress(BaseException):
        await asyncio.wait_for(asyncio.shield(owner), 4)


def _info(tool: Any) -> ToolInfo:
    schema = getattr(tool, "input_schema", None) or getattr(tool, "inputSchema", None) or {}
    return ToolInfo(tool.name, (tool.description or "").strip(), dict(schema))
