"""Semantic operators on DataFrames: `df.aiml.map/extract/classify/filter/rank/join/dedup/
summarize`, each compiled to runs of the batch engine.

The accessor is registered without making `import aiml_magics` import pandas (about half a
second): `register()` runs on `import aiml_magics` when pandas is already imported, on
`%load_ext aiml_magics`, on `import aiml_magics.magics.frames`, and otherwise right after pandas
(or dask.dataframe) is first imported, through a one-shot import hook.
"""

from __future__ import annotations

from .registration import register, register_when_imported

__all__ = ["register", "register_when_imported"]

register()
