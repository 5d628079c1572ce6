"""A report with parameter draws builds the draws' layout from its central run instead of running
the scenario again (`make_layout(..., central=run)`): the layout and every uncertainty table are
the same to the byte with and without the reuse, the run itself is left untouched, and a run of
another engine or another scenario is never reused."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_scenario, tiny_raw

from simlib.options import RunOptions
from simlib.runner import run
from simlib.scenario import load_scenario
from simlib.uncertainty.evaluate import central_output, make_layout
from simlib.uncertainty.run import run_uncertainty

ROOT = Path(__file__).resolve().parent.parent


def _md():
    return make_scenario(tiny_raw(model="multidim", horizon=2))


@pytest.fixture(
    scope="module",
    params=["plan_2024", "multidim_tiny"],
)
def scen(request):
    if request.param == "multidim_tiny":
        return _md()
    return load_scenario(ROOT / "params" / "scenarios" / f"{request.param}.yaml")


def _arrays(output) -> dict:
    fields = dataclasses.asdict(output) if dataclasses.is_dataclass(output) else vars(output)
    return {k: np.array(v, copy=True) for k, v in fields.items() if isinstance(v, np.ndarray)}


def test_layout_from_the_central_run_is_identical(scen):
    res = run(scen)
    before = _arrays(res.output)
    assert before, "the engine output holds no arrays to compare"
    assert central_output(res, scen) is res.output
    fresh, reused = make_layout(scen, "expected", True), make_layout(scen, "expected", True, res)
    assert (fresh.indicators, fresh.years, fresh.geos) == (reused.indicators, reused.years, reused.geos)
    pd.testing.assert_frame_equal(fresh.target_cells, reused.target_cells, check_exact=True)
    after = _arrays(res.output)  # the report goes on using its run
    assert before.keys() == after.keys() and all(np.array_equal(before[k], after[k]) for k in before)


def test_uncertainty_tables_identical_with_and_without_reuse(scen, tmp_path):
    res = run(scen)
    options = RunOptions(seed=int(res.manifest["seed"]))
    a = run_uncertainty(scen, 4, options, folder=tmp_path / "a", rules=False)
    b = run_uncertainty(scen, 4, options, folder=tmp_path / "b", rules=False, central=res)
    for name in ("quantiles", "targets", "outcomes"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.to_csv(index=False) == y.to_csv(index=False), name


def test_other_runs_are_not_reused():
    scen = _md()
    other = copy.copy(scen)
    res = run(scen)
    assert central_output(None, scen) is None
    assert central_output(res, other) is None  # another scenario object
    res.manifest = dict(res.manifest, engine="microsim", draws=5)
    assert central_output(res, scen) is None  # a stochastic engine's output is not the layout's run
