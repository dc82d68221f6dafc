"""Secrets stay home: planted keys and tokens never survive into the built context text."""

import pytest

from aiml_magics.chat.context import NotebookState, build_context
from aiml_magics.chat.context.redact import REDACTED, Redactor

API_KEY = "aiml-live-5f2c9e8a7b6d4c3e"
# Planted fakes with real shapes, assembled here so no key-shaped literal sits in the tree.
PLANTED = {
    "openai": "sk-" + "proj-Ab3dEf6hIj9kLm2nOp5qRs8t",
    "github": "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "db_password": "correct-horse-battery",
    "bearer": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
    "nested": "tok-nested-77aa99",
}
SPEC = "cells,outputs,errors,vars"


def namespace():
    return {
        "db_password": PLANTED["db_password"],
        "aws_secret_access_key": PLANTED["aws_secret_access_key"],
        "settings": {"api_token": PLANTED["nested"], "retries": 3},
        "notes": f"key {PLANTED['openai']} and {PLANTED['github']}",
        "rows": [f"Authorization: Bearer {PLANTED['bearer']}"],
    }


def history():
    return [
        "",
        f'client = make(api_key="{API_KEY}")',
        f"AWS_ACCESS_KEY_ID = '{PLANTED['aws_access_key_id']}'",
        f"aws_secret_access_key = '{PLANTED['aws_secret_access_key']}'",
        "print(db_password, settings['api_token'])",
        f"headers = {{'Authorization': 'Bearer {PLANTED['bearer']}'}}",
    ]


def history_outputs():
    return {4: f"{PLANTED['db_password']} {PLANTED['nested']}", 5: f"token={PLANTED['github']}"}


def payload():
    secrets = " ".join(PLANTED.values())
    return [
        {"cell_type": "markdown", "source": f"Our key is {API_KEY}, do not share"},
        {
            "cell_type": "code",
            "source": ["import os\n", f"os.environ['GITHUB_TOKEN'] = '{PLANTED['github']}'"],
            "execution_count": 2,
            "outputs": [
                {"output_type": "stream", "name": "stdout", "text": [f"printed {secrets}\n"]},
                {"output_type": "execute_result", "data": {"text/plain": f"'{API_KEY}'"}},
                {
                    "output_type": "error",
                    "ename": "AuthError",
                    "evalue": f"rejected {PLANTED['openai']}",
                    "traceback": [f"\x1b[31mAuthError\x1b[0m: rejected {PLANTED['openai']}"],
                },
            ],
        },
    ]


def failure():
    try:
        raise PermissionError(f"login failed for password={PLANTED['db_password']} key {API_KEY}")
    except PermissionError as exc:
        return exc


def mentions_body():
    return "Explain @notes, @rows, @settings, @db_password and @aws_secret_access_key"


def assert_clean(text):
    for value in [API_KEY, *PLANTED.values()]:
        assert value not in text
        assert value[:12] not in text  # nothing left of the start of a secret either
    assert REDACTED in text


def test_history_kernel_nothing_planted_survives():
    state = NotebookState(namespace(), history(), history_outputs(), last_error=failure())
    context = build_context(mentions_body(), state, SPEC, api_key=API_KEY, budget=100_000)
    assert {p.kind for p in context.parts} == {"mention", "cell", "output", "error", "vars"}
    assert_clean(context.as_message_text())


def test_notebook_payload_nothing_planted_survives():
    state = NotebookState(namespace(), notebook_cells=payload())
    context = build_context(mentions_body(), state, SPEC, api_key=API_KEY, budget=100_000)
    assert {p.kind for p in context.parts} == {"mention", "cell", "output", "error", "vars"}
    assert "last error (in In [2])" in [p.label for p in context.parts]
    assert_clean(context.as_message_text())


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("max_tokens = 100, temperature=0.2", "max_tokens = 100"),
        ("tokens = get_tokens(text)", "get_tokens(text)"),
        ("the secret of good bread is time", "the secret of good bread is time"),
    ],
)
def test_ordinary_code_about_tokens_is_left_alone(text, kept):
    assert kept in Redactor()(text)


@pytest.mark.parametrize(
    "text",
    [
        "PASSWORD=hunter2hunter2",
        '"client_secret": "abc"',
        "Authorization: bearer abc.def",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
    ],
)
def test_shapes_and_assignments_are_redacted(text):
    assert REDACTED in Redactor()(text)
