"""Reference-value CSVs from ../shared/reference/methods, for table-driven tests.

When ../shared is not beside this clone the tests that need it are skipped with a clear reason;
each test module also carries cases of its own that run without it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

METHODS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "methods"
SKIP_REASON = "../shared reference data not present (fresh clone without the design folder)"


def reference(name: str) -> pd.DataFrame:
    """The whole CSV, or skip the calling test."""
    path = METHODS / name
    if not path.exists():
        pytest.skip(SKIP_REASON)
    return pd.read_csv(path)


def reference_rows(name: str) -> list:
    """One pytest param per data row (id = CSV line number), or one skipped param if absent."""
    path = METHODS / name
    if not path.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=SKIP_REASON), id="absent")]
    frame = pd.read_csv(path)
    return [pytest.param(row, id=f"line{i + 2}") for i, row in frame.iterrows()]
