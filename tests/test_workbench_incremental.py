"""The explorer's multidimensional projection re-runs only what a change of amounts can affect
(issue 18, `simlib.workbench.incremental`): every table and engine array equals, bit for bit, a
run of the same allocation from scratch (`simlib.runner.run`, its own no-money run and twin) —
for a change in the first, a middle and the last projected year, after a series of changes, and
for a scenario with other parameters, which must not use what was kept for the starting one."""

from __future__ import annotations

import asyncio
import pickle
from dataclasses import fields

import numpy as np
import pandas as pd
import pytest

from simlib import runner
from simlib.engines import multidim_tables
from simlib.engines.common import EngineState
from simlib.memo import carry, memoised
from simlib.options import RunOptions
from simlib.workbench import incremental as inc
from simlib.workbench.lazy import Later
from simlib.workbench.pool import StatePool
from simlib.workbench.project import project, shown_indicators, starting, what_if
from simlib.workbench.scoring import scorer
from simlib.workbench.state import AllocationState
from tests.conftest import make_scenario, tiny_raw

TABLES = ("states", "flows", "indicators", "programme", "deprivations", "deprivation_removals", "review_flows")
ARRAYS = ("states", "flows", "entries", "reached", "eligible", "ps_supported", "ps_wanting")
YEARS = (2024, 2025, 2026, 2027, 2028)  # the 2027 review applies the 2027–2030 standard


def crossing_raw() -> dict:
    """The tiny multidimensional scenario over five years, crossing the change of standard at the
    2027 review (the twin starts at review 3: projected year 2027 leads to it)."""
    raw = tiny_raw(model="multidim", horizon=5)
    raw["budget"]["years"].update({str(y): {"same_as": 2024} for y in YEARS[1:]})
    return raw


@pytest.fixture
def base():
    """A new starting scenario for each test (what is kept is kept on it)."""
    scen = make_scenario(crossing_raw())
    assert runner.twin_review(scen) == 3 and inc.incremental(what_if(scen))
    return scen


def from_scratch(scen) -> runner.RunResult:
    return runner.run(what_if(scen), RunOptions(engine="expected"))


def assert_same(got, want) -> None:
    """Every table, the target scorecard, the period changes and the engine arrays equal exactly."""
    for name in TABLES:
        a, b = getattr(got, name), getattr(want, name)
        assert (a is None) == (b is None), name
        if a is not None:
            pd.testing.assert_frame_equal(a, b, check_exact=True, obj=name)
    pd.testing.assert_frame_equal(got.targets, want.targets, check_exact=True, obj="targets")
    pd.testing.assert_frame_equal(got.period_changes, want.period_changes, check_exact=True, obj="period_changes")
    for name in ARRAYS:
        assert np.array_equal(getattr(got.output, name), getattr(want.output, name)), name
    md_a, md_b = got.output.multidim, want.output.multidim
    for f in fields(md_a):
        assert np.array_equal(getattr(md_a, f.name), getattr(md_b, f.name)), f.name
    made = lambda m: {k: v for k, v in m.items() if k != "created_utc"}  # noqa: E731
    assert made(got.manifest) == made(want.manifest)


def assert_view_same(got, want) -> None:
    """The projection's own tables (what the view shows) equal the run from scratch's: the
    indicators the view reads, row for row in the full table's order, and the targets."""
    ind = want.indicators
    rows = ind[ind["indicator"].isin(shown_indicators(want.scenario))].reset_index(drop=True)
    assert {"poor_rate", "households", "poor_rate_change"} <= set(rows["indicator"])
    pd.testing.assert_frame_equal(got.indicators, rows, check_exact=True, obj="shown indicators")
    pd.testing.assert_frame_equal(got.targets, want.targets, check_exact=True, obj="view targets")


def runs_of(st: AllocationState) -> list:
    return inc.engine_runs(starting(st.base)).runs


