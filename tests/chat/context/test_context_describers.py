"""Describers: each kind of value, bounded sizes (a 1,000,000-row frame), the registry.

Timing is measured in benchmarks/context.py; here only sizes and contents are asserted.
"""

import subprocess
import sys
import types

import numpy as np
import pandas as pd
import pytest

import aiml_magics
from aiml_magics.chat.context import describe, register_describer, unregister_describer
from aiml_magics.chat.context.frames import SAMPLE_ROWS
from aiml_magics.chat.context.registry import DESCRIPTION_LIMIT

ROWS = 1_000_000


@pytest.fixture(scope="module")
def big_frame():
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "price": rng.normal(100, 15, ROWS),
            "units": rng.integers(0, 50, ROWS),
            "city": rng.choice(["Lyon", "Oslo", "Lima"], ROWS),
            "when": pd.date_range("2024-01-01", periods=ROWS, freq="s"),
        }
    )
    frame.loc[::10, "price"] = np.nan
    return frame


def test_large_frame_is_bounded_and_complete(big_frame):
    text = describe(big_frame)
    assert len(text) < 3000
    assert "1,000,000 rows x 4 columns" in text
    for column, dtype in [("price", "float64"), ("units", "int64"), ("when", "datetime64")]:
        assert f"{column}: {dtype}" in text
    assert "price: float64, 100,000 null" in text
    assert "first rows:" in text and "random rows (seed 0):" in text
    assert f"describe() of numeric columns (on a random sample of {SAMPLE_ROWS:,} rows)" in text
    assert "mean" in text and "city" not in text.split("describe()")[1]


def test_frame_description_is_deterministic(big_frame):
    assert describe(big_frame) == describe(big_frame.copy())


def test_wide_frame_lists_a_bounded_number_of_columns():
    frame = pd.DataFrame(np.zeros((3, 500)), columns=[f"c{i}" for i in range(500)])
    text = describe(frame)
    assert "... and 460 more columns" in text and len(text) < DESCRIPTION_LIMIT + 20


def test_small_frame_has_no_sample_and_exact_statistics():
    text = describe(pd.DataFrame({"a": [1.0, None, 3.0]}))
    assert "random rows" not in text and "on a random sample" not in text
    assert "a: float64, 1 null" in text and "2.000000" in text  # the mean of 1 and 3


def test_series_numeric_and_text(big_frame):
    numeric = describe(big_frame["units"])
    assert "1,000,000 values, dtype int64, 0 null" in numeric and "describe()" in numeric
    text = describe(big_frame["city"])
    assert "most frequent values" in text and "Lyon" in text
    assert len(numeric) < 1500 and len(text) < 1500


def test_index_of_columns():
    text = describe(pd.DataFrame(columns=["x", "y"]).columns)
    assert "2 values" in text and "'x', 'y'" in text


def test_ndarray_shape_dtype_few_values():
    text = describe(np.arange(ROWS, dtype=np.float32).reshape(1000, 1000))
    assert "shape (1000, 1000), dtype float32" in text
    assert "..." in text and len(text) < 1500
    assert "min " in text and "(on a random sample)" not in text
    assert "dtype <U1" in describe(np.array(["a", "b"]))


def test_containers():
    text = describe({f"k{i}": i for i in range(100)})
    assert text.startswith("dict of 100 items") and "(70 more)" in text and "'k4': 4" in text
    assert "'k5': 5" not in text
    listed = describe(list(range(10_000)) + ["x"])
    assert listed.startswith("list of 10,001 items of int") and len(listed) < 300
    assert describe((1, 2)).startswith("tuple of 2 items") and describe({1}).startswith("set of 1")


def test_function_and_class_show_signature_and_source():
    def area(width: float, height: float = 1.0) -> float:
        """Rectangle area."""
        return width * height

    text = describe(area)
    assert "area(width: float, height: float = 1.0) -> float" in text
    assert "return width * height" in text

    class Shape:
        def grow(self, by: int) -> None: ...

    text = describe(Shape)
    assert text.startswith("class ") and "grow" in text and "def grow" in text
    assert "len(obj, /)" in describe(len)


def test_module_name_and_version():
    assert describe(np).startswith(f"module numpy version {np.__version__}")
    assert describe(types.ModuleType("scratch")).startswith("module scratch")


def test_exception_type_message_short_traceback():
    def inner():
        raise KeyError("missing")

    try:
        try:
            inner()
        except KeyError as exc:
            raise ValueError("bad row") from exc
    except ValueError as exc:
        error = exc
    text = describe(error)
    assert text.startswith("ValueError: bad row") and "caused by KeyError" in text
    assert "Traceback (most recent call last):" in text and "raise ValueError" in text


def test_repr_llm_wins_over_builtins_and_must_return_text():
    class Ticket(dict):
        def _repr_llm_(self):
            return "ticket #7"

    class Broken:
        def _repr_llm_(self):
            return 42

    assert describe(Ticket()) == "ticket #7"
    assert "describer returned int, not str" in describe(Broken())


def test_repr_llm_found_on_the_type_only():
    class Anything:
        def __getattr__(self, name):
            return lambda: "made up"

    assert "made up" not in describe(Anything())


def test_registered_describer_for_type_and_subclasses():
    class Point:
        pass

    class Point3(Point):
        pass

    @aiml_magics.describer(Point)
    def point(value):
        return f"a point of {type(value).__name__}"

    try:
        assert describe(Point3()) == "a point of Point3"
        register_describer(list, lambda v: "my list")
        assert describe([1]) == "my list"
    finally:
        unregister_describer(Point)
        unregister_describer(list)
    assert describe([1]).startswith("list of 1")
    with pytest.raises(TypeError):
        aiml_magics.register_describer("Point", point)


def test_fallback_bounded_repr_without_address_and_failures_reported():
    class Plain:
        def __init__(self):
            self.rate = 0.5
            self.name = "n"

    class Huge:
        def __repr__(self):
            return "x" * 100_000

    class Raises:
        def __repr__(self):
            raise RuntimeError("no")

    text = describe(Plain())
    assert " at 0x" not in text and "attributes: rate: float, name: str" in text
    assert len(describe(Huge())) < 1000
    assert describe(Raises()).endswith("Raises: <Raises instance>")  # reprlib's stand-in


def test_failing_describer_is_reported_not_raised():
    class Odd:
        pass

    register_describer(Odd, lambda v: 1 / 0)
    try:
        assert "its description failed: ZeroDivisionError" in describe(Odd())
    finally:
        unregister_describer(Odd)


def test_describing_plain_values_imports_neither_pandas_nor_numpy():
    code = (
        "import sys\n"
        "from aiml_magics.chat.context import describe\n"
        "describe({'a': [1, 2]}); describe(describe); describe(sys)\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'IPython') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_aiml_magics_import_stays_cheap():
    code = (
        "import sys, aiml_magics\naiml_magics.describer\n"
        "print(sorted(m for m in sys.modules if m.startswith('aiml_magics.chat.context.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['aiml_magics.chat.context.registry']"
