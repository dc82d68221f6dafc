"""`%%aiml --schema`: structured answers through the real magic, in a real shell, against the
simulator (requests inspected on the wire)."""

from __future__ import annotations

import json

import pytest

from aiml_magics.simulator import Reply

TYPES = """
import enum
from dataclasses import dataclass, field
from typing import Literal, TypedDict

@dataclass
class Person:
    name: str
    age: int
    email: str | None = None

class Point(TypedDict):
    x: float
    y: float

class Mood(enum.Enum):
    HAPPY = "happy"
    SAD = "sad"

Sentiment = Literal["pos", "neg", "neutral"]
People = list[Person]
"""


@pytest.fixture
def types(run):
    assert run(TYPES).error is None


def fmt(request) -> dict:
    return request.body["response_format"]


def test_dataclass_schema_is_sent_strict_and_parsed_into_an_instance(
    run, ip, aiml_simulator, types
):
    out = run("%%aiml --schema Person -o person\nWho is in this text? Ada, 36.")
    assert out.error is None
    sent = fmt(aiml_simulator.chat_requests[-1])
    assert sent["type"] == "json_schema"
    assert sent["json_schema"]["name"] == "Person" and sent["json_schema"]["strict"] is True
    schema = sent["json_schema"]["schema"]
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["name", "age", "email"]
    assert schema["properties"]["email"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}
    person = ip.user_ns["person"]
    assert type(person).__name__ == "Person" and person.age == 1
    result = ip.user_ns["_aiml"]
    assert result.parsed == person
    assert json.loads(result.text) == {"name": "name 1", "age": 1, "email": "email 1"}
    final = out.final_markdown
    assert "| field | value |" in final and "| age | 1 |" in final
    assert final.index("| field | value |") < final.index("```json") < final.index("schema Person")
    assert out.final_metadata["aiml"]["params"]["schema"] == "Person"


def test_list_alias_is_wrapped_in_an_object_and_unwrapped(run, ip, aiml_simulator, types):
    for source in ("People", "list[Person]"):
        out = run(f"%%aiml --schema {source} -o people\nList everyone.")
        assert out.error is None
        schema = fmt(aiml_simulator.chat_requests[-1])["json_schema"]["schema"]
        assert schema["required"] == ["items"] and schema["properties"]["items"]["type"] == "array"
        people = ip.user_ns["people"]
        assert [p.name for p in people] == ["name 1", "name 2"]
        assert "| name | age | email |" in out.final_markdown  # one row per item
        assert "| name 2 | 2 | email 2 |" in out.final_markdown


def test_typeddict_enum_and_literal(run, ip, aiml_simulator, types):
    run("%%aiml --schema Point -o p\nWhere?")
    assert ip.user_ns["p"] == {"x": 1.5, "y": 1.5}
    run("%%aiml --schema Mood -o m\nHow does it feel?")
    assert ip.user_ns["m"] is ip.user_ns["Mood"].HAPPY
    value = fmt(aiml_simulator.chat_requests[-1])["json_schema"]["schema"]["properties"]["value"]
    assert value == {"enum": ["happy", "sad"], "type": "string"}
    out = run("%%aiml --schema Sentiment -o s\nGreat product!")
    assert out.error is None and ip.user_ns["s"] == "pos"
    assert "| value |" in out.final_markdown


def test_pydantic_model(run, ip, aiml_simulator):
    run(
        "from pydantic import BaseModel, Field\n"
        "class City(BaseModel):\n    name: str\n    country: str\n"
        "class Trip(BaseModel):\n    city: City\n    days: int = Field(ge=1)\n"
        "    note: str = 'none'\n"
    )
    out = run("%%aiml --schema Trip -o trip\nPlan it.")
    assert out.error is None
    schema = fmt(aiml_simulator.chat_requests[-1])["json_schema"]["schema"]
    assert "$defs" not in json.dumps(schema) and "title" not in schema
    assert schema["properties"]["city"]["additionalProperties"] is False
    assert schema["properties"]["note"]["anyOf"][1] == {"type": "null"}
    trip = ip.user_ns["trip"]
    assert type(trip).__name__ == "Trip" and trip.city.name == "name 1" and trip.days == 1
    # An optional field answered with null keeps its default (pydantic validates it).
    aiml_simulator.script(
        Reply(content='{"city": {"name": "Oslo", "country": "NO"}, "days": 3, "note": null}')
    )
    run("%%aiml --schema Trip -o trip\nAgain.")
    assert ip.user_ns["trip"].note == "none" and ip.user_ns["trip"].days == 3
    # pydantic's own constraints count as validation errors, with the field named.
    aiml_simulator.script(
        Reply(
            content='{"city": {"name": "Oslo", "country": "NO"}, "days": 0, "note": null}', times=2
        )
    )
    out = run("%%aiml --schema Trip\nOnce more.")
    assert "days" in str(out.error) and "greater than or equal to 1" in str(out.error)


