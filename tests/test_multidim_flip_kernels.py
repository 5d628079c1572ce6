"""The compiled yearly flips of the multidimensional expected engine
(`simlib.engines.multidim_flip_kernels`) against main's loops before branch mdflips (kept here as
the reference): the incomes' flips in vector registers (the classes' sums by count, the rows'
products as tiles, the key mix over the union of the patterns' bins) give the same bits, on
random inputs with exact zeros (masks, weights, whole rows, the ends of rows). The incomes' flips
take their weights from `flip_masks`' first pass (branch mdown), checked against the scatter."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines import multidim_flip_kernels as fk
from simlib.engines import multidim_jit
from simlib.engines import multidim_mask_flips as mf
from simlib.engines.multidim_numba import FAST, axpy, support

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")


def _reference(Mk, Hk, H2, flips, W, Q, nk, X, xr, Hs):
    """`flip_incomes` as on main before mdflips (axpy per row and weight, each pattern's row
    added over its own bins)."""
    row_of, cls_cu, epop, Pl, Pc = flips[2], flips[3], flips[4], flips[5], flips[6]
    NK, B = Hk.shape
    nlink, nu1, nc = Pl.shape[0], Pc.shape[1], Pc.shape[0]
    W[:] = 0.0
    for m in range(Mk.shape[0]):
        W[row_of[m]] += Mk[m]
    Q[:, :, :] = 0.0
    nk[:] = 0.0
    for e in range(nlink):
        for c in range(nc):
            v = W[e * nc + c]
            if v != 0.0:
                cu = cls_cu[c]
                nk[(cu + epop[e]) * nlink + e] += v
                for c2 in range(nu1):
                    Q[e, cu, c2] += v * Pc[c, c2]
    for e in range(nlink):
        b0, b1 = B, 0
        for cu in range(nu1):
            q = (cu + epop[e]) * nlink + e
            if nk[q] > 0:
                lo, hi = support(Hk[q])
                if hi > lo:
                    b0, b1 = min(b0, lo), max(b1, hi)
        xr[e, 0], xr[e, 1] = b0, b1
        nb = max(b1 - b0, 0)
        for cu in range(nu1):
            q = (cu + epop[e]) * nlink + e
            inv = 1.0 / nk[q] if nk[q] > 0 else 0.0
            hs, hq = Hs[cu, b0 : b0 + nb], Hk[q, b0 : b0 + nb]
            for i in range(nb):
                hs[i] = hq[i] * inv
        for c2 in range(nu1):
            x = X[e, c2, b0 : b0 + nb]
            x[:] = 0.0
            for cu in range(nu1):
                w = Q[e, cu, c2]
                if w != 0.0:
                    axpy(x, Hs[cu, b0 : b0 + nb], w)
    H2[:, :] = 0.0
    for e2 in range(nlink):
        for c2 in range(nu1):
            for e in range(nlink):
                b0, nb = xr[e, 0], max(xr[e, 1] - xr[e, 0], 0)
                w, x = Pl[e, e2], X[e, c2, b0 : b0 + nb]
                h2 = H2[(c2 + epop[e2]) * nlink + e2, b0 : b0 + nb]
                for i in range(nb):
                    h2[i] += w * x[i]


_reference_jit = None


def _ref():
    global _reference_jit
    if _reference_jit is None:
        import numba  # local import: numba is optional (the module is skipped without it)

        _reference_jit = numba.njit(fastmath=FAST)(_reference)
    return _reference_jit


def _case(rng, nu1: int, B: int):
    """Random flips and a cell-state: 2 linked flags (4 patterns), 12 - 2 others whose classes
    have counts 0 .. nu1 - 1; masks, weights and income rows with exact zeros."""
    nlink, nc, epop = 4, 3 * nu1, np.array([0, 1, 1, 2], dtype=np.int64)
    NK = (nu1 + 2) * nlink
    cls_cu = np.sort(rng.integers(0, nu1, nc)).astype(np.int64)
    rng.shuffle(cls_cu)
    row_of = rng.integers(0, nlink * nc, 4096).astype(np.int64)
    Pl = rng.random((nlink, nlink))
    Pc = rng.random((nc, nu1)) * (rng.random((nc, nu1)) < 0.8)
    Mk = rng.exponential(1.0, 4096) * (rng.random(4096) < 0.5)
    Mk[row_of < nc] = 0.0  # a pattern without households
    Hk = np.zeros((NK, B))
    for q in range(NK):
        if rng.random() < 0.8:
            lo = int(rng.integers(0, B))
            hi = int(rng.integers(lo, B + 1))
            Hk[q, lo:hi] = rng.exponential(1.0, hi - lo) * (rng.random(hi - lo) < 0.9)
    flips = (np.zeros(12), np.zeros(12), row_of, cls_cu, epop, Pl, Pc)
    return Mk, Hk, flips


def _flip(Mk, Hk, H2, flips, work, cus, by_cu):
    """The engine's order (`own_changes`): the masks' flips (on a copy) sum the weights, then the
    incomes' flips read them."""
    W = work[0]
    fk.flip_masks(Mk.copy(), flips[0], flips[1], flips[2], W)
    fk.flip_incomes(W, Hk, H2, flips, *work[1:], cus, by_cu)


