"""Where views put their outputs: the notebook's display system, or a recording in tests.

A live answer needs three operations: show a new output (it gets a display id), replace an
output in place, and clear the cell's outputs (to consolidate the pieces into one).
"""

from __future__ import annotations

from typing import Any, Protocol

Bundle = dict[str, str]


class Screen(Protocol):
    def show(self, bundle: Bundle, metadata: dict | None = None) -> str: ...

    def update(self, display_id: str, bundle: Bundle, metadata: dict | None = None) -> None: ...

    def clear(self) -> None: ...


class NotebookScreen:
    """The kernel's display system (IPython.display)."""

    def show(self, bundle: Bundle, metadata: dict | None = None) -> str:
        from IPython.display import display

        handle: Any = display(bundle, raw=True, metadata=metadata, display_id=True)
        return handle.display_id

    def update(self, display_id: str, bundle: Bundle, metadata: dict | None = None) -> None:
        from IPython.display import update_display

        update_display(bundle, raw=True, metadata=metadata, display_id=display_id)

    def clear(self) -> None:
        from IPython.display import clear_output

        clear_output(wait=True)  # the next output replaces everything: no flicker


def bundle_bytes(bundle: Bundle) -> int:
    return sum(len(value.encode("utf-8")) for value in bundle.values())
