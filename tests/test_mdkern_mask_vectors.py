"""The masks' butterflies in vectors of eight masks (branch mdkern): bits 0 .. 3 in one pass
(`multidim_mask_flips._flip_four8`: bits 0, 1 and 2 by shuffles within a vector) and two bits
a pass (`_flip_pair8`) give the bits of one `_butterfly` pass per bit, written here as plain
numpy-free loops of `x0 * p00 + x1 * p10` on each pair of masks."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("numba")

from simlib.engines import multidim_mask_flips as fk  # noqa: E402


def _one_bit_a_pass(Mk, gain, loss, bits):
    for j in bits:
        V = Mk.reshape((Mk.shape[0] >> (j + 1), 2, 1 << j))
        for r in range(V.shape[0]):
            fk._butterfly(V[r, 0], V[r, 1], 1.0 - gain[j], loss[j], gain[j], 1.0 - loss[j])


@pytest.mark.parametrize("bits", [12, 7, 4])
def test_bits_0_to_3_in_vectors_of_eight_have_the_bits_of_one_pass_per_bit(bits):
    rng = np.random.default_rng(40 + bits)
    n = 1 << bits
    Mk = rng.exponential(1.0, n) * (rng.random(n) < 0.8)
    gain, loss = rng.uniform(0.0, 0.4, bits), rng.uniform(0.0, 0.4, bits)
    got, want = Mk.copy(), Mk.copy()
    fk._flip_four8(got.reshape((n // 8, 8)), gain, loss)
    _one_bit_a_pass(want, gain, loss, range(4))
    assert got.tobytes() == want.tobytes()
    assert not np.array_equal(got, Mk)


@pytest.mark.parametrize("j", [3, 4, 7, 10])
def test_two_bits_a_pass_in_vectors_of_eight_have_the_bits_of_one_pass_per_bit(j):
    rng = np.random.default_rng(j)
    n = 1 << 12
    Mk = rng.exponential(1.0, n) * (rng.random(n) < 0.8)
    gain, loss = rng.uniform(0.0, 0.4, 12), rng.uniform(0.0, 0.4, 12)
    got, want = Mk.copy(), Mk.copy()
    fk._flip_pair8(got.reshape((n // 8, 8)), gain[j], loss[j], gain[j + 1], loss[j + 1], 1 << j)
    _one_bit_a_pass(want, gain, loss, (j, j + 1))
    assert got.tobytes() == want.tobytes()
    assert not np.array_equal(got, Mk)