def _work(flips, NK, B):
    nlink, nc, nu1 = flips[5].shape[0], flips[6].shape[0], flips[6].shape[1]
    return (
        np.full(nlink * nc, np.nan),
        np.full((nlink, nu1, nu1), np.nan),
        np.full(NK, np.nan),
        np.full((nlink, nu1, B), np.nan),
        np.full((nlink, 2), -1, dtype=np.int64),
        np.full((nu1, B), np.nan),
    )


@pytest.mark.parametrize("nu1,B", [(11, 112), (11, 37), (6, 21), (3, 9), (4, 112)])
def test_flip_incomes_have_the_bits_of_the_loops(nu1, B):
    rng = np.random.default_rng(nu1 * 1000 + B)
    for _ in range(20):
        Mk, Hk, flips = _case(rng, nu1, B)
        NK = Hk.shape[0]
        H2, H2r = np.full((NK, B), np.nan), np.full((NK, B), np.nan)
        cus, by_cu = np.empty(nu1, np.int64), fk.classes_by_count(flips[3], nu1)
        _flip(Mk, Hk, H2, flips, _work(flips, NK, B), cus, by_cu)
        _ref()(Mk, Hk, H2r, flips, *_work(flips, NK, B))
        assert H2.tobytes() == H2r.tobytes()


def test_flip_incomes_of_an_empty_cell_state_are_zero():
    rng = np.random.default_rng(5)
    Mk, Hk, flips = _case(rng, 11, 112)
    Mk[:], Hk[:, :] = 0.0, 0.0
    H2 = np.full(Hk.shape, np.nan)
    _flip(Mk, Hk, H2, flips, _work(flips, *Hk.shape), np.empty(11, np.int64), fk.classes_by_count(flips[3], 11))
    assert not H2.any()


def test_flip_masks_sum_the_weights_and_flip_each_bit():
    rng = np.random.default_rng(7)
    Mk, _, flips = _case(rng, 11, 112)
    gain, loss = rng.uniform(0.0, 0.4, 12), rng.uniform(0.0, 0.4, 12)
    gain[3], loss[5] = 0.0, 0.0  # an indicator that never gains, one never lost
    W, want_W = np.full(4 * 33, np.nan), np.zeros(4 * 33)
    for m in range(4096):  # the weights: each a sum in increasing mask from +0.0
        want_W[flips[2][m]] += Mk[m]
    want = Mk.reshape((2,) * 12)  # bit j of the mask is axis 11 - j
    for j in range(12):
        P = np.array([[1.0 - gain[j], gain[j]], [loss[j], 1.0 - loss[j]]])
        want = np.moveaxis(np.tensordot(P, want, axes=([0], [11 - j])), 0, 11 - j)
    got = Mk.copy()
    fk.flip_masks(got, gain, loss, flips[2], W)
    assert W.tobytes() == want_W.tobytes()
    np.testing.assert_allclose(got, want.reshape(4096), rtol=1e-13, atol=1e-13 * Mk.max())
    assert (got >= 0.0).all()


