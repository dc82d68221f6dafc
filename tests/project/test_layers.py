"""The package's layers are enforced: a wrong import fails the suite, not just a review."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept():
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which(
        "lint-imports"
    )
    assert command, "import-linter is part of the test extra: pip install -e '.[test]'"
    out = subprocess.run([command], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout


def test_the_contracts_can_fail(tmp_path):
    """A copy of the package with one wrong import breaks a contract (the check has teeth)."""
    copy = tmp_path / "aiml_magics"
    shutil.copytree(ROOT / "aiml_magics", copy, ignore=shutil.ignore_patterns("labextension"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    client = copy / "api" / "client.py"
    client.write_text(client.read_text() + "\nfrom ..display import compose  # noqa\n")
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    out = subprocess.run(
        [command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode != 0
    assert "api imports no sibling BROKEN" in out.stdout
