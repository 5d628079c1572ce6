"""The sums of weighted rows held in registers (branch mdkern: `multidim_vec8.terms_into`, the
lines' moved incomes `multidim_line_tiles._pull_row`, `_block_sums`, `_row_sum`): every bin gets
the first product rounded, then one fused multiply-add a term in increasing term, as a scalar
loop compiled with the engine's flags computes it (the bins past the last 32, eight and four
included)."""

from __future__ import annotations

import numpy as np
import pytest

numba = pytest.importorskip("numba")

from simlib.engines.multidim_numba import FAST  # noqa: E402
from simlib.engines.multidim_vec8 import terms_into  # noqa: E402


@numba.njit(fastmath=FAST)
def _scalar(H, first, rows, w, c, t0, n, B):
    x0 = rows[c, t0 - 1] if t0 > 0 else c
    out = np.empty(B)
    for j in range(B):
        x = first * H[x0, j]
        for t in range(t0, n):
            x = w[c, t] * H[rows[c, t], j] + x
        out[j] = x
    return out


@pytest.mark.parametrize("B,t0,n", [(112, 0, 5), (112, 1, 5), (100, 1, 3), (44, 0, 0), (36, 1, 1), (4, 0, 2)])
def test_terms_into_has_the_bits_of_the_scalar_loop(B, t0, n):
    rng = np.random.default_rng(B + 10 * n + t0)
    H = rng.exponential(1.0, (9, B)) * (rng.random((9, B)) < 0.9)
    rows = rng.integers(3, 9, (3, 6))  # rows below c = 2, as the lines move them
    w = rng.uniform(0.0, 0.3, (3, 6))
    want = _scalar(H, 0.7, rows, w, 2, t0, n, B)
    dst = np.full((2, 2 * B), np.nan)
    terms_into(H, dst, 1, B, 0.7, rows, w, 2, t0, n, B)
    assert dst[1, B:].tobytes() == want.tobytes()
    assert np.isnan(dst[1, :B]).all() and np.isnan(dst[0]).all()
    got = H.copy()  # in place, as `_pull_row` writes row c = 2 (c itself is never one of its terms)
    terms_into(got, got, 2, 0, 0.7, rows, w, 2, 0, n, B)
    assert got[2].tobytes() == _scalar(H, 0.7, rows, w, 2, 0, n, B).tobytes()
