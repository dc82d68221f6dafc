"""The service's own features through the real client against the simulator on 127.0.0.1:
deprecations, live speed, balance, request tracing, the catalogue on disk, model cards, and
errors that say what the service means."""

from __future__ import annotations

import json
import time

import pytest
import requests

from aiml_magics.api import errors
from aiml_magics.api.cache import CatalogueCache, cache_folder
from aiml_magics.api.client import AimlClient
from aiml_magics.api.service import Balance, client_request_id, is_client_request_id
from aiml_magics.simulator import Reply, Simulator

HELLO = [{"role": "user", "content": "hello"}]


@pytest.fixture
def client(aiml_simulator, tmp_path):
    c = AimlClient(
        aiml_simulator.api_key, aiml_simulator.base_url, sleep=lambda s: None, cache_folder=tmp_path
    )
    yield c
    c.close()


def paths(simulator, path):
    return [r for r in simulator.requests if r.path == path]


# -- deprecations ------------------------------------------------------------------------


def test_the_deprecation_feed_is_read_without_a_key_and_revalidated(aiml_simulator, client):
    feed = {d.id: d for d in client.deprecations()}
    assert feed["openai/gpt-5.3-chat"].status == "withdrawn"
    assert feed["openai/gpt-5.3-chat"].replaced_by == "openai/gpt-5.3-codex"
    turbo = feed["openai/gpt-4-turbo"]
    assert (turbo.status, turbo.shutdown_at, turbo.reason) == ("deprecated", "2027-03-31", None)
    (first,) = paths(aiml_simulator, "/v1/models/deprecations")
    assert not first.authorized and "authorization" not in first.headers
    assert client.deprecations() is client.deprecations(), "kept for the feed's max-age"
    assert len(paths(aiml_simulator, "/v1/models/deprecations")) == 1
    assert client.deprecations(refresh=True) == list(feed.values())
    again = paths(aiml_simulator, "/v1/models/deprecations")[-1]
    assert "if-none-match" in again.headers


def test_the_feed_answers_304_to_its_weak_etag(aiml_simulator):
    url = f"{aiml_simulator.base_url}/models/deprecations"
    first = requests.get(url, timeout=5)
    assert first.headers["ETag"].startswith('W/"')
    assert first.headers["Cache-Control"] == "public, max-age=300"
    again = requests.get(url, headers={"If-None-Match": first.headers["ETag"]}, timeout=5)
    assert again.status_code == 304 and again.content == b""
    withdrawn = requests.get(url, params={"status": "withdrawn,bogus"}, timeout=5).json()["data"]
    assert [d["status"] for d in withdrawn] == ["withdrawn"]
    everything = requests.get(url, params={"since": "not-a-date"}, timeout=5).json()["data"]
    assert len(everything) == len(first.json()["data"]), "malformed filters fail open"


def test_a_deprecation_note_names_the_date_and_the_replacement(client):
    from aiml_magics.chat.model_notes import DeprecationNotices, deprecation_note, effort_note

    note = deprecation_note(client, "gpt-4-turbo")
    assert note == "⚠ gpt-4-turbo is deprecated; it retires on 2027-03-31; use openai/gpt-4o"
    assert "superseded by bytedance/seed-1-8" in deprecation_note(client, "bytedance/seed-1-6")
    assert deprecation_note(client, "openai/gpt-4o") == ""
    notices = DeprecationNotices()
    assert notices.once(client, "openai/gpt-4-turbo") and not notices.once(
        client, "OPENAI/GPT-4-TURBO"
    )
    assert "reasoning_effort may be ignored" in effort_note(client, "openai/gpt-4o")
    assert effort_note(client, "bytedance/seed-1-8") == ""


# -- not in the list is not unknown ------------------------------------------------------


def test_a_deprecated_model_off_the_list_serves_and_keeps_the_servers_message(
    aiml_simulator, client
):
    assert client.chat(HELLO, model="openai/gpt-4-turbo").text
    aiml_simulator.script(Reply.error(400, message="Body validation error: stop: Expected array"))
    with pytest.raises(errors.BadRequestError) as caught:
        client.chat(HELLO, model="openai/gpt-4-turbo")
    assert "stop: Expected array" in str(caught.value)
    card = paths(aiml_simulator, "/model/openai/gpt-4-turbo")
    assert card and card[-1].query == {"include": "capabilities,modalities,pricing"}


def test_a_withdrawn_model_says_when_and_what_replaces_it(client):
    with pytest.raises(errors.ModelWithdrawnError) as caught:
        client.chat(HELLO, model="openai/gpt-5.3-chat")
    message = str(caught.value)
    assert "openai/gpt-5.3-chat was withdrawn on 2026-08-10; use openai/gpt-5.3-codex" in message
    assert "Did you mean" not in message and "has been withdrawn" in caught.value.full_message


