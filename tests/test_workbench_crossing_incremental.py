"""The explorer's projection of a scenario that switches units (crossing_2024_2027: districts in
2024–2025, communes from 2026, the 2027 standard with its previous-standard twin) re-runs only what
a change of amounts can affect (`simlib.workbench.switched`), and every table, the scorecard, the
period changes, the manifest and both segments' engine arrays equal, bit for bit, a run of the
same allocation from scratch (`simlib.runner.run`).

The scenario is crossing_2024_2027 on one district and its communes: Hà Quảng (a poor district of
the exit scheme, P1.2) and the 7 communes that lie in it alone (data/geography/caobang: no commune
shared with another district), with the geography cut the same way, so that a run takes a second."""

from __future__ import annotations

import shutil
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simlib import geography, runner
from simlib.scenario import scenario_from_dict
from simlib.schema import load_yaml
from simlib.unit_switch import unit_switch
from simlib.workbench import compare, rebasing
from simlib.workbench import switched as sw_runs
from simlib.workbench.project import starting, what_if
from simlib.workbench.state import AllocationState
from tests.conftest import ROOT
from tests.test_workbench_dated import changed, each_change_equals_scratch
from tests.test_workbench_incremental import ARRAYS, assert_same, assert_view_same, from_scratch

DISTRICT = "ha_quang"


def cut_csv(src: Path, dst: Path, column: str, keep) -> pd.DataFrame:
    table = pd.read_csv(src, dtype=str, keep_default_na=False)
    table = table[table[column].isin(set(keep))]
    table.to_csv(dst, index=False)
    return table


@pytest.fixture(scope="module")
def cut(tmp_path_factory) -> Path:
    """One district, its communes and the geography between them, in a folder made here."""
    root = tmp_path_factory.mktemp("crossing")
    geo_src, geo = ROOT / "data" / "geography" / "caobang", root / "geography" / "caobang"
    shutil.copytree(geo_src, geo)
    weights = cut_csv(
        geo_src / "district_weights_2025.csv", geo / "district_weights_2025.csv", "district_id", [DISTRICT]
    )
    codes = set(weights["new_code"])
    cut_csv(geo_src / "mapping_2025.csv", geo / "mapping_2025.csv", "old_district_id", [DISTRICT])
    cut_csv(geo_src / "units_2024.csv", geo / "units_2024.csv", "district_id", [DISTRICT])
    cut_csv(geo_src / "units_2025.csv", geo / "units_2025.csv", "code", codes)
    for name, keep in (("caobang", [DISTRICT]), ("caobang_communes", codes)):
        src, dst = ROOT / "data" / name, root / name
        dst.mkdir()
        cut_csv(src / "units.csv", dst / "units.csv", "unit_id", keep)
        cut_csv(src / "baseline_2023.csv", dst / "baseline_2023.csv", "unit_id", keep)
        shutil.copy(src / "dataset.yaml", dst / "dataset.yaml")
    return root


@pytest.fixture
def crossing(cut, monkeypatch):
    """crossing_2024_2027 on the cut (its geography read from it), without the legal frames that
    list the 10 districts and the 56 communes (a what-if run ignores the first anyway)."""
    monkeypatch.setattr(geography, "geography_dir", lambda province="caobang": cut / "geography" / province)
    raw = load_yaml(ROOT / "params" / "scenarios" / "crossing_2024_2027.yaml")
    raw.pop("legal_frame", None)
    raw["dataset"] = str(cut / "caobang")
    raw["units_switch"] = {"dataset": str(cut / "caobang_communes"), "ignore_legal_rules": ["all"]}
    scen = scenario_from_dict(raw, file=None, set_overrides=[])
    sw = unit_switch(scen)
    assert (sw.year, sw.at, runner.twin_review(scen)) == (2026, 2, 3)
    return scen


