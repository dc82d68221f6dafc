"""One retry policy for every request, the model list included; Retry-After holds everyone.

Times are read from the simulator's own request log (when each request arrived), so the
checks are about what reached the server, not about what the client says it did.
"""

from __future__ import annotations

import threading
import time

import pytest

from aiml_magics.api.client import AimlClient
from aiml_magics.simulator import Reply

pytestmark = pytest.mark.unit
HELLO = [{"role": "user", "content": "hello"}]


def model_list_requests(sim):
    return [r for r in sim.requests if r.method == "GET" and r.path.endswith("/models")]


def test_the_model_list_waits_out_retry_after(aiml_simulator):
    aiml_simulator.script_models(Reply.error(503, headers={"Retry-After": "1"}), Reply())
    client = AimlClient(aiml_simulator.api_key, aiml_simulator.base_url, max_retries=1)
    assert client.models()
    first, second = model_list_requests(aiml_simulator)
    assert second.received - first.received >= 0.95


def test_a_failed_background_fetch_is_not_retried_before_retry_after(magics, aiml_simulator):
    """The completer's fetch gave up on a 503 with Retry-After: 1; TAB and the next cells
    used to start a new fetch at once (0.04 s later)."""
    magics.max_retries = 0
    aiml_simulator.script_models(Reply.error(503, headers={"Retry-After": "1"}))
    session = magics.session
    assert session.model_names(wait=2) == []
    failed_at = time.monotonic()
    while time.monotonic() - failed_at < 0.6:  # TAB pressed again and again
        assert session.model_names(wait=0.05) == []
    assert len(model_list_requests(aiml_simulator)) == 1
    time.sleep(max(0.0, 1.05 - (time.monotonic() - failed_at)))
    deadline = time.monotonic() + 5
    names = session.model_names(wait=2)
    while not names and time.monotonic() < deadline:
        names = session.model_names(wait=0.2)
    assert "openai/gpt-4o" in names
    first, second = model_list_requests(aiml_simulator)
    assert second.received - first.received >= 0.95


def test_a_failed_background_fetch_without_retry_after_backs_off(magics, aiml_simulator):
    magics.max_retries = 0
    aiml_simulator.script_models(Reply.error(500))
    assert magics.session.model_names(wait=2) == []
    assert magics.session.model_names(wait=0.05) == []
    assert magics.session.model_names(wait=0.05) == []
    assert len(model_list_requests(aiml_simulator)) == 1


def test_retry_after_told_to_one_sender_holds_the_others(aiml_simulator):
    """Two threads share a client (as comparison columns do): the 429 one of them gets
    pauses the other's next request too."""
    client = AimlClient(aiml_simulator.api_key, aiml_simulator.base_url, max_retries=1)
    aiml_simulator.script(Reply.error(429, headers={"Retry-After": "1"}), Reply(content="a"))
    told = threading.Thread(target=client.chat, args=(HELLO,))
    told.start()
    deadline = time.monotonic() + 5
    while not aiml_simulator.chat_requests and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # the 429 has arrived and the pause is set
    client.chat(HELLO)
    told.join(5)
    first, *later = aiml_simulator.chat_requests
    assert len(later) == 2
    assert all(r.received - first.received >= 0.95 for r in later)


def test_the_close_match_lookup_is_one_quick_silent_attempt(aiml_simulator):
    """An unknown model's error must not wait on a failing model list."""
    aiml_simulator.script_models(Reply.error(500, times=5))
    client = AimlClient(aiml_simulator.api_key, aiml_simulator.base_url)
    started = time.monotonic()
    with pytest.raises(Exception) as caught:
        client.chat(HELLO, model="no/such-model")
    assert time.monotonic() - started < 2
    assert caught.value.status in (400, 404)
    assert len(model_list_requests(aiml_simulator)) == 1
