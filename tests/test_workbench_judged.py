"""The explorer's verdicts and targets met filled in from a layout (`simlib.workbench.judged`,
issue 18) equal the report's own functions (`simlib.report.verdict.verdict_table`,
`simlib.report.data.targets_met_in`) bit for bit: on a projection's tables, on the same rows with
other values (random, and exactly at or within the tolerance of a threshold), and — through the
report's functions themselves — on tables of several draws or other rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simlib.report import data as D
from simlib.report import verdict as V
from simlib.workbench.judged import Judge, named
from simlib.workbench.state import AllocationState
from tests.conftest import make_scenario
from tests.test_workbench_incremental import crossing_raw


@pytest.fixture(scope="module")
def projection():
    """The tiny multidimensional scenario crossing a change of standard: rate targets of the
    province, the poor districts together and each poor district (households behind the margins)."""
    return AllocationState(make_scenario(crossing_raw())).evaluate()


def report_verdicts(targets, indicators):
    return V.verdict_table(named(targets), indicators[indicators["indicator"] == "households"])


def varied(projection, rng):
    """The projection's tables with other values: the targets' values and `met` as
    `evaluate_targets` would give them, households changed too."""
    targets, ind = projection.targets.copy(), projection.indicators.copy()
    v = rng.normal(-2.0, 3.0, len(targets))
    at = rng.random(len(targets)) < 0.4  # some exactly at, or within 1e-9 of, the threshold
    v[at] = targets["threshold"].to_numpy()[at] + rng.choice([0.0, 5e-10, -5e-10, -2e-9], size=int(at.sum()))
    targets["value"] = v
    below = targets["comparison"].to_numpy() == "<="
    targets["met"] = np.where(below, v <= targets["threshold"] + 1e-9, v >= targets["threshold"] - 1e-9)
    hh = ind["indicator"] == "households"
    ind.loc[hh, "value"] = rng.integers(1_000, 90_000, int(hh.sum())).astype(float)
    return targets, ind


def test_the_verdicts_equal_the_reports(projection):
    targets, ind = projection.targets, projection.indicators
    assert (targets["geo_type"] == "district").any() and targets["indicator"].isin(V.RATE_INDICATORS).any()
    judge, rng = Judge(), np.random.default_rng(3)
    tables = [(targets, ind)] + [varied(projection, rng) for _ in range(5)]
    for t, i in tables:
        want = report_verdicts(t, i)
        assert np.isfinite(want["margin_households"]).any() and set(want["status"]) == {"met", "not_met"}
        pd.testing.assert_frame_equal(judge.verdicts(t, i), want, check_exact=True)
        for year in sorted(set(t["year"])):
            assert judge.met_in(t, year) == D.targets_met_in(t, year)
    assert judge.used == len(tables)  # one layout, every table filled in


def test_other_rows_and_several_draws_take_the_reports_functions(projection):
    targets, ind = projection.targets, projection.indicators
    judge = Judge()
    judge.verdicts(targets, ind)
    fewer = targets[targets["year"] != targets["year"].max()].reset_index(drop=True)
    pd.testing.assert_frame_equal(judge.verdicts(fewer, ind), report_verdicts(fewer, ind), check_exact=True)
    assert judge.used == 2  # a layout of its own
    second = targets.assign(draw=1, value=targets["value"] + 0.7)
    second["met"] = ~second["met"]
    two = pd.concat([targets, second], ignore_index=True)
    pd.testing.assert_frame_equal(judge.verdicts(two, ind), report_verdicts(two, ind), check_exact=True)
    assert judge.used == 2  # not from a layout
    year = int(two["year"].max())
    assert judge.met_in(two, year) == D.targets_met_in(two, year)


def test_the_view_shows_what_the_reports_functions_give(tmp_path):
    """After a change, the view's side-by-side table and cards are those of the report's own
    verdicts and targets met of the same run."""
    from simlib.workbench import compare as C
    from simlib.workbench.view import ExplorerView

    view = ExplorerView(AllocationState(make_scenario(crossing_raw())), "vi", tmp_path, debounce=0)
    cell = view.grid.cells[("P5", "central_recurrent")]
    for value in ("3", "40"):
        before = view.updates
        cell.value = value
        assert view.updates == before + 1, view.input_problems
        r = view.result
        both = C.side_by_side(view._plan_verdicts, C.verdicts(r))
        table = C.side_by_side_html(both, "vi", view.levels)
        assert view.w["compare"].value == table + C.rebase_note(r.targets, "vi")  # its cells kept between changes
        kept = view._side_by_side(view._plan_verdicts, view._verdicts_now())  # its rows found once
        pd.testing.assert_frame_equal(kept, both, check_exact=True)
        assert C.key_numbers(r.indicators, r.targets, view.judge.met_in) == C.key_numbers(r.indicators, r.targets)
    assert view.judge.used >= 2
