"""The documentation site builds offline in strict mode, and shows the tutorials' outputs.

`mkdocs build --strict` fails on any warning: a broken link or anchor, a page left out of the
nav. These tests run that build as a user would (`mkdocs.yml` at the root, `docs/tutorials`
linking to `notebooks/`) and read the HTML it writes.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# A remote script, stylesheet, font or image would be fetched by every reader's browser.
REMOTE_LOAD = re.compile(
    r"<(?:script|img|iframe)\b[^>]*\bsrc=[\"']?(?:https?:)?//"
    r"|<link\b[^>]*\bhref=[\"']?(?:https?:)?//"
    r"|@import\s+url\(\s*[\"']?(?:https?:)?//"
    r"|fonts\.googleapis",
    re.IGNORECASE,
)


def build(config: Path, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
        cwd=config.parent,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    done = build(ROOT / "mkdocs.yml", out)
    assert done.returncode == 0, done.stderr[-4000:]
    assert "WARNING" not in done.stderr, done.stderr[-4000:]
    return out


def words(text: str) -> str:
    """The words of a text, HTML tags and Markdown punctuation left out."""
    text = re.sub(r"<(style|script)\b.*?</\1>", " ", text, flags=re.DOTALL | re.IGNORECASE)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return " ".join(re.findall(r"[A-Za-z0-9]+", text))


def stored_output_samples(notebook: Path) -> list[str]:
    """A run of words from every rich stored output the page must show."""
    samples = []
    for cell in json.loads(notebook.read_text())["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:
                text = words("".join(data["text/html"]))
            elif "text/markdown" in data:
                # Lines of plain prose: link targets, raw HTML, code and math render otherwise.
                prose = [
                    line
                    for line in "".join(data["text/markdown"]).splitlines()
                    if not re.search(r"[\[<`|$\\]", line) and len(line.split()) >= 6
                ]
                text = words(prose[0]) if prose else ""
            else:
                continue
            if len(text.split()) >= 6:
                samples.append(" ".join(text.split()[:8]))
    return samples


def test_the_site_builds_in_strict_mode_with_every_page(site):
    pages = {
        p.relative_to(ROOT / "docs").with_suffix(".html") for p in (ROOT / "docs").glob("*.md")
    }
    built = {p.relative_to(site) for p in site.glob("*.html")}
    assert pages <= built, pages - built
    for notebook in NOTEBOOKS:
        assert (site / "tutorials" / f"{notebook.stem}.html").is_file(), notebook.name


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_tutorial_pages_show_their_stored_outputs(site, notebook):
    samples = stored_output_samples(notebook)
    assert samples, f"{notebook.name} has no stored output to look for"
    page = words((site / "tutorials" / f"{notebook.stem}.html").read_text())
    missing = [s for s in samples if s not in page]
    assert not missing, missing


def test_pages_load_nothing_remote(site):
    for page in site.rglob("*.html"):
        found = REMOTE_LOAD.search(page.read_text())
        assert found is None, f"{page.relative_to(site)}: {found.group(0)}"


def test_a_broken_link_fails_the_build(tmp_path):
    """The strict settings of mkdocs.yml catch a link to a page that does not exist."""
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs, ignore=shutil.ignore_patterns("tutorials"))
    (docs / "index.md").write_text((docs / "index.md").read_text() + "\n[gone](missing.md)\n")
    pages = sorted(p.name for p in docs.glob("*.md"))
    # Our settings (strict, validation) inherited; only the notebooks are left out.
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: docs\n"
        "plugins: [search]\nnav: " + json.dumps(pages) + "\n"
    )
    done = build(config, tmp_path / "site")
    assert done.returncode != 0
    assert "missing.md" in done.stderr


def test_the_readme_maps_every_page():
    """The README's map links every page of the guide (index.md is the site's own front door)."""
    readme = (ROOT / "README.md").read_text()
    linked = set(re.findall(r"\]\(docs/([\w-]+\.md)(?:#[\w-]+)?\)", readme))
    pages = {p.name for p in (ROOT / "docs").glob("*.md")} - {"index.md"}
    assert linked == pages, linked ^ pages
