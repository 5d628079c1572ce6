"""The analyses accept the multidimensional model: its parameter space samples its own
parameters, every uncertainty draw is the plain run of that draw's parameters (checked against an
independent `simlib.runner.run` of the drawn scenario), `simlib run --uncertainty 8` writes the
quantile tables of a multidimensional scenario (the optimiser on the multidimensional model:
tests/test_optimize_multidim.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import make_scenario, tiny_raw

from simlib.engines import get_engine
from simlib.engines.multidim_expected import run_multidim_expected
from simlib.national import run_chunked
from simlib.options import RunOptions
from simlib.runner import compile_run_model, run
from simlib.uncertainty.apply import scenario_for_values
from simlib.uncertainty.evaluate import evaluate_chunk, make_layout
from simlib.uncertainty.sampling import sample
from simlib.uncertainty.sensitivity import Output, scenario_function
from simlib.uncertainty.space import scenario_space

ROOT = Path(__file__).resolve().parent.parent


def _md(horizon: int = 2):
    raw = tiny_raw(model="multidim", horizon=horizon)
    for y in range(2026, 2024 + horizon):
        raw["budget"]["years"][str(y)] = {"same_as": 2024}
    return make_scenario(raw)


@pytest.fixture(scope="module")
def md():
    return _md()


def test_multidim_space_samples_its_own_parameters(md):
    states = make_scenario(tiny_raw())
    own = [k for k in scenario_space(md).keys if k.startswith("multidim.")]
    assert own, "no multidimensional parameter is sampled"
    fixed = dict(scenario_space(states).fixed)
    assert not [k for k in scenario_space(states).keys if k.startswith("multidim.")]
    assert all(k in fixed for k in own)  # listed as fixed (used only by the multidim model)
    # legal definitions stay fixed in both
    assert not [k for k in scenario_space(md).keys if ".income_line." in k or "poor_min_deprivations" in k]


def test_a_draw_is_the_plain_run_of_its_parameters(md):
    space = scenario_space(md)
    draws = sample(space, md.params, 2, "lhs", 5)
    options = RunOptions(seed=0)
    layout = make_layout(md, "expected", counterfactual=False)
    got = evaluate_chunk(md, draws.keys, draws.values, np.arange(2), layout, options, counterfactual=False)
    for i in range(2):
        drawn = scenario_for_values(md, draws.keys, draws.values[i])
        ind = run(drawn, options, counterfactual=False).tables.indicators
        for name in ("poor_rate", "poverty_gap_index"):
            want = ind[(ind.indicator == name) & (ind.geo_type == "province")].sort_values("year")["value"].to_numpy()
            col = [layout.index(name, y, layout.geos[0][1], "province") for y in layout.years]
            np.testing.assert_allclose(got.indicators[i, col], want, rtol=1e-12)
    # the draws differ in the multidimensional parameters, and so do the results
    gap = layout.index("poverty_gap_index", layout.years[-1], layout.geos[0][1], "province")
    assert got.indicators[0, gap] != got.indicators[1, gap]


def test_cli_uncertainty_on_a_multidim_scenario(tmp_path):
    p = tmp_path / "tiny.yaml"
    p.write_text(yaml.safe_dump(tiny_raw(model="multidim")), encoding="utf-8")
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "simlib",
        "run",
        str(p),
        "--out",
        str(out),
        "--uncertainty",
        "8",
        "--executor",
        "serial",
    ]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert r.returncode == 0, r.stderr[-2000:]
    q = pd.read_csv(out / "uncertainty_quantiles.csv")
    gap = q[(q.indicator == "poverty_gap_index") & (q.geo_type == "province")]
    assert len(gap) > 0
    last = gap[gap.year == gap.year.max()].iloc[0]
    assert last["q05"] <= last["q50"] <= last["q95"] and last["q95"] > last["q05"]
    assert (out / "deprivations.csv").exists()


@pytest.mark.parametrize("chunk", [1, 2])
def test_chunked_multidim_run_equals_the_whole_run(chunk):
    """Units do not interact within a year, so the multidimensional model run unit by unit (any
    chunk size) gives the whole run's numbers, deprivation arrays included."""
    scen = _md(horizon=3)
    model, mm = compile_run_model(scen)
    assert len(model.unit_ids) == 3
    whole = run_multidim_expected(mm, model.spend)
    part = run_chunked(mm, model.spend, get_engine("expected"), RunOptions(seed=0, chunk=chunk, executor="serial"))
    for name in ("states", "flows", "entries", "reached", "eligible"):
        np.testing.assert_allclose(getattr(part, name), getattr(whole, name), rtol=1e-10, atol=1e-8, err_msg=name)
    for name in ("deprived", "multi_deprived", "fgt1", "income_sum", "removed"):
        np.testing.assert_allclose(
            getattr(part.multidim, name), getattr(whole.multidim, name), rtol=1e-10, atol=1e-6, err_msg=name
        )
    # through the runner too: the tables of a chunked run are the whole run's
    a = run(scen, counterfactual=False, chunk=chunk, executor="serial").tables.deprivations
    b = run(scen, counterfactual=False).tables.deprivations
    assert len(a) == len(b) > 0
    np.testing.assert_allclose(a["deprived"].to_numpy(), b["deprived"].to_numpy(), rtol=1e-10, atol=1e-6)


