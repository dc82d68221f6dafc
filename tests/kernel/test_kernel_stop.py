"""The panel offers Stop only where a click can act while the answer streams.

The kernel handles no widget messages while a cell streams, so the button works through the
JupyterLab extension, which interrupts the kernel on its click (tests/browser/test_panel_stop.py).
Runs from the extension carry the notebook; other frontends get no Stop button.
"""

from __future__ import annotations

from nbformat.v4 import new_code_cell

from aiml_magics.chat.context import NOTEBOOK_KEY

WATCH = """
seen = []
_magics = get_ipython().magics_manager.registry['AimlMagics']
_magics.session.listeners.append(
    lambda result: seen.append(_magics.last_panel.stop_button.layout.display or 'shown')
)
"""


def test_the_stop_button_shows_while_streaming_only_for_the_extensions_runs(kernel):
    kernel.execute(WATCH)
    code = "%%aiml\nA question."
    cell = dict(new_code_cell(code, id="asked"))
    with_extension = {"cellId": "asked", NOTEBOOK_KEY: {"cells": [cell], "index": 0}}
    kernel.execute(code, metadata=with_extension)
    kernel.execute(code, metadata={"cellId": "asked"})  # JupyterLab without the extension
    shown, _ = kernel.execute("print(seen, _magics.last_panel.stop_button.layout.display)")
    assert shown.strip() == "['shown', 'none'] none", "and hidden once the answer ended"
