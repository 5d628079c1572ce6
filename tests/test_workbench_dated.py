"""The explorer's projection of a dated scenario (`periods: dated`, on one set of units: plan_2027)
re-runs only what a change of amounts can affect (`simlib.workbench.incremental`), and every table,
the scorecard of each year's targets in force, the period changes, the manifest (its record of
each target and year) and the engine arrays equal, bit for bit, a run of the same allocation from
scratch (`simlib.runner.run`). Also for a dated scenario crossing no change of standard, and for
the states model (whose explorer path judged a dated scenario against the plan's targets).

The scenarios are plan_2027's on three of its 56 communes (a dataset made here from
data/caobang_communes: two communes and a poor one), so that a run takes a second."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from simlib import runner
from simlib.period_targets import evaluate_period_targets
from simlib.report.trends import standard_breaks
from simlib.scenario import scenario_from_dict
from simlib.schema import load_yaml
from simlib.targets import evaluate_targets
from simlib.workbench import incremental as inc
from simlib.workbench.project import project, starting, what_if
from simlib.workbench.scoring import Scorer, no_rebasing, scorer
from simlib.workbench.state import AllocationState
from simlib.workbench.view import ExplorerView
from tests.conftest import ROOT
from tests.test_workbench_incremental import assert_same, assert_view_same, from_scratch, runs_of

COMMUNES = ROOT / "data" / "caobang_communes"


@pytest.fixture(scope="module")
def three_communes(tmp_path_factory) -> Path:
    """data/caobang_communes cut to its first two communes and its first poor one."""
    folder = tmp_path_factory.mktemp("communes") / "three"
    folder.mkdir()
    units = pd.read_csv(COMMUNES / "units.csv", dtype=str, keep_default_na=False)
    poor = units[units["poor_district"] == "True"]["unit_id"]
    keep = list(units["unit_id"][:2]) + list(poor[:1])
    assert len(set(keep)) == 3
    units[units["unit_id"].isin(keep)].to_csv(folder / "units.csv", index=False)
    base = pd.read_csv(COMMUNES / "baseline_2023.csv", dtype=str, keep_default_na=False)
    base[base["unit_id"].isin(keep)].to_csv(folder / "baseline_2023.csv", index=False)
    shutil.copy(COMMUNES / "dataset.yaml", folder / "dataset.yaml")
    return folder


def dated_scenario(folder: Path, **changes):
    """plan_2027 (dated, multidimensional, crossing the 2027 standard at its last review) on
    `folder`'s communes, without its 56-commune legal frame (a what-if run ignores it anyway)."""
    raw = load_yaml(ROOT / "params" / "scenarios" / "plan_2027.yaml")
    raw.pop("legal_frame")
    raw.update(dataset=str(folder), **changes)
    years = raw["budget"]["years"]
    if raw["horizon"] < 4:  # the 2027 contents become 2026's own
        key = {int(y): y for y in years}
        years[key[2026]] = years.pop(key[2027])
    return scenario_from_dict(raw, file=None, set_overrides=[])


def changed(st: AllocationState, year: int, factor: float, item: str = "P5") -> None:
    """Scale one line's central recurrent money of `year` (P5 new houses: lag 0; P3.1: lag 1)."""
    now = st.amount(item, "central_recurrent", year) / 1e9
    assert st.set_amount(item, "central_recurrent", round(now * factor, 3), year) == []


#: changes after a change of catalogue, before it, and back: (year, factor, line)
SERIES = [(2027, 0.5, "P5"), (2025, 0.8, "P3.1"), (2026, 0.7, "P3.1"), (2027, 0.9, "P5")]


def each_change_equals_scratch(st: AllocationState, same_run) -> None:
    """Make each change of `SERIES`: the explorer's view equals that of a run from scratch, and its
    run too by `same_run(run, want)`."""
    for year, factor, item in SERIES:
        changed(st, year, factor, item)
        view, want = st.evaluate(), from_scratch(st.scenario())
        assert_view_same(view, want)
        same_run(view.run, want)


FIRST = [("plan", 0, 3), ("plan", 3, 4), ("twin", 3, 4)]  # stopped at the twin's start (review 3)


