"""The cell-states known all zero handed over with the engine's state (issue 18's mdpy,
`multidim_vacancy.VacantState`): every state marked in a handed-over state is all zero, the
baseline's marks are its states without households, a run continued from a state with its marks
gives the bytes of one continued from the same state without them, the marks are no array of the
state (`Marks`: its dumps and walks see its results only), and the helpers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from benchmarks.multidim_arrays import walk
from simlib.engines import multidim_jit
from simlib.engines.common import EngineState
from simlib.engines.multidim_expected import run_multidim_expected
from simlib.engines.multidim_vacancy import Marks, VacantState, at_baseline, handed, unknown
from tests.test_mdempty_vacancy import multidim_model
from tests.test_multidim_fill import outputs

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba is not installed")


@pytest.fixture(scope="module", params=["multidim_2030", "tiny"])
def model(request):
    return multidim_model(request.param)


def spend_of(mm) -> np.ndarray:
    return np.stack([mm.base.spend, 0.6 * mm.base.spend])


def copied(state):
    """A copy of `state` (its marks with it, as `dataclasses.replace` keeps them)."""
    cells = {k: v.copy() for k, v in state.cells.items()}
    return replace(state, n=state.n.copy(), built=state.built.copy(), cells=cells)


def marked_zero(state) -> int:
    """The states marked in `state.vacancy`, each checked all zero in its cells."""
    M, H, V = state.cells["M"], state.cells["H"], state.vacancy.bits
    count = 0
    for s, g in zip(*np.nonzero(V)):
        for k in range(M.shape[2]):
            if (V[s, g] >> k) & 1:
                assert not M[s, g, k].any() and not H[s, g, k].any(), (s, g, k)
                count += 1
    return count


def test_the_marks_handed_over_are_zero_states(model):
    spend = spend_of(model)
    base = run_multidim_expected(model, spend, stop=0).state
    assert isinstance(base, VacantState) and marked_zero(base) > 0
    n0 = model.base.n0
    assert all(
        ((base.vacancy.bits[:, g] >> k) & 1).all() == (n0[g, k] == 0) for g in range(n0.shape[0]) for k in range(6)
    )
    kept = run_multidim_expected(model, spend, stop=2).state
    assert marked_zero(kept) > 0
    arrays: dict = {}
    walk(kept, "state", arrays)
    assert not any("vacancy" in name for name in arrays)


@pytest.mark.parametrize("at", [0, 2])
def test_a_run_from_a_state_with_its_marks_gives_the_same_bytes(model, at):
    spend = spend_of(model)
    first = run_multidim_expected(model, spend, stop=at).state
    got = run_multidim_expected(model, 0.8 * spend, start=at, state=copied(first))
    want = run_multidim_expected(model, 0.8 * spend, start=at, state=replace(copied(first), vacancy=None))
    a = outputs(got, (got.state.cells["M"], got.state.cells["H"], got.state.n))
    b = outputs(want, (want.state.cells["M"], want.state.cells["H"], want.state.n))
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].tobytes() == b[name].tobytes(), name
    known, plain = got.state.vacancy.bits, want.state.vacancy.bits  # a group without households keeps its marks
    assert ((known & plain) == plain).all() and marked_zero(got.state) >= marked_zero(want.state)
    taken = run_multidim_expected(model, 0.8 * spend, start=at, state=copied(first).once())  # its own arrays
    assert outputs(taken, (taken.state.cells["M"],))["M"].tobytes() == a["M"].tobytes()


def test_the_helpers():
    V = unknown(2, 3)
    V[:] = 5
    state = VacantState(1, np.zeros((2, 3, 6)), np.zeros((2, 1, 1, 1)), np.zeros(1, bool), vacancy=Marks(V))
    got = handed(state, 2, 3)
    assert got is not V and (got == 5).all()
    assert not handed(state, 2, 4).any() and not handed(state, 1, 3).any()
    assert not handed(replace(state, vacancy=Marks(V.astype(float))), 2, 3).any()
    assert not handed(replace(state, vacancy=None), 2, 3).any()
    assert not handed(EngineState(1, state.n, state.built, state.built_counts), 2, 3).any()
    n0 = np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 0.0], [3.0, 1.0, 1.0]])
    assert at_baseline(unknown(2, 3), n0).tolist() == [[2, 7, 0], [2, 7, 0]]
