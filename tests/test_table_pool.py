"""The compiled multidimensional engine's kernel tables reused only through a `TablePool` its
caller owns and hands down (`simlib.engines.multidim_span`, issue 18): runs given a pool whose
tables hold NaN and −inf outside their years give the arrays of runs with new tables, bit for bit
(the run alone and with its twin's year, `run_with_twin`); runs without a pool keep nothing
between them (the runner's); the explorer's engine runs own one pool for the starting scenario's
session and hand it to every run of a change."""

from __future__ import annotations

import numpy as np
import pytest

from simlib import runner
from simlib.engines import multidim_expected, multidim_jit, multidim_twin
from simlib.engines.multidim_expected import run_multidim_expected
from simlib.engines.multidim_span import TablePool
from simlib.options import RunOptions
from simlib.workbench import incremental as inc
from simlib.workbench.project import starting, what_if
from simlib.workbench.state import AllocationState
from tests.conftest import make_scenario
from tests.test_engine_twin_year import assert_bitwise, copied, models
from tests.test_workbench_incremental import changed, crossing_raw

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba is not installed")


@pytest.fixture(scope="module")
def tiny():
    """(twin's review, spend, model, twin model) of the tiny scenario crossing the 2027 change."""
    return models(make_scenario(crossing_raw()))


def poisoned(mm, sets: int = 2) -> TablePool:
    """A pool holding `sets` sets of the model's two kernel tables, NaN and −inf everywhere."""
    G, K = mm.base.n0.shape
    Y, L = len(mm.base.years), len(mm.base.line_codes)
    pool = TablePool(sets=sets)
    for _ in range(sets):
        pool.give(np.full((1, Y, L, G, 12), np.nan), np.full((1, Y + 1, G, K, 13), -np.inf))
    return pool


def spied(monkeypatch) -> list:
    """The (pool, run records) of every compiled run opened from here on (`open_run`'s `opened`)."""
    seen, opened = [], multidim_expected.opened

    def spy(*a):
        seen.append((a[7] if len(a) > 7 else None, opened(*a)))
        return seen[-1][1]

    monkeypatch.setattr(multidim_expected, "opened", spy)
    return seen


@pytest.mark.parametrize(("start", "stop"), [(0, None), (1, 3), (3, 4), (4, 5)])
def test_a_poisoned_pool_gives_the_run_of_new_tables(tiny, start, stop):
    _, spend, mm, _ = tiny
    first = run_multidim_expected(mm, spend, stop=start) if start else None
    state = (lambda: copied(first.state)) if start else (lambda: None)
    want = run_multidim_expected(mm, spend, start=start, stop=stop, state=state())
    pool = poisoned(mm, 1)
    kept = [id(a) for a in pool.free[0]]
    got = run_multidim_expected(mm, spend, start=start, stop=stop, state=state(), pool=pool)
    assert_bitwise(got, want)
    assert [id(a) for a in pool.free[0]] == kept  # taken, then given back


@pytest.mark.parametrize("hands_over", [True, False])
def test_a_poisoned_pool_gives_the_run_and_twin_of_new_tables(tiny, hands_over):
    at, spend, mm, twin = tiny
    first = run_multidim_expected(mm, spend, stop=at)
    kw = {"twin_hands_over": hands_over}
    want = multidim_twin.run_with_twin(mm, twin, spend, at, None, copied(first.state), copied(first.state), **kw)
    pool = poisoned(mm)
    got = multidim_twin.run_with_twin(
        mm, twin, spend, at, None, copied(first.state), copied(first.state), pool=pool, **kw
    )
    assert_bitwise(got[0], want[0])
    if hands_over:
        assert_bitwise(got[1], want[1])
    else:  # no state handed over: its arrays
        for name in ("states", "flows", "entries"):
            assert getattr(got[1], name).tobytes() == getattr(want[1], name).tobytes(), name
        assert got[1].multidim.removed.tobytes() == want[1].multidim.removed.tobytes()
        assert got[1].multidim.multi_deprived.tobytes() == want[1].multidim.multi_deprived.tobytes()
    assert len(pool.free) == 2 and all(np.isnan(r).any() for r, _ in pool.free)  # the same sets, back


def test_runs_without_a_pool_share_no_arrays(tiny, monkeypatch):
    """Runs made without a pool (the runner's, batch runs) keep nothing: two runs' kernel tables
    are each their own new arrays."""
    _, spend, mm, _ = tiny
    seen = spied(monkeypatch)
    run_multidim_expected(mm, spend)
    run_multidim_expected(mm, spend)
    assert [p for p, _ in seen] == [None, None]
    (_, one), (_, two) = seen
    for a, b in ((one.removed, two.removed), (one.multi_deprived, two.multi_deprived)):
        assert not np.shares_memory(a, b)


def test_the_explorer_owns_a_pool_the_runner_does_not(monkeypatch):
    """`runner.run` hands no pool to its engine runs; the explorer's engine runs of a starting
    scenario hand theirs (`EngineRuns.tables`) to every run of a change, whose tables are those
    the previous change gave back."""
    scen = make_scenario(crossing_raw())
    seen = spied(monkeypatch)
    runner.run(what_if(scen), RunOptions(engine="expected"))
    assert len(seen) >= 3 and all(p is None for p, _ in seen)  # two pieces, the twin's year, no money
    st = AllocationState(scen)
    st.evaluate()
    pool = inc.engine_runs(starting(st.base)).tables
    assert isinstance(pool, TablePool) and len(pool.free) == 2  # kept between changes
    held = {id(a) for pair in pool.free for a in pair}
    del seen[:]
    changed(st, 2027, 0.8)  # from the twin's start: the plan's piece and the twin's year
    st.evaluate()
    assert len(seen) == 2 and all(p is pool for p, _ in seen)
    assert {id(md.removed) for _, md in seen} | {id(md.multi_deprived) for _, md in seen} == held
