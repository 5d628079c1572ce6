"""The lines' one-pass forms (`multidim_line_tiles`, issue 18) against the passes they replace in
`multidim_line_kernels`: a line's table and masks (`table_clear3`, `table_clear12` against
`_line_table` and `_clear_masks`, the same bits) and the moves of incomes without an income
effect (`pull_moves` against `_move_incomes`' scratch rows: the same sums in another order, to
rounding)."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines import multidim_jit
from simlib.engines import multidim_line_kernels as lines
from simlib.engines import multidim_line_tiles as tiles

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")

NM, NK = 4096, 12


def _masks(rng) -> np.ndarray:
    """Households by mask: a third of the masks empty, the rest of every size."""
    Mk = rng.uniform(0.0, 3.0, NM) * 10.0 ** rng.integers(-6, 2, NM)
    Mk[rng.random(NM) < 0.3] = 0.0
    return Mk


@pytest.mark.parametrize(("bits", "seed"), [((5, 8, 9), 0), ((2, 3, 11), 1), ((4, 7, 10), 2)])
def test_table_clear3_gives_the_bits_of_the_passes(bits, seed):
    rng = np.random.default_rng(seed)
    Mk = _masks(rng)
    bitpos = np.zeros(12, dtype=np.int64)
    bitpos[:3] = bits
    masks = np.arange(NM)
    pat = sum(((masks >> j) & 1) << i for i, j in enumerate(bits)).astype(np.int64)
    cell = rng.integers(0, NK, NM) * 8 + pat
    valid = rng.random(NK) < 0.9
    c, r = 0.37, 0.61
    assert tiles.fits(False, 3, bitpos) and not tiles.fits(True, 3, bitpos)
    want_T, want_s, want_M = np.full((NK, 8), -1.0), np.empty(NK), Mk.copy()
    lines._line_table(want_M, c, False, cell, valid, 8, want_T, want_s)
    lines._clear_masks(want_M, c, r, False, pat, bitpos, 3, np.empty(NM))
    got_T, got_s, got_M = np.zeros((NK, 8)), np.empty(NK), Mk.copy()
    tiles.table_clear3(got_M, c, r, cell, bitpos, got_T.reshape(-1))
    lines._table_scale(got_T, c, False, valid, 8, got_s)
    assert got_M.tobytes() == want_M.tobytes()
    assert got_T.tobytes() == want_T.tobytes() and got_s.tobytes() == want_s.tobytes()


@pytest.mark.parametrize(
    ("bits", "targeted", "seed"),
    [((2,), False, 0), ((6,), True, 1), ((6, 7), True, 2), ((10, 11), True, 3), ((2, 9), False, 4)],
)
def test_table_clear12_gives_the_bits_of_the_passes(bits, targeted, seed):
    rng = np.random.default_rng(seed)
    Mk = _masks(rng)
    nb, NP = len(bits), 1 << len(bits)
    bitpos = np.zeros(12, dtype=np.int64)
    bitpos[:nb] = bits
    masks = np.arange(NM)
    pat = sum(((masks >> j) & 1) << i for i, j in enumerate(bits)).astype(np.int64)
    cell = rng.integers(0, NK, NM) * NP + pat
    valid = rng.random(NK) < 0.9
    c, r = 0.37, 0.61
    assert tiles.fits(targeted, nb, bitpos)
    want_T, want_s, want_M = np.full((NK, NP), -1.0), np.empty(NK), Mk.copy()
    lines._line_table(want_M, c, targeted, cell, valid, NP, want_T, want_s)
    lines._clear_masks(want_M, c, r, targeted, pat, bitpos, nb, np.empty(NM))
    got_T, got_s, got_M = np.zeros((NK, NP)), np.empty(NK), Mk.copy()
    tiles.table_clear(got_M, c, r, targeted, nb, cell, bitpos, got_T.reshape(-1))
    lines._table_scale(got_T, c, targeted, valid, NP, got_s)
    assert got_M.tobytes() == want_M.tobytes()
    assert got_T.tobytes() == want_T.tobytes() and got_s.tobytes() == want_s.tobytes()


def _operator(rng, B: int):
    """Incomes H (NK, B) with zero rows and gaps, the shares reached, and a sparse operator by
    rows (each row's columns at or below it, increasing; some entries zero)."""
    H = rng.uniform(0.0, 5.0, (NK, B)) * (rng.random((NK, B)) < 0.6)
    H[3] = 0.0
    scale = rng.uniform(0.0, 1.0, NK) * (rng.random(NK) < 0.8)
    A, cols, cnt = np.zeros((NK, NK)), np.zeros((NK, NK), dtype=np.int64), np.zeros(NK, dtype=np.int64)
    for x in range(NK):
        cs = sorted({x, *rng.integers(0, x + 1, 2).tolist()})
        cnt[x], cols[x, : len(cs)], A[x, : len(cs)] = len(cs), cs, rng.uniform(0.0, 1.0, len(cs))
    A[5, 0] = 0.0
    return H, scale, (A, cols, cnt)


@pytest.mark.parametrize("seed", range(6))
def test_pull_moves_match_the_scratch_rows(seed):
    """`pull_moves` gives row c g h_c + sum of (a s) h_x, g = (1 - s) + a_cc s, where the scratch
    rows sum h_c - s h_c and a (s h_x) term by term: the same sums grouped otherwise (issue 18,
    mdlines2), so equal to rounding (1e-13 of the row's largest value), not to the bit."""
    rng = np.random.default_rng(seed)
    B = 24
    H, scale, (A, cols, cnt) = _operator(rng, B)
    got = {}
    for pull in (False, True):
        h = H.copy()
        op = (A, cols, cnt, np.empty((NK, 2), np.int64), np.empty(NK, np.int64), np.empty((NK, NK), np.int64))
        op += (np.empty((NK, NK)),)
        sh = (np.zeros(B, np.int64), np.zeros(B, np.int64), np.zeros((B, 2)))
        scratch = (np.empty((NK, B)), np.empty(B), np.empty((NK, 2), np.int64))
        lines._move_incomes(h, h, scale, op, True, False, *sh, *scratch, pull)
        got[pull] = h
    np.testing.assert_allclose(got[True], got[False], rtol=1e-13, atol=1e-13 * np.abs(got[False]).max())
    assert not np.array_equal(got[True], H)
