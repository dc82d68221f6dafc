"""Run a tutorial notebook in a real kernel against a fresh, scripted simulator.

Used by `tests/kernel/test_tutorials.py` (nbval and nbclient runs, comparisons, key scan) and by
`refresh.py` (which stores the outputs of an nbclient run). Both paths build the kernel's
environment, the simulator and its script in the same way, so a refreshed notebook is exactly
what the test expects.
"""

from __future__ import annotations

import copy
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiml_magics.simulator import DEFAULT_KEY, Reply, Simulator

from .replies import REPLIES

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SANITIZE_FILE = Path(__file__).with_name("nbval-sanitize.cfg")
REFRESH_COMMAND = "python -m tests.tutorials.refresh"
CELL_TIMEOUT = 120

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
LANGUAGE_INFO = {
    "name": "python",
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# Queued after a notebook's script to answer requests the script did not plan for;
# `script_problem` notices when it was used.
UNSCRIPTED_TIMES = 1000


def unscripted() -> Reply:
    return Reply(
        content="**Unscripted request**: tests/tutorials/replies.py has no reply for it.",
        reasoning="",
        times=UNSCRIPTED_TIMES,
    )


def notebook_names() -> list[str]:
    """Every notebook in notebooks/, by file name without `.ipynb`."""
    return sorted(path.stem for path in NOTEBOOKS.glob("*.ipynb"))


def notebook_path(name: str) -> Path:
    return NOTEBOOKS / f"{name}.ipynb"


RECORDING_SUFFIX = ".aiml.jsonl"  # `%aiml replay` keeps NOTEBOOK.aiml.jsonl beside a notebook


def recording_path(name: str) -> Path:
    return NOTEBOOKS / f"{name}{RECORDING_SUFFIX}"


def scratch_copy(name: str, directory: Path) -> Path:
    """The notebook copied into `directory/work`, where a run may write files (exports,
    images, replay recordings) without touching notebooks/ or meeting a committed recording."""
    work = Path(directory) / "work"
    work.mkdir(parents=True, exist_ok=True)
    copy = work / f"{name}.ipynb"
    shutil.copyfile(notebook_path(name), copy)
    return copy


# -- the simulator and the kernel's environment ------------------------------------------------


@contextmanager
def scripted_simulator(name: str) -> Iterator[Simulator]:
    """A fresh simulator answering `name`'s requests in order, with a key that looks real.

    The key is random and shaped like an OpenAI-style secret, so a leak into a notebook is
    caught both by an exact search and by the key-pattern scan.
    """
    key = f"sk-tutorial-{secrets.token_hex(16)}"
    with Simulator(api_key=key) as sim:
        script = REPLIES[name]()
        for entry in script:  # (model, Reply): a comparison's column, whenever it asks
            if isinstance(entry, tuple):
                sim.script_for(*entry)
        sim.script(*[entry for entry in script if isinstance(entry, Reply)], unscripted())
        yield sim


def script_problem(sim: Simulator, name: str) -> str | None:
    """Why the requests did not match the script (None when every reply was used once)."""
    left = sim.pending - UNSCRIPTED_TIMES
    if left > 0:
        return (
            f"{name}: {left} scripted repl{'y was' if left == 1 else 'ies were'} never requested; "
            "tests/tutorials/replies.py is out of step with the notebook"
        )
    if left < 0:
        return (
            f"{name}: the notebook sent {-left} request(s) more than tests/tutorials/replies.py "
            "scripts"
        )
    return None


def kernel_env(sim: Simulator, ipython_dir: str, notebook: Path | None = None) -> dict[str, str]:
    """What the kernel runs with: the simulator as the service, and nothing of the user's.

    Every AIML* variable is replaced (a developer's real key or model must not leak in or
    change outputs), IPYTHONDIR is an empty directory (no profile loads anything), and the
    terminal width is fixed because argparse wraps `%aiml help` to it.
    """
    drop = ("COLUMNS", "LINES", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIML") and k not in drop}
    env.update(
        AIML_API_KEY=sim.api_key,
        AIML_API_BASE=sim.base_url,
        IPYTHONDIR=ipython_dir,
        AIML_CACHE_DIR=str(Path(ipython_dir) / "aiml-cache"),  # never the user's cache
        COLUMNS="80",
        PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    if notebook is not None:  # what JupyterLab tells its kernels (nbclient does not)
        env["AIML_NOTEBOOK"] = str(notebook)
    return env


# -- running a notebook --------------------------------------------------------------------------


def execute(name: str, sim: Simulator, recording_to: Path | None = None) -> Any:
    """Run the notebook top to bottom with nbclient, as JupyterLab would; return it with outputs.

    Display updates replace outputs in place, so streamed answers end as their final bundle.
    A cell that raises fails the run unless it is tagged `raises-exception`. It runs in a
    scratch copy; the replay recording it made, if any, is copied to `recording_to`.
    """
    import nbformat
    from nbclient import NotebookClient

    with tempfile.TemporaryDirectory(prefix="aiml-tutorial-") as scratch:
        ipython_dir = Path(scratch) / "ipython"
        ipython_dir.mkdir()
        path = scratch_copy(name, Path(scratch))
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
        client = NotebookClient(
            nb,
            timeout=CELL_TIMEOUT,
            kernel_name=KERNELSPEC["name"],
            record_timing=False,
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute(env=kernel_env(sim, str(ipython_dir), path))
        made = path.with_name(f"{name}{RECORDING_SUFFIX}")
        if recording_to is not None and made.exists():
            shutil.copyfile(made, recording_to)
    return nb


def start_nbval(name: str, sim: Simulator, ipython_dir: str, log: Path) -> subprocess.Popen:
    """`pytest --nbval` on one notebook in a subprocess; its output goes to `log`.

    `-c os.devnull` keeps the project's pytest settings (addopts, plugins) out of it. It runs a
    scratch copy beside `ipython_dir`; the package's pytest plugin tells the kernel its path.
    """
    path = scratch_copy(name, Path(ipython_dir).parent / f"nbval-{name}")
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval",
        "--nbval-current-env",
        f"--nbval-sanitize-with={SANITIZE_FILE}",
        f"--nbval-cell-timeout={CELL_TIMEOUT}",
        "-c",
        os.devnull,
        "--rootdir",
        str(path.parent),
        "-p",
        "no:cacheprovider",
        "-p",
        "no:hypothesispytest",
        "-q",
        "--color=no",
        str(path),
    ]
    with open(log, "wb") as out:
        return subprocess.Popen(
            command,
            cwd=path.parent,
            env=kernel_env(sim, ipython_dir),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


# -- storing and comparing outputs ---------------------------------------------------------------


def normalize(nb: Any) -> Any:
    """What is stored: fixed notebook metadata, no widget state, no execution timings, and
    consecutive prints as one stream output (how prints are split depends on timing)."""
    metadata = dict(nb.metadata)
    metadata.pop("widgets", None)
    metadata["kernelspec"] = dict(KERNELSPEC)
    metadata["language_info"] = dict(LANGUAGE_INFO)  # without the Python patch version
    nb.metadata = metadata
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("widgets", None)
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
    return nb


def coalesce_streams(outputs: list[Any]) -> list[Any]:
    """Merge consecutive stream outputs of the same stream, as nbval does before comparing."""
    merged: list[Any] = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output["output_type"] == "stream"
            and previous is not None
            and previous["output_type"] == "stream"
            and previous["name"] == output["name"]
        ):
            previous["text"] += output["text"]
        else:
            merged.append(output)
    return merged


def sanitize_patterns() -> list[tuple[str, str]]:
    """The (regex, replacement) pairs of the nbval sanitize file, parsed as nbval does."""
    text = SANITIZE_FILE.read_text(encoding="utf-8")
    return re.findall(r"^regex: (.*)$\n^replace: (.*)$", text, flags=re.MULTILINE)


def masked(text: str, patterns: list[tuple[str, str]]) -> str:
    for regex, replacement in patterns:
        text = re.sub(regex, replacement, text)
    return text


def comparable(outputs: list[Any], patterns: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The parts of outputs nbval compares (no metadata, tracebacks or counts), masked."""
    result = []
    for output in coalesce_streams(copy.deepcopy(list(outputs))):
        kind = output["output_type"]
        item: dict[str, Any] = {"output_type": kind}
        if kind == "stream":
            item["name"] = output["name"]
            item["text"] = masked(output["text"], patterns)
        elif kind in ("display_data", "execute_result"):
            item["data"] = {
                mime: masked(value if isinstance(value, str) else json.dumps(value), patterns)
                for mime, value in output["data"].items()
                if mime != WIDGET_VIEW
            }
        elif kind == "error":
            item["ename"] = output["ename"]
            item["evalue"] = masked(output["evalue"], patterns)
        result.append(item)
    return result


# -- secrets -------------------------------------------------------------------------------------

KEY_VARIABLES = r"(?:AIML_API_KEY|AIMLAPI_API_KEY|AIMLAPI_KEY|api_key)"
KEY_PATTERNS = [
    ("an OpenAI-style secret key", re.compile(r"(?<![A-Za-z0-9])sk-[A-Za-z0-9_\-]{8,}")),
    ("an Authorization header", re.compile(r"\bBearer\s+\S{8,}", re.IGNORECASE)),
    ("the simulator's default key", re.compile(re.escape(DEFAULT_KEY))),
    (
        "a key assigned to a variable",
        re.compile(KEY_VARIABLES + r"""\\?["']?\]?\s*[=:]\s*\\?["']?[A-Za-z0-9_\-]{12,}"""),
    ),
    (
        "a long random token",
        re.compile(r"(?<![A-Za-z0-9])(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{20,}"),
    ),
]
# Random-looking text that is not a secret: the service's inference ids, where they are named,
# and the sha256 names of generated files in the assets folder.
ALLOWED_TOKENS = re.compile(
    r"""(inference id |"inference_id": ")[0-9a-f]{32}\b|(aiml-assets/|"sha256": ")[0-9a-f]{64}\b"""
)
# Images are stored as base64 `data:` URIs (thumbnails of the images sent with `--image`, the
# players of generated speech and video) and as base64 image outputs (generated images).
DATA_URIS = re.compile(
    r"(data:(?:image/(?:png|jpeg|gif|webp)|audio/[\w.+-]+|video/[\w.+-]+);base64,)"
    r"[A-Za-z0-9+/]+={0,2}"
    r'|("image/(?:png|jpeg)": ")[A-Za-z0-9+/]+={0,2}'
)
# Plots are stored as base64 `image/png` outputs (an evaluation's figure).
PNG_OUTPUTS = re.compile(r'("image/png": ")[A-Za-z0-9+/=\\n]+"')


def key_findings(text: str, secret: str | None = None) -> list[str]:
    """Every key or key-like string in `text` (a notebook file), described without the secret."""
    findings = []
    if secret and secret in text:
        findings.append("the simulator's key of this run")
    text = ALLOWED_TOKENS.sub(lambda m: (m.group(1) or m.group(2)) + "<id>", text)
    text = DATA_URIS.sub(lambda m: (m.group(1) or m.group(2)) + "<data>", text)
    text = PNG_OUTPUTS.sub(r'\1<png>"', text)
    for label, pattern in KEY_PATTERNS:
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            findings.append(f"{label} on line {line}: {match.group(0)[:6]}...")
    return findings
