"""Two faster forms in the compiled multidimensional engine (issue 18, mdcore) give the bits of
the forms they replaced: the clearing operator's rows updated in the whole arrays
(`multidim_line_kernels._clear_rows`) against the former row-by-row form on views (compiled
here, as it was), and the income kernel's two tiles at once in vectors of eight
(`multidim_income_kernel._kernel_tiles8`) against one tile at a time and against the rows form
(no tiles)."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from simlib.engines import multidim_income_kernel as income
from simlib.engines import multidim_jit
from simlib.engines import multidim_line_kernels as lk
from simlib.engines.multidim_numba import FAST
from simlib.multidim.masks import JointSpace
from tests.test_multidim_year_kernels import _arrays, _dense_operator, _kernel

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")


@numba.njit(fastmath=FAST)
def _former_row(a, col, n0, d, down):
    """One bit on one row of the operator, on views of the row (the form before mdcore)."""
    n = n0
    for e in range(n0):
        q = col[e]
        dq = d[q]
        v = a[e]
        if dq == 0.0 or v == 0.0:
            continue
        a[e] = v - v * d[q]
        c = down[q]
        f = 0
        while f < n and col[f] != c:
            f += 1
        if f == n:
            col[n] = c
            a[n] = 0.0
            n += 1
        a[f] += v * d[q]
    for e in range(n0, n):
        c, v = col[e], a[e]
        f = e
        while f > 0 and col[f - 1] > c:
            col[f], a[f] = col[f - 1], a[f - 1]
            f -= 1
        col[f], a[f] = c, v
    return n


@numba.njit(fastmath=FAST)
def _former_operator(Tt, NP, r, bitpos, nbits, down_key, scale, A, cols, cnt, d, removed):
    """`_clear_operator` as it was before mdcore: the rows through `_former_row`."""
    NK = Tt.shape[0]
    for q in range(NK):
        A[q, 0] = 1.0
        cols[q, 0] = q
        cnt[q] = 1
    for i in range(nbits):
        j, bi = bitpos[i], 1 << i
        acc = 0.0
        for q in range(NK):
            nk = 0.0
            d1 = 0.0
            for p in range(NP):
                nk += Tt[q, p]
                if p & bi:
                    d1 += Tt[q, p]
            acc += d1
            d[q] = r * d1 / nk if nk > 0 else 0.0
        removed[j] += r * acc
        for q in range(NK):
            dq = down_key[j, q]
            for p in range(NP):
                if p & bi:
                    mv = r * Tt[q, p]
                    Tt[q, p] -= mv
                    Tt[dq, p ^ bi] += mv
        for x in range(NK):
            if scale[x] != 0.0:
                cnt[x] = _former_row(A[x], cols[x], cnt[x], d, down_key[j])


@pytest.mark.parametrize("bits", [(5,), (5, 8, 9), (0, 4), (10, 11), (1, 6, 7)])
@pytest.mark.parametrize("seed", [0, 3])
def test_clearing_rows_give_the_bits_of_the_row_by_row_form(bits, seed):
    joint = JointSpace(0b101)
    NK, nbits = joint.n_keys, len(bits)
    NP = 1 << nbits
    rng = np.random.default_rng(seed)
    Tt = rng.random((NK, NP)) * (rng.random((NK, 1)) < 0.8)
    scale = np.where(rng.random(NK) < 0.9, 0.3, 0.0)
    bitpos = np.array(bits + (0,) * (12 - nbits), dtype=np.int64)
    down = np.ascontiguousarray(joint.down_key, dtype=np.int64)
    out = []
    for op in (lk._clear_operator, _former_operator):
        T, A, cols, cnt = Tt.copy(), np.zeros((NK, NK)), np.zeros((NK, NK), np.int64), np.zeros(NK, np.int64)
        removed = np.zeros(12)
        op(T, NP, 0.6, bitpos, nbits, down, scale, A, cols, cnt, np.empty(NK), removed)
        rows = [(cols[x, : cnt[x]].tobytes(), A[x, : cnt[x]].tobytes()) for x in range(NK)]
        out.append((rows, T.tobytes(), removed.tobytes()))
    assert out[0] == out[1]
    got = np.zeros((NK, NK))
    A, cols, cnt = np.zeros((NK, NK)), np.zeros((NK, NK), np.int64), np.zeros(NK, np.int64)
    lk._clear_operator(Tt.copy(), NP, 0.6, bitpos, nbits, down, scale, A, cols, cnt, np.empty(NK), np.zeros(12))
    for x in range(NK):
        got[x, cols[x, : cnt[x]]] = A[x, : cnt[x]]
    assert np.allclose(got, _dense_operator(Tt, NP, 0.6, bitpos, nbits, down, scale), rtol=1e-14, atol=1e-15)


def _households(B: int, NK: int, seed: int) -> np.ndarray:
    """Households by (key, income bin): rows with spans of every kind, some empty, zeros inside."""
    rng = np.random.default_rng(seed)
    H2 = np.zeros((NK, B))
    for q in range(NK):
        lo = int(rng.integers(0, B))
        hi = int(rng.integers(lo, B + 1)) if q % 5 else lo
        H2[q, lo:hi] = rng.uniform(0.0, 50.0, hi - lo)
    H2[3, (B // 3) :: 4] = 0.0
    return H2


@pytest.mark.parametrize("B", [48, 64, 112])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_wide_tiles_give_the_bits_of_the_rows(B, seed):
    NK = 26
    kern = _arrays(_kernel(B))
    H2 = _households(B, NK, seed)
    valid = np.ones(NK, dtype=np.bool_)
    valid[4] = False
    span = np.empty((NK, 2), dtype=np.int64)
    got, rows = np.full((NK, B), -1.0), np.full((NK, B), -1.0)
    income.income_kernel(H2, got, valid, kern, span)
    income.tiled_kernel(H2, rows, valid, kern + (np.zeros((0, 2), dtype=np.int64),), span)
    assert got.tobytes() == rows.tobytes()
    want = H2 @ _kernel(B)
    np.testing.assert_allclose(got[valid], np.where(want < income.TINY, 0.0, want)[valid], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_two_tiles_at_once_are_each_tile_alone(seed):
    B = 64
    kern = _arrays(_kernel(B))
    dense, tiles = kern[3], income.tiles_of(kern[0], kern[1], B)
    H2 = np.random.default_rng(seed).uniform(0.0, 10.0, (4, B))
    for t in (0, 2):
        lo, hi = min(tiles[t, 0], tiles[t + 1, 0]), max(tiles[t, 1], tiles[t + 1, 1])
        assert (tiles[t] != tiles[t + 1]).any()  # the union is wider than one tile's own bins
        wide, one = np.full((4, B), -1.0), np.full((4, B), -1.0)
        income._kernel_tiles8(H2, wide, 0, 1, 2, 3, lo, hi, 16 * t, dense)
        for u in (t, t + 1):
            income._kernel_tiles(H2, one, 0, 1, 2, 3, tiles[u, 0], tiles[u, 1], 16 * u, dense)
        cols = slice(16 * t, 16 * t + 32)
        assert wide[:, cols].tobytes() == one[:, cols].tobytes()
        assert (wide[:, : 16 * t] == -1.0).all() and (wide[:, 16 * t + 32 :] == -1.0).all()