def test_chunked_multidim_microsimulation_keys_its_streams_by_unit_and_agrees_with_the_expected_engine():
    """Issue 18: the household engine runs the multidimensional model unit by unit too (before:
    refused). Random streams are keyed by unit, so chunks of 1 and of 2 units give the same
    households to the last one; and the mean over draws agrees with the expected engine (an
    independent calculation) within sampling noise."""
    scen = _md(horizon=2)
    kw = dict(counterfactual=False, engine="microsim", draws=8, executor="serial", seed=3)
    one, two = run(scen, chunk=1, **kw), run(scen, chunk=2, **kw)
    pd.testing.assert_frame_equal(one.states, two.states)
    pd.testing.assert_frame_equal(one.tables.deprivations, two.tables.deprivations)
    assert one.manifest["chunking"]["chunk"] == 1
    exp = run(scen, counterfactual=False).states
    by = ["year", "state"]
    mean = one.states.groupby(by)["households"].sum() / 8
    ref = exp.groupby(by)["households"].sum()
    assert mean.index.equals(ref.index)
    np.testing.assert_allclose(mean.to_numpy(), ref.to_numpy(), rtol=0.03)
    poor = mean.xs("poor", level="state")
    assert poor.iloc[-1] < poor.iloc[0]  # the programme's years move households: not a copy of the baseline


def test_sensitivity_function_on_a_multidim_scenario(md):
    """Sensitivity evaluates the multidimensional model over its own parameters: at the centre of
    the unit cube's multidim coordinates vs a corner the poverty gap moves; at identical points it
    is identical."""
    f, space, names = scenario_function(md, outputs=(Output("poverty_gap_index", "province"),))
    U = np.full((3, space.dims), 0.5)
    cols = [c for f, c in zip(space.factors, space.columns()) if f.name.startswith("multidim.income.baseline")]
    assert cols
    for c in cols:
        U[1, c] = 0.05
    y = f(U)
    assert y.shape == (3, 1) and np.isfinite(y).all()
    assert y[0, 0] == y[2, 0] and y[0, 0] != y[1, 0]


def test_draws_of_a_run_crossing_a_standard_are_rebased_like_the_run():
    """A multidimensional scenario that is not dated, 2024–2027 (the end-2027 review applies the
    2027–2030 standard): a draw's targets are judged as `simlib.runner.run` judges the scenario —
    the 2027 rate-change targets re-based by the draw's own reclassification. Checked on the
    central point (a drawn scenario off it does not pass `run`'s re-validation of its ranges), and
    the draws differ from it in their re-basing."""
    scen = _md(4)
    assert not scen.dated and scen.years[-1] == 2027
    space = scenario_space(scen)
    draws = sample(space, scen.params, 2, "lhs", 5)
    values = np.vstack([space.central, draws.values])
    options = RunOptions(seed=0)
    layout = make_layout(scen, "expected", counterfactual=False)
    cells = layout.target_cells
    assert "rebased" in cells.columns and cells.loc[cells["year"] == 2027, "rebased"].astype(bool).any()
    got = evaluate_chunk(scen, space.keys, values, np.arange(3), layout, options, counterfactual=False)
    keys = ["target_id", "geo_type", "geo", "year"]
    t = run(scen, options, counterfactual=False).targets
    assert t.loc[t["year"] == 2027, "rebased"].astype(bool).any()
    want = cells[keys].astype({"geo": str}).merge(t.astype({"geo": str}), on=keys, how="left")["value"]
    np.testing.assert_allclose(got.target_values[0], want.to_numpy(float), rtol=1e-9)
    raw = cells[keys].astype({"geo": str}).merge(t.astype({"geo": str}), on=keys, how="left")["value_raw"]
    moved = (cells["year"] == 2027).to_numpy() & cells["rebased"].astype(bool).to_numpy()
    assert not np.allclose(got.target_values[0][moved], raw.to_numpy(float)[moved])  # re-based, not raw
