"""The sanitizer tests' shared fixture, JupyterLab's Markdown rendering run in Node."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir
from sanitize_checks import JupyterLab, jupyterlab_missing

# Hypothesis keeps its files (shrunk failures as patches, a constants cache) out of the tree,
# as `-p no:cacheprovider` keeps pytest's.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "aiml-magics-hypothesis")


@pytest.fixture(scope="session")
def jupyterlab() -> Iterator[JupyterLab]:
    """Render like JupyterLab 4: math pre-pass, then marked as JupyterLab sets it up.

    The check against the real renderer must not silently disappear, so missing Node parts
    fail the tests that need it instead of skipping them.
    """
    missing = jupyterlab_missing()
    if missing:
        pytest.fail(missing, pytrace=False)
    renderer = JupyterLab()
    try:
        (page,) = renderer(["*ok*"])
        assert page.strip() == "<p><em>ok</em></p>", page
        yield renderer
    finally:
        renderer.close()
