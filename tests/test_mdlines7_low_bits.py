"""A line whose first indicator is at bit 0 or 1 (issue 18, mdlines7): `table_clear12` takes it in
vectors of four masks (`multidim_line_tiles._table_clear_low`), one indicator or two (the second
at bit 2 or above), and gives the bits of the passes it replaces (`_line_table`, then
`_clear_masks`): the table, the shares reached and the masks, byte for byte."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines import multidim_jit
from simlib.engines import multidim_line_kernels as lines
from simlib.engines import multidim_line_tiles as tiles

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")

NM, NK = 4096, 12


@pytest.mark.parametrize(
    ("bits", "targeted", "seed"),
    [
        ((0,), False, 0),
        ((0,), True, 1),
        ((1,), False, 2),
        ((0, 4), False, 3),  # multidim_2030's line 5
        ((0, 4), True, 4),
        ((1, 5), False, 5),
        ((1, 2), True, 6),
        ((0, 2), False, 7),
        ((0, 11), True, 8),
    ],
)
def test_low_bits_give_the_bits_of_the_passes(bits, targeted, seed):
    rng = np.random.default_rng(seed)
    Mk = rng.uniform(0.0, 3.0, NM) * 10.0 ** rng.integers(-6, 2, NM)
    Mk[rng.random(NM) < 0.3] = 0.0
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
    by_mask = np.zeros(NK * NP)  # the table's scatter, mask after mask
    np.add.at(by_mask, cell, Mk)
    got_T = np.zeros(NK * NP)
    tiles.table_clear(Mk.copy(), c, r, targeted, nb, cell, bitpos, got_T)
    assert got_T.tobytes() == by_mask.tobytes()


def test_two_low_bits_do_not_fit():
    bitpos = np.zeros(12, dtype=np.int64)
    bitpos[:2] = (0, 1)
    assert not tiles.fits(False, 2, bitpos)
