"""The explorer's re-basing of change targets in numpy (`simlib.workbench.rebasing`) equals
`simlib.period_changes.rebase_points` bit for bit: pandas' group sums (compensated, or numpy's
`add.reduceat` for sorted groups), the province's and the poor units' sums, the ethnic groups' —
on households drawn over eleven orders of magnitude (with zeros) for the tiny scenario crossing
the change of standard, whose sums differ in their last bits when made in another order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simlib.geography import load_geography
from simlib.period_changes import rebase_points
from simlib.runner import poor_unit_ids, previous_standard_scenario
from simlib.unit_switch import compile_run_model
from simlib.workbench import incremental as inc
from simlib.workbench import rebasing
from simlib.workbench.project import what_if
from tests.conftest import make_scenario
from tests.test_workbench_incremental import crossing_raw


def drawn(rng, shape, zeros: bool) -> np.ndarray:
    """Values over eleven orders of magnitude (a share of them exactly zero)."""
    x = rng.random(shape) * 10.0 ** rng.uniform(-3, 8, shape)
    if zeros:
        x[rng.random(shape) < 0.3] = 0.0
    return x


@pytest.mark.parametrize("sorted_codes", [False, True])
def test_group_sums_are_pandas_own(sorted_codes):
    rng = np.random.default_rng(2)
    for trial in range(200):
        n = int(rng.integers(1, 6))
        codes = rng.integers(0, n, int(rng.integers(n, 40)))
        codes[:n] = np.arange(n)  # every group has rows
        if sorted_codes:
            codes = np.sort(codes)
        values = drawn(rng, len(codes), trial % 2 == 0)
        want = pd.DataFrame({"g": codes, "v": values}).groupby("g")["v"].sum().to_numpy()
        got = rebasing.group_sums(values, codes, n)
        assert np.array_equal(got.view(np.int64), want.view(np.int64))


class _Out:
    """Enough of an engine output for `simlib.results.states_table`."""

    engine, n_draws = "expected", 1

    def __init__(self, states: np.ndarray):
        self.states = states


def test_points_equal_rebase_points_bit_for_bit():
    scen = what_if(make_scenario(crossing_raw()))
    old, year = previous_standard_scenario(scen)
    model, old_model = compile_run_model(scen)[0], compile_run_model(old)[0]
    reviews = [scen.baseline_year] + [int(y) for y in scen.years]
    t = reviews.index(year)
    assert rebasing.fits(1, t, reviews) and not rebasing.fits(2, t, reviews) and not rebasing.fits(1, 0, reviews)
    geo, poor = load_geography(), poor_unit_ids(model)
    G, K = model.n0.shape
    rng = np.random.default_rng(5)
    for trial in range(40):
        plan = drawn(rng, (1, len(reviews), G, K), trial % 3 == 0)
        twin = plan.copy()
        twin[:, t] = drawn(rng, (G, K), trial % 3 == 1)
        new, was = (
            table[table["year"].isin((year - 1, year))]
            for table in (inc.named_states(_Out(plan), model, scen), inc.named_states(_Out(twin), old_model, old))
        )
        want = rebase_points(new, scen.dataset.level, geo, was, (year,), poor)
        got = rebasing.points(model, old_model, plan, twin, t, year, poor)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
        assert np.array_equal(got["rebase"].to_numpy().view(np.int64), want["rebase"].to_numpy().view(np.int64))
