"""Tracebacks as the model should read them: local paths shortened, the failing cell shown.

Notebook cells run from files IPython makes up (`<ipython-input-3-...>` in a terminal,
`/tmp/ipykernel_42/123.py` in a kernel); their lines are in `linecache`, which is how the
cell that raised is found again. Local paths say nothing to the model and may hold user
names: library paths lose their prefix, the home directory becomes `~`.
"""

from __future__ import annotations

import linecache
import re
import traceback
from pathlib import Path

LIBRARY_PATH = re.compile(r"""[^\s"']*[/\\](?:site|dist)-packages[/\\]""")
CELL_FILE = re.compile(r"""[^\s"']*ipykernel_\d+[/\\]\d+\.py|<ipython-input-[^>]*>""")
SOURCE_LIMIT = 4000  # characters of the failing cell's source


def private_paths_removed(text: str) -> str:
    """Cell files become `<notebook cell>`; library paths start at the package; ~ for home."""
    text = CELL_FILE.sub("<notebook cell>", text)
    text = LIBRARY_PATH.sub("", text)
    home = str(Path.home())
    return text.replace(home, "~") if len(home) > 1 else text


def failing_cell_source(error: BaseException) -> str | None:
    """The source of the notebook cell the traceback passes through last, if it has one."""
    source = None
    for frame, _ in traceback.walk_tb(error.__traceback__):
        filename = frame.f_code.co_filename
        if CELL_FILE.fullmatch(filename):
            source = "".join(linecache.getlines(filename)) or source
    return source.rstrip() if source else None
