"""The replay key (`chat/replay/key.py`): equal exactly when what decides the answer is."""

from __future__ import annotations

import base64
import hashlib

from aiml_magics.chat.replay.key import (
    canonical_json,
    canonical_request,
    describe_differences,
    image_summary,
    request_key,
)

QUESTION = [{"role": "user", "content": "What is a p-value?"}]


def test_images_are_keyed_by_the_digest_of_their_bytes():
    png = "data:image/png;base64,iVBORw0KGgo="
    message = {"role": "user", "content": [{"type": "image_url", "image_url": {"url": png}}]}
    canonical = canonical_request("m", [message], {"stream": True, "temperature": 0})
    part = canonical["messages"][0]["content"][0]["image_url"]
    assert part["media_type"] == "image/png" and part["bytes"] == 8 and len(part["sha256"]) == 64
    assert "url" not in part
    assert canonical["params"] == {"temperature": 0}, "transport fields are not part of the key"
    other = canonical_request("m", [message], {"stream": False, "temperature": 0})
    assert request_key(canonical) == request_key(other)


def test_the_order_of_parameters_does_not_change_the_key():
    one = canonical_request("m", QUESTION, {"temperature": 0.2, "seed": 7})
    other = canonical_request("m", QUESTION, {"seed": 7, "temperature": 0.2})
    assert request_key(one) == request_key(other)
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'


def test_what_decides_the_answer_changes_the_key():
    base = request_key(canonical_request("m", QUESTION, {"temperature": 0.2}))
    changed = [
        canonical_request("other", QUESTION, {"temperature": 0.2}),
        canonical_request("m", [{"role": "user", "content": "What is a z-score?"}], {}),
        canonical_request("m", QUESTION, {"temperature": 0.3}),
        canonical_request("m", QUESTION, {"temperature": 0.2, "stream_options": {}, "seed": 1}),
    ]
    keys = {request_key(c) for c in changed}
    assert base not in keys and len(keys) == len(changed)


def test_the_same_image_bytes_give_the_same_key_whatever_the_encoding_line():
    raw = bytes(range(40))
    one = "data:image/png;base64," + base64.b64encode(raw).decode()
    assert image_summary(one) == {
        "media_type": "image/png",
        "bytes": 40,
        "sha256": hashlib.sha256(raw).hexdigest(),
    }
    other = "data:image/jpeg;base64," + base64.b64encode(raw).decode()
    assert image_summary(other)["media_type"] == "image/jpeg"
    assert image_summary(other)["sha256"] == image_summary(one)["sha256"]


def test_a_url_stays_a_url_and_bad_base64_is_digested_as_text():
    assert image_summary("https://example.org/cat.png") == {"url": "https://example.org/cat.png"}
    assert image_summary("data:image/png,raw") == {"url": "data:image/png,raw"}
    broken = image_summary("data:image/png;base64,not base64!")
    assert broken["bytes"] == len("not base64!")
    assert broken["sha256"] == hashlib.sha256(b"not base64!").hexdigest()


def test_text_parts_are_kept_as_they_are():
    parts = [{"type": "text", "text": "Describe it."}, "odd part"]
    canonical = canonical_request("m", [{"role": "user", "content": parts}], {})
    assert canonical["messages"][0]["content"] == parts


def test_differences_are_named_most_telling_first():
    recorded = canonical_request("m", QUESTION, {"temperature": 0.2})
    system = [{"role": "system", "content": "Be brief."}]
    wanted = canonical_request(
        "other", system + [{"role": "user", "content": "Why?"}], {"seed": 3, "temperature": 0.2}
    )
    assert describe_differences(wanted, recorded) == [
        "the model (other here, m recorded)",
        "the parameter seed (3 here, unset recorded)",
        "the context (1 earlier message(s) here, 0 recorded)",
        "the prompt",
    ]
    assert describe_differences(recorded, recorded) == []


def test_a_differing_tool_answer_is_the_last_message_and_long_values_are_cut():
    tool = [*QUESTION, {"role": "tool", "content": "187.5"}]
    moved = [*QUESTION, {"role": "tool", "content": "190.0"}]
    long = {"type": "json_schema", "schema": {"description": "x" * 80}}
    wanted = canonical_request("m", moved, {"response_format": long})
    found = describe_differences(wanted, canonical_request("m", tool, {}))
    assert found[-1] == "the last message"
    (parameter,) = (f for f in found if f.startswith("the parameter"))
    assert "…" in parameter and len(parameter) < 100
