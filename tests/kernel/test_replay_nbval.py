"""CI without a key: a tutorial recorded against the simulator replays under nbval offline.

`AIML_REPLAY=only pytest --nbval notebooks/09-replay-and-budget.ipynb`, with no key, no
simulator and `AIML_API_BASE` pointing at a closed port, must pass from the committed
`09-replay-and-budget.aiml.jsonl` alone: nbval's kernel learns its notebook's path from the
package's pytest plugin and finds the recording beside it. The run records nothing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys

import pytest
from tutorials import harness

pytestmark = pytest.mark.timeout(600)

NAME = "09-replay-and-budget"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


def offline_env(ipython_dir) -> dict[str, str]:
    drop = ("COLUMNS", "LINES", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIML") and k not in drop}
    env.pop("JPY_SESSION_NAME", None)
    env.update(
        AIML_REPLAY="only",
        AIML_API_BASE=f"http://127.0.0.1:{closed_port()}",
        IPYTHONDIR=str(ipython_dir),
        COLUMNS="80",
        PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    return env


def nbval(notebook, env, *extra: str) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval",
        "--nbval-current-env",
        f"--nbval-sanitize-with={harness.SANITIZE_FILE}",
        f"--nbval-cell-timeout={harness.CELL_TIMEOUT}",
        "-c",
        os.devnull,
        "--rootdir",
        str(notebook.parent),
        "-p",
        "no:cacheprovider",
        "-q",
        "--color=no",
        *extra,
        str(notebook),
    ]
    return subprocess.run(
        command, cwd=notebook.parent, env=env, capture_output=True, text=True, timeout=500
    )


@pytest.fixture
def offline_copy(tmp_path):
    """The tutorial and its committed recording, copied where the run cannot change them."""
    recording = harness.recording_path(NAME)
    assert recording.exists(), f"refresh it: {harness.REFRESH_COMMAND} {NAME}"
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(harness.notebook_path(NAME), work)
    shutil.copy(recording, work)
    (tmp_path / "ipython").mkdir()
    return work / f"{NAME}.ipynb", work / recording.name, tmp_path / "ipython"


def test_the_recorded_tutorial_replays_under_nbval_with_no_service(offline_copy):
    notebook, recording, ipython_dir = offline_copy
    before = recording.read_bytes()
    done = nbval(notebook, offline_env(ipython_dir))
    tail = "\n".join((done.stdout + done.stderr).splitlines()[-60:])
    assert done.returncode == 0, (
        "the recorded tutorial did not replay offline; if the requests changed on purpose, "
        f"record it again with `{harness.REFRESH_COMMAND} {NAME}`\n{tail}"
    )
    assert recording.read_bytes() == before, "`only` records nothing"
    assert "AIML_API_KEY" not in offline_env(ipython_dir)


def test_without_the_plugin_the_kernel_would_not_find_the_recording(offline_copy):
    """The plugin is what makes it work: without it, the first answer misses."""
    notebook, recording, ipython_dir = offline_copy
    done = nbval(notebook, offline_env(ipython_dir), "-p", "no:aiml_magics", "-x")
    assert done.returncode != 0
    assert "has no recordings" in done.stdout + done.stderr
    assert not (notebook.parent / "aiml-replay.jsonl").exists(), "nothing was recorded"
