"""Where the recordings of a notebook live: `NOTEBOOK.aiml.jsonl` beside the notebook.

The kernel learns its notebook from Jupyter (`JPY_SESSION_NAME`, `__session__`) or from our
pytest plugin (`AIML_NOTEBOOK`); without one, or when `replay_path` was set explicitly, the
file is `replay_path`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

NOTEBOOK_ENV_VARS = ("AIML_NOTEBOOK", "JPY_SESSION_NAME")  # ours (pytest plugin), Jupyter's
SUFFIX = ".aiml.jsonl"


def notebook_path(
    namespace: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> Path | None:
    """The notebook this kernel runs, when it was told (Jupyter, or our pytest plugin)."""
    environ = os.environ if environ is None else environ
    candidates = [environ.get(var, "") for var in NOTEBOOK_ENV_VARS]
    candidates.append(str(namespace.get("__session__") or ""))
    for candidate in candidates:
        candidate = candidate.strip()
        if not candidate.endswith(".ipynb"):
            continue
        path = Path(candidate).expanduser()
        if not path.is_absolute() and not path.exists():
            path = Path(path.name)  # the server's path is relative to its root; the kernel
            # runs in the notebook's own directory
        return path.absolute()
    return None


def recording_path(settings: Any, namespace: Mapping[str, Any]) -> Path:
    """`NOTEBOOK.aiml.jsonl` beside the notebook; else (or when set explicitly) replay_path."""
    explicit = settings.resolve("replay_path")[1] != "default"
    notebook = None if explicit else notebook_path(namespace)
    if notebook is not None:
        return notebook.with_name(notebook.name[: -len(".ipynb")] + SUFFIX)
    return Path(settings.replay_path).expanduser().absolute()


def shown_path(path: Path) -> str:
    """A recording file as users read it: relative to the working directory when inside."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
