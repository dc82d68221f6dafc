"""`aiml-magics lab`: points kernels at a local simulator when no key is set."""

from __future__ import annotations

import os
import subprocess
import sys

import requests

from aiml_magics.cli import lab_environment


def test_without_a_key_kernels_get_the_simulator():
    env = lab_environment({"PATH": "/bin", "AIMLAPI_API_KEY": ""}, "http://127.0.0.1:9/v1", "k")
    assert env["AIML_API_KEY"] == "k"
    assert env["AIML_API_BASE"] == "http://127.0.0.1:9/v1"
    assert "AIMLAPI_API_KEY" not in env and env["PATH"] == "/bin"


def test_with_a_key_the_environment_is_untouched():
    original = {"AIML_API_KEY": "real", "PATH": "/bin"}
    assert lab_environment(original, None, None) == original


def test_lab_command_starts_jupyterlab_and_the_simulator(tmp_path):
    """The real command end to end; JupyterLab's `--version` makes it exit without serving."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIML", "AIMLAPI"))}
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "aiml_magics.cli", "lab", "--version"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "local simulator at http://127.0.0.1:" in proc.stderr
    url = proc.stderr.split("local simulator at ", 1)[1].split()[0].rstrip(".")
    # The simulator stops with the command.
    try:
        requests.get(url + "/models", timeout=2)
        reachable = True
    except requests.ConnectionError:
        reachable = False
    assert not reachable
    assert proc.stdout.strip()[0].isdigit()  # JupyterLab printed its version
