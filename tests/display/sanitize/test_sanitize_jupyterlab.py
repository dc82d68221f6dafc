"""What JupyterLab renders stays inert: tests of its model (`sanitize.jupyterlab`) and of it.

JupyterLab hides math from `marked` behind `@@n@@` placeholders and restores it afterwards with
only `<>&` escaped. Math can therefore hide a code boundary, or land inside an attribute. The
first tests use the Python model of that pre-pass; the last ones run JupyterLab's own code in
Node (the `jupyterlab` fixture), which must be at hand: without it they fail, they never skip.
"""

from __future__ import annotations

import random

import pytest
from sanitize_checks import ALLOWED_TAGS, assert_harmless, inspect, marked_problems, neutralized
from sanitize_checks import permissive_render as render
from sanitize_corpus import BENIGN_ANSWER, FOUND_BY_FUZZING, HOSTILE, random_line

from aiml_magics.display.sanitize import is_safe_markdown, neutralize_markdown
from aiml_magics.display.sanitize.jupyterlab import MathView, math_spans

pytestmark = pytest.mark.unit


def jupyterlab_render(markdown: str) -> str:
    """Hide math, render, restore it with only `<>&` escaped, as JupyterLab does."""
    view = MathView.of(markdown)
    if view is None:
        return render(markdown)
    page = render(view.text)
    for number, start in sorted(view.starts.items(), reverse=True):
        end = next(e for s, e, n in math_spans(markdown) if n == number)
        math = markdown[start:end].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        page = page.replace(f"@@{number}@@", math)
    return page


@pytest.mark.parametrize(
    "text",
    [
        # math hides the opening of a fence in a list, freeing its content
        "text $x\n- a\n  ```\n  $ <img src=x onerror=alert(1)>\n  ```\n",
        # a code span over two lines is not protected from math
        "a `code\n$x` b $ <img src=x onerror=alert(1)>`",
        # math hides a bracket, making a link only marked sees
        "[t $]$](javascript:alert(1))",
        # restored math ends an attribute: quotes are not escaped
        '[x](https://ok.example "$" onmouseover="alert(1)$")',
        '- x\n  ```$" onmouseover="alert(1)\n  code\n  ```\n$',
    ],
)
def test_math_cannot_smuggle_markup_past_jupyterlab(text: str) -> None:
    out = neutralized(text)
    page = inspect(jupyterlab_render(out))
    assert set(page.tags) <= ALLOWED_TAGS, out
    assert not [a for a in page.attributes if a[1].startswith("on")], out


def test_benign_math_and_code_are_untouched_for_jupyterlab() -> None:
    text = (
        "1. Set:\n   ```bash\n   export PATH=$HOME/bin:$PATH\n   ```\n"
        "2. Run:\n   ```bash\n   echo $PATH\n   ```\n\nCost: $\\$5$ or `$HOME`.\n"
    )
    assert neutralized(text) == text


def test_math_is_left_alone_unless_markdown_sees_html_in_it() -> None:
    # `$a<b$` is not HTML and stays as it is. `$a<b>c$` contains a tag for every Markdown
    # parser outside JupyterLab, so its `<` is defused; inside math that is `< ` (no tag starts
    # with a space, and TeX reads it as `<`), not `&lt;`, which MathJax would show literally.
    assert neutralized("$a<b$") == "$a<b$"
    assert neutralized("$a<b>c$") == "$a< b>c$"


@pytest.mark.parametrize(
    ("math", "shown"),
    [
        ("$x<y + 1$", "$x< y + 1$"),
        ("$$a<b c$$", "$$a< b c$$"),
        ("$p<0.05$", "$p<0.05$"),
        ("$<script>alert(1)</script>$", "$< script>alert(1)< /script>$"),
    ],
)
def test_less_than_inside_math_stays_valid_tex(math: str, shown: str) -> None:
    """MathJax would show an escaped `&lt;` literally; `< y` is inert and valid TeX."""
    out = neutralize_markdown(math)
    assert out == shown
    assert is_safe_markdown(out)
    assert_harmless(out)


def test_less_than_inside_math_keeps_the_rest_of_the_text() -> None:
    # a literal `@@0@@` inside math is a span of its own for JupyterLab: nothing is repeated
    assert neutralize_markdown("$a<b>c @@0@@ d$") == "$a< b>c @@0@@ d$"
    # code is not typeset, so it keeps its (escaped) form
    assert neutralize_markdown("x `$<i>$` y") == "x `$<i>$` y"


def test_math_in_the_title_of_a_link_only_marked_sees_is_caught() -> None:
    text = '[[$y$]()](g "$" onmouseover="alert(1)$")'
    assert neutralized(text) == '[[$y$]()\\]\\(g "$" onmouseover="alert(1)$")'


def test_math_in_a_link_target_inside_code_is_defused() -> None:
    """markdown-it's view may hold in code what marked reads as a link: its math is no math."""
    text = '>\t2) ~~~\n>\t   $\n$[]($" onmouseover="alert(1)$)'
    assert neutralized(text) == '>   2) ~~~\n>\t   $\n$[](&#36;" onmouseover="alert(1)$)'


def test_a_marker_after_math_that_ends_early_keeps_its_later_number() -> None:
    """JupyterLab stores such a marker twice; the view shows the second number, as it does."""
    view = MathView.of("${$@@1@@\n\n")
    assert view is not None and view.text == "@@1@@@@2@@\n\n"


def test_the_fallback_fence_verifies_even_with_math_in_fence_like_lines() -> None:
    out = neutralized("www.``` <x:`<``\n    ```\\\\[\\\\]")
    assert out.startswith("````text\n")


def test_less_than_outside_math_is_still_escaped() -> None:
    assert (
        neutralize_markdown("a <b>bold</b> and $x<y + 1$") == "a &lt;b>bold&lt;/b> and $x< y + 1$"
    )


# ---------------------------------------------------------------- JupyterLab itself, in Node


def corpus(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    texts = [param.values[0] for param in HOSTILE] + [BENIGN_ANSWER]
    texts += ["\n".join(random_line(rng) for _ in range(rng.randint(1, 10))) for _ in range(count)]
    return texts


def test_jupyterlab_renders_neutralised_markdown_inert(jupyterlab) -> None:
    texts = corpus(7, 600)
    pages = jupyterlab([neutralize_markdown(text) for text in texts])
    for text, page in zip(texts, pages, strict=True):
        assert not marked_problems(page), (text, page)


def test_the_model_of_the_math_pre_pass_is_exact(jupyterlab) -> None:
    """`MathView` hides exactly what JupyterLab's `removeMath` hides, numbered the same."""
    texts = [neutralize_markdown(text) for text in corpus(11, 300)]
    texts += ["$a$ @@0@@ $$b$$ \\\\(c\\\\) \\begin{x}d\\end{x} `$e$` $f\n\ng$"]
    for text, page in zip(texts, jupyterlab.pages(texts), strict=True):
        view = MathView.of(text)
        assert (text if view is None else view.text) == page["view"], text


@pytest.mark.parametrize("text", FOUND_BY_FUZZING)
def test_what_fuzzing_found_is_inert_in_jupyterlab(jupyterlab, text: str) -> None:
    (out,) = jupyterlab.pages([neutralized(text)])
    assert not marked_problems(out["html"] or "") and not out["error"], out