def test_a_truly_unknown_model_still_gets_suggestions(client):
    with pytest.raises(errors.ModelNotFoundError) as caught:
        client.chat(HELLO, model="openai/gpt-4x")
    assert "Did you mean" in str(caught.value) and "openai/gpt-4o" in str(caught.value)


def test_the_card_is_alias_and_case_insensitive(client, aiml_simulator):
    card = client.model_info("GPT-4O")
    assert card.id == "openai/gpt-4o" and card.pricing is not None
    assert client.model_info("nobody/nothing") is None
    raw = requests.get(f"{aiml_simulator.root_url}/model/OPENAI/GPT-4O", timeout=5).json()
    assert raw["object"] == "model" and "pricing" not in raw["data"]
    full = requests.get(
        f"{aiml_simulator.root_url}/model/gpt-4o", params={"include": "all"}, timeout=5
    ).json()
    assert {"pricing", "capabilities", "modalities"} <= set(full["data"])


def test_the_withdrawn_model_in_a_cell_is_one_clear_line(run):
    out = run("%%aiml -m openai/gpt-5.3-chat\nHi")
    assert type(out.error).__name__ == "ModelWithdrawnError"
    assert str(out.error).startswith("Model withdrawn (HTTP 404): openai/gpt-5.3-chat was")


# -- hints and classes -------------------------------------------------------------------


def test_the_2025_resource_limit_403_is_out_of_credits(client, aiml_simulator):
    text = "You have exhausted the available [plan.rule:api_token] resource limit. Top up."
    aiml_simulator.script(Reply.error(403, message=text))
    with pytest.raises(errors.OutOfCreditsError) as caught:
        client.chat(HELLO)
    assert "top up your balance" in str(caught.value)


def test_a_spent_reasoning_budget_says_to_raise_max_tokens(run, aiml_simulator):
    aiml_simulator.script(Reply.error(400, message="max_tokens or model output limit was reached"))
    out = run("%%aiml --max-tokens 16\nThink hard.")
    assert "raise --max-tokens" in str(out.error)
    qwen = "Range of max_tokens should be greater than thinking_budget [8192]"
    aiml_simulator.script(Reply.error(400, message=qwen))
    assert "raise --max-tokens" in str(run("%%aiml -m qwen/qwen3-32b\nHi").error)


# -- live speed and balance --------------------------------------------------------------


def test_metrics_repeat_the_parameter_and_a_missing_model_has_no_data(client, aiml_simulator):
    names = ["openai/gpt-4o", "qwen/qwen3-32b", *[f"x/m{i}" for i in range(150)]]
    found = client.metrics(names)
    assert set(found) == {"openai/gpt-4o"}, "unmeasured models are absent, not zero"
    gpt = found["openai/gpt-4o"]
    assert (gpt.ttft_ms.p50, gpt.tps.p50, gpt.duration_ms.p99) == (412, 51.7, 9100)
    assert gpt.window_seconds == 300
    calls = paths(aiml_simulator, "/models/metrics")
    assert len(calls) == 2, "at most 100 aliases per request"
    assert not any(r.authorized for r in calls)


def test_metrics_refuse_any_other_parameter(aiml_simulator):
    url = f"{aiml_simulator.root_url}/models/metrics"
    assert requests.get(url, params={"model": "openai/gpt-4o"}, timeout=5).status_code == 400
    comma = requests.get(url, params={"aliases": "openai/gpt-4o,qwen/qwen3-32b"}, timeout=5)
    assert comma.status_code == 200 and comma.json()["models"] == [], "read as one name"


def test_the_balance_needs_the_key(client, aiml_simulator):
    aiml_simulator.balance = 42.5
    assert client.balance() == Balance(42.5, "USD") and str(client.balance()) == "$42.50"
    (call, _) = paths(aiml_simulator, "/v2/billing")
    assert call.authorized
    assert requests.get(f"{aiml_simulator.root_url}/v2/billing", timeout=5).status_code == 401
    assert not paths(aiml_simulator, "/v2/billing/detail")


# -- request tracing ---------------------------------------------------------------------


def test_client_request_ids_are_valid_and_bounded():
    made = client_request_id("aiml:cell-é/ 42" + "x" * 300, "abc")
    assert is_client_request_id(made) and len(made) <= 128 and made.endswith(":abc")
    assert not is_client_request_id("has space") and not is_client_request_id("")


def test_a_cell_sends_its_request_id_and_keeps_it_in_provenance(run, aiml_simulator):
    out = run("%%aiml\nHello", cell_id="cell-7f3a")
    provenance = out.final_metadata["aiml"]
    sent = provenance["client_request_id"]
    assert sent.startswith("aiml:cell-cell-7f3a:") and is_client_request_id(sent)
    assert provenance["inference_id"]
    (request,) = aiml_simulator.chat_requests
    assert "x-client-request-id" in request.headers
    run("%%aiml\nAgain", cell_id="cell-7f3a")
    assert run("_aiml.client_request_id").result.result != sent, "one id per request"


