"""The rule-based responder for the semantic operators (`df.aiml`): answers their questions
from the row text, deterministically, so a test can check every decision.

A request is recognised by its schema name (`aiml_filter`, `aiml_classify`, `aiml_score`,
`aiml_compare`, `aiml_match`, `aiml_duplicate`, `aiml_summary`; `_rows` for a pack) and read
through its tagged layout (`<condition>`, `<row id="n">`, ...). The rules:

- the **keywords** of a condition or criterion are its quoted words, else its last word;
- **filter**: keep when a keyword is in the row (confidence 0.95); a word sharing the
  keyword's first five letters is a near miss: a guess from the model and the text,
  confidence 0.5; otherwise not kept (0.9);
- **classify**: the first label (in the order given) found in the row (0.95); none found: a
  guess from the model and the text (0.4);
- **score**: the lowest score plus the number of keyword occurrences, within the scale;
- **compare**: the row where a keyword comes first, then the shorter, then A;
- **match** and **duplicate**: the two texts share at least half of the words of the shorter;
- **summary**: "N items", N the rows (and the items partial summaries count) it was given;
- any other field (extract, map) is the schema's example value, as for other requests.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from .structured import example

_TAG = r"<{tag}(?: id=\"(?P<id>[^\"]+)\")?>\n(?P<body>.*?)\n</{tag}>"
OPERATORS = ("filter", "classify", "score", "compare", "match", "duplicate", "summary")


def schema_name(body: dict[str, Any]) -> str:
    """The schema's name: `json_schema.name`, or for the `json_object` fallback the name the
    system message gives with the schema ("... this JSON Schema (aiml_filter)")."""
    response_format = body.get("response_format") or {}
    name = (response_format.get("json_schema") or {}).get("name")
    if name:
        return str(name)
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        if message.get("role") == "system" and isinstance(content, str):
            found = re.search(r"JSON Schema \((aiml_\w+)\)", content)
            if found:
                return found.group(1)
    return ""


def answer(body: dict[str, Any], schema: dict[str, Any]) -> str | None:
    """The answer text for an operator's question, or None when it is not one."""
    name = schema_name(body)
    if not name.startswith("aiml_"):
        return None
    prompt = _last_user(body)
    operator = name[len("aiml_") :].removesuffix("_rows")
    model = str(body.get("model", ""))
    properties = schema.get("properties") or {}
    if name.endswith("_rows"):
        item = (properties.get("items") or {}).get("items") or {}
        rows = tagged(prompt, "row")
        items = [
            {"id": int(row_id), **_fields(operator, item, prompt, text, model)}
            for row_id, text in rows
            if row_id and row_id.isdigit()
        ]
        return json.dumps({"items": items})
    return json.dumps(_fields(operator, schema, prompt, None, model))


