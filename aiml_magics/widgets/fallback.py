"""A widget's display bundle with static stand-ins for when the widget cannot be shown.

ipywidgets builds a widget's output from `_repr_mimebundle_`: its view mimetype plus a
`text/plain` repr. Widget state is not saved with the notebook, so a reopened notebook has the
view but no model: the package's JupyterLab extension then renders the output's
`text/markdown` (or an `[aiml ...]` `text/plain` line), and runners without widgets show the
`text/plain`. Each of our widget outputs therefore carries what it last said, as text.
"""

from __future__ import annotations

from typing import Any

__all__ = ["widget_bundle"]


def widget_bundle(widget: Any, plain: str, markdown: str = "") -> dict[str, Any]:
    """`widget`'s display bundle with `plain` (an `[aiml ...]` line) and, when given, a static
    `markdown` stand-in (our own escaped Markdown: the extension renders it as untrusted)."""
    bundle = dict(widget._repr_mimebundle_())
    bundle["text/plain"] = plain
    if markdown:
        bundle["text/markdown"] = markdown
    return bundle
