"""Shared fixtures: a real IPython shell with the extension loaded, pointed at the simulator.

The `aiml_simulator` and `aiml_env` fixtures come from the package's own pytest plugin.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

# Test tiers (`pytest -m unit` runs in seconds). Modules that start Jupyter kernels are the
# kernel tier, tests/browser/ the browser tier, everything else the unit tier.
KERNEL_MODULES = {
    "test_kernel",
    "test_kernel_workflows",
    "test_tutorials",
    "test_replay_nbval",
    "test_batch_dask",  # worker processes of a Dask LocalCluster
    "test_frames_dask",  # df.aiml on Dask: the same
}
TIERS = ("unit", "kernel", "browser")


def pytest_collection_modifyitems(items):
    for item in items:
        if any(item.get_closest_marker(tier) for tier in TIERS):
            continue
        path = Path(str(item.fspath))
        if "browser" in path.parts:
            item.add_marker(pytest.mark.browser)
        elif path.stem in KERNEL_MODULES:
            item.add_marker(pytest.mark.kernel)
        else:
            item.add_marker(pytest.mark.unit)


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

    def runner(source: str, cell_id: str | None = None) -> Run:
        with capture_output() as captured:
            result = ip.run_cell(source, cell_id=cell_id)
        return Run(captured, result)

    return runner


@pytest.fixture
def visible():
    """visible(markdown) -> the text a reader sees once it is rendered."""
    return visible_text


def visible_text(markdown: str) -> str:
    """What a reader sees once Markdown is rendered: tags dropped, entities decoded."""
    import html
    import re

    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").enable("table").render(markdown)
    inline_tags = r"</?(?:strong|em|code|a)\b[^>]*>"
    text = re.sub(r"<[^>]+>", " ", re.sub(inline_tags, "", rendered))
    return " ".join(html.unescape(text).split())
