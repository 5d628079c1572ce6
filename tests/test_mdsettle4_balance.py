"""The split of a compiled multidimensional year's tasks between threads (issue 18's mdsettle4,
`simlib.engines.multidim_balance`): contiguous runs covering every task once, of about equal
estimated work; a task without households weighs nothing; the lines' pairs and the twins a
once-per-household line fills count."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines import multidim_jit
from simlib.engines.multidim_balance import (
    FIXED,
    PER_HELD_TWIN,
    PER_PAIR,
    PER_STATE,
    PER_TWIN,
    PER_TWIN_STATE,
    cuts,
    task_work,
)

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")


def _lines(acts, once):
    """The two of the lines' arrays `task_work` reads (acts = lines[1], once = lines[8])."""
    empty = np.zeros(0)
    a, o = np.asarray(acts, bool), np.asarray(once, bool)
    return (empty, a, empty, empty, empty, empty, empty, empty, o)


def test_task_work_counts_states_pairs_and_twins():
    n = np.zeros((1, 3, 6))
    cov = np.zeros((1, 2, 3, 6))
    lines = _lines([True, True], [False, True])
    assert task_work(n, cov, lines, 0, 0, 1) == 0.0  # no households in the group nor its twin
    n[0, 0, [0, 2]] = 1.0
    cov[0, 0, 0, :] = 0.5  # a line covering every state: two pairs
    assert task_work(n, cov, lines, 0, 0, -1) == FIXED + 2 * PER_STATE + 2 * PER_PAIR
    assert task_work(n, cov, lines, 0, 0, 1) == FIXED + 2 * PER_STATE + 2 * PER_PAIR + PER_TWIN
    cov[0, 1, 0, 2] = 0.5  # the once-per-household line fills the twin's state 2
    want = FIXED + 2 * PER_STATE + 3 * PER_PAIR + PER_TWIN + PER_TWIN_STATE + PER_HELD_TWIN
    assert task_work(n, cov, lines, 0, 0, 1) == want
    n[0, 1, 2] = 1.0  # already held: counted once
    assert task_work(n, cov, lines, 0, 0, 1) == want
    idle = _lines([True, False], [False, True])  # the once line does not act: no pair, no fill
    assert task_work(n, cov, idle, 0, 0, 1) == want - PER_PAIR


@pytest.mark.parametrize("parts", [1, 2, 3, 5])
def test_cuts_are_contiguous_runs_of_about_equal_work(parts):
    rng = np.random.default_rng(parts)
    S, G, L, K = 2, 40, 4, 6
    n = np.where(rng.random((S, G, K)) < 0.6, rng.random((S, G, K)), 0.0)
    cov = np.where(rng.random((S, L, G, K)) < 0.5, 0.3, 0.0)
    lines = _lines([True, True, False, True], [False, False, False, True])
    bases = np.arange(0, G, 2)
    twin = np.full(G, -1)
    twin[bases[::2]] = bases[::2] + 1
    cut = cuts(n, cov, lines, bases, twin, parts)
    assert cut[0] == 0 and cut[-1] == S * bases.size and np.all(np.diff(cut) >= 0)
    w = np.array(
        [
            task_work(n, cov, lines, sb // bases.size, bases[sb % bases.size], twin[bases[sb % bases.size]])
            for sb in range(S * bases.size)
        ]
    )
    runs = np.array([w[cut[p] : cut[p + 1]].sum() for p in range(parts)])
    assert np.all(np.abs(runs - w.sum() / parts) <= w.max())
