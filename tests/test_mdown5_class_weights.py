"""The masks' weights summed by class (issue 18, branch mdown5): `multidim_tables.with_class_lists`
appends to row_of its masks listed by class, and `flip_masks` then sums the weights W of the
incomes' flips from the lists (`multidim_mask_flips._class_weights`: four linked patterns in
a vector's lanes) instead of the scatter `W[row_of[m]] += Mk[m]`. Each weight is the same sum
in the same order (increasing mask from +0.0): W and the flipped masks byte for byte."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines import multidim_flip_kernels as fk
from simlib.engines import multidim_jit
from simlib.engines.multidim_tables import prepare, with_class_lists
from tests.test_multidim_jit import _model

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")


def _rows(rng, linked: list[int], nc: int) -> np.ndarray:
    """row_of (4096,) of the engine's form: e nc + c, e the pattern of the `linked` bits (in a
    random order of patterns), c a random class of the other bits (some classes left empty)."""
    m = np.arange(4096)
    e = np.zeros(4096, np.int64)
    for i, j in enumerate(linked):
        e |= ((m >> j) & 1) << i
    e = rng.permutation(1 << len(linked))[e]
    rest = np.zeros(4096, np.int64)
    for i, j in enumerate(j for j in range(12) if j not in linked):
        rest |= ((m >> j) & 1) << i
    cls = rng.integers(0, nc - 2, 1 << (12 - len(linked)))  # classes nc - 2, nc - 1: no masks
    return e * nc + cls[rest]


def _masks(rng) -> np.ndarray:
    Mk = rng.exponential(1.0, 4096) * (rng.random(4096) < 0.7)
    Mk[rng.random(4096) < 0.05] = 1e-300  # tiny and zero masks
    return Mk


@pytest.mark.parametrize("linked", [[0, 4], [3, 7], [0, 1], [1, 5, 9], [0, 2, 11]])
def test_weights_by_class_have_the_bits_of_the_scatter(linked):
    rng = np.random.default_rng(sum(linked) + len(linked))
    nc = 40
    for _ in range(5):
        row_of = _rows(rng, linked, nc)
        nlink = 1 << len(linked)
        table = with_class_lists(row_of, nlink, nc)
        assert table.shape[0] > 4096 and np.array_equal(table[:4096], row_of)
        Mk, gain, loss = _masks(rng), rng.uniform(0.0, 0.4, 12), rng.uniform(0.0, 0.4, 12)
        got, want = Mk.copy(), Mk.copy()
        W, want_W = np.full(nlink * nc, np.nan), np.full(nlink * nc, np.nan)
        fk.flip_masks(got, gain, loss, table, W)
        fk.flip_masks(want, gain, loss, row_of, want_W)
        assert W.tobytes() == want_W.tobytes()
        assert got.tobytes() == want.tobytes()
        ref = np.zeros(nlink * nc)
        for m in range(4096):
            ref[row_of[m]] += Mk[m]
        assert W.tobytes() == ref.tobytes()


def test_lists_cover_each_mask_once_in_increasing_order():
    row_of = _rows(np.random.default_rng(3), [0, 4], 30)
    T = with_class_lists(row_of, 4, 30)[4096:]
    nlink, nc = int(T[0]), int(T[1])
    off, starts, bases = T[2 : 2 + nlink], T[2 + nlink : 3 + nlink + nc], T[3 + nlink + nc :]
    seen = []
    for c in range(nc):
        b = bases[starts[c] : starts[c + 1]]
        assert (np.diff(b) > 0).all()
        for e in range(nlink):
            assert (row_of[b + off[e]] == e * nc + c).all()
            seen.extend(b + off[e])
    assert sorted(seen) == list(range(4096))


def test_rows_of_another_form_get_no_lists():
    rng = np.random.default_rng(9)
    rows = rng.integers(0, 4 * 30, 4096).astype(np.int64)
    assert with_class_lists(rows, 4, 30).shape == (4096,)  # not a product of patterns and classes
    two = _rows(rng, [2], 30)
    assert with_class_lists(two, 2, 30).shape == (4096,)  # two patterns: not a vector's four lanes


def test_the_engines_flips_carry_the_lists():
    _, mm = _model(horizon=2)
    flips = prepare(mm)["flips"]
    nlink, nc = flips[5].shape[0], flips[6].shape[0]
    row_of = flips[2][:4096]
    if nlink % 4 == 0:
        assert flips[2].shape[0] > 4096
        assert np.array_equal(flips[2], with_class_lists(row_of, nlink, nc))
    Mk = _masks(np.random.default_rng(1))
    W, want = np.full(nlink * nc, np.nan), np.full(nlink * nc, np.nan)
    fk.flip_masks(Mk.copy(), flips[0], flips[1], flips[2], W)
    fk.flip_masks(Mk.copy(), flips[0], flips[1], row_of, want)
    assert W.tobytes() == want.tobytes()


@pytest.mark.parametrize("bits", [12, 5, 4, 3])
def test_bits_0_to_3_in_one_pass_have_the_bits_of_two_passes(bits):
    # `_flip_four8` (bits 0 .. 3 a block of 16 masks) against `_flip_low` then one pass per bit
    # or two (through row_of without lists); fewer than four bits: one pass per bit
    rng = np.random.default_rng(bits)
    n = 1 << bits
    Mk = rng.exponential(1.0, n) * (rng.random(n) < 0.8)
    gain, loss = rng.uniform(0.0, 0.4, bits), rng.uniform(0.0, 0.4, bits)
    gain[1], loss[2 % bits] = 0.0, 0.0
    m, c = np.arange(n), rng.integers(0, 8, n)
    row_of = (m & 3) * 8 + c[m & ~3]  # linked bits 0 and 1, classes of the others
    table = with_class_lists(row_of, 4, 8)
    assert table.shape[0] > n
    got, want, W, want_W = Mk.copy(), Mk.copy(), np.full(32, np.nan), np.full(32, np.nan)
    fk.flip_masks(got, gain, loss, table, W)
    fk.flip_masks(want, gain, loss, row_of, want_W)
    assert got.tobytes() == want.tobytes()
    assert W.tobytes() == want_W.tobytes()
