"""The compiled engine's income kernel in tiles of 16 columns held in vector registers
(`multidim_income_kernel._kernel_tiles`, issue 18) gives the same bits as the loops it replaced
(`_kernel_rows`, which run when B is not a multiple of 16) and the dense product to rounding; the
outer columns of two blocks at once (`_outer8`) the bits of one block at a time (`_outer4`)."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines import multidim_income_kernel as income
from simlib.engines import multidim_jit
from simlib.engines.multidim_numba import vfma, vlane, vload2, vpair, vzero
from tests.test_multidim_year_kernels import _arrays, _kernel

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")


def _rows(B: int, NK: int, seed: int) -> np.ndarray:
    """Households by (key, income bin): rows with spans of every kind, some empty."""
    rng = np.random.default_rng(seed)
    H2 = np.zeros((NK, B))
    for q in range(NK):
        lo = int(rng.integers(0, B))
        hi = int(rng.integers(lo, B + 1)) if q % 5 else lo  # every fifth row empty
        H2[q, lo:hi] = rng.uniform(0.0, 50.0, hi - lo)
    H2[2, (B // 2) :: 3] = 0.0  # zeros inside a row's bins
    return H2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tiles_give_the_bits_of_the_rows(seed):
    B, NK = 48, 22
    kern = _arrays(_kernel(B))
    tiles = income.tiles_of(kern[0], kern[1], B)
    assert tiles.shape == (3, 2) and (tiles[:, 1] > tiles[:, 0]).all()
    H2 = _rows(B, NK, seed)
    valid = np.ones(NK, dtype=np.bool_)
    valid[7] = False
    span = np.empty((NK, 2), dtype=np.int64)
    got, rows = np.full((NK, B), -1.0), np.full((NK, B), -1.0)
    income.income_kernel(H2, got, valid, kern, span)
    income.tiled_kernel(H2, rows, valid, kern + (np.zeros((0, 2), dtype=np.int64),), span)
    assert got.tobytes() == rows.tobytes()
    want = H2 @ _kernel(B)
    ok = valid[:, None] & np.ones(B, dtype=bool)
    np.testing.assert_allclose(got[ok], np.where(want < income.TINY, 0.0, want)[ok], rtol=1e-12, atol=1e-12)


def test_tiles_of_cover_every_band():
    B = 32
    k_lo = np.array([max(0, b - 3) for b in range(B)], dtype=np.int64)
    k_hi = np.array([min(B, b + 4) for b in range(B)], dtype=np.int64)
    k_hi[5] = k_lo[5]  # an empty band reaches nothing
    tiles = income.tiles_of(k_lo, k_hi, B)
    np.testing.assert_array_equal(tiles, [[0, 19], [13, 32]])
    assert income.tiles_of(k_lo[:30], k_hi[:30], 30).shape == (0, 2)


def test_tiles_read_no_invalid_row_and_skip_rows_of_zeros():
    # the rows' spans (`_sorted_blocks`) scan only the valid rows (eight entries a test, branch
    # mdown2): an invalid row's entries (here NaN) never reach H3, a valid row of zeros gives zeros
    B, NK = 48, 22
    kern = _arrays(_kernel(B))
    H2 = _rows(B, NK, 3)
    valid = np.ones(NK, dtype=np.bool_)
    valid[[4, 9]] = False
    H2[4, :], H2[9, 3:40:2], H2[11, :] = np.nan, np.nan, 0.0
    span = np.empty((NK, 2), dtype=np.int64)
    got, rows = np.full((NK, B), -1.0), np.full((NK, B), -1.0)
    income.income_kernel(H2, got, valid, kern, span)
    clean = np.where(valid[:, None], H2, 0.0)
    income.tiled_kernel(clean, rows, valid, kern + (np.zeros((0, 2), dtype=np.int64),), span)
    assert got.tobytes() == rows.tobytes()
    assert not got[[4, 9, 11]].any()


def test_outer_columns_of_two_blocks_are_the_bits_of_one_block_at_a_time():
    # `_outer8` (branch mdown3): two blocks' outer sums as pairs in vectors, over the union of the
    # two blocks' bins; the same multiply-adds in the same order as `_outer4`, block by block
    rng = np.random.default_rng(3)
    B, NK = 48, 16
    H2 = _rows(B, NK, 4)
    k_out = rng.uniform(0.0, 1.0, (B, 2))
    span = [(int(np.flatnonzero(r)[0]), int(np.flatnonzero(r)[-1]) + 1) if r.any() else (B, 0) for r in H2]
    for rows in ([0, 1, 2, 3, 4, 6, 7, 8], [9, 11, 12, 12, 13, 14, 15, 15], [3, 2, 1, 1, 3, 2, 1, 1]):
        bl, bm = (np.array(rows[:4] + [0, 0]), np.array(rows[4:] + [0, 0]))
        for blk in (bl, bm):
            blk[4], blk[5] = min(span[q][0] for q in blk[:4]), max(span[q][1] for q in blk[:4])
        got, want = np.full((NK, B), np.nan), np.full((NK, B), np.nan)
        income._outer8(H2, got, bl, bm, k_out)
        income._outer4(H2, want, bl, k_out)
        income._outer4(H2, want, bm, k_out)
        assert got.tobytes() == want.tobytes()


def test_vector_pairs_and_lanes():
    from numba import njit  # local import: numba is optional (the module is skipped without it)

    @njit
    def lanes(x, y, k):
        v = vfma(vpair(x, y), vload2(k, 1, 0), vzero())
        return vlane(v, 0), vlane(v, 1), vlane(v, 2), vlane(v, 3)

    k = np.array([[9.0, 9.0], [3.0, 5.0]])
    assert lanes(2.0, 7.0, k) == (6.0, 10.0, 21.0, 35.0)
