"""The analyses accept the multidimensional model: its parameter space samples its own
parameters, every uncertainty draw is the plain run of that draw's parameters (checked against an
independent `simlib.runner.run` of the drawn scenario), `simlib run --uncertainty 8` writes the
quantile tables of a multidimensional scenario, and the optimiser evaluates allocations with the
multidimensional engine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import make_scenario, tiny_raw

from simlib.options import RunOptions
from simlib.runner import run
from simlib.uncertainty.apply import scenario_for_values
from simlib.uncertainty.evaluate import evaluate_chunk, make_layout
from simlib.uncertainty.sampling import sample
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