def changed(st: AllocationState, year: int, factor: float, item: str = "P5") -> None:
    """Scale one amount of `year`: P5 (new houses) acts in its own year (lag 0), P3.1 (production
    support) in the next year (lag 1: catalogue)."""
    now = st.amount(item, "central_recurrent", year) / 1e9
    assert st.set_amount(item, "central_recurrent", round(now * factor, 3), year) == []


FIRST = [("plan", 0, 3), ("plan", 3, 5), ("twin", 3, 4)]  # stopped at the twin's start (review 3)


@pytest.mark.parametrize(
    ("year", "item", "runs", "again"),
    [
        (2024, "P5", FIRST, FIRST),  # the first year: everything again, every time
        # a middle year before the change of standard: the state at review 2 is kept for the next
        (2026, "P5", [("plan", 0, 2), ("plan", 2, 3), ("plan", 3, 5), ("twin", 3, 4)], [("plan", 2, 3)] + FIRST[1:]),
        (2027, "P5", FIRST[1:], FIRST[1:]),  # from the twin's start
        (2028, "P5", [("plan", 3, 4), ("plan", 4, 5)], [("plan", 4, 5)]),  # the last year; the twin is kept
        (2028, "P3.1", [], []),  # acts in 2029, after the horizon: no engine run (the money tables change)
    ],
)
def test_a_change_equals_a_run_from_scratch(base, year, item, runs, again):
    st = AllocationState(base)
    st.evaluate()
    assert runs_of(st) == FIRST
    changed(st, year, 0.8, item)
    view = st.evaluate()
    assert runs_of(st)[len(FIRST) :] == runs
    assert not view.run.tables.made  # the view's own tables only, until the run's are read
    assert isinstance(view.run.__dict__["_manifest"], Later)  # nor its manifest
    want = from_scratch(st.scenario())
    assert_view_same(view, want)
    assert_same(view.run, want)
    changed(st, year, 0.5, item)  # the same cell again: from the state kept at its year
    view = st.evaluate()
    assert runs_of(st)[len(FIRST) + len(runs) :] == again
    want = from_scratch(st.scenario())
    assert_view_same(view, want)
    assert_same(view.run, want)


def test_a_series_of_changes_equals_runs_from_scratch(base):
    """Changes in the same year, earlier, later and back to the plan's amounts: each projection
    continues from what the previous ones kept and equals its own run from scratch (the plan's
    own projection at the end)."""
    st = AllocationState(base)
    plan = st.evaluate().run
    for year, factor in [(2026, 0.5), (2026, 0.7), (2025, 1.2), (2027, 0.6), (2028, 0.9), (2027, 1.1)]:
        changed(st, year, factor, "P3.1")
        view, want = st.evaluate(), from_scratch(st.scenario())
        assert_view_same(view, want)  # before the run's tables are made (the re-basing kept per twin)
        assert_same(view.run, want)
    st.reset()
    again = st.evaluate().run
    assert_same(again, plan)
    assert scorer(starting(st.base)).layout.used == 8  # every scorecard filled in from one layout
    # P3.1 acts a year later (lag 1): 2026 -> from review 3 (the twin's start, kept), 2025 -> from
    # the baseline, keeping review 2; 2027 -> from review 3, keeping 4; 2028 -> after the horizon:
    # nothing; 2027 again -> from review 4; back to the plan (first difference 2025) -> baseline
    from_3, whole = [("plan", 3, 5), ("twin", 3, 4)], [("plan", 0, 2), ("plan", 2, 3), ("plan", 3, 5), ("twin", 3, 4)]
    later = [("plan", 3, 4), ("plan", 4, 5), ("plan", 4, 5)]
    assert runs_of(st)[len(FIRST) :] == from_3 + from_3 + whole + later + whole
    # every plan run copies the kept state it starts from (the baseline's too: kept once made,
    # `EngineRuns._baseline`) into reused arrays, but for the first projection's two copies (the
    # baseline and review 3 kept) and one when a third state is first kept (2025: review 2); the
    # twin, made beside the plan's last piece, reads the plan's state and copies nothing
    # (`simlib.runner.simulate_with_twin`, `twin_hands_over` False)
    continued = [r for r in runs_of(st) if r[0] == "plan" and r[1] > 0]
    from_baseline = [r for r in runs_of(st) if r[0] == "plan" and r[1] == 0]
    assert 0 in inc.engine_runs(starting(st.base)).states
    assert inc.engine_runs(starting(st.base)).pool.reused == len(continued) + len(from_baseline) - 3