def test_a_changed_allocation_runs_its_own_money_on_the_new_units(crossing):
    """The scenario on the new units carries a changed allocation's amounts (it was read from
    the file: a change of 2026–2027 money ran the file's money on the communes)."""
    amounts = crossing.budget.amounts.copy()
    amounts[4] *= 0.5
    scen = what_if(crossing.replace_budget(amounts))
    assert unit_switch(crossing).scenario.budget.amounts is not amounts
    np.testing.assert_array_equal(unit_switch(scen).scenario.budget.amounts, amounts)
    a, b = (runner.run(s, engine="expected").indicators for s in (what_if(crossing), scen))
    late = lambda t: t[t["year"] == 2027]["value"].to_numpy()  # noqa: E731
    assert not np.array_equal(late(a), late(b))


def runs_of(st: AllocationState) -> list:
    return sw_runs.switched_runs(starting(st.base)).runs


def assert_switched_same(got, want) -> None:
    """`assert_same` (segment 1's arrays) and segment 2's arrays."""
    assert_same(got, want)
    assert len(got.segment_outputs) == len(want.segment_outputs) == 2
    a, b = got.segment_outputs[1], want.segment_outputs[1]
    for name in ARRAYS:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    for f in fields(a.multidim):
        assert np.array_equal(getattr(a.multidim, f.name), getattr(b.multidim, f.name)), f.name


#: segment 1 to the switch (review 2), segment 2 stopped at the twin's start (review 3), the twin's year
FIRST = [("plan", 0, 2), ("plan", 2, 3), ("plan", 3, 4), ("twin", 3, 4)]


@pytest.mark.parametrize(
    ("year", "runs"),
    [
        (2024, FIRST),  # segment 1: both segments again
        (2026, FIRST[1:]),  # the switch year: segment 2 from the moved state, segment 1 kept
        (2027, FIRST[2:]),  # the year of the change of standard: one year and the twin's
    ],
)
def test_a_change_equals_a_run_from_scratch(crossing, year, runs):
    st = AllocationState(crossing)
    start = st.evaluate()
    assert sw_runs.switched(starting(st.base)) and runs_of(st) == FIRST
    assert_switched_same(start.run, from_scratch(crossing))
    changed(st, year, 0.6, "P5")
    view = st.evaluate()
    assert runs_of(st)[len(FIRST) :] == runs
    assert not view.run.tables.made  # the view's own rows only, until the run's tables are read
    want = from_scratch(st.scenario())
    assert_view_same(view, want)
    assert_switched_same(view.run, want)


def test_a_series_of_changes_equals_runs_from_scratch(crossing, monkeypatch):
    """Changes after the switch, before it, and back: each equals its own run from scratch; the
    re-basing of each (its twin made again every time) from segment 2's arrays in numpy."""
    made, points = [], rebasing.points
    monkeypatch.setattr(rebasing, "points", lambda *a: made.append(a[-2]) or points(*a))
    st = AllocationState(crossing)
    first = st.evaluate().run
    each_change_equals_scratch(st, assert_switched_same)
    assert made == [2027] * 5
    st.reset()
    assert_switched_same(st.evaluate().run, first)


def test_the_probabilities_of_a_change_reuse_the_explorer_s_run(crossing):
    """The probability button continues each draw's twin from segment 1's state in the explorer's
    run (`simlib.uncertainty.switched`): it is kept there, and the tables are those of a fresh
    uncertainty run."""
    st = AllocationState(crossing)
    st.evaluate()
    changed(st, 2027, 0.6, "P5")
    run = st.evaluate().run
    assert run.segment_outputs[0].state is not None
    scen = st.scenario()
    with_run = compare.probabilities(scen, 2, seed=3, base=st.base, central=run)
    fresh = compare.probabilities(scen, 2, seed=3)
    for name in ("quantiles", "targets", "outcomes"):
        assert getattr(with_run, name).to_csv(index=False) == getattr(fresh, name).to_csv(index=False), name