def test_classes_by_count_lists_each_count_in_increasing_class():
    cls_cu = np.array([2, 0, 2, 1, 0, 2], dtype=np.int64)
    out = fk.classes_by_count(cls_cu, 4)
    assert out.tolist() == [0, 2, 3, 6, 6, 1, 4, 3, 0, 2, 5]


def _masks_bit_by_bit(Mk, gain, loss, row_of, W):
    """`flip_masks` as on main before branch mdown2: bits 0 and 1 in `_flip_low`, then one
    `_butterfly` pass per bit."""
    n = Mk.shape[0]
    W[:] = 0.0
    mf._flip_low(Mk, gain, loss, row_of, W)
    for j in range(2, gain.shape[0]):
        V = Mk.reshape((n >> (j + 1), 2, 1 << j))
        for r in range(V.shape[0]):
            mf._butterfly(V[r, 0], V[r, 1], 1.0 - gain[j], loss[j], gain[j], 1.0 - loss[j])


@pytest.mark.parametrize("bits", [12, 11, 5, 4, 3, 2])
def test_flip_masks_two_bits_a_pass_are_the_bits_of_one_bit_a_pass(bits):
    # the same products and fused multiply-adds in the same order, only read and written once per
    # two bits (`_flip_pair`): bit for bit; an odd last bit goes alone
    rng = np.random.default_rng(bits)
    n = 1 << bits
    Mk = rng.exponential(1.0, n) * (rng.random(n) < 0.8)
    gain, loss = rng.uniform(0.0, 0.4, bits), rng.uniform(0.0, 0.4, bits)
    gain[bits // 2], loss[-1] = 0.0, 0.0
    row_of = rng.integers(0, 40, n)
    got, want, W, want_W = Mk.copy(), Mk.copy(), np.full(40, np.nan), np.full(40, np.nan)
    fk.flip_masks(got, gain, loss, row_of, W)
    _masks_bit_by_bit(want, gain, loss, row_of, want_W)
    assert got.tobytes() == want.tobytes()
    assert W.tobytes() == want_W.tobytes()


@pytest.mark.parametrize("nlink,nu1,B", [(1, 11, 112), (2, 11, 112), (2, 5, 30), (1, 4, 12), (3, 11, 112), (3, 5, 30)])
def test_flip_incomes_with_one_or_two_linked_patterns_have_the_bits_of_the_loops(nlink, nu1, B):
    # the patterns go in fours (classes' sums, branch flipless; key mix) with the last one
    # repeated (branch mdown3): fewer patterns than four give the same bits as the loops
    rng = np.random.default_rng(nlink * 100 + nu1)
    epop = np.arange(nlink, dtype=np.int64) if nlink < 4 else np.array([0, 1, 1, 2], dtype=np.int64)
    for _ in range(10):
        Mk, _, flips = _case(rng, nu1, B)
        nc = flips[6].shape[0]
        row_of = rng.integers(0, nlink * nc, 4096).astype(np.int64)
        NK = (nu1 + int(epop.max())) * nlink
        Hk = np.zeros((NK, B))
        for q in range(NK):
            lo = int(rng.integers(0, B))
            hi = int(rng.integers(lo, B + 1))
            Hk[q, lo:hi] = rng.exponential(1.0, hi - lo)
        flips = (flips[0], flips[1], row_of, flips[3], epop, rng.random((nlink, nlink)), flips[6])
        H2, H2r = np.full((NK, B), np.nan), np.full((NK, B), np.nan)
        cus, by_cu = np.empty(nu1, np.int64), fk.classes_by_count(flips[3], nu1)
        _flip(Mk, Hk, H2, flips, _work(flips, NK, B), cus, by_cu)
        _ref()(Mk, Hk, H2r, flips, *_work(flips, NK, B))
        assert H2.tobytes() == H2r.tobytes()