def test_json_schema_dict(run, ip, aiml_simulator):
    run(
        'label = {"title": "Label", "type": "object", "properties": {'
        '"label": {"enum": ["spam", "ham"]}, "score": {"type": "number", "minimum": 0}},'
        ' "required": ["label"]}'
    )
    out = run("%%aiml --schema label -o v\nFree money!!!")
    assert out.error is None
    sent = fmt(aiml_simulator.chat_requests[-1])["json_schema"]
    assert sent["name"] == "label" and sent["schema"]["required"] == ["label", "score"]
    assert ip.user_ns["v"] == {"label": "spam", "score": 1.5}
    aiml_simulator.script(Reply(schema_fault="bad_enum"))
    run("%%aiml --schema label -o v\nAgain")
    repair = aiml_simulator.chat_requests[-1].body["messages"][-1]["content"]
    assert "answer.label: expected one of ['spam', 'ham'], got string 'not-one-of-them'" in repair


@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        ("missing_field", "answer: missing field(s) name"),
        ("wrong_type", "answer.name: expected a string, got number 42"),
        ("not_json", "answer: not JSON"),
    ],
)
def test_invalid_answer_gets_one_repair_request_quoting_the_error(
    run, ip, aiml_simulator, types, fault, problem
):
    aiml_simulator.script(Reply(schema_fault=fault))
    out = run("%%aiml --schema Person -o person\nWho?")
    assert out.error is None
    first, repair = aiml_simulator.chat_requests[-2:]
    assert len(aiml_simulator.chat_requests) == 2
    invalid_text = first and repair.body["messages"][-2]
    assert invalid_text["role"] == "assistant"
    assert repair.body["messages"][-1]["role"] == "user"
    assert problem in repair.body["messages"][-1]["content"]
    assert repair.body["messages"][:-2] == first.body["messages"]
    assert ip.user_ns["person"].name == "name 1"
    final = out.final_markdown
    assert "asking the model to repair it" in final and "1 repair request, 2 requests" in final
    result = ip.user_ns["_aiml"]
    assert result.structured.repairs == 1
    # usage adds up over both requests, and %aiml usage counts both
    usage = run("%aiml usage").outputs[-1].data["text/markdown"]
    assert f"| bytedance/seed\\-1\\-8 | 2 | {result.usage.prompt_tokens} |" in usage


def test_fenced_json_is_accepted_without_a_repair(run, ip, aiml_simulator, types):
    aiml_simulator.script(Reply(schema_fault="fenced"))
    out = run("%%aiml --schema Person -o person\nWho?")
    assert out.error is None and len(aiml_simulator.chat_requests) == 1
    assert ip.user_ns["_aiml"].text.startswith("```json")
    assert ip.user_ns["person"].name == "name 1"


def test_still_invalid_after_repair_is_one_line_and_records_nothing(
    run, ip, magics, aiml_simulator, types
):
    run("%%aiml\nHello")  # one recorded turn
    ip.user_ns["person"] = "before"
    aiml_simulator.script(Reply(schema_fault="wrong_type", times=2))
    out = run("%%aiml --schema Person -o person\nWho?")
    message = str(out.error)
    assert "\n" not in message
    assert "does not fit Person after 1 repair request: answer.name: expected a string" in message
    assert ip.user_ns["person"] == "before"
    assert len(magics.session.chats.get("default").turns) == 1
    assert "asking the model to repair" in out.final_markdown  # the repair stays visible
    assert ip.user_ns["_aiml"].structured.repairs == 1  # the failed answer is inspectable


def test_schema_retries_setting(run, aiml_simulator, types):
    run("%config AimlMagics.schema_retries = 0")
    aiml_simulator.script(Reply(schema_fault="missing_field"))
    out = run("%%aiml --schema Person\nWho?")
    assert "does not fit Person: answer: missing field(s) name" in str(out.error)
    assert len(aiml_simulator.chat_requests) == 1
    run("%config AimlMagics.schema_retries = 2")
    aiml_simulator.script(Reply(schema_fault="missing_field", times=2))
    out = run("%%aiml --schema Person\nWho?")
    assert out.error is None and len(aiml_simulator.chat_requests) == 4
    assert "2 repair requests, 3 requests" in out.final_markdown
    assert "schema\\_retries | 2 |" in run("%aiml config").outputs[-1].data["text/markdown"]


def test_fallback_known_from_the_catalogue(run, ip, aiml_simulator, types):
    out = run("%%aiml -m qwen/qwen3-32b --schema Person -o person\nWho?")
    assert out.error is None
    assert any(
        r.query.get("include", "").startswith("capabilities") for r in aiml_simulator.requests
    )
    [request] = aiml_simulator.chat_requests
    assert fmt(request) == {"type": "json_object"}
    system = request.body["messages"][0]
    assert (
        system["role"] == "system" and '"required": ["name", "age", "email"]' in system["content"]
    )
    assert ip.user_ns["person"].name == "name 1"
    assert "json_object fallback (its catalogue entry lists no structured_output)" in (
        out.final_markdown.replace("\\", "")
    )