def _last_user(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            return content if isinstance(content, str) else ""
    return ""


def tagged(prompt: str, tag: str) -> list[tuple[str | None, str]]:
    return [
        (m.group("id"), m.group("body"))
        for m in re.finditer(_TAG.format(tag=tag), prompt, re.DOTALL)
    ]


def _fields(
    operator: str, schema: dict[str, Any], prompt: str, row: str | None, model: str
) -> dict[str, Any]:
    """One answer object: the rule's fields, the schema's example for the rest."""
    value = example(schema) or {}
    value = {k: v for k, v in value.items() if k != "id"} if isinstance(value, dict) else {}
    if row is None:
        rows = tagged(prompt, "row")
        row = rows[0][1] if rows else ""
    text = _values(row)
    rule = _RULES.get(operator)
    if rule is not None:
        value.update(rule(schema, prompt, text, model))
    return {k: v for k, v in value.items() if k in (schema.get("properties") or {})}


def _values(row: str) -> str:
    """A row's values without their `column: ` names."""
    return "\n".join(re.sub(r"^[A-Za-z_][\w ]*: ", "", line) for line in row.splitlines())


def keywords(prompt: str, tag: str) -> list[str]:
    found = tagged(prompt, tag)
    condition = found[0][1] if found else ""
    quoted = re.findall(r"['\"]([^'\"]+)['\"]", condition)
    if quoted:
        return [q.lower() for q in quoted]
    words = re.findall(r"[A-Za-z][A-Za-z-]*", condition)
    return [words[-1].lower()] if words else []


def _guess(model: str, text: str, options: int) -> int:
    digest = hashlib.sha256(f"{model}\n{text}".encode()).digest()
    return digest[0] % options


def _filter(schema: dict, prompt: str, text: str, model: str) -> dict[str, Any]:
    words, lowered = keywords(prompt, "condition"), text.lower()
    hit = next((w for w in words if w in lowered), None)
    if hit is not None:
        return {"keep": True, "confidence": 0.95, "reason": f"the row mentions {hit!r}"}
    near = [w for w in words if len(w) >= 5 and w[:5] in lowered]
    if near:
        keep = _guess(model, text, 2) == 1
        return {"keep": keep, "confidence": 0.5, "reason": f"close to {near[0]!r}; a guess"}
    return {"keep": False, "confidence": 0.9, "reason": "no keyword of the condition"}


def _classify(schema: dict, prompt: str, text: str, model: str) -> dict[str, Any]:
    labels = ((schema.get("properties") or {}).get("label") or {}).get("enum") or []
    lowered = text.lower()
    found = next((label for label in labels if str(label).lower() in lowered), None)
    if found is not None:
        return {"label": found, "confidence": 0.95}
    if not labels:
        return {}
    return {"label": labels[_guess(model, text, len(labels))], "confidence": 0.4}


def _score(schema: dict, prompt: str, text: str, model: str) -> dict[str, Any]:
    score = (schema.get("properties") or {}).get("score") or {}
    low, high = int(score.get("minimum", 1)), int(score.get("maximum", 10))
    count = sum(text.lower().count(w) for w in keywords(prompt, "criterion"))
    return {"score": max(low, min(high, low + count)), "reason": f"{count} mentions"}


def _compare(schema: dict, prompt: str, text: str, model: str) -> dict[str, Any]:
    rows = dict(tagged(prompt, "row"))
    a, b = _values(rows.get("A", "")).lower(), _values(rows.get("B", "")).lower()
    words = keywords(prompt, "criterion")

    def first(s: str) -> int:
        places = [s.find(w) for w in words if w in s]
        return min(places) if places else len(s) + 1_000_000

    if first(a) != first(b):
        return {"better": "A" if first(a) < first(b) else "B"}
    return {"better": "B" if len(b) < len(a) else "A"}


def overlap(left: str, right: str) -> bool:
    """At least half of the words of the shorter text are in the other."""
    a = set(re.findall(r"\w+", left.lower()))
    b = set(re.findall(r"\w+", right.lower()))
    if not a or not b:
        return False
    return len(a & b) * 2 >= min(len(a), len(b))


def _match(schema: dict, prompt: str, text: str, model: str) -> dict[str, Any]:
    left = tagged(prompt, "left")
    right = tagged(prompt, "right")
    if not left or not right:
        rows = tagged(prompt, "row")
        left, right = rows[:1], rows[1:2]
    same = bool(left and right) and overlap(_values(left[0][1]), _values(right[0][1]))
    return {"match": same, "duplicate": same}


def _summary(schema: dict, prompt: str, text: str, model: str) -> dict[str, Any]:
    count = len(tagged(prompt, "row"))
    for _, partial in tagged(prompt, "summary"):
        found = re.match(r"(\d+) items", partial)
        count += int(found.group(1)) if found else 0
    return {"summary": f"{count} items"}


_RULES = {
    "filter": _filter,
    "classify": _classify,
    "score": _score,
    "compare": _compare,
    "match": _match,
    "duplicate": _match,
    "summary": _summary,
}
