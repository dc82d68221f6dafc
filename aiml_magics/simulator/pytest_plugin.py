"""pytest fixtures and the nbval hook (registered through the `pytest11` entry point).

One server is shared by the whole session and reset around each test, because starting a
server per test costs more than the tests themselves.

nbval starts a kernel per notebook without telling it which notebook it runs, so the kernel
could not find `NOTEBOOK.aiml.jsonl` (the recordings `AIML_REPLAY=only pytest --nbval` replays).
Before nbval's collector starts that kernel, `AIML_NOTEBOOK` is set to the notebook's path;
the kernel inherits it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .server import Simulator

ENV_REMOVED = (
    "AIMLAPI_API_KEY",
    "AIMLAPI_API_BASE",
    "AIML_MODEL",
    "AIML_REPLAY",
    "AIML_NOTEBOOK",
    "JPY_SESSION_NAME",
)
NOTEBOOK_ENV_VAR = "AIML_NOTEBOOK"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tell the kernel nbval is about to start for this notebook where the notebook is.

    Runs before the runner sets up the item's collectors; nbval's notebook collector starts
    its kernel in its own `setup`, with this process's environment.
    """
    path = Path(str(getattr(item, "fspath", "")))
    parent = getattr(item, "parent", None)
    if path.suffix == ".ipynb" and getattr(parent, "kernel", "missing") is None:
        os.environ[NOTEBOOK_ENV_VAR] = str(path.absolute())


@pytest.fixture(scope="session")
def _aiml_simulator_server() -> Iterator[Simulator]:
    with Simulator() as simulator:
        yield simulator


@pytest.fixture
def aiml_simulator(_aiml_simulator_server: Simulator) -> Iterator[Simulator]:
    """A running simulator with an empty reply queue and request record."""
    _aiml_simulator_server.reset()
    yield _aiml_simulator_server
    _aiml_simulator_server.reset()


@pytest.fixture
def aiml_env(aiml_simulator: Simulator, monkeypatch: pytest.MonkeyPatch) -> Simulator:
    """The simulator, with the environment pointing the client at it (and nothing else)."""
    monkeypatch.setenv("AIML_API_KEY", aiml_simulator.api_key)
    monkeypatch.setenv("AIML_API_BASE", aiml_simulator.base_url)
    for name in ENV_REMOVED:
        monkeypatch.delenv(name, raising=False)
    return aiml_simulator