def test_fallback_after_the_service_refuses_response_format(run, ip, aiml_simulator, types):
    aiml_simulator.script_models(Reply.error(500, times=2))  # neither list nor card can say
    run("%%aiml -s 'Be precise.'\nHi")
    out = run("%%aiml -m qwen/qwen3-32b --schema Person -o person\nWho?")
    assert out.error is None
    refused, fallback = aiml_simulator.chat_requests[-2:]
    assert fmt(refused)["type"] == "json_schema" and fmt(fallback) == {"type": "json_object"}
    system = fallback.body["messages"][0]["content"]
    assert system.startswith("Be precise.\n\nAnswer with one JSON object")
    assert "service refused response_format json_schema" in out.final_markdown.replace("\\", "")
    assert ip.user_ns["person"].age == 1
    # learned: the next cell goes straight to the fallback
    run("%%aiml -m qwen/qwen3-32b --schema Person\nAgain")
    assert fmt(aiml_simulator.chat_requests[-1]) == {"type": "json_object"}
    assert len(aiml_simulator.chat_requests) == 4


@pytest.mark.parametrize(
    ("setup", "option", "words"),
    [
        ("", "Nope", "there is no 'Nope' in the notebook"),
        ("Bad = dict[str, int]", "Bad", "free-form keys"),
        (
            "from dataclasses import dataclass\n@dataclass\nclass Node:\n    kids: 'list[Node]'",
            "Node",
            "recursive",
        ),
        ("import datetime\nWhen = datetime.datetime", "When", "cannot be described as JSON"),
        ("value = 3", "value", "not a type or a JSON Schema dict"),
        ("", "Person --json", "drop --json"),
        ("", "'a b'", "expects a name"),
    ],
)
def test_unexpressible_schema_is_a_usage_error_before_sending(
    run, aiml_simulator, types, setup, option, words
):
    if setup:
        assert run(setup).error is None
    out = run(f"%%aiml --schema {option}\nWho?")
    assert words in str(out.error) and "\n" not in str(out.error)
    assert aiml_simulator.chat_requests == []


def test_conversation_history_and_no_history(run, ip, magics, aiml_simulator, types):
    run("%%aiml --schema Person\nWho?")
    turn = magics.session.chats.get("default").turns[0]
    assert turn.answer == ip.user_ns["_aiml"].text and turn.params["schema"] == "Person"
    run("%%aiml\nAnd now in prose?")
    messages = aiml_simulator.chat_requests[-1].body["messages"]
    assert messages[-2] == {"role": "assistant", "content": turn.answer}
    assert "response_format" not in aiml_simulator.chat_requests[-1].body
    run("%%aiml --schema Person --no-history -o p\nOnly this.")
    assert len(aiml_simulator.chat_requests[-1].body["messages"]) == 1
    assert len(magics.session.chats.get("default").turns) == 2
    assert ip.user_ns["p"].name == "name 1"


def test_export_import_keeps_the_schema_name(run, magics, aiml_simulator, types, tmp_path):
    run("%%aiml --schema Person\nWho?")
    path = tmp_path / "chat.json"
    run(f"%aiml export {path}")
    exported = json.loads(path.read_text())
    assert exported["turns"][0]["params"]["schema"] == "Person"
    assert "response_format" not in exported["turns"][0]["params"]
    run("%aiml reset --all")
    run(f"%aiml import {path}")
    assert magics.session.chats.get("default").turns[0].params["schema"] == "Person"


def test_streaming_shows_the_json_then_the_table(run, aiml_simulator, types):
    aiml_simulator.script(Reply(chunk_size=4))
    out = run("%%aiml --schema Person\nWho?")
    texts = [o.data["text/markdown"] for o in out.outputs if "text/markdown" in o.data]
    assert any('{"na' in t and "| field | value |" not in t for t in texts[:-1])
    assert "| field | value |" in texts[-1]
    assert aiml_simulator.chat_requests[-1].body["stream"] is True
    run("%%aiml --schema Person --no-stream -o p\nWho?")
    assert aiml_simulator.chat_requests[-1].body["stream"] is False


def test_cells_are_escaped(run, aiml_simulator, types):
    hostile = {"name": "<img src=x onerror=alert(1)> | *x*", "age": 1, "email": "```"}
    aiml_simulator.script(Reply(content=json.dumps(hostile)))
    out = run("%%aiml --schema Person\nWho?")
    final = out.final_markdown
    assert "<img" not in final.split("```json")[0]
    assert "\\|" in final and "````json" in final  # the fence outgrows the backticks inside


def test_python_api(aiml_simulator, aiml_env):
    from dataclasses import dataclass

    from aiml_magics import AimlClient

    @dataclass
    class Pet:
        name: str
        legs: int

    client = AimlClient()
    aiml_simulator.script(Reply(schema_fault="wrong_type"))
    result = client.chat([{"role": "user", "content": "A pet?"}], schema=Pet)
    assert result.parsed == Pet("name 1", 1)
    assert result.structured.repairs == 1 and len(aiml_simulator.chat_requests) == 2
    result = client.chat(
        [{"role": "user", "content": "A pet?"}], "qwen/qwen3-32b", schema=list[Pet]
    )
    assert result.parsed == [Pet("name 1", 1), Pet("name 2", 2)]
    assert result.structured.mode == "json_object"
