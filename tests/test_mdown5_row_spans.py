"""The income kernel's rows' spans found inline, entry by entry from both ends (issue 18, branch
mdown5): `multidim_income_kernel._sorted_blocks` gives each valid row the span of its nonzero
entries within the flips' bins (as `multidim_flip_kernels.widen` did), whatever lies outside
them, and an empty span to a row of zeros; the kernel's output is unchanged."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines import multidim_income_kernel as income
from simlib.engines import multidim_jit
from simlib.engines.multidim_flip_kernels import widen

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")


@pytest.mark.parametrize("B0,B1", [(0, 112), (12, 80), (40, 41), (30, 30), (50, 20)])
def test_spans_within_the_bins_are_those_of_widen(B0, B1):
    rng = np.random.default_rng(B0 * 1000 + B1)
    NK, B = 52, 112
    for _ in range(10):
        H2 = np.full((NK, B), np.nan)  # outside the bins: never read
        top = max(B1, B0)
        for q in range(NK):
            row = rng.exponential(1.0, top - B0)
            if top > B0:
                a = int(rng.choice([0, 0, 1, 3, 9, top - B0]))
                b = int(rng.choice([0, 0, 2, 11, top - B0]))
                row[: min(a, row.size)] = 0.0
                row[max(row.size - b, 0) :] = 0.0
                row[rng.random(row.size) < 0.1] = 0.0
            H2[q, B0:top] = row
        valid = rng.random(NK) < 0.85
        span, blocks = np.full((NK, 2), -1, np.int64), np.zeros((NK // 4 + 1, 6), np.int64)
        H3 = np.full((NK, B), np.nan)
        nbl = income._sorted_blocks(H2, H3, valid, span, blocks, (B0, top))
        rows = []
        for q in range(NK):
            if not valid[q]:
                assert span[q, 1] <= span[q, 0]
                continue
            lo, hi = widen(np.ascontiguousarray(H2[q, B0:top]), top - B0, 0)
            if hi > lo:
                assert (span[q, 0], span[q, 1]) == (lo + B0, hi + B0)
                rows.append((lo + B0, hi + B0, q))
            else:
                assert span[q, 1] <= span[q, 0]
                assert not H3[q].any() and not np.isnan(H3[q]).any()
        rows.sort()
        assert nbl == (len(rows) + 3) // 4
        got = [int(blocks[i, j]) for i in range(nbl) for j in range(4)][: len(rows)]
        assert got == [q for _, _, q in rows]
