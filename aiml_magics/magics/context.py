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
