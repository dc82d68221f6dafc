"""Real-browser tests: JupyterLab on 127.0.0.1 driven by Debian's Chromium through Playwright.

One JupyterLab server, one simulator and one browser page serve the whole session; each test
opens its own notebook (and so its own kernel) and closes it again. The kernels reach the
simulator through AIML_API_KEY / AIML_API_BASE in the server's environment. Screenshots of
the key states, of every failure, and the server's log go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from aiml_magics.simulator import Simulator

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# A key that cannot appear anywhere by accident, so finding it means it leaked.
API_KEY = f"aiml-e2e-secret-{secrets.token_hex(12)}"
AIML_ENV_VARS = (
    "AIML_API_KEY",
    "AIMLAPI_API_KEY",
    "AIML_API_BASE",
    "AIMLAPI_API_BASE",
    "AIML_MODEL",
)
# Starting JupyterLab, a kernel or Chromium on a busy 2-core machine can take a while.
SERVER_START_TIMEOUT = 120.0
UI_TIMEOUT_MS = 60_000
KERNEL_TIMEOUT_MS = 120_000


def chromium_executable() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- local HTTP server that records every request (the "remote image" of hostile answers) ------


class RecordingServer:
    """Answers every GET with a 1x1 GIF and remembers the paths asked for."""

    GIF = bytes.fromhex(
        "47494638396101000100800000000000ffffff21f90401000000002c000000000100010000020144003b"
    )

    def __init__(self) -> None:
        self.paths: list[str] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                recorder.paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/gif")
                self.send_header("Content-Length", str(len(recorder.GIF)))
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()
                self.wfile.write(recorder.GIF)

            do_POST = do_GET

            def log_message(self, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> RecordingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


# -- JupyterLab server ---------------------------------------------------------------------------


class LabServer:
    def __init__(self, root: Path, home: Path, simulator: Simulator) -> None:
        self.root = root
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = ARTIFACTS / "jupyterlab.log"
        settings = home / "lab-settings"
        # No news or update pop-ups over the notebook.
        notification = settings / "@jupyterlab" / "apputils-extension"
        notification.mkdir(parents=True)
        (notification / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False})
        )
        env = {k: v for k, v in os.environ.items() if k not in AIML_ENV_VARS}
        env.update(
            AIML_API_KEY=simulator.api_key,
            AIML_API_BASE=simulator.base_url,
            IPYTHONDIR=str(home / "ipython"),
            JUPYTER_CONFIG_DIR=str(home / "config"),
            JUPYTER_DATA_DIR=str(home / "data"),
            JUPYTER_RUNTIME_DIR=str(home / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
            PYTHONUNBUFFERED="1",
        )
        self.command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={root}",
            "--ServerApp.allow_root=True",
            "--ServerApp.terminals_enabled=False",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=None",
        ]
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=self.root
        )
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited early; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=5):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"JupyterLab did not answer within {SERVER_START_TIMEOUT} s")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def lab_url(self) -> str:
        return f"{self.url}/lab?token={self.token}"


# -- the page and notebooks in it ----------------------------------------------------------------

# JavaScript helpers run in the page; `nb(path)` finds an open notebook panel by its path.
PAGE_HELPERS = """
() => {
  window.__aiml = {
    runs: {},
    nb(path) {
      for (const w of window.jupyterapp.shell.widgets('main')) {
        if (w.context && w.context.path === path && w.content && w.content.model) return w;
      }
      throw new Error('no open notebook ' + path);
    },
    answerMarkdown(area) {
      // The answer's display: the last rendered Markdown of the cell that is not part of a
      // widget (a parameter panel, when there is one, sits above the answer).
      const all = this.answerOutputs(area);
      return all.length ? all[all.length - 1] : null;
    },
    answerOutputs(area) {
      return [...area.querySelectorAll('.jp-RenderedMarkdown')]
        .filter(el => !el.closest('.jupyter-widgets'));
    },
    answerParts(area) {
      // The rendered answer of an %%aiml cell, over all its outputs: while it streams, a live
      // frontend shows it as pieces (a head with notes and the reasoning's label or folded
      // <details>, quoted reasoning pieces, answer pieces); at the end, one output.
      const outputs = this.answerOutputs(area);
      if (!outputs.length) return null;
      let answer = '', reasoning = null, reasoningOpen = null, inReasoning = false;
      for (const md of outputs) {
        const children = [...md.children];
        const details = md.querySelector('details');
        if (details) {
          reasoning = details.textContent;
          reasoningOpen = details.open;
        }
        if (md.textContent.trim().startsWith('Reasoning (thinking')) {
          reasoning = md.textContent;
          reasoningOpen = true;
          inReasoning = true;
          continue;
        }
        const quoted = children.length && children.every(c => c.tagName === 'BLOCKQUOTE');
        if (inReasoning && quoted) {
          reasoning += '\\n' + md.textContent;
          continue;
        }
        inReasoning = false;
        for (const child of children) {
          if (child.tagName !== 'DETAILS') answer += child.textContent + '\\n';
        }
      }
      return {answer: answer.trim(), reasoning, reasoningOpen};
    }
  };
}
"""


class Notebook:
    """An open notebook in the page, addressed by its path."""

    def __init__(self, lab: Lab, path: str) -> None:
        self.lab = lab
        self.page = lab.page
        self.path = path
        self._runs = 0

    def js(self, body: str, arg: Any = None) -> Any:
        """Run `body` as an async function of (panel, notebook, arg) in the page."""
        script = (
            "async ([path, arg]) => { const panel = window.__aiml.nb(path);"
            " const notebook = panel.content; " + body + " }"
        )
        return self.page.evaluate(script, [self.path, arg])

    def wait(self, body: str, arg: Any = None, timeout: float = UI_TIMEOUT_MS) -> Any:
        """Wait until `body` (an expression of panel, notebook, arg) is truthy."""
        script = (
            "([path, arg]) => { try { const panel = window.__aiml.nb(path);"
            " const notebook = panel.content; return (" + body + "); }"
            " catch (e) { return false; } }"
        )
        return self.page.wait_for_function(
            script, arg=[self.path, arg], timeout=timeout
        ).json_value()

    @property
    def panel_selector(self) -> str:
        panel_id = self.js("return panel.id;")
        return f"[id='{panel_id}']"

    def cell(self, index: int):
        return self.page.locator(f"{self.panel_selector} .jp-Notebook .jp-Cell").nth(index)

    def sources(self) -> list[str]:
        return self.js("return notebook.model.sharedModel.cells.map(c => c.getSource());")

    def mimes(self) -> list[str]:
        return self.js("return notebook.widgets.map(c => c.model.mimeType);")

    def select(self, index: int) -> None:
        self.js(
            "notebook.activeCellIndex = arg; notebook.deselectAll(); notebook.mode = 'command';"
            " notebook.node.focus();",
            index,
        )

    def start_run(self, index: int) -> str:
        """Start running cell `index` as the Run button does; returns a handle to wait on."""
        self._runs += 1
        key = f"{self.path}#{self._runs}"
        self.select(index)
        self.js(
            "const runs = window.__aiml.runs; runs[arg] = 'running';"
            " window.jupyterapp.commands.execute('notebook:run-cell').then("
            "   () => { runs[arg] = 'done'; }, e => { runs[arg] = 'error: ' + e; });",
            key,
        )
        return key

    def wait_run(self, key: str, timeout: float = KERNEL_TIMEOUT_MS) -> None:
        self.page.wait_for_function(
            "key => window.__aiml.runs[key] !== 'running'", arg=key, timeout=timeout
        )
        state = self.page.evaluate("key => window.__aiml.runs[key]", key)
        assert state == "done", state

    def run(self, index: int, timeout: float = KERNEL_TIMEOUT_MS, check: bool = True) -> None:
        """Run cell `index` to the end; unless `check` is false, fail on an error output."""
        self.wait_run(self.start_run(index), timeout)
        if check:
            self.assert_no_error(index)

    def assert_no_error(self, index: int) -> None:
        errors = [o for o in self.outputs(index) if o.get("output_type") == "error"]
        if errors:
            source = self.sources()[index]
            pytest.fail(
                f"cell {index} ({source[:40]!r}) raised {errors[0]['ename']}: "
                f"{errors[0]['evalue']}",
                pytrace=False,
            )

    def wait_during_run(self, key: str, condition: str, what: str) -> None:
        """Wait until `condition` (JS, no arguments) holds while run `key` still runs."""
        self.page.wait_for_function(
            f"key => ({condition}) || window.__aiml.runs[key] !== 'running'",
            arg=key,
            timeout=KERNEL_TIMEOUT_MS,
        )
        if not self.page.evaluate(f"() => Boolean({condition})"):
            pytest.fail(f"the cell finished before {what}", pytrace=False)

    def append(self, source: str) -> int:
        """Add a code cell at the end; return its index."""
        return self.js(
            "const cells = notebook.model.sharedModel;"
            " cells.insertCell(cells.cells.length, {cell_type: 'code', source: arg});"
            " return cells.cells.length - 1;",
            source,
        )

    def run_new(self, source: str, timeout: float = KERNEL_TIMEOUT_MS, check: bool = True) -> int:
        index = self.append(source)
        self.run(index, timeout, check)
        return index

    def outputs(self, index: int) -> list[dict]:
        return self.js("return notebook.widgets[arg].model.outputs.toJSON();", index)

    def output_text(self, index: int) -> str:
        return self.cell(index).locator(".jp-OutputArea").inner_text()

    @staticmethod
    def answer_displays(outputs: list[dict]) -> list[dict]:
        """The answer displays among saved `outputs`: Markdown bundles that are not a widget
        (a widget's output carries its last text as Markdown too, for a reopened notebook)."""
        return [
            o
            for o in outputs
            if "text/markdown" in o.get("data", {})
            and "application/vnd.jupyter.widget-view+json" not in o["data"]
        ]

    def answer(self, index: int):
        """Locator of the rendered answer display of cell `index`."""
        return (
            self.cell(index)
            .locator(
                ".jp-OutputArea .jp-RenderedMarkdown:not(.jupyter-widgets .jp-RenderedMarkdown)"
            )
            .last
        )

    def wait_kernel_idle(self, timeout: float = KERNEL_TIMEOUT_MS) -> None:
        self.wait(
            "panel.sessionContext.session && panel.sessionContext.session.kernel"
            " && panel.sessionContext.session.kernel.status === 'idle'",
            timeout=timeout,
        )

    def save(self) -> Path:
        self.js("await panel.context.save();")
        return self.lab.server.root / self.path

    def close(self) -> None:
        self.js(
            "await panel.sessionContext.shutdown().catch(() => undefined);"
            " panel.context.model.dirty = false; panel.dispose();"
        )


class Lab:
    """The JupyterLab page: notebooks, commands, screenshots, what the page did."""

    def __init__(self, page: Page, server: LabServer) -> None:
        self.page = page
        self.server = server
        self.dialogs: list[str] = []
        self.page_errors: list[str] = []
        page.on("dialog", self._on_dialog)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        with contextlib.suppress(Exception):
            dialog.dismiss()

    def load(self) -> None:
        self.page.goto(self.server.lab_url(), timeout=UI_TIMEOUT_MS)
        self.page.wait_for_function("() => window.jupyterapp !== undefined", timeout=UI_TIMEOUT_MS)
        self.page.evaluate("() => window.jupyterapp.restored.then(() => true)")
        self.page.evaluate(PAGE_HELPERS)

    def command(self, command: str, args: dict | None = None) -> Any:
        """Execute a JupyterLab command and wait for it; its result if it is plain data."""
        return self.page.evaluate(
            "async ([command, args]) => {"
            " const result = await window.jupyterapp.commands.execute(command, args);"
            " return ['boolean', 'number', 'string'].includes(typeof result) ? result : null; }",
            [command, args or {}],
        )

    def open_notebook(self, name: str, sources: list[str]) -> Notebook:
        """Write a notebook of code cells, open it, and wait for its kernel to be idle."""
        cells = [
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": s,
            }
            for s in sources
        ]
        document = {
            "cells": cells,
            "metadata": {
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                "language_info": {"name": "python"},
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        (self.server.root / name).write_text(json.dumps(document))
        self.command("docmanager:open", {"path": name, "factory": "Notebook"})
        notebook = Notebook(self, name)
        notebook.wait("panel.context.isReady && notebook.widgets.length === arg", len(sources))
        notebook.js("await panel.sessionContext.ready;")
        notebook.wait_kernel_idle()
        return notebook

    def toast(self, text: str):
        """The notification containing `text`, once it has slid fully into view."""
        toast = self.page.locator(".Toastify__toast", has_text=text)
        toast.wait_for()
        self.page.wait_for_function(
            "el => { const r = el.getBoundingClientRect();"
            " return r.right <= window.innerWidth && r.bottom <= window.innerHeight; }",
            arg=toast.element_handle(),
        )
        return toast

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def page_html(self) -> str:
        """The whole DOM as it is now, attributes included."""
        return self.page.evaluate("() => document.documentElement.outerHTML")


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = chromium_executable()
    if path is None:
        pytest.skip(
            "browser tests need Debian's Chromium at /usr/bin/chromium "
            "(apt-get install chromium); none was found"
        )
    return path


@pytest.fixture(scope="session")
def e2e_simulator() -> Iterator[Simulator]:
    with Simulator(api_key=API_KEY) as simulator:
        yield simulator


@pytest.fixture
def sim(e2e_simulator: Simulator) -> Iterator[Simulator]:
    """The session's simulator with an empty queue and request record."""
    e2e_simulator.reset()
    yield e2e_simulator
    e2e_simulator.reset()


@pytest.fixture(scope="session")
def recorder() -> Iterator[RecordingServer]:
    with RecordingServer() as server:
        yield server


@pytest.fixture(scope="session")
def lab_server(
    chromium_path: str, e2e_simulator: Simulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LabServer]:
    root = tmp_path_factory.mktemp("lab-root")
    home = tmp_path_factory.mktemp("lab-home")
    server = LabServer(root, home, e2e_simulator)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def lab(browser: Browser, lab_server: LabServer) -> Iterator[Lab]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(UI_TIMEOUT_MS)
    session_lab = Lab(page, lab_server)
    session_lab.load()
    yield session_lab
    page.close()


@pytest.fixture
def notebook_factory(lab: Lab, request: pytest.FixtureRequest) -> Iterator[Any]:
    """open(sources) -> Notebook; every notebook opened is closed (kernel shut down) after."""
    opened: list[Notebook] = []
    stem = re.sub(r"\W+", "-", request.node.name).strip("-")

    def open_(sources: list[str], name: str | None = None) -> Notebook:
        notebook = lab.open_notebook(name or f"{stem}-{len(opened)}.ipynb", sources)
        opened.append(notebook)
        return notebook

    yield open_
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        with contextlib.suppress(Exception):
            lab.screenshot(f"FAILED-{stem}")
    for notebook in opened:
        with contextlib.suppress(Exception):
            notebook.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
