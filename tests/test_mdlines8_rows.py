"""The lines' rows of incomes in vectors of eight (issue 18, mdlines8: `multidim_vec8.row_mul`,
`row_fma` and `pull_diag`'s bins) against their former forms in vectors of four, written out
here: every bin the same product or multiply-add in the same order, so the same bits, for row
lengths with and without a last four (B % 8 == 4) and rows at an offset."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines import multidim_jit
from simlib.engines import multidim_line_tiles as tiles
from simlib.engines import multidim_vec8 as v8
from simlib.engines.multidim_numba import compiled, vbcast, vfma, vload, vmul, vstore

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")

NK = 12


@compiled
def _rows_by_four(D, d, o, g, S, rows, w, n):
    """D[d, o : o + n] = g S[rows[0]] then + w[t] S[rows[t]] for t >= 1, four bins at a time (the
    form of `_pull_row`, `_block_sums` and `_row_sum` before mdlines8)."""
    gv = vbcast(g)
    for j in range(0, n, 4):
        vstore(D, d, o + j, vmul(gv, vload(S, rows[0], j)))
    for t in range(1, rows.shape[0]):
        wt, xt = vbcast(w[t]), rows[t]
        for j in range(0, n, 4):
            vstore(D, d, o + j, vfma(wt, vload(S, xt, j), vload(D, d, o + j)))


@compiled
def _rows_by_eight(D, d, o, g, S, rows, w, n):
    """The same with `row_mul` and `row_fma`."""
    v8.row_mul(D, d, o, g, S, rows[0], n)
    for t in range(1, rows.shape[0]):
        v8.row_fma(D, d, o, w[t], S, rows[t], n)


def _values(rng, shape) -> np.ndarray:
    """Values of every size and both signs, some zeros: a lane moved or left out changes bits."""
    x = rng.uniform(-3.0, 3.0, shape) * 10.0 ** rng.integers(-8, 3, shape)
    x[rng.random(shape) < 0.1] = 0.0
    return x


@pytest.mark.parametrize("n", [4, 8, 12, 24, 28, 60, 112])
@pytest.mark.parametrize("o", [0, 4, 12])
@pytest.mark.parametrize("terms", [1, 2, 4])
def test_rows_by_eight_give_the_bits_of_rows_by_four(n, o, terms):
    rng = np.random.default_rng(n * 31 + o)
    S = _values(rng, (6, n))
    rows = np.array([2, 0, 5, 2, 3], np.int64)[: 1 + terms]  # the product, then the terms
    w = _values(rng, rows.shape[0])
    got, want = np.full((3, o + n + 4), np.nan), np.full((3, o + n + 4), np.nan)
    _rows_by_eight(got, 1, o, -0.37, S, rows, w, n)
    _rows_by_four(want, 1, o, -0.37, S, rows, w, n)
    assert got.tobytes() == want.tobytes()  # the bins around the row untouched (NaN) in both
    # an independent check: the same sums to rounding
    ref = -0.37 * S[2] + (w[1:, None] * S[rows[1:]]).sum(0)
    np.testing.assert_allclose(got[1, o : o + n], ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())


@compiled
def _pull_diag_by_four(H, scale, op, W, d0, nd, R):
    """`multidim_line_tiles.pull_diag` before mdlines8 (its `_row_sum` and bins four at a time)."""
    A, cols, cnt, sp, tcnt, trow, ta = op
    NK, B = H.shape
    tiles._by_columns(A, cols, cnt, scale, tcnt, trow, ta)
    R[0, :] = 0.0
    for c in range(NK):
        if tcnt[c] == 0 and scale[c] == 0.0:
            continue
        if tcnt[c] == 0:
            R[0, B : 2 * B] = 0.0
        else:
            _rows_by_four(R, 0, B, ta[c, 0], H, trow[c, : tcnt[c]], ta[c, : tcnt[c]], B)
        gv = vbcast(1.0 - scale[c])
        for t in range(0, B, 4):
            acc = vbcast(0.0)
            for i in range(nd):
                acc = vfma(vload(W, i, t), vload(R, 0, B + t - d0 + i), acc)
            vstore(H, c, t, vfma(gv, vload(H, c, t), acc))


def _operator(rng, B: int):
    """Incomes H (NK, B) with zero rows and gaps, the shares reached, and a sparse operator by
    rows (each row's columns at or below it, increasing; some entries zero; row 7 not reached)."""
    H = rng.uniform(0.0, 5.0, (NK, B)) * (rng.random((NK, B)) < 0.6)
    H[3] = 0.0
    scale = rng.uniform(0.0, 1.0, NK)
    scale[7] = 0.0
    A, cols, cnt = np.zeros((NK, NK)), np.zeros((NK, NK), dtype=np.int64), np.zeros(NK, dtype=np.int64)
    for x in range(NK):
        cs = sorted({x, *rng.integers(0, x + 1, 3).tolist()})
        cnt[x], cols[x, : len(cs)], A[x, : len(cs)] = len(cs), cs, rng.uniform(0.0, 1.0, len(cs))
    op = (A, cols, cnt, np.empty((NK, 2), np.int64), np.empty(NK, np.int64), np.empty((NK, NK), np.int64))
    return H, scale, op + (np.empty((NK, NK)),)


def _diagonals(rng, B: int) -> np.ndarray:
    """A shift by diagonals: each bin to itself and up to five bins above (some shares zero)."""
    W = _values(rng, (6, B))
    for i in range(6):  # no share from beyond the row's bins
        W[i, : 5 - i] = 0.0
    return W


@pytest.mark.parametrize("B", [4, 12, 24, 28, 112])
@pytest.mark.parametrize("seed", range(3))
def test_pull_diag_gives_the_bits_of_its_form_by_four(B, seed):
    rng = np.random.default_rng(seed)
    H, scale, op = _operator(rng, B)
    W = _diagonals(rng, B)
    got, want = H.copy(), H.copy()
    tiles.pull_diag(got, scale, op, W, 5, 6, np.full((1, 3 * B), np.nan))
    _pull_diag_by_four(want, scale, op, W, 5, 6, np.full((1, 3 * B), np.nan))
    assert got.tobytes() == want.tobytes()
    assert not np.array_equal(got, H)


@compiled
def _pull_moves_by_four(H, scale, op):
    """`multidim_line_tiles.pull_moves` before mdlines8: each row (`_pull_row`) four bins at a time."""
    A, cols, cnt, sp, tcnt, trow, ta = op
    NK, B = H.shape
    tiles._by_columns(A, cols, cnt, scale, tcnt, trow, ta)
    for c in range(NK):  # the diagonal's entry in g (as `pull_moves`), the other rows in order
        s, g, n = scale[c], 1.0, 0
        if s != 0.0:
            stay = 0.0
            for e in range(cnt[c]):
                if cols[c, e] == c:
                    stay = A[c, e]
            g = (1.0 - s) + stay * s
        rows, w = np.empty(tcnt[c] + 1, np.int64), np.empty(tcnt[c] + 1)
        rows[0], w[0] = c, 0.0
        for t in range(tcnt[c]):
            if trow[c, t] != c:
                n += 1
                rows[n], w[n] = trow[c, t], ta[c, t]
        if n > 0 or g != 1.0:
            _rows_by_four(H, c, 0, g, H, rows[: n + 1], w, B)


@pytest.mark.parametrize("B", [4, 12, 24, 28, 112])
@pytest.mark.parametrize("seed", range(3))
def test_pull_moves_gives_the_bits_of_its_form_by_four(B, seed):
    rng = np.random.default_rng(seed)
    H, scale, op = _operator(rng, B)
    got, want = H.copy(), H.copy()
    tiles.pull_moves(got, scale, op)
    _pull_moves_by_four(want, scale, op)
    assert got.tobytes() == want.tobytes()
    assert not np.array_equal(got, H)
