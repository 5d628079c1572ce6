"""Parameter draws of multidimensional scenarios (issue 18): the old-standard twin of a draw runs
only up to the change of standard, with the same numbers as the whole twin."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_scenario, tiny_raw

from simlib.options import RunOptions
from simlib.paths import params_dir
from simlib.results import states_table
from simlib.runner import compile_run_model, simulate
from simlib.scenario import load_scenario
from simlib.uncertainty.apply import DrawCompiler
from simlib.uncertainty.evaluate import Rebasing, draw_rebase, until_year
from simlib.uncertainty.sampling import sample
from simlib.uncertainty.space import scenario_space


@pytest.fixture(scope="module")
def md2030():
    return load_scenario(params_dir() / "scenarios" / "multidim_2030.yaml")


def _md(horizon: int = 6):
    """The tiny dataset on the multidimensional model, 2024 to 2023 + `horizon` (the end-2027
    review applies the 2027–2030 standard)."""
    raw = tiny_raw(model="multidim", horizon=horizon)
    for y in range(2026, 2024 + horizon):
        raw["budget"]["years"][str(y)] = {"same_as": 2024}
    return raw


def test_the_twin_cut_at_the_change_gives_the_whole_twins_years_and_rebasing():
    """One parameter draw of a multidimensional run to 2029 (change of standard at the end-2027
    review): the twin keeping the old standard, run to 2027 only, has exactly the states of the
    whole twin in 2023–2027 (bit for bit), and the draw's re-basing table is the same with either."""
    scen = make_scenario(_md(6))
    rb = Rebasing.of(scen)
    assert rb is not None and rb.year == 2027 and scen.years[-1] == 2029
    space = scenario_space(scen)
    draws = sample(space, scen.params, 2, "lhs", 7)
    v = draws.values[1]
    model = DrawCompiler(scen, draws.keys).target(v)
    whole = DrawCompiler(rb.old, draws.keys).target(v)
    _, cut = rb.twin(whole)
    assert cut.base.years == (2024, 2025, 2026, 2027) and whole.base.years == scen.years
    options = RunOptions(seed=0)
    spend = model.base.spend
    a = states_table(simulate(whole, spend, options), whole.base, scen.baseline_year)
    b = states_table(simulate(cut, spend, options), cut.base, scen.baseline_year)
    a = a[a["year"] <= 2027].reset_index(drop=True)
    assert set(b["year"]) == {2023, 2024, 2025, 2026, 2027}
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    out = simulate(model, spend, options)
    r_whole = draw_rebase((rb, whole), model.base, out, spend, options)
    r_cut = draw_rebase((rb, cut), model.base, out, spend, options)
    assert len(r_cut) and (r_cut["year"] == 2027).all()
    pd.testing.assert_frame_equal(r_whole, r_cut, check_exact=True)
    assert np.abs(r_cut["rebase"].to_numpy(float)).max() > 0.1  # the 2027 standard reclassifies


def test_until_year_leaves_a_model_ending_at_the_year_alone(md2030):
    """Nothing to cut: the same object (and so the same run)."""
    target = compile_run_model(md2030)[1]
    assert until_year(target, 2030) is target and until_year(target, 2031) is target
    assert until_year(target, 2025).base.years == (2024, 2025)