@pytest.fixture
def plan(three_communes):
    scen = dated_scenario(three_communes)
    assert scen.dated and runner.twin_review(scen) == 3 and inc.incremental(what_if(scen))
    return scen


@pytest.mark.parametrize(
    ("year", "runs"),
    [
        (2024, FIRST),  # the first year: everything again
        (2026, [("plan", 0, 2), ("plan", 2, 3)] + FIRST[1:]),  # the state at review 2 kept
        (2027, FIRST[1:]),  # the year of the change of standard: one year and the twin's
    ],
)
def test_a_dated_change_equals_a_run_from_scratch(plan, year, runs):
    st = AllocationState(plan)
    start = st.evaluate()
    assert runs_of(st) == FIRST
    assert_same(start.run, from_scratch(plan))
    changed(st, year, 0.6)
    view = st.evaluate()
    assert runs_of(st)[len(FIRST) :] == runs
    assert not view.run.tables.made
    want = from_scratch(st.scenario())
    assert len({r["period"] for r in want.manifest["periods"]["targets"]}) == 2  # the 2024 plan's, the programme's
    assert_view_same(view, want)
    assert_same(view.run, want)


def test_a_series_of_dated_changes_equals_runs_from_scratch(plan):
    """Changes in several years and back: each equals its own run from scratch; every scorecard
    after the first filled in from one layout of the dated targets."""
    st = AllocationState(plan)
    first = st.evaluate().run
    each_change_equals_scratch(st, assert_same)
    st.reset()
    assert_same(st.evaluate().run, first)
    assert scorer(starting(st.base)).layout.used == 6


def test_a_dated_run_crossing_no_change_of_standard(three_communes):
    """2024–2026 (the 2027 standard not reached): no twin, no re-basing, yet the runner's
    scorecard carries the re-basing columns and its period changes exist: the same here."""
    scen = dated_scenario(three_communes, horizon=3)
    assert runner.previous_standard_scenario(scen) == (None, None) and inc.incremental(what_if(scen))
    st = AllocationState(scen)
    st.evaluate()
    changed(st, 2025, 0.5)
    view, want = st.evaluate(), from_scratch(st.scenario())
    assert "rebased" in want.targets.columns and want.period_changes is not None
    assert_view_same(view, want)
    assert_same(view.run, want)


def test_the_states_model_judges_a_dated_scenario_by_the_targets_in_force(three_communes):
    """The states model's explorer path: each year against its own targets, as `runner.run`
    (it used the plan's targets every year: 2026–2027 judged by the 2024 plan's)."""
    scen = dated_scenario(three_communes, model="states")
    got = project(scen)
    want = runner.run(what_if(scen), engine="expected")
    assert len({t["period"] for t in want.manifest["periods"]["targets"]}) == 2
    pd.testing.assert_frame_equal(got.targets, want.targets, check_exact=True)


def test_the_chart_starts_the_target_path_again_at_a_new_standard(plan, tmp_path):
    """The view's chart knows the year a new standard applies (the change targets are re-based
    there: no target step into it) as the full run's indicators say — the view's own rows lacked
    the flag, and the target path ran through 2027 as if nothing changed."""
    view = ExplorerView(AllocationState(plan), "vi", tmp_path, debounce=0)
    assert standard_breaks(from_scratch(plan).indicators) == [2027]
    assert view.chart.breaks == [2027]
    province = view.chart.fixed[0]
    assert province["target"] and all(2027 not in xs[1:] for xs, _ in province["target"])


def test_a_scorecard_with_no_row_judged_is_the_runner_s(plan):
    """Indicator rows no target reads (households only): the scorecard is empty, with the columns
    the runner's evaluation gives (dated, re-based, and not dated)."""
    view = AllocationState(plan).evaluate()
    rows = view.indicators[view.indicators["indicator"] == "households"].reset_index(drop=True)
    poor, doc = runner.poor_unit_ids(view.run.model), plan.params["targets"]
    got = Scorer().scorecard(rows, doc, poor, no_rebasing, None, plan.years)
    want = evaluate_period_targets(rows, plan.years, poor, rebase=no_rebasing())[0]
    assert got.empty
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    pd.testing.assert_frame_equal(Scorer().scorecard(rows, doc, poor), evaluate_targets(rows, doc, poor))
