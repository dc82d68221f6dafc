"""The session the Python functions use (`batch`, `embed`, `generate_image`, ...), found in
one place: the loaded extension's, so they share the key, usage, budget and replay of the
cells; else one per process (a script, a Dask worker)."""

from __future__ import annotations

from typing import Any

from ..chat.session import Session
from ..chat.settings import AimlSettings

_default_session: Session | None = None


def running_magics() -> tuple[Any, Any]:
    """The running IPython shell and its AimlMagics, when there are (None otherwise)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None, None
    shell = get_ipython()
    if shell is None:
        return None, None
    # By name: the magics import the functions, so they cannot import the magics back.
    magics = next((m for m in shell.configurables if type(m).__name__ == "AimlMagics"), None)
    return shell, magics


def current_session() -> Session:
    """The loaded extension's session; without it, one per process with default settings
    and the key from this process's environment."""
    shell, magics = running_magics()
    if magics is not None:
        return magics.session
    global _default_session
    if _default_session is None:
        namespace = shell.user_ns if shell is not None else {}
        _default_session = Session(AimlSettings(), namespace)
    return _default_session
