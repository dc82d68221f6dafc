"""pytest fixtures (registered through the `pytest11` entry point).

One server is shared by the whole session and reset around each test, because starting a
server per test costs more than the tests themselves.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import Simulator

ENV_REMOVED = ("AIMLAPI_API_KEY", "AIMLAPI_API_BASE", "AIML_MODEL")


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