def test_an_invalid_request_id_is_refused_before_sending(client, aiml_simulator):
    with pytest.raises(errors.UsageError):
        client.chat(HELLO, client_request_id="not valid!")
    assert aiml_simulator.chat_requests == []


# -- the catalogue on disk ---------------------------------------------------------------


def test_the_catalogue_is_saved_without_the_key_and_used_offline(tmp_path):
    with Simulator(api_key="sk-disk-test-secret") as sim:
        first = AimlClient(sim.api_key, sim.base_url, cache_folder=tmp_path)
        listed = [m.id for m in first.models()]
        first.close()
        base = sim.base_url
    (saved,) = tmp_path.iterdir()
    text = saved.read_text()
    assert "sk-disk-test-secret" not in text and "Bearer" not in text
    assert json.loads(text)["etag"].startswith('W/"')
    offline = AimlClient("sk-disk-test-secret", base, cache_folder=tmp_path, max_retries=0)
    assert [m.id for m in offline.cached_models()] == listed
    assert [m.id for m in offline.models(refresh=True)] == listed, "offline: the saved copy"
    assert offline.find_model("seed-1-8").pricing is not None


def test_an_old_copy_is_revalidated_with_its_etag(aiml_simulator, tmp_path):
    first = AimlClient(aiml_simulator.api_key, aiml_simulator.base_url, cache_folder=tmp_path)
    first.models()
    cache = CatalogueCache(aiml_simulator.base_url, tmp_path)
    data = json.loads(cache.path.read_text())
    data["saved"] = time.time() - 7200  # two hours old
    cache.path.write_text(json.dumps(data))
    restarted = AimlClient(aiml_simulator.api_key, aiml_simulator.base_url, cache_folder=tmp_path)
    assert restarted.cached_models(), "TAB has names at once"
    assert len(paths(aiml_simulator, "/v1/models")) == 1, "reading the disk asks nothing"
    assert [m.id for m in restarted.models()] == [m.id for m in first.models()]
    last = paths(aiml_simulator, "/v1/models")[-1]
    assert "if-none-match" in last.headers
    assert json.loads(cache.path.read_text())["saved"] > time.time() - 60, "confirmed again"
    fresh = AimlClient(aiml_simulator.api_key, aiml_simulator.base_url, cache_folder=tmp_path)
    fresh.models()
    assert len(paths(aiml_simulator, "/v1/models")) == 2, "a fresh copy is used as it is"


def test_the_cache_folder_follows_the_platform(monkeypatch, tmp_path):
    monkeypatch.delenv("AIML_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr("sys.platform", "linux")
    assert cache_folder() == tmp_path / "aiml-magics"
    monkeypatch.setenv("AIML_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_folder() == tmp_path / "mine"


# -- the simulator's catalogue -----------------------------------------------------------


def test_list_filters_include_all_and_aliases(aiml_simulator):
    for path in ("/v1/models", "/models", "/api/v1/models"):
        url = aiml_simulator.root_url + path
        by_alias = requests.get(url, params={"id": "GPT-4O"}, timeout=5).json()["data"]
        assert [e["id"] for e in by_alias] == ["openai/gpt-4o"]
    url = f"{aiml_simulator.base_url}/models"
    reasoning = requests.get(
        url, params=[("capabilities", "reasoning"), ("capabilities", "web_search")], timeout=5
    ).json()["data"]
    ids = {e["id"] for e in reasoning}
    assert {"bytedance/seed-1-8", "perplexity/sonar-pro"} <= ids and "openai/gpt-4o" not in ids
    video = requests.get(url, params={"output_modalities": "video"}, timeout=5).json()["data"]
    assert [e["id"] for e in video] == ["google/veo-3-1-lite"]
    everything = requests.get(url, params={"include": "all"}, timeout=5).json()["data"]
    veo = next(e for e in everything if e["id"] == "google/veo-3-1-lite")
    assert veo["pricing"]["kind"] == "variants" and veo["pricing"]["dimensions"] == ["resolution"]
    assert all(e["id"] != "openai/gpt-4-turbo" for e in everything)


def test_models_in_a_cell_lists_chat_models_once(run):
    plain = run("%aiml models").outputs[-1].data["text/plain"]
    assert "google/gemini-3-5-flash" in plain and "anthropic/claude-sonnet-4.5" in plain
    assert "anthropic/claude-sonnet-4-5 " not in plain and "flash-image" not in plain
    assert "openai/gpt-4-turbo" not in plain
