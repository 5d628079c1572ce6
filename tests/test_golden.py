"""Golden comparison: every bundled scenario (and the stochastic engines and parameter draws with
fixed seeds) gives the same tables as when the golden files were written.

This pins the numbers while the code is reorganised. When a model change is intended, regenerate
the files (`python tests/golden/build.py`) in the same commit and record in CHANGELOG.md how the
bundled scenarios' results moved and why.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"
sys.path.insert(0, str(GOLDEN))

from cases import CASES, case_tables  # noqa: E402


def _compare(name: str, got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns), name
    assert len(got) == len(want), name
    for col in want.columns:
        w, g = want[col], got[col]
        if pd.api.types.is_numeric_dtype(w) and pd.api.types.is_numeric_dtype(g):
            np.testing.assert_allclose(
                g.to_numpy(float), w.to_numpy(float), rtol=1e-9, atol=1e-6, equal_nan=True, err_msg=f"{name}.{col}"
            )
        else:
            assert g.fillna("").astype(str).tolist() == w.fillna("").astype(str).tolist(), f"{name}.{col}"


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden(case):
    folder = GOLDEN / case.name
    want = {p.name.removesuffix(".csv.gz"): p for p in folder.glob("*.csv.gz")}
    got = case_tables(case)
    assert sorted(got) == sorted(want)
    for name, path in want.items():
        # through CSV, as a user reads the files
        table = pd.read_csv(io.StringIO(got[name].to_csv(index=False)))
        _compare(f"{case.name}/{name}", table, pd.read_csv(path))
