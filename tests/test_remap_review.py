"""The move of a state to the communes with the records of its review in one pass
(`simlib.engines.remap_review`, issue 18): the cells of `simlib.geography.remap_groups` (the
reference weighted sum) and the records of `multidim_jit.record` on them, bit for bit; the states
it says all zero are zero, and a run continued from it on the communes equals one from the plain
moved state (which records the review itself)."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines import multidim_jit, remap_review
from simlib.engines.common import EngineOutput
from simlib.engines.multidim_review import Review, ReviewedState
from simlib.engines.remap_jit import GroupMove
from simlib.geography import remap_groups
from simlib.multidim.output import MultidimOutput
from simlib.paths import params_dir
from simlib.runner import RunOptions
from simlib.scenario import load_scenario
from simlib.unit_switch import compile_run_model, simulate, state_map, unit_switch

CROSSING = params_dir() / "scenarios" / "crossing_2024_2027.yaml"


@pytest.fixture(scope="module")
def switch():
    """(segment 1's state at the switch (districts), the state map, segment 2's model, its money)."""
    scen = load_scenario(CROSSING)
    sw = unit_switch(scen)
    (m1, t1), (m2, t2) = compile_run_model(scen), compile_run_model(sw.scenario)
    first = simulate(t1, m1.spend, RunOptions(seed=0), stop=sw.at)
    return first.state, state_map(m1, m2, sw.geography), t2, m2.spend


def recorded(mm, M, H, n, t: int) -> Review:
    """The review's records of the cells as the first run on them makes them (`open_run`)."""
    model = mm.base
    S, G, K, L = n.shape[0], n.shape[1], n.shape[2], len(model.line_codes)
    out = EngineOutput.like("expected", model, S)
    out.multidim = MultidimOutput.zeros(S, len(model.years), G, K, L)
    sel = np.zeros((S, L, G, K))
    multidim_jit.record(mm, M, H, n, out, sel, t)
    return Review.of(mm, out, t, n, sel)


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def test_the_cells_and_records_of_two_passes_bit_for_bit(switch):
    state, mapping, mm, _ = switch
    into = {k: np.full((v.shape[0], mapping.groups.shape[1]) + v.shape[2:], np.nan) for k, v in state.cells.items()}
    vacant = np.zeros((state.n.shape[0], mapping.groups.shape[1]), np.uint8)
    got, review = remap_review.moved(state, mapping, mm, state.t, into, (None, vacant))
    for k, v in state.cells.items():  # the reference: numpy's weighted sum over the old groups
        assert same_bits(got.cells[k], remap_groups(v, mapping.groups, axis=1))
        assert got.cells[k] is into[k]
    assert same_bits(got.n, remap_groups(state.n, mapping.groups, axis=1))
    want = recorded(mm, got.cells["M"], got.cells["H"], got.n, state.t)
    assert all(same_bits(a, b) for a, b in zip(review.arrays, want.arrays, strict=True))
    assert same_bits(review.sel, want.sel)
    # the states it says all zero (found by the record) are zero in the cells, and there are some
    K = got.n.shape[-1]
    zero = (vacant[..., None] >> np.arange(K)) & 1 == 1
    assert zero.any() and not any(c[zero].any() for c in got.cells.values())


def test_states_known_zero_are_left_out_and_the_same_bits(switch):
    state, mapping, mm, _ = switch
    plain = state.remapped(mapping)
    vacant = GroupMove.of(mapping.groups).vacant(state.vacancy.bits)
    assert vacant.any()
    into = {k: v.copy() for k, v in plain.cells.items()}
    for v in into.values():  # left out: -0.0 stays where it is (a write would make it +0.0)
        K = v.shape[2]
        zero = (vacant[..., None] >> np.arange(K)) & 1 == 1
        v[zero] = -0.0
    got, review = remap_review.moved(state, mapping, mm, state.t, into, (vacant, vacant.copy()))
    for k in plain.cells:
        assert np.array_equal(got.cells[k], plain.cells[k])
        assert np.signbit(got.cells[k][zero]).all()
    want = recorded(mm, plain.cells["M"], plain.cells["H"], plain.n, state.t)
    assert all(same_bits(a, b) for a, b in zip(review.arrays, want.arrays, strict=True))


def test_a_run_from_the_reviewed_state_equals_one_from_the_plain_state(switch, monkeypatch):
    state, mapping, mm, spend = switch
    plain = state.remapped(mapping).once()
    got, review = remap_review.moved(state, mapping, mm, state.t)
    a = simulate(mm, spend, RunOptions(seed=0), start=state.t, state=plain)
    reviewed = ReviewedState(got.t, got.n, got.built, got.built_counts, got.cells, review=review).once()

    def no_record(*args, **kw):
        raise AssertionError("the review was recorded again")

    monkeypatch.setattr(multidim_jit, "record", no_record)  # the run writes the review it was given
    b = simulate(mm, spend, RunOptions(seed=0), start=state.t, state=reviewed)
    for name in ("states", "flows", "entries", "reached", "eligible"):
        assert same_bits(getattr(a, name), getattr(b, name))
    for f in ("deprived", "fgt1", "fgt2", "income_sum"):
        assert same_bits(getattr(a.multidim, f), getattr(b.multidim, f))
