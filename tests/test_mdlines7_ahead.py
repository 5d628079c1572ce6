"""The lines' prefetch of the next cell-state (issue 18, mdlines7): a hint, no value changes.
`table_clear_ahead` and `pull_moves_ahead` given another cell-state's cells give the bits of
`table_clear` and `pull_moves` and leave those cells as they were; `_next_state` names the
first later state not known all zero."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines import multidim_jit
from simlib.engines import multidim_line_kernels as lines
from simlib.engines import multidim_line_tiles as tiles

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")

NM, NK, B = 4096, 12, 24


@pytest.mark.parametrize(
    ("bits", "targeted"), [((5, 8, 9), False), ((2,), True), ((6, 7), True), ((0, 4), False), ((1,), False)]
)
def test_table_clear_ahead_gives_the_bits_of_table_clear(bits, targeted):
    rng = np.random.default_rng(len(bits) + bits[0])
    Mk = rng.uniform(0.0, 3.0, NM) * (rng.random(NM) < 0.7)
    Mn = rng.uniform(0.0, 1.0, NM)
    nb, NP = len(bits), 1 << len(bits)
    bitpos = np.zeros(12, dtype=np.int64)
    bitpos[:nb] = bits
    pat = sum(((np.arange(NM) >> j) & 1) << i for i, j in enumerate(bits)).astype(np.int64)
    cell = rng.integers(0, NK, NM) * NP + pat
    want_M, want_T = Mk.copy(), np.zeros(NK * NP)
    tiles.table_clear(want_M, 0.37, 0.61, targeted, nb, cell, bitpos, want_T)
    got_M, got_T, Mn0 = Mk.copy(), np.zeros(NK * NP), Mn.copy()
    tiles.table_clear_ahead(got_M, 0.37, 0.61, targeted, nb, cell, bitpos, got_T, Mn)
    assert got_M.tobytes() == want_M.tobytes() and got_T.tobytes() == want_T.tobytes()
    assert Mn.tobytes() == Mn0.tobytes()


def test_pull_moves_ahead_gives_the_bits_of_pull_moves():
    rng = np.random.default_rng(7)
    H = rng.uniform(0.0, 5.0, (NK, B)) * (rng.random((NK, B)) < 0.6)
    scale = rng.uniform(0.0, 1.0, NK) * (rng.random(NK) < 0.8)
    A, cols, cnt = np.zeros((NK, NK)), np.zeros((NK, NK), dtype=np.int64), np.zeros(NK, dtype=np.int64)
    for x in range(NK):
        cs = sorted({x, *rng.integers(0, x + 1, 2).tolist()})
        cnt[x], cols[x, : len(cs)], A[x, : len(cs)] = len(cs), cs, rng.uniform(0.0, 1.0, len(cs))
    op = (A, cols, cnt, np.empty((NK, 2), np.int64), np.empty(NK, np.int64), np.empty((NK, NK), np.int64))
    op += (np.empty((NK, NK)),)
    want, got, Hn = H.copy(), H.copy(), rng.uniform(0.0, 1.0, (NK, B))
    Hn0 = Hn.copy()
    tiles.pull_moves(want, scale, op)
    tiles.pull_moves_ahead(got, scale, op, Hn)
    assert got.tobytes() == want.tobytes() and Hn.tobytes() == Hn0.tobytes()
    assert not np.array_equal(got, H)


def test_next_state_skips_the_states_known_zero():
    assert lines._next_state(0, 0, 6) == 1
    assert lines._next_state(0b000110, 0, 6) == 3
    assert lines._next_state(0b110000, 3, 6) == 3  # none after: itself
    assert lines._next_state(0, 5, 6) == 5