def held_cells(runs: sw_runs.SwitchedRuns) -> list:
    """The cell arrays segment 2's runs hold: its kept states' and its pool's."""
    second = runs.second
    return [a for s in second.states.values() for a in s.cells.values()] + [
        a for cells in second.pool.free for a in cells.values()
    ]


#: segment 2 from the moved state, stopped at the twin's start (review 3), the twin's year
SEGMENT_2 = [("plan", 2, 3), ("plan", 3, 4), ("twin", 3, 4)]


def test_changes_before_the_switch_continue_both_segments_in_reused_arrays(crossing):
    """Changes of the money acting before the switch run segment 1 again from its kept states
    (the baseline's, the one at the first changed review), and segment 2 starts again from the
    state moved into the arrays of the states it replaces (`EngineRuns.restart`: no fresh
    memory): each change moves the households at the switch and equals its run from scratch,
    which a stale kept state (segment 1's at review 1, segment 2's moved state or its state at
    the twin's review, segment 1's recycled cells) would not. P3.1's money acts a year later, P5's
    the same year."""
    st = AllocationState(crossing)
    switch = st.evaluate().run.segment_outputs[0].states[:, 2]
    runs, handed = sw_runs.switched_runs(starting(st.base)), []
    for factor, item, first in ((0.5, "P3.1", [(0, 1), (1, 2)]), (0.5, "P3.1", [(1, 2)]), (0.5, "P5", [(0, 2)])):
        done, held = len(runs.runs), held_cells(runs)
        changed(st, 2024, factor, item)
        view, want = st.evaluate(), from_scratch(st.scenario())
        assert runs.runs[done:] == [("plan", *r) for r in first] + SEGMENT_2
        # the moved state, written into arrays held before, taken by the run from it (no copy, not kept)
        assert list(runs.second.states) == [3]
        moved = runs.second.states[3].cells
        assert moved and all(any(a is b for b in held) for a in moved.values())
        assert not np.array_equal(view.run.segment_outputs[0].states[:, 2], switch), (factor, item)
        switch = view.run.segment_outputs[0].states[:, 2]
        handed.append(dict(view.run.segment_outputs[0].state.cells))  # the arrays, not the state
        assert_view_same(view, want)
        assert_switched_same(view.run, want)
    # the last change copied segment 1's baseline into the cells the first change's output handed
    # over, that output let go since (`SwitchedRuns.recycle`), and still equals its run from scratch
    assert all(a is b for a, b in zip(handed[2].values(), handed[0].values(), strict=True))


def test_the_moved_state_is_kept_only_for_changes_from_the_switch_year(crossing, monkeypatch):
    """The state moved to the communes is made when a run needs it: taken by the run after a
    change before the switch (no copy, not kept), made again by the first change from the switch
    year (2026) and kept for the next one (no move), and the moved state knows the states zero in
    every district group moved there, which are zero; each change equals its run from scratch."""
    made, move = [], sw_runs.moved

    def counted(state, mapping, blank=None, **kw):
        got = move(state, mapping, blank, **kw)
        K = got.n.shape[-1]
        zero = np.array([[[(b >> k) & 1 for k in range(K)] for b in row] for row in got.vacancy.bits], bool)
        made.append(zero.any() and not got.n[zero].any() and not any(c[zero].any() for c in got.cells.values()))
        return got

    monkeypatch.setattr(sw_runs, "moved", counted)
    st = AllocationState(crossing)
    st.evaluate()
    runs = sw_runs.switched_runs(starting(st.base))
    assert len(made) == 1 and list(runs.second.states) == [3]
    for year, factor, moves, kept in ((2026, 0.6, 1, [2, 3]), (2026, 0.8, 0, [2, 3]), (2024, 0.7, 1, [3])):
        before = len(made)
        changed(st, year, factor, "P5")
        view, want = st.evaluate(), from_scratch(st.scenario())
        assert len(made) - before == moves and sorted(runs.second.states) == kept, year
        assert_view_same(view, want)
        assert_switched_same(view.run, want)
    assert all(made)  # each moved state knew some states zero, and they were
