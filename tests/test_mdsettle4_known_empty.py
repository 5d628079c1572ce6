"""The review's records spare the scan of a new state known empty (issue 18's mdsettle4):
`multidim_record_kernels.known_empty` names only states that `classify` leaves empty (every mask
and income 0), which is what the scan (`empty`) would have found."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines import multidim_cell_kernels as cells
from simlib.engines import multidim_jit
from simlib.engines import multidim_record_kernels as records
from simlib.multidim.masks import JointSpace

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")

NEXT = np.array([[0, 1, 2], [0, 1, 5], [0, 1, 3], [0, 1, 4], [0, 1, 5], [0, 1, 5]], dtype=np.int64)


@pytest.mark.parametrize("seed", range(12))
def test_the_states_known_empty_are_empty_after_classify(seed):
    """Random states held before the own changes and random new households: every state
    `known_empty` names is empty after `classify`; a state it does not name may hold some."""
    rng = np.random.default_rng(seed)
    joint = JointSpace(0b100000100)
    K, NM, NK, B = 6, 4096, joint.n_keys, 23
    keys = (np.asarray(joint.key_of, np.int64), np.asarray(joint.key_count, np.int64), joint.valid.copy())
    count = np.array([bin(m).count("1") for m in range(NM)], dtype=np.int64)
    held = int(rng.integers(0, 64))
    Mg, H3 = rng.exponential(1.0, (K, NM)), rng.exponential(1.0, (K, NK, B))
    for k in range(K):
        if not (held >> k) & 1:
            Mg[k], H3[k] = 0.0, 0.0
    H3[:, ~keys[2]] = 0.0
    new = np.where(rng.random(K) < 0.5, 0.0, rng.random(K))
    people = (new, rng.random((K, NM)), rng.random((K, NK)), rng.random((K, B)))
    got = (np.full((K, NM), np.nan), np.full((K, NK, B), np.nan), np.full((K, K), np.nan), np.full((K, B), np.nan))
    work = cells.settle_scratch(K, NK, B)
    cells.classify(Mg, H3, (9, 3), keys, count, NEXT, got[:2], got[2], people, got[3], work, held)
    known = records.known_empty(held, NEXT, new)
    for d in range(K):
        if (known >> d) & 1:
            assert cells.empty(got[0][d], got[1][d])
    if held and not new.any():
        assert known & 0b11 == 0  # the states below the line are reached from every state


def test_no_state_is_known_empty_when_all_are_held():
    assert records.known_empty(63, NEXT, np.zeros(6)) == 0
    assert records.known_empty(0, NEXT, np.zeros(6)) == 63
    assert records.known_empty(0b000011, NEXT, np.zeros(6)) == 0b011000  # 0 -> 2, 1 -> 5 above the line
