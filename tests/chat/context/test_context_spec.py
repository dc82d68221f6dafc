"""`--context SPEC` parsing: the parts, their combinations, and one clear error for bad ones."""

import pytest

from aiml_magics.chat.context import ContextError, ContextSpec, parse_spec


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cells", ContextSpec(cells=True)),
        ("cells=5", ContextSpec(cells=True, cell_count=5)),
        ("cells=5,errors", ContextSpec(cells=True, cell_count=5, errors=True)),
        (" outputs , vars ", ContextSpec(outputs=True, vars=True)),
        ("cells=3,outputs,errors,vars", ContextSpec(True, 3, True, True, True)),
        ("cells=2,cells=4", ContextSpec(cells=True, cell_count=4)),
        ("none", ContextSpec()),
        ("", ContextSpec()),
        (None, ContextSpec()),
    ],
)
def test_parts(text, expected):
    assert parse_spec(text) == expected


def test_canonical_text_round_trips():
    for text in ("cells", "cells=5,errors", "outputs,vars", "none"):
        assert str(parse_spec(text)) == text
    assert not parse_spec("none") and parse_spec("vars")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("cell", "unknown part 'cell'. Did you mean cells?"),
        ("cells,eror", "Did you mean errors?"),
        ("history", "unknown part 'history'. Parts: cells, cells=N"),
        ("cells=0", "cells=N needs a whole number of at least 1, got '0'"),
        ("cells=-2", "got '-2'"),
        ("cells=five", "got 'five'"),
        ("vars=3", "vars takes no value"),
    ],
)
def test_errors_name_the_bad_part(text, says):
    with pytest.raises(ContextError) as caught:
        parse_spec(text)
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)
