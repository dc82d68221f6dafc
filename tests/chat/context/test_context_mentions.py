"""`@name` mentions: what counts as one, `@@`, and the errors for names that cannot be attached."""

import pytest

from aiml_magics.chat.context import ContextError, build_context, find_mentions, unescape
from aiml_magics.chat.context.builder import NotebookState, mention_parts


def paths(text):
    return [m.path for m in find_mentions(text)]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("What is in @df?", ["df"]),
        ("Compare @df.columns with @cfg['x'] and @rows[0].", ["df.columns", "cfg['x']", "rows[0]"]),
        ('Use @cfg["lr"], then (@model).', ['cfg["lr"]', "model"]),
        ("@df at the start, @df again", ["df"]),
        ("Ends a sentence: @df.", ["df"]),
    ],
)
def test_mentions_in_prose(body, expected):
    assert paths(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        "Write to ada@example.com or ops.team@corp.io",
        "A literal @@df and @@home",
        "Inline `@df` code and ``a @b `c` d``",
        "```python\n@dataclass\nclass A:\n    x = @df\n```",
        "~~~\n@cached\n~~~",
        "   ```\n@inside an unclosed fence (runs to the end)",
        "@dataclass\nclass Point:\n    x: int",
        "@app.route('/x')\n@login_required\ndef view(): ...",
    ],
)
def test_never_mentions(body):
    assert paths(body) == []


def test_fence_closes_only_on_matching_marker():
    body = "````\n```\n@a\n````\nnow @b"
    assert paths(body) == ["b"]


def test_unescape_turns_double_at_into_one_outside_code_only():
    body = "Mail me @@home, see @df, code `x @@ y`\n```\na @@ b\n```"
    assert unescape(body) == "Mail me @home, see @df, code `x @@ y`\n```\na @@ b\n```"


def test_unknown_name_names_the_mention_and_suggests():
    with pytest.raises(ContextError) as caught:
        mention_parts("Look at @dff", {"df": 1, "other": 2})
    message = str(caught.value)
    assert "@dff" in message and "@df?" in message and "@@" in message


@pytest.mark.parametrize("body", ["@_secret", "@_", "@__builtins__"])
def test_private_roots_are_refused(body):
    with pytest.raises(ContextError, match="names starting with _"):
        mention_parts(body, {"_secret": 1, "_": 2, "__builtins__": {}})


def test_private_attribute_and_missing_steps_say_which_step():
    class Box:
        size = 3
        _hidden = 4

    namespace = {"box": Box(), "cfg": {"a": 1}}
    with pytest.raises(ContextError, match=r"@box\._hidden: box\._hidden is private"):
        mention_parts("@box._hidden", namespace)
    with pytest.raises(ContextError, match=r"@box\.width: box has no attribute 'width'"):
        mention_parts("@box.width", namespace)
    with pytest.raises(ContextError, match=r"""@cfg\["b"\]: cfg has no item "b" \(KeyError\)"""):
        mention_parts('@cfg["b"]', namespace)


def test_resolution_calls_nothing():
    calls = []

    class Model:
        def fit(self):
            calls.append("fit")
            return "fitted"

    parts = mention_parts("@model.fit", {"model": Model()})
    assert calls == []
    assert "fit(self)" in parts[0].text and "fitted" not in parts[0].text.split("source")[0]


def test_each_mention_is_one_labelled_part_in_order():
    context = build_context("@b then @a then @b", NotebookState({"a": 1, "b": "text"}))
    assert [(p.label, p.kind) for p in context.parts] == [("@b", "mention"), ("@a", "mention")]
