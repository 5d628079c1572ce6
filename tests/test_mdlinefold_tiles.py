"""A tile of the income kernel alone in vectors of eight (`multidim_income_kernel._kernel_tile8`,
issue 18, mdlinefold) gives the bits of the same tile in vectors of four (`_kernel_tiles`), and
the product H2 @ kernel to rounding: sums flushed below TINY, a repeated row stored twice."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines import multidim_income_kernel as income
from simlib.engines import multidim_jit
from tests.test_multidim_year_kernels import _arrays, _kernel

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")


def _rows(B: int, seed: int) -> np.ndarray:
    """Four rows of households by income bin: one with far tails (products below TINY), one with
    zeros inside its span, one zero below bin B // 2."""
    rng = np.random.default_rng(seed)
    H2 = rng.uniform(0.0, 10.0, (4, B))
    H2[0, : B // 4] = 1e-190  # products with the kernel's tails fall below TINY: flushed
    H2[1, ::3] = 0.0
    H2[2, : B // 2] = 0.0
    return H2


@pytest.mark.parametrize("B", [48, 112])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("rows", [(0, 1, 2, 3), (3, 1, 0, 0), (2, 2, 2, 2)])
def test_one_tile_in_eight_lanes_is_the_tile_in_four(B, seed, rows):
    kern = _arrays(_kernel(B))
    dense, tiles = kern[3], income.tiles_of(kern[0], kern[1], B)
    H2 = _rows(B, seed)
    want = H2 @ dense  # the kernel as held: its bands in dense rows (outer columns apart)
    for t in range(B // 16):
        lo, hi = tiles[t]
        assert hi > lo
        wide, four = np.full((4, B), -1.0), np.full((4, B), -1.0)
        income._kernel_tile8(H2, wide, *rows, lo, hi, 16 * t, dense)
        income._kernel_tiles(H2, four, *rows, lo, hi, 16 * t, dense)
        assert wide.tobytes() == four.tobytes()
        outside = np.ones(B, dtype=bool)
        outside[16 * t : 16 * t + 16] = False
        assert (wide[:, outside] == -1.0).all()  # the tile's columns only
        inner = slice(max(16 * t, 1), min(16 * t + 16, B - 1))  # the outer columns 0, B - 1: made apart
        for q in range(4):
            if q in rows:
                expect = np.where(want[q, inner] < income.TINY, 0.0, want[q, inner])
                np.testing.assert_allclose(wide[q, inner], expect, rtol=1e-12, atol=1e-300)
                assert ((wide[q, inner] == 0.0) == (expect == 0.0)).all()
            else:
                assert (wide[q] == -1.0).all()
