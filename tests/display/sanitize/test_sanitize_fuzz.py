"""Property tests of the neutraliser: hostile Markdown never comes alive, whatever its mixture.

Documents come from `sanitize_strategies` (raw HTML, every URL scheme in disguise, code of every
length, math, tables, quotes and lists). Properties:

* with markdown-it alone (fast): the result verifies with `is_safe_markdown`, renders inert in
  a permissive markdown-it, and neutralising it again still verifies;
* with JupyterLab's own rendering in Node (math pre-pass, then `marked`), batched: no element,
  attribute or target outside the allow-list, no remote resource, and the Python model of the
  math pre-pass hides exactly what JupyterLab's hides.

The default run is reproducible (derandomized) and takes seconds. A long, random run:

    AIML_FUZZ_EXAMPLES=20000 python -m pytest tests/display/sanitize -k fuzz

(`--hypothesis-seed=N` repeats a random run; a failure prints the shrunk document.)
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sanitize_checks import assert_harmless, marked_problems
from sanitize_strategies import DOCUMENTS

from aiml_magics.display.sanitize import is_safe_markdown, neutralize_markdown
from aiml_magics.display.sanitize.jupyterlab import MathView
from aiml_magics.display.sanitize.text import normalize

LONG_RUN = int(os.environ.get("AIML_FUZZ_EXAMPLES", "0") or 0)
BATCH = 8  # documents per Node round trip, 4.5 on average

settings.register_profile(
    "sanitize-ci",
    max_examples=300,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "sanitize-long",
    parent=settings.get_profile("sanitize-ci"),
    max_examples=max(LONG_RUN, 1),
    derandomize=False,
)
PROFILE = settings.get_profile("sanitize-long" if LONG_RUN else "sanitize-ci")
BATCHES = settings(PROFILE, max_examples=max(1, LONG_RUN // 4) if LONG_RUN else 100)

pytestmark = [pytest.mark.unit, pytest.mark.timeout(0 if LONG_RUN else 120)]


@PROFILE
@given(text=DOCUMENTS, allow_remote_images=st.booleans())
def test_fuzz_neutralised_markdown_verifies_and_renders_inert(
    text: str, allow_remote_images: bool
) -> None:
    out = neutralize_markdown(text, allow_remote_images=allow_remote_images)
    assert is_safe_markdown(out, allow_remote_images=allow_remote_images), out
    assert_harmless(out, allow_remote_images=allow_remote_images)
    again = neutralize_markdown(out, allow_remote_images=allow_remote_images)
    assert is_safe_markdown(again, allow_remote_images=allow_remote_images), again


@BATCHES
@given(texts=st.lists(DOCUMENTS, min_size=1, max_size=BATCH))
def test_fuzz_jupyterlab_renders_neutralised_markdown_inert(jupyterlab, texts: list[str]) -> None:
    outs = [neutralize_markdown(text) for text in texts]
    inputs = [normalize(text) for text in texts]
    pages = jupyterlab.pages(outs + inputs)
    for text, out, page in zip(texts, outs, pages, strict=False):
        found = marked_problems(page["html"] or "")
        assert not found, (text, out, page["html"], found)
        # A known gap: marked unescapes `@\@0@@` into a placeholder JupyterLab never made,
        # and its rendering throws (the output shows nothing). Nothing else may make it throw.
        assert not page["error"] or "\\@" in text, (text, out, page["error"])
    for text, page in zip(outs + inputs, pages, strict=True):
        view = MathView.of(text)
        assert (text if view is None else view.text) == page["view"], text
