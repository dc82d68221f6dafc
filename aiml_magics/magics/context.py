"""The notebook context of a cell or of `%aiml fix`: what the magics hand the builder.

The builder (`chat.context`) takes plain data; this reads the running shell and the execute
request's metadata (where the JupyterLab extension puts the notebook's cells), the key to
redact, and the budget setting. Errors (an unknown `@name`, a bad spec) are raised here,
before anything is sent.
"""

from __future__ import annotations

from typing import Any

from ..chat.context import AttachedContext, ContextSpec, NotebookState, build_context


def request_metadata(info: Any, shell: Any) -> dict[str, Any]:
    """The execute request's metadata (JupyterLab puts `deletedCells` and the extension's
    `aimlNotebook` there); {} outside a kernel."""
    meta = getattr(info, "cell_meta", None)
    if isinstance(meta, dict):
        return meta
    kernel = getattr(shell, "kernel", None)
    try:
        meta = kernel.get_parent().get("metadata") if kernel is not None else None
    except Exception:
        meta = None
    return meta if isinstance(meta, dict) else {}


def notebook_context(magics: Any, body: str, spec: ContextSpec | str | None) -> AttachedContext:
    """The `@mentions` of `body` and the `spec` parts, redacted and within the budget setting."""
    key = magics.session.key()
    state = NotebookState.from_shell(magics.shell, request_metadata(None, magics.shell))
    return build_context(
        body,
        state,
        spec,
        api_key=key.reveal() if key else None,
        budget=magics.notebook_context_tokens,
    )


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def answers_above(magics: Any, chat: str, modes: tuple[str, ...]) -> int:
    """How many `%%aiml` cells above the running one show a saved answer of chat `chat`, in
    the notebook the JupyterLab extension sends (0 without it). Cells run in one of the
    `modes` (options such as `--over`) or comparing models answer outside the chat.

    A chat that has no turns while the page shows such answers was lost with a kernel
    restart: the user must be told, since the next answer would silently ignore them."""
    from ..chat.context import NOTEBOOK_KEY
    from .inputs import compared_models
    from .options import parse_options

    payload = request_metadata(None, magics.shell).get(NOTEBOOK_KEY)
    if not isinstance(payload, dict) or not isinstance(payload.get("index"), int):
        return 0
    cells = payload.get("cells") if isinstance(payload.get("cells"), list) else []
    count = 0
    for cell in cells[: payload["index"]]:
        source = cell.get("source", "") if isinstance(cell, dict) else ""
        source = "".join(source) if isinstance(source, list) else str(source)
        first, _, body = source.lstrip().partition("\n")
        if not first.startswith("%%aiml") or not body.strip() or not _shows_answer(cell):
            continue
        try:
            args = parse_options(magics.aiml_cell, first[len("%%aiml") :])
            compared = compared_models(args)
        except Exception:  # a cell that never ran as written holds no turn
            continue
        if args.chat == chat and not compared and not args.dry_run:
            count += not any(getattr(args, mode, None) is not None for mode in modes)
    return count


def _shows_answer(cell: dict) -> bool:
    outputs = cell.get("outputs") if isinstance(cell.get("outputs"), list) else []
    return any(
        isinstance(o, dict)
        and o.get("output_type") == "display_data"
        and not o.get("widget")
        and "text/markdown" in (o.get("data") or {})
        and WIDGET_VIEW not in (o.get("data") or {})
        for o in outputs
    )
