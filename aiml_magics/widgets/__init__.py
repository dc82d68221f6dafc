"""ipywidgets on top of the send path: the cell panel, the session panel, the shared parameter
controls and the status line."""
