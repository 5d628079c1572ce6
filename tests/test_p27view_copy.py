"""The explorer's copy of a kept state into reused arrays writes nothing where both the state's
cells and the arrays are known all zero (issue 18, `simlib.workbench.pool`,
`multidim_fill_kernels.copy_over`), and a change's outputs are joined into the arrays of the run
made for it (`simlib.workbench.incremental.joined`'s `into`): the same values as before. The whole
path (the explorer's changes against runs from scratch, bit for bit) is checked by
tests/test_workbench_dated.py and tests/test_workbench_incremental.py."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines.common import EngineOutput, EngineState
from simlib.engines.multidim_fill_kernels import copy_group, copy_over
from simlib.engines.multidim_vacancy import Marks, VacantState, destination, into_zero, unknown
from simlib.multidim.output import MultidimOutput
from simlib.workbench.incremental import joined
from simlib.workbench.pool import StatePool


def _cells(rng, K: int = 6):
    return rng.random((K, 3, 8)), rng.random((K, 2, 5))


@pytest.mark.parametrize("known, zero", [(0b000000, 0b111111), (0b101001, 0b001000), (0b111111, 0b111111)])
def test_copy_over_skips_the_states_known_zero_in_both(known, zero):
    """Where `known` and `zero` both mark a state, its cells are not written (they hold what they
    held: zeros, when the bits are true); everywhere else as `copy_group`."""
    rng = np.random.default_rng(3)
    Ms, Hs = _cells(rng)
    M, H = _cells(rng)  # "garbage": shows which states were written
    M0, H0 = M.copy(), H.copy()
    ref_M, ref_H = M.copy(), H.copy()
    copy_group(ref_M, ref_H, Ms, Hs, known)
    copy_over(M, H, Ms, Hs, np.uint8(known), np.uint8(zero))
    for k in range(M.shape[0]):
        both = (known >> k) & 1 and (zero >> k) & 1
        want_M, want_H = (M0[k], H0[k]) if both else (ref_M[k], ref_H[k])
        assert np.array_equal(M[k], want_M) and np.array_equal(H[k], want_H)


def test_the_pool_hands_the_known_zero_bits_with_the_arrays():
    """A state given to the pool with its vacancy marks hands a copy of them with its arrays to
    the next copy (`into_zero`); new arrays and plain states know nothing; `lent` takes them."""
    rng = np.random.default_rng(4)
    cells = lambda: {"M": rng.random((1, 3, 4, 8)), "H": rng.random((1, 3, 4, 2, 5))}  # noqa: E731
    kept = EngineState(2, rng.random((1, 3, 4)), rng.random((1, 5, 2, 3)), np.array([True, False]), cells())
    pool = StatePool()
    first = pool.copy_of(kept)
    assert first.into_zero is None and np.array_equal(destination(first, 1, 3), unknown(1, 3))
    bits = np.array([[0b0011, 0, 0b1111]], np.uint8)
    pool.give(VacantState(5, kept.n, kept.built, kept.built_counts, cells(), vacancy=Marks(bits)))
    again = pool.copy_of(kept)
    assert np.array_equal(again.into_zero, bits) and again.into_zero is not bits
    assert np.array_equal(destination(again, 1, 3), bits)
    assert np.array_equal(destination(again, 1, 4), unknown(1, 4))  # another shape: nothing known
    again.lent()
    assert again.into is None and again.into_zero is None
    pool.give(EngineState(6, kept.n, kept.built, kept.built_counts, cells()))  # no marks
    assert pool.copy_of(kept).into_zero is None
    assert np.array_equal(into_zero((None,) * 5, bits), np.zeros_like(bits))


def _output(rng, Y: int = 4, G: int = 3, K: int = 2, L: int = 2, D: int = 2) -> EngineOutput:
    out = EngineOutput.zeros("expected", 1, Y, G, K, L, D)
    out.multidim = MultidimOutput.zeros(1, Y, G, K, L)
    for a in (*out.arrays(), *vars(out.multidim).values()):
        a[...] = rng.random(a.shape)
    return out


@pytest.mark.parametrize("pieces_at, into", [((0, 3), 1), ((0, 1, 3), 1), ((0, 2, 3), 0), ((0, 3, 4), 1)])
def test_joined_into_a_piece_equals_the_joined_copy(pieces_at, into):
    rng = np.random.default_rng(5)
    pieces = [(_output(rng), t) for t in pieces_at]
    copies = [(_output(rng), t) for t in pieces_at]
    for (p, _), (c, _) in zip(pieces, copies):
        for a, b in zip((*p.arrays(), *vars(p.multidim).values()), (*c.arrays(), *vars(c.multidim).values())):
            b[...] = a
    want = joined(copies)
    got = joined(pieces, into=into)
    assert got is pieces[into][0] and got.state is None
    for name in ("states", "flows", "entries", "reached", "eligible", "ps_supported", "ps_wanting"):
        assert np.array_equal(getattr(got, name), getattr(want, name)), name
    for name, a in vars(want.multidim).items():
        assert np.array_equal(getattr(got.multidim, name), a), name
