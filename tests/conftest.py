"""Shared fixtures: a real IPython shell with the extension loaded, pointed at the simulator.

The `aiml_simulator` and `aiml_env` fixtures come from the package's own pytest plugin.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

# Test tiers by folder (`pytest -m unit` runs in about a minute): tests/kernel/ starts real
# Jupyter kernels, tests/browser/ drives JupyterLab in Chromium, every other folder is the
# unit tier. An explicit mark on a test wins.
TIERS = ("unit", "kernel", "browser")
TESTS = Path(__file__).resolve().parent


def tier_of(path: Path) -> str:
    """The tier of a test file: the name of its first folder under tests/ when that names a
    tier, else unit."""
    top = path.resolve().relative_to(TESTS).parts[0]
    return top if top in TIERS else "unit"


def pytest_configure(config):
    """Tests interrupt a cell as a kernel interrupt does, with SIGINT. A runner started in the
    background by a shell without job control inherits SIGINT ignored, and Python then keeps
    it ignored: give it back its KeyboardInterrupt, or every interrupt test waits in vain."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_collection_modifyitems(items):
    for item in items:
        if not any(item.get_closest_marker(tier) for tier in TIERS):
            item.add_marker(getattr(pytest.mark, tier_of(Path(str(item.fspath)))))


@pytest.fixture(autouse=True)
def _catalogue_cache(tmp_path_factory, monkeypatch):
    """Every test keeps the model list it saves in a folder of its own, never the user's."""
    monkeypatch.setenv("AIML_CACHE_DIR", str(tmp_path_factory.mktemp("aiml-cache")))


@pytest.fixture
def ip(aiml_env):
    """A real InteractiveShell with `%load_ext aiml_magics` done, talking to the simulator."""
    shell = InteractiveShell.instance()
    if "aiml_magics" in shell.extension_manager.loaded:
        shell.run_line_magic("unload_ext", "aiml_magics")
    shell.config.pop("AimlMagics", None)  # %config values of earlier tests
    shell.run_line_magic("load_ext", "aiml_magics")
    magics = next(m for m in shell.configurables if isinstance(m, aiml_magics_class()))
    magics.update_interval = 0.0
    yield shell
    shell.run_line_magic("unload_ext", "aiml_magics")
    shell.config.pop("AimlMagics", None)
    for name in ("_aiml", "answer", "secret_value"):
        shell.user_ns.pop(name, None)


def aiml_magics_class():
    from aiml_magics.magics import AimlMagics

    return AimlMagics


@pytest.fixture
def magics(ip):
    return next(m for m in ip.configurables if isinstance(m, aiml_magics_class()))


class Run:
    """The outcome of one cell: displays (with updates), stdout, and the error if any."""

    def __init__(self, captured, result):
        self.captured = captured
        self.result = result
        self.outputs = [o for o in captured.outputs]

    @property
    def error(self):
        return self.result.error_in_exec or self.result.error_before_exec

    @property
    def final_markdown(self) -> str:
        return self.outputs[-1].data["text/markdown"]

    @property
    def final_metadata(self) -> dict:
        return self.outputs[-1].metadata or {}

    @property
    def stdout(self) -> str:
        return self.captured.stdout


@pytest.fixture
def run(ip):
    """run(source, cell_id=None) executes a cell as a frontend would and captures it all."""

    def runner(source: str, cell_id: str | None = None, store_history: bool = False) -> Run:
        with capture_output() as captured:
            result = ip.run_cell(source, store_history=store_history, cell_id=cell_id)
        return Run(captured, result)

    return runner


@pytest.fixture
def visible():
    """visible(markdown) -> the text a reader sees once it is rendered."""
    return visible_text


def visible_text(markdown: str) -> str:
    """What a reader sees once Markdown is rendered: tags dropped, entities decoded, the
    escaped dollars MathJax shows as dollars."""
    import html
    import re

    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").enable("table").render(markdown)
    inline_tags = r"</?(?:strong|em|code|a)\b[^>]*>"
    text = re.sub(r"<[^>]+>", " ", re.sub(inline_tags, "", rendered))
    # JupyterLab's MathJax (processEscapes) shows the `\$` of the page as `$`
    return " ".join(html.unescape(text).replace("\\$", "$").split())
