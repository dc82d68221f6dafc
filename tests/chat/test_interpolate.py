"""`{name}` interpolation: replaces only what the user clearly meant, never evaluates code."""

from types import SimpleNamespace

import pytest

from aiml_magics.chat.interpolate import interpolate

NS = {
    "name": "Ada",
    "df": SimpleNamespace(shape=(3, 2), columns=["a", "b"]),
    "scores": [10, 20, 30],
    "cfg": {"lr": 0.1, "it's": "quoted"},
    "In": ["", "x = 1", "print(x)"],
    "Out": {3: 42},
}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Hello {name}!", "Hello Ada!"),
        ("shape {df.shape}", "shape (3, 2)"),
        ("first {scores[0]}, last {scores[-1]}", "first 10, last 30"),
        ('rate {cfg["lr"]}', "rate 0.1"),
        ("key {cfg['lr']}", "key 0.1"),
        ("cell {In[1]} gave {Out[3]}", "cell x = 1 gave 42"),
        ("nested {df.columns[1]}", "nested b"),
    ],
)
def test_placeholders_whose_root_exists_are_replaced(body, expected):
    assert interpolate(body, NS) == expected


@pytest.mark.parametrize(
    "body",
    [
        "def f():\n    return {'a': 1}",
        '{"model": "x", "params": {"t": 1}}',
        'print(f"{value:.2f} and {other!r}")',
        "set {1, 2, 3} and dict {}",
        "unknown {nobody} stays",
        "a call {name.upper()} is never made",
        "an expression {scores[0] + 1} is not evaluated",
        "private {df.__class__} is not followed",
        "missing attribute {df.nope} stays",
        "index out of range {scores[9]} stays",
        "jinja {{ name }} with spaces stays",
    ],
)
def test_everything_else_is_left_exactly_as_typed(body):
    assert interpolate(body, NS) == body


def test_double_braces_escape_a_placeholder():
    assert interpolate("literal {{name}} but {name}", NS) == "literal {name} but Ada"


def test_nested_json_closing_braces_are_not_collapsed():
    body = '{"a": {"b": {name}}}'
    # `{name}` inside JSON is still a placeholder; the JSON's own `}}` stays intact.
    assert interpolate(body, NS) == '{"a": {"b": Ada}}'


def test_values_are_inserted_with_str():
    assert interpolate("{cfg}", NS) == str(NS["cfg"])


def test_attribute_access_runs_properties_but_nothing_is_called():
    calls = []

    class Tricky:
        def __call__(self):
            calls.append("called")
            return "bad"

        def __str__(self):
            return "tricky"

    assert interpolate("{t}", {"t": Tricky()}) == "tricky"
    assert calls == []
