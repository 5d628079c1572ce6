"""Pieces of the compiled multidimensional expected engine's year (`simlib.engines.multidim_jit`)
against independent calculations: the income kernel against numpy's dense product, the review's
sums over masks and by number of deprivations against plain sequential sums (the same order, so
the same bits), the kernel rows' spans, and the lines' sparse clearing operator against the dense
one."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines import multidim_income_kernel as income
from simlib.engines import multidim_jit
from simlib.engines import multidim_line_kernels as lk
from simlib.engines import multidim_record_kernels as records
from simlib.engines import multidim_tables as tables
from simlib.multidim import income as inc
from simlib.multidim.masks import JointSpace

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")


def _kernel(B: int) -> np.ndarray:
    """A row-stochastic banded kernel (B, B) with mass in the two outer columns, as the income
    kernel of the model has (a smoothing band plus tails)."""
    K = np.zeros((B, B))
    for b in range(B):
        w = np.exp(-0.5 * ((np.arange(B) - b - 1.5) / 3.0) ** 2)
        w[w < 1e-16] = 0.0
        K[b] = w / w.sum() * 0.98
        K[b, 0] += 0.01
        K[b, B - 1] += 0.01
    return K


def _arrays(K: np.ndarray) -> tuple:
    lo, width, vals, outer = inc.band(K)
    B = K.shape[0]
    dense = np.zeros((B, B))
    for b in range(B):
        dense[b, lo[b] : lo[b] + width[b]] = vals[b, : width[b]]
    spans = tables._spans(lo, width)
    return (spans[0], spans[1], outer, dense)


def test_income_kernel_equals_the_dense_product():
    rng = np.random.default_rng(5)
    B, NK = 40, 10
    K = _kernel(B)
    H2 = np.zeros((NK, B))
    for q, (lo, hi) in enumerate(
        [(3, 20), (0, 40), (10, 11), (0, 0), (25, 38), (5, 9), (0, 0), (30, 40), (1, 2), (12, 30)]
    ):
        H2[q, lo:hi] = rng.uniform(0.0, 50.0, hi - lo)
    H2[1, 17] = 0.0  # a zero inside a row's bins
    valid = np.ones(NK, dtype=np.bool_)
    H3 = np.full((NK, B), -1.0)
    income.income_kernel(H2, H3, valid, _arrays(K), np.empty((NK, 2), dtype=np.int64))
    want = H2 @ K
    np.testing.assert_allclose(H3, np.where(want < income.TINY, 0.0, want), rtol=1e-12, atol=1e-12)
    assert (H3[[3, 6]] == 0.0).all()  # rows without households stay empty
    assert (H3 >= 0.0).all()


def test_income_kernel_flushes_far_tails():
    B, NK = 24, 4
    K = _kernel(B)
    H2 = np.zeros((NK, B))
    H2[0, 4] = 1e-195  # its products fall below TINY in the far columns
    H3 = np.empty((NK, B))
    income.income_kernel(H2, H3, np.ones(NK, dtype=np.bool_), _arrays(K), np.empty((NK, 2), dtype=np.int64))
    want = H2 @ K
    assert ((H3 == 0.0) | (H3 >= income.TINY)).all()
    kept = want >= income.TINY * 1.0001
    np.testing.assert_allclose(H3[kept], want[kept], rtol=1e-12)


def test_mask_sums_are_the_sequential_sums():
    rng = np.random.default_rng(2)
    NM, NW = 4096 + 3, 7  # a tail of masks after the passes of eight
    Mk = rng.exponential(1.0, NM) * (rng.random(NM) < 0.8)
    w = (rng.random((NM, NW)) < 0.4).astype(float)
    acc = np.full(NW, np.nan)
    count = np.array([bin(m).count("1") for m in range(NM)], dtype=np.int64)  # deprivations of each mask
    ck = np.full(count.max() + 1, np.nan)
    records._mask_sums(Mk, w, acc, count, ck)
    for i in range(NW):
        s = 0.0
        for m in range(NM):  # plain Python floats, increasing m: the same additions, the same bits
            if w[m, i] == 1.0:
                s += float(Mk[m])
        assert acc[i] == s
    for c in range(ck.size):  # households by number of deprivations, the same way
        s = 0.0
        for m in np.flatnonzero(count == c):
            s += float(Mk[m])
        assert ck[c] == s
    Mj = rng.exponential(2.0, NM) * (rng.random(NM) < 0.5)  # two states in one pass: the same sums
    acc2, ck2 = np.full((2, NW), np.nan), np.full((2, ck.size), np.nan)
    records._mask_sums2(Mj, Mk, w, acc2[0], acc2[1], count, ck2[0], ck2[1])
    assert acc2[1].tobytes() == acc.tobytes() and ck2[1].tobytes() == ck.tobytes()
    records._mask_sums(Mj, w, acc, count, ck)
    assert acc2[0].tobytes() == acc.tobytes() and ck2[0].tobytes() == ck.tobytes()


def test_spans_of_empty_bands_add_no_columns():
    lo = np.array([1, 3, 1, 4, 1], dtype=np.int64)
    width = np.array([0, 5, 0, 6, 0], dtype=np.int64)
    first, last = tables._spans(lo, width)
    assert list(first) == [3, 3, 3, 4, 4] and list(last) == [3, 8, 3, 10, 4]


@pytest.mark.parametrize("linked", [0, 0b1, 0b101, 0b100000000011])
def test_down_key_never_above_its_key(linked):
    """`_move_incomes` reads row q of the clearing operator only up to q: clearing a flag must
    lead to a key of no higher index (one deprivation fewer, a subset of the linked flags)."""
    joint = JointSpace(linked)
    keys = np.arange(joint.n_keys)
    assert (joint.down_key <= keys[None, :]).all()
    assert (joint.down_key[:, keys >= joint.n_linked] < keys[keys >= joint.n_linked][None, :]).all()


def _dense_operator(Tt, NP, r, bitpos, nbits, down_key, scale):
    """The clearing operator as the dense form before it was held sparse: bit by bit, the mass
    of each key that loses households moves to its down key, keys in increasing order."""
    NK = Tt.shape[0]
    Tt = Tt.copy()
    A = np.eye(NK)
    for i in range(nbits):
        j, bi = bitpos[i], 1 << i
        pats = np.arange(NP)
        nk, d1 = Tt[:, :NP].sum(axis=1), Tt[:, pats[(pats & bi) != 0]].sum(axis=1)
        d = np.where(nk > 0, r * d1 / np.where(nk > 0, nk, 1.0), 0.0)
        for q in range(NK):
            for p in pats[(pats & bi) != 0]:
                mv = r * Tt[q, p]
                Tt[q, p] -= mv
                Tt[down_key[j, q], p ^ bi] += mv
        for x in np.flatnonzero(scale != 0.0):
            for q in np.flatnonzero(d != 0.0):
                a = A[x, q]
                if a != 0.0:
                    A[x, q] = a - a * d[q]
                    A[x, down_key[j, q]] += a * d[q]
    return A


@pytest.mark.parametrize("bits", [(5,), (5, 8, 9), (0, 4), (10, 11)])
def test_sparse_clearing_operator_matches_the_dense_one(bits):
    """`_clear_operator` holds the operator by rows, sparse (columns increasing, none above the
    row): the same entries as the dense form, every row summing to one."""
    joint = JointSpace(0b101)
    NK, nbits = joint.n_keys, len(bits)
    NP = 1 << nbits
    rng = np.random.default_rng(7)
    Tt = rng.random((NK, NP)) * (rng.random((NK, 1)) < 0.8)
    scale = np.where(rng.random(NK) < 0.9, 0.3, 0.0)
    bitpos = np.array(bits + (0,) * (12 - nbits), dtype=np.int64)
    down = np.ascontiguousarray(joint.down_key, dtype=np.int64)
    A, cols, cnt = np.empty((NK, NK)), np.empty((NK, NK), np.int64), np.empty(NK, np.int64)
    dense = _dense_operator(Tt, NP, 0.6, bitpos, nbits, down, scale)
    lk._clear_operator(Tt.copy(), NP, 0.6, bitpos, nbits, down, scale, A, cols, cnt, np.empty(NK), np.zeros(12))
    got = np.zeros((NK, NK))
    for x in range(NK):
        c = cols[x, : cnt[x]]
        assert (np.diff(c) > 0).all() and (c <= x).all()
        got[x, c] = A[x, : cnt[x]]
    assert np.allclose(got, dense, rtol=1e-14, atol=1e-15)
    assert np.allclose(got.sum(axis=1), 1.0)


def test_mask_sums_of_three_states_are_those_of_each():
    rng = np.random.default_rng(3)
    NM, NW = 4096 + 5, 8  # a tail of masks after the passes of eight
    M = rng.exponential(1.0, (3, NM)) * (rng.random((3, NM)) < 0.7)
    w = (rng.random((NM, NW)) < 0.5).astype(float)
    count = np.array([bin(m).count("1") for m in range(NM)], dtype=np.int64)
    acc, ck = np.full((3, NW), np.nan), np.full((3, count.max() + 1), np.nan)
    records._mask_sums3(M[0], M[1], M[2], w, acc, count, ck[0], ck[1], ck[2])
    for z in range(3):  # the same terms in the same order as one state's pass: the same bits
        a1, c1 = np.full(NW, np.nan), np.full(ck.shape[1], np.nan)
        records._mask_sums(M[z], w, a1, count, c1)
        assert acc[z].tobytes() == a1.tobytes() and ck[z].tobytes() == c1.tobytes()


@pytest.mark.parametrize("full", [(0,), (2, 5), (0, 1, 3), (1, 2, 3, 4), (0, 2, 3, 4, 5), (0, 1, 2, 3, 4, 5)])
def test_records_of_any_number_of_states_are_those_of_each(full):
    """Records by three, two or one states per pass (`_record`) against each state's own pass."""
    rng = np.random.default_rng(len(full))
    K, NM, NK, B, L = 6, 4096, 5, 9, 3
    Mg, Hg = np.zeros((K, NM)), np.zeros((K, NK, B))
    for k in full:
        Mg[k] = rng.exponential(1.0, NM) * (rng.random(NM) < 0.8)
        Hg[k] = rng.exponential(1.0, (NK, B))
    n, f1b, f2b, means = rng.random(K), rng.random(B), rng.random(B), rng.random(B)
    count = np.array([bin(m).count("1") for m in range(NM)], dtype=np.int64)
    rec_w = (rng.random((NM, 12 + 2 + 2)) < 0.5).astype(float)
    sel_lines = np.array([0, 2], dtype=np.int64)
    got = [np.full(s, np.nan) for s in [(K,), (K, 12), (K, 2), (K, 13), (K,), (K,), (K,), (L, K)]]
    records._record(Mg, Hg, n, f1b, f2b, means, rec_w, count, sel_lines, *got, np.empty(B), np.empty((3, 16)))
    want = [np.zeros_like(x) for x in got]
    want[0][:] = n
    acc = np.empty(16)
    for k in full:
        records._mask_sums(Mg[k], rec_w, acc, count, want[3][k])
        args = (want[1], want[2], want[7], np.empty(B), (f1b, f2b, means), (want[4], want[5], want[6]))
        records._state_records(Hg[k], acc, k, sel_lines, *args)
    for g, x in zip(got, want):
        assert g.tobytes() == x.tobytes()
