"""The incomes' flips' bins and rows (`multidim_flip_kernels`, branch fliptwo): one union of the
bins for all the linked patterns (`_pattern_bins`) is the union of the patterns' own unions as
main made them, rounded to vectors of four; with `tails` False (the income kernel with tiles) the
rows of no key are left as they were, and the income kernel, which reads only the keys' rows
(`valid`), gives the bits it gives when they are zero."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines import multidim_flip_kernels as fk
from simlib.engines import multidim_income_kernel as income
from simlib.engines import multidim_jit
from tests.test_multidim_flip_kernels import _case, _work
from tests.test_multidim_year_kernels import _arrays, _kernel

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")


def _former_bins(Hk, nk, epop, nlink, nu1):
    """main's `_pattern_bins` before fliptwo: each pattern's union of its rows' nonzero bins
    (the rows with households), rounded to vectors of four, then the union of those."""
    B = Hk.shape[1]
    B0, B1, xr = B, 0, []
    for e in range(nlink):
        b0, b1 = B, 0
        for cu in range(nu1):
            q = (cu + epop[e]) * nlink + e
            nz = np.flatnonzero(Hk[q])
            if nk[q] > 0 and nz.size:
                b0, b1 = min(b0, int(nz[0])), max(b1, int(nz[-1]) + 1)
        if b1 > b0:
            b0, b1 = b0 - b0 % 4, min(b1 + (-b1) % 4, B)
            B0, B1 = min(B0, b0), max(B1, b1)
        xr.append((b0, b1))
    return B0, B1, xr


@pytest.mark.parametrize("B", [112, 37, 9])
def test_one_union_is_the_union_of_the_patterns_unions(B):
    rng = np.random.default_rng(B)
    nlink, nu1, epop = 4, 11, np.array([0, 1, 1, 2], dtype=np.int64)
    NK = (nu1 + 2) * nlink
    for trial in range(200):
        Hk = np.zeros((NK, B))
        nk = np.where(rng.random(NK) < 0.7, rng.exponential(1.0, NK), 0.0)
        for q in range(NK):
            if rng.random() < 0.6:
                lo = int(rng.integers(0, B))
                hi = int(rng.integers(lo, B + 1))
                Hk[q, lo:hi] = rng.exponential(1.0, hi - lo) * (rng.random(hi - lo) < 0.7)
        if trial % 10 == 0:  # a pattern whose rows hold nothing, or no pattern with bins at all
            Hk[(np.arange(NK) % nlink) == trial // 10 % nlink] = 0.0
        if trial % 37 == 0:
            Hk[:, :] = 0.0
        xr = np.full((nlink, 2), -1, dtype=np.int64)
        got = fk._pattern_bins(Hk, nk, epop, xr, nu1)
        B0, B1, _ = _former_bins(Hk, nk, epop, nlink, nu1)
        if B1 > B0:
            assert got == (B0, B1)
        else:
            assert got[1] <= got[0]
        assert (xr == np.array(got)).all()  # every pattern's entry: the union


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rows_of_no_key_left_as_they_were_and_not_read_by_the_tiles(seed):
    rng = np.random.default_rng(seed)
    B, nu1 = 48, 11
    kern = _arrays(_kernel(B))
    kern = kern + (income.tiles_of(kern[0], kern[1], B),)
    for _ in range(10):
        Mk, Hk, flips = _case(rng, nu1, B)
        NK = Hk.shape[0]
        nlink, epop = flips[5].shape[0], flips[4]
        valid = np.zeros(NK, dtype=np.bool_)  # the keys' rows, as `multidim.masks` makes them
        for e in range(nlink):
            valid[(np.arange(nu1) + epop[e]) * nlink + e] = True
        assert 0 < valid.sum() < NK
        cus, by_cu = np.empty(nu1, np.int64), fk.classes_by_count(flips[3], nu1)
        work = _work(flips, NK, B)
        fk.flip_masks(Mk.copy(), flips[0], flips[1], flips[2], work[0])
        H2z, H2n = np.full((NK, B), np.nan), np.full((NK, B), np.nan)
        bz = fk.flip_incomes(work[0], Hk, H2z, flips, *work[1:], cus, by_cu, True)
        bn = fk.flip_incomes(work[0], Hk, H2n, flips, *work[1:], cus, by_cu, False)
        assert bz == bn
        assert np.isnan(H2n[~valid]).all()  # not written: left as they were
        assert not H2z[~valid].any()
        span = np.empty((NK, 2), dtype=np.int64)
        H3z, H3n = np.full((NK, B), -1.0), np.full((NK, B), -1.0)
        income.tiled_kernel_in(H2z, H3z, valid, kern, span, 0, B)
        income.tiled_kernel_in(H2n, H3n, valid, kern, span, *bn)
        assert H3n.tobytes() == H3z.tobytes()
