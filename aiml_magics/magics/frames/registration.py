"""Registering `df.aiml` (and `ddf.aiml`) without importing pandas or dask ourselves.

If pandas is not imported yet, a finder on `sys.meta_path` waits for its import, lets the
normal machinery load it, then registers the accessor and removes itself. Standard library
only: this module is imported by `import aiml_magics`.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from typing import Any

NAME = "aiml"
WATCHED = ("pandas", "dask.dataframe")


def register() -> None:
    """Register the accessors for what is imported already (idempotent, never raises for a
    missing pandas or dask)."""
    pandas = sys.modules.get("pandas")
    if pandas is not None and hasattr(pandas, "api"):
        _register_pandas(pandas)
    dask_frames = sys.modules.get("dask.dataframe")
    if dask_frames is not None and hasattr(dask_frames, "extensions"):
        _register_dask(dask_frames)


def _register_pandas(pandas: Any) -> None:
    if "aiml" in getattr(pandas.DataFrame, "_accessors", set()):
        return
    from .accessor import AimlAccessor

    pandas.api.extensions.register_dataframe_accessor(NAME)(AimlAccessor)


def _register_dask(dask_frames: Any) -> None:
    if "aiml" in getattr(dask_frames.DataFrame, "_accessors", set()):
        return
    from .accessor import DaskAccessor

    dask_frames.extensions.register_dataframe_accessor(NAME)(DaskAccessor)


class _AfterImport(importlib.abc.MetaPathFinder):
    """Finds nothing itself: it wraps the loader of a watched module so `register()` runs
    once the module has executed."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name not in WATCHED:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            if not all(m in sys.modules for m in WATCHED):
                sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        original = spec.loader.exec_module

        def exec_module(module: Any) -> None:
            original(module)
            register()

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


_HOOK = _AfterImport()


def register_when_imported() -> None:
    """Register now what is imported, and the rest when it gets imported."""
    register()
    if not all(m in sys.modules for m in WATCHED) and _HOOK not in sys.meta_path:
        sys.meta_path.insert(0, _HOOK)