def test_the_pool_copies_states_exactly():
    """`StatePool.copy_of` gives the state for one run that copies its values into reused arrays
    (`into`; not the state's own, which it only reads), and takes back only what is given."""
    rng = np.random.default_rng(1)
    cells = lambda: {"M": rng.random((1, 3, 4, 8)), "H": rng.random((1, 3, 4, 2, 5))}  # noqa: E731
    kept = EngineState(2, rng.random((1, 3, 4)), rng.random((1, 5, 2, 3)), np.array([True, False]), cells())
    pool = StatePool()
    first = pool.copy_of(kept)
    assert pool.reused == 0 and not first.spare and first.t == 2 and first.cells is kept.cells
    old = EngineState(5, kept.n, kept.built, kept.built_counts, cells())
    pool.give(old)
    assert old.cells == {}  # emptied: nothing reads it again
    newer = EngineState(6, kept.n, kept.built, kept.built_counts, cells())
    arrays = {k: id(v) for k, v in newer.cells.items()}
    pool.give(newer)
    assert len(pool.free) == 2
    pool.trim()  # the last given stays
    assert len(pool.free) == pool.spare == 1
    again = pool.copy_of(kept)
    assert pool.reused == 1 and {k: id(v) for k, v in again.into.items()} == arrays
    values = {k: v.copy() for k, v in kept.cells.items()}
    for got in (first, again):
        n, built, taken = got.taken()
        assert np.array_equal(n, kept.n) and n is not kept.n and np.array_equal(built, kept.built)
        for k in kept.cells:
            assert np.array_equal(taken[k], values[k]) and taken[k] is not kept.cells[k]
            assert np.array_equal(kept.cells[k], values[k])  # only read
    assert {k: id(v) for k, v in taken.items()} == arrays  # the copy went into the reused arrays
    pool.give(EngineState(1, kept.n, kept.built, kept.built_counts, {"M": np.zeros((2, 2))}))
    assert pool.copy_of(kept).taken()[2]["M"].shape == kept.cells["M"].shape  # other shapes: fresh arrays
    assert pool.reused == 1 and len(pool.free) <= pool.spare


def test_a_later_change_continues_in_place_from_the_state_it_lets_go(base, monkeypatch):
    """A change in a later year than the last one continues from the state kept at the last one's
    year, which this change lets go (only the baseline, the twin's start and the changed year are
    kept): the run takes that state's arrays instead of a copy, with the numbers of a run from
    scratch; the states it keeps are copied as before."""
    st = AllocationState(base)
    st.evaluate()
    changed(st, 2025, 0.8)  # P5 acts in its own year: review 1 kept
    st.evaluate()
    runs = inc.engine_runs(starting(st.base))
    assert set(runs.states) == {0, 1, 3}
    copies = []
    copy_of = runs.pool.copy_of
    monkeypatch.setattr(runs.pool, "copy_of", lambda state: copies.append(state.t) or copy_of(state))
    changed(st, 2026, 0.8)
    view = st.evaluate()
    assert runs.runs[-4:] == [("plan", 1, 2), ("plan", 2, 3), ("plan", 3, 5), ("twin", 3, 4)]
    # review 1's arrays went to the run; review 3's copied for the plan only (the twin reads it)
    assert copies == [2, 3] and set(runs.states) == {0, 2, 3}
    want = from_scratch(st.scenario())
    assert_view_same(view, want)
    assert_same(view.run, want)


