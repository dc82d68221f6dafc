"""`df.aiml` is registered without `import aiml_magics` importing pandas: in a fresh process,
whichever comes first."""

from __future__ import annotations

import subprocess
import sys

import pytest

CASES = {
    "aiml_magics first": "import aiml_magics, sys; assert 'pandas' not in sys.modules; "
    "import pandas as pd; print(hasattr(pd.DataFrame(), 'aiml'))",
    "pandas first": "import pandas as pd, aiml_magics; print(hasattr(pd.DataFrame(), 'aiml'))",
    "dask after": "import aiml_magics, dask.dataframe as dd, pandas as pd; "
    "print(hasattr(dd.from_pandas(pd.DataFrame({'a': [1]}), npartitions=1), 'aiml'))",
    "neither": "import pandas as pd; print(hasattr(pd.DataFrame(), 'aiml'))",
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_accessor_is_there_once_both_are_imported(case):
    out = subprocess.run(
        [sys.executable, "-c", CASES[case]], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ("False" if case == "neither" else "True")
