"""A run of the compiled multidimensional engine continued from a handed-over state writes the
records of its first review from the state (`simlib.engines.multidim_review`) instead of recording
the review again: every output array, and the households each targeting line can select, equal
those of the same run from a state without them, bit for bit; a model whose record reads other
arrays at that review (the previous standard's twin after its change) records it again."""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
import pytest

from simlib import runner
from simlib.engines import multidim_expected as E
from simlib.engines import multidim_jit
from simlib.engines.common import EngineState
from simlib.engines.multidim_review import ReviewedState
from simlib.unit_switch import compile_run_model
from tests.conftest import make_scenario
from tests.test_workbench_incremental import ARRAYS, crossing_raw

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba is not installed")


def plain(state: EngineState) -> EngineState:
    """A copy of `state` without its review's records."""
    cells = {k: v.copy() for k, v in state.cells.items()}
    return EngineState(state.t, state.n.copy(), state.built.copy(), state.built_counts, cells)


def assert_same_output(a, b) -> None:
    for name in ARRAYS:
        assert getattr(a, name).tobytes() == getattr(b, name).tobytes(), name
    for f in fields(a.multidim):
        assert getattr(a.multidim, f.name).tobytes() == getattr(b.multidim, f.name).tobytes(), f.name
    assert a.state.review.sel.tobytes() == b.state.review.sel.tobytes()
    for x, y in zip(a.state.review.arrays, b.state.review.arrays):
        assert x.tobytes() == y.tobytes()


def test_a_continued_run_writes_the_records_it_was_handed(monkeypatch):
    scen = make_scenario(crossing_raw())
    model, mm = compile_run_model(scen)
    twin = compile_run_model(runner.previous_standard_scenario(scen)[0])[1]
    spend = model.spend[None]
    whole = E.run_compiled(mm, spend)
    recorded = []
    real = multidim_jit.record
    monkeypatch.setattr(multidim_jit, "record", lambda *a, **k: (recorded.append(a[-1]), real(*a, **k)))
    for at in (1, 3, 4):
        first = E.run_compiled(mm, spend, 0, at)
        assert isinstance(first.state, ReviewedState) and first.state.review is not None
        for target, again in ((mm, False), (twin, at > 3)):  # the twin's standard differs from review 4
            recorded.clear()
            want = E.run_compiled(target, spend, at, None, plain(first.state))
            assert recorded == [at]
            recorded.clear()
            state = first.state
            got = E.run_compiled(target, spend, at, None, replace(state, n=state.n.copy(), built=state.built.copy()))
            assert recorded == ([at] if again else [])
            assert_same_output(got, want)
        joined = first.joined(E.run_compiled(mm, spend, at, None, first.state), at)
        for name in ARRAYS:
            assert np.array_equal(getattr(joined, name), getattr(whole, name)), name