def test_run_models_equal_a_compiled_model(base):
    """The models of a change (`run_models`: the starting scenario's structure and
    multidimensional arrays, the change's own parameters and levers) equal `compile_run_model`'s
    field for field, in new objects (their own caches)."""
    st = AllocationState(base)
    changed(st, 2026, 0.7)
    scen = what_if(st.scenario())
    got, want = inc.run_models(scen, starting(base)), runner.compile_run_model(scen)
    assert got[1].base is got[0] and got[0] is not inc.run_models(scen, starting(base))[0]
    assert np.array_equal(got[0].spend, want[0].spend)
    for part in ("structure", "params", "levers"):
        a, b = getattr(got[0], part), getattr(want[0], part)
        for f in fields(a):
            assert _same(getattr(a, f.name), getattr(b, f.name)), (part, f.name)
    for f in fields(got[1]):
        if f.name != "base":
            assert _same(getattr(got[1], f.name), getattr(want[1], f.name)), f.name
    # the compiled engine's tables, kept from the starting scenario's model, equal the compiled model's
    assert multidim_tables.prepare(got[1]) is multidim_tables.prepare(inc.run_models(scen, starting(base))[1])
    assert _same(multidim_tables.prepare(got[1]), multidim_tables.prepare(want[1]))
    assert _same(multidim_tables.entry_kinds(got[1]), multidim_tables.entry_kinds(want[1]))
    for t in range(len(want[0].years) + 1):
        assert _same(multidim_tables.entry_arrays(got[1], t), multidim_tables.entry_arrays(want[1], t)), t


def test_carry_takes_the_keys_of_a_prefix_and_keeps_the_owners_own():
    class Box:
        pass

    a, b = Box(), Box()
    memoised(a, "x.one", lambda: 1)
    memoised(a, "y.two", lambda: 2)
    memoised(b, "x.three", lambda: 3)
    memoised(a, "x.three", lambda: 30)
    assert carry(a, b, "x.") is b
    assert memoised(b, "x.one", lambda: -1) == 1 and memoised(b, "x.three", lambda: -1) == 3
    assert memoised(b, "y.two", lambda: -2) == -2  # not carried: another prefix


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if hasattr(a, "__dict__") and not isinstance(a, type):  # e.g. the key space: its arrays
        own = lambda x: {k: v for k, v in vars(x).items() if k != "_memo"}  # noqa: E731
        return type(a) is type(b) and _same(own(a), own(b))
    return type(a) is type(b) and a == b


def test_the_pool_keeps_a_second_spare_set_within_its_bytes():
    """Between changes a pool with `spare_bytes` keeps its second set only while both fit."""
    cells = lambda n: {"M": np.zeros(n)}  # noqa: E731  (8 n bytes)
    state = lambda n: EngineState(1, np.zeros(1), np.zeros(1), np.zeros(1, bool), cells(n))  # noqa: E731
    for size, kept in ((100, 2), (1000, 1)):
        pool = StatePool(2, 8 * 1500)
        for _ in range(3):
            pool.give(state(size))
        pool.trim()
        assert len(pool.free) == kept
        pool.trim(0)  # before a run from the baseline: as many as asked
        assert pool.free == []


def test_a_lazy_run_pickles_as_a_full_one(base):
    """The explorer's run pickles (a worker process) as a plain `RunResult` with every table."""
    st = AllocationState(base)
    view = st.evaluate()
    assert not view.run.tables.made
    back = pickle.loads(pickle.dumps(view.run))
    assert type(back) is runner.RunResult and type(back.tables) is runner.Tables
    assert_same(back, from_scratch(st.scenario()))


