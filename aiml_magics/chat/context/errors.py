"""The one error the context builder raises: a bad mention or `--context` spec, said plainly."""

from __future__ import annotations

from ...api.errors import UsageError


class ContextError(UsageError):
    """Shown by IPython as one line (no traceback); nothing has been sent when it is raised."""

    title = "Context error"
