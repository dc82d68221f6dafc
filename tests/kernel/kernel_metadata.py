"""What JupyterLab puts in an execute_request's metadata, for kernel tests to send.

A module of its own, not the conftest: `from conftest import ...` finds whichever conftest
was imported last when several test folders are collected in one run.
"""

from __future__ import annotations


def frontend_metadata(cell_id: str | None, deleted: tuple[str, ...] = ()) -> dict:
    """The cell's id and the ids of cells deleted since the last run, as JupyterLab sends them."""
    return {"cellId": cell_id, "deletedCells": list(deleted)} if cell_id else {}
