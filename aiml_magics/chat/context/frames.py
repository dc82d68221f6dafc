"""Describers of pandas and numpy values, fast and bounded on frames of millions of rows.

Registered by name (`registry.builtin`), so pandas and numpy are imported only when the value
is one of theirs. A large frame is never scanned more than once: null counts read the whole
frame (cheap for pandas); summary statistics and value counts use a fixed-seed random sample
of `SAMPLE_ROWS` rows, and say so; rows shown are the head and a fixed-seed sample.
"""

from __future__ import annotations

import warnings
from typing import Any

from .registry import builtin, cut

ROWS_SHOWN = 5
COLUMNS_SHOWN = 40  # columns listed; wider frames say how many more
TABLE_COLUMNS = 12  # columns printed in the head and sample tables
COLUMN_WIDTH = 40  # characters of one table cell
SAMPLE_ROWS = 100_000  # rows statistics are computed on, for larger frames
LARGE = 20  # frames with more rows than this also show a random sample of rows
SEED = 0


def _table(frame: Any) -> str:
    return frame.to_string(
        max_cols=TABLE_COLUMNS, max_colwidth=COLUMN_WIDTH, max_rows=ROWS_SHOWN * 2
    )


def _statistics_rows(frame: Any) -> tuple[Any, str]:
    """The frame statistics are computed on, and how it was chosen."""
    if len(frame) <= SAMPLE_ROWS:
        return frame, ""
    return frame.sample(
        SAMPLE_ROWS, random_state=SEED
    ), f" (on a random sample of {SAMPLE_ROWS:,} rows)"


@builtin("pandas", "DataFrame")
def describe_dataframe(frame: Any) -> str:
    rows, columns = frame.shape
    lines = [f"pandas DataFrame: {rows:,} rows x {columns:,} columns"]
    listed = frame.iloc[:, :COLUMNS_SHOWN]
    nulls = listed.isna().sum()
    lines.append("columns (dtype, nulls):")
    for position, (name, dtype) in enumerate(listed.dtypes.items()):
        lines.append(f"  {cut(str(name), 60)}: {dtype}, {int(nulls.iloc[position]):,} null")
    if columns > COLUMNS_SHOWN:
        lines.append(f"  ... and {columns - COLUMNS_SHOWN:,} more columns")
    if rows:
        lines += ["first rows:", _table(frame.head(ROWS_SHOWN))]
    if rows > LARGE:
        sample = frame.sample(ROWS_SHOWN, random_state=SEED).sort_index()
        lines += [f"random rows (seed {SEED}):", _table(sample)]
    numeric = listed.select_dtypes("number")
    if rows and numeric.shape[1]:
        part, how = _statistics_rows(numeric)
        lines += [
            f"describe() of numeric columns{how}:",
            _table(part.describe().iloc[:, :TABLE_COLUMNS]),
        ]
    return "\n".join(lines)


@builtin("pandas", "Series")
def describe_series(series: Any) -> str:
    lines = [
        f"pandas Series {cut(str(series.name), 60)}: {len(series):,} values, "
        f"dtype {series.dtype}, {int(series.isna().sum()):,} null"
    ]
    if len(series):
        lines += ["first values:", series.head(ROWS_SHOWN).to_string(max_rows=ROWS_SHOWN)]
    part, how = _statistics_rows(series)
    if len(series) and series.dtype.kind in "iufb":
        lines += [f"describe(){how}:", part.describe().to_string()]
    elif len(series):
        counts = part.value_counts().head(ROWS_SHOWN)
        lines += [f"most frequent values{how}:", counts.to_string()]
    return "\n".join(lines)


@builtin("pandas", "Index")
def describe_index(index: Any) -> str:
    values = ", ".join(cut(repr(v), 60) for v in index[:COLUMNS_SHOWN].tolist())
    more = f", ... ({len(index) - COLUMNS_SHOWN:,} more)" if len(index) > COLUMNS_SHOWN else ""
    kind = type(index).__name__
    return f"pandas {kind} of {len(index):,} values, dtype {index.dtype}: [{values}{more}]"


@builtin("numpy", "ndarray")
def describe_ndarray(array: Any) -> str:
    import numpy

    lines = [f"numpy ndarray: shape {array.shape}, dtype {array.dtype}"]
    text = numpy.array2string(array, threshold=20, edgeitems=3, max_line_width=100)
    lines.append("values:\n" + cut(text, 1500))
    if array.size and array.dtype.kind in "iuf":
        sample = array.ravel()
        if sample.size > SAMPLE_ROWS * 10:
            sample = numpy.random.default_rng(SEED).choice(sample, SAMPLE_ROWS * 10)
        with numpy.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lines.append(
                f"min {numpy.nanmin(sample):.6g}, max {numpy.nanmax(sample):.6g}, "
                f"mean {numpy.nanmean(sample):.6g}"
                + (" (on a random sample)" if sample.size != array.size else "")
            )
    return "\n".join(lines)
