"""Support for the tutorial notebooks in `notebooks/`: scripted replies, execution, checks.

`replies.py` holds what the simulator answers for each notebook, `harness.py` runs a notebook
in a real kernel against a fresh simulator (with nbclient or nbval), `refresh.py` stores the
outputs the current code produces: `python -m tests.tutorials.refresh [NAME ...]`.
"""
