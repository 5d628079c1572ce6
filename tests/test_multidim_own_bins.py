"""The own changes' incomes passed from the flips to the income kernel with the union of their
bins (issue 18, branch mdown4): `flip_incomes` returns the bins (B0, B1) outside which the keys'
rows hold nothing and, with `tails=False`, leaves those rows unwritten outside them (and the
rows of no key unwritten: branch fliptwo);
`tiled_kernel_in` reads the rows only within the bins and writes each entry of H3 once (tiles
flushed in registers). Both give the bits of the full passes, whatever is left outside the bins."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines import multidim_flip_kernels as fk
from simlib.engines import multidim_income_kernel as income
from simlib.engines import multidim_jit
from simlib.engines import multidim_mask_flips as mf
from simlib.engines.multidim_numba import FAST
from tests.test_multidim_flip_kernels import _case, _work
from tests.test_multidim_income_tiles import _rows
from tests.test_multidim_year_kernels import _arrays, _kernel

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")


@pytest.mark.parametrize("nu1,B", [(11, 112), (6, 21), (4, 112)])
def test_flip_incomes_bins_bound_the_keys_rows(nu1, B):
    rng = np.random.default_rng(nu1 + B)
    for _ in range(10):
        Mk, Hk, flips = _case(rng, nu1, B)
        NK = Hk.shape[0]
        cus, by_cu = np.empty(nu1, np.int64), fk.classes_by_count(flips[3], nu1)
        H2, H2t = np.full((NK, B), np.nan), np.full((NK, B), np.nan)
        for h, tails in ((H2, True), (H2t, False)):
            work = _work(flips, NK, B)
            fk.flip_masks(Mk.copy(), flips[0], flips[1], flips[2], work[0])
            bins = fk.flip_incomes(work[0], Hk, h, flips, *work[1:], cus, by_cu, tails)
        B0, B1 = bins
        assert not H2[:, :B0].any() and not H2[:, max(B1, B0) :].any()
        epop, nlink = flips[4], flips[5].shape[0]
        c2 = np.arange(NK) // nlink - epop[np.arange(NK) % nlink]
        keys = (c2 >= 0) & (c2 < nu1)  # the rows of no key are left whole (branch fliptwo)
        assert H2[keys, B0:B1].tobytes() == H2t[keys, B0:B1].tobytes()
        assert np.isnan(H2t[~keys]).all() and np.isnan(H2t[keys][:, :B0]).all()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tiled_kernel_in_reads_only_the_bins(seed):
    B, NK = 48, 22
    kern = _arrays(_kernel(B))
    kern = kern + (income.tiles_of(kern[0], kern[1], B),)
    H2 = _rows(B, NK, seed)
    B0, B1 = 9, 41
    H2[:, :B0], H2[:, B1:] = 0.0, 0.0
    H2[5, :] = 1e-230  # far tails, flushed to zero
    H2[5, B0:B1] = 0.0
    H2[6, 20] = 1e-250
    valid = np.ones(NK, dtype=np.bool_)
    valid[7] = False
    span = np.empty((NK, 2), dtype=np.int64)
    want, got = np.full((NK, B), -1.0), np.full((NK, B), -1.0)
    income.tiled_kernel(H2, want, valid, kern, span)
    outside = H2.copy()
    outside[:, :B0], outside[:, B1:], outside[7] = np.nan, np.nan, np.nan
    income.tiled_kernel_in(outside, got, valid, kern, span, B0, B1)
    assert got.tobytes() == want.tobytes()
    empty = np.full((NK, B), -1.0)
    income.tiled_kernel_in(outside, empty, valid, kern, span, B, 0)
    assert not empty.any()


def _low_reference(Mk, gain, loss, row_of, W):
    """`_flip_low` before branch mdown4: scalar products, four masks a pass."""
    a, lo, c, lc = gain[0], loss[0], gain[1], loss[1]
    a0, a1, c0, c1 = 1.0 - a, 1.0 - lo, 1.0 - c, 1.0 - lc
    for r4 in range(Mk.shape[0] // 4):
        r = 4 * r4
        u, v = Mk[r], Mk[r + 1]
        W[row_of[r]] += u
        W[row_of[r + 1]] += v
        x0, x1 = u * a0 + v * lo, u * a + v * a1
        u, v = Mk[r + 2], Mk[r + 3]
        W[row_of[r + 2]] += u
        W[row_of[r + 3]] += v
        x2, x3 = u * a0 + v * lo, u * a + v * a1
        Mk[r], Mk[r + 2] = x0 * c0 + x2 * lc, x0 * c + x2 * c1
        Mk[r + 1], Mk[r + 3] = x1 * c0 + x3 * lc, x1 * c + x3 * c1


def test_flip_low_in_vectors_has_the_bits_of_the_scalar_pass():
    import numba  # local import: numba is optional (the module is skipped without it)

    ref = numba.njit(fastmath=FAST)(_low_reference)
    rng = np.random.default_rng(11)
    for _ in range(5):
        Mk = rng.exponential(1.0, 4096) * (rng.random(4096) < 0.7)
        gain, loss = rng.uniform(0.0, 0.4, 12), rng.uniform(0.0, 0.4, 12)
        row_of = rng.integers(0, 50, 4096).astype(np.int64)
        got, want, Wg, Ww = Mk.copy(), Mk.copy(), np.zeros(50), np.zeros(50)
        mf._flip_low(got, gain, loss, row_of, Wg)
        ref(want, gain, loss, row_of, Ww)
        assert got.tobytes() == want.tobytes() and Wg.tobytes() == Ww.tobytes()
