"""Markdown and plain-text tables whose cells may hold untrusted text."""

from __future__ import annotations

from typing import Any


def markdown_table(headers: list[str], rows: list[list[Any]]) -> str:
    """Every cell escaped (`|` included), so a cell cannot break the table. Headers are
    taken as given: escape untrusted ones first."""
    from .sanitize import escape_markdown_inline

    def cell(value: Any) -> str:
        text = "" if value is None else str(value)
        return escape_markdown_inline(text)  # it already escapes "|"

    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "---|" * len(headers),
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def plain_table(headers: list[str], rows: list[list[Any]]) -> str:
    table = [headers] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(headers))]
    return "\n".join(
        "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in table
    )