def test_other_parameters_do_not_use_what_was_kept(base):
    """A scenario with another parameter value (income volatility) is projected from scratch even
    when given the starting scenario as its base: equal to its own run, not to the plan's."""
    st = AllocationState(base)
    plan = st.evaluate()
    kept = list(runs_of(st))
    other = make_scenario(crossing_raw(), set_overrides=[("multidim.income.volatility.value", 0.2)])
    assert not inc.same_but_amounts(other, base) and inc.same_but_amounts(st.scenario(), base)
    got = project(other, base).run
    assert runs_of(st) == kept  # the starting scenario's runs were not touched
    assert_same(got, from_scratch(other))
    assert not plan.indicators.equals(got.indicators)  # the parameter matters: a wrong reuse would show


def test_first_change_is_bitwise():
    a = np.zeros((3, 2, 2))
    b = a.copy()
    assert inc.first_change(None, a) == 0 and inc.first_change(a, b) == 3
    b[1, 0, 1] = -0.0  # equal as numbers, not as bits
    assert inc.first_change(a, b) == 1
    b[2, 1, 1] = 5.0
    assert inc.first_change(a, b) == 1


def test_the_view_says_at_once_that_it_is_computing(tmp_path):
    """In a live kernel (a running event loop) a change shows the busy note and dims the results
    at once, before the debounced projection runs (seconds on a multidimensional scenario whose
    first year changed); both go when the updated view is there."""
    from simlib.workbench.view import ExplorerView

    view = ExplorerView(AllocationState(make_scenario()), "en", tmp_path, debounce=0.05)
    seen = {}

    async def change():
        view.grid.cells[("P3.1", "central_recurrent")].value = "12"
        seen["busy"] = view.w["busy"].layout.visibility, "sl-busy" in view.w["results"]._dom_classes
        seen["updates"] = view.updates
        for _ in range(400):
            await asyncio.sleep(0.025)
            if view.updates > 1:
                break

    asyncio.run(change())
    assert seen == {"busy": ("visible", True), "updates": 1}  # shown before the projection ran
    assert "Recomputing" in view.w["busy"].value
    assert view.updates == 2 and view.w["busy"].layout.visibility == "hidden"
    assert "sl-busy" not in view.w["results"]._dom_classes


def test_the_scorecard_layout_fills_in_what_evaluate_targets_gives(base):
    """`simlib.workbench.scoring.Scorer` against `simlib.targets.evaluate_targets` on the view's
    indicator rows with other values (random, and some exactly at or within the comparison's
    tolerance of a threshold), re-based and not; a table with other rows gets a layout of its own."""
    from simlib.targets import evaluate_targets
    from simlib.workbench.scoring import Scorer

    st = AllocationState(base)
    view = st.evaluate()
    shown, doc, poor = view.indicators, base.params["targets"], runner.poor_unit_ids(view.run.model)
    rebase = inc.rebase(starting(base), lambda: view.run.states, poor, inc.engine_runs(starting(base)).twin)
    assert rebase["rebase"].notna().any()
    rng = np.random.default_rng(7)
    filled, plain = Scorer(), Scorer()
    for _ in range(4):
        other = shown.copy()
        other["value"] = rng.normal(0.0, 5.0, len(shown))
        thresholds = view.targets["threshold"].to_numpy()
        rows = rng.choice(len(shown), size=len(thresholds), replace=False)
        other.loc[rows, "value"] = thresholds + rng.choice([0.0, 5e-10, -5e-10, 2e-9], size=len(thresholds))
        got = filled.scorecard(other, doc, poor, lambda: rebase, owner="twin")
        pd.testing.assert_frame_equal(got, evaluate_targets(other, doc, poor, rebase=rebase), check_exact=True)
        got = plain.scorecard(other, doc, poor)
        pd.testing.assert_frame_equal(got, evaluate_targets(other, doc, poor), check_exact=True)
    assert filled.layout.used == plain.layout.used == 4
    fewer = shown[shown["year"] != shown["year"].max()].reset_index(drop=True)
    first = filled.layout
    got = filled.scorecard(fewer, doc, poor, lambda: rebase, owner="twin")
    assert filled.layout is not first and filled.layout.used == 1
    pd.testing.assert_frame_equal(got, evaluate_targets(fewer, doc, poor, rebase=rebase), check_exact=True)
