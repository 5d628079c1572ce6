"""The optimiser on the multidimensional model (issues 18/19): it evaluates the model the scenario
names, not the states model. Checked against independent calculations: the plain runner
(`simlib.runner.run`) on the scenario the optimiser writes, the plan and the equal split; the
engine run directly on `compile_multidim`; a full run against the per-unit sub-model updates of
`perturbed`; and the CLI end to end (`simlib optimize` then `simlib run` on what it wrote)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest
import yaml
from conftest import ROOT, make_scenario, tiny_raw

from simlib.allocate.evaluate import aggregates, perturbed, run_batch
from simlib.allocate.optimize import optimize
from simlib.allocate.problem import build_problem
from simlib.allocate.spec import resolve_spec
from simlib.compliance import check_allocation
from simlib.engines.multidim_expected import run_multidim_expected
from simlib.model import compile_levers, compile_model, compile_structure
from simlib.multidim import MultidimModel, compile_multidim
from simlib.runner import run
from simlib.states import POOR

#: the lines the optimiser may fund here (every other line held at a ceiling of 0): the
#: multidimensional engine costs about 0.1 s CPU per allocation on the tiny fixture, so the
#: problem is kept small (horizon 1, three directions) for the test to run in about two minutes
FREE = ("P2", "P3.1", "P5")


def _md_raw() -> dict:
    raw = tiny_raw(model="multidim", horizon=1)
    raw["budget"]["years"] = {y: v for y, v in raw["budget"]["years"].items() if int(y) <= 2024}
    return raw


def _spec_raw(**more) -> dict:
    codes = make_scenario(_md_raw()).catalogue.codes
    lines = {c: {"ceiling": 0} for c in codes if c not in FREE}
    return {"objective": "poor", "frontier": [], "counterpart_min_share": 0, "lines": lines} | more


@pytest.fixture(scope="module")
def md():
    return make_scenario(_md_raw())


@pytest.fixture(scope="module")
def result(md):
    return optimize(md, resolve_spec(md, _spec_raw()))


def _poor_at_horizon(scen) -> float:
    """Poor households at the last review from the plain runner's states table."""
    st = run(scen, counterfactual=False).states
    last = st[(st["year"] == st["year"].max()) & (st["state"] == "poor")]
    return float(last["households"].sum())


def test_the_problem_evaluates_the_multidimensional_model(md):
    """The optimiser's objective at the plan is the multidimensional engine's poor households at
    the horizon (run here directly on `compile_multidim`), not the states model's."""
    p = build_problem(md, resolve_spec(md, _spec_raw()))
    assert isinstance(p.target, MultidimModel)
    model = compile_model(md)
    x = np.zeros(p.n)
    direct = run_multidim_expected(compile_multidim(md, model), p.spend(x[None]))
    assert p.evaluate(x[None])[0] == pytest.approx(direct.states[0, -1, :, POOR].sum(), rel=1e-9)
    states = make_scenario(dict(_md_raw(), model="states"))
    states_value = build_problem(states, resolve_spec(states, _spec_raw())).evaluate(x[None])
    assert abs(states_value[0] - p.evaluate(x[None])[0]) > 1.0  # the two models differ here


def test_unit_directions_on_unit_sub_models_equal_full_runs(md):
    """`perturbed` runs a one-unit direction on that unit's multidimensional sub-model and adds
    the change to the full run's sums; the same spending run on the full model gives the same
    sums (units do not interact within a year)."""
    p = build_problem(md, resolve_spec(md, _spec_raw(by_district=True)))
    x = np.full(p.n, 1.0)
    # one direction in each unit (its first by-unit variable), and P5's (a line funded here)
    first = [int(p.var_dir[np.flatnonzero(p.var_unit == d)[0]]) for d in np.unique(p.var_unit[p.var_unit >= 0])]
    p5 = p.var_dir[(p.var_unit >= 0) & (p.var_line == p.model.line_codes.index("P5"))]
    ks = np.unique(np.concatenate([first, p5]))[:3]
    assert len(np.unique(p.var_unit[np.isin(p.var_dir, ks)])) >= 2
    deltas = np.array([2.0, 5.0, 1.5])[: len(ks)]
    _, got = perturbed(p, x, ks, deltas)
    sp = p.spend(x[None])[0]
    batch = np.repeat(sp[None], len(ks), axis=0)
    batch[:, 1:] += deltas[:, None, None, None] * p.dirs[ks]
    full = aggregates(p, np.maximum(batch, 0.0))
    for key in ("objective", "poor", "households"):
        np.testing.assert_allclose(got[key], full[key], rtol=1e-9, atol=1e-6, err_msg=key)


def test_optimum_beats_plan_and_equal_split_on_the_plain_runner(md, result):
    """The optimal scenario the optimiser writes, run by the plain runner, leaves no more poor
    households at the horizon than the plan or the equal split (each also run by the runner)."""
    opt = _poor_at_horizon(result.optimal)
    assert opt <= _poor_at_horizon(md) + 1e-6
    assert opt <= _poor_at_horizon(result.scenarios["equal_split"]) + 1e-6
    c = result.comparison.set_index("allocation")
    assert c.loc["optimal", "poor"] == pytest.approx(opt, rel=1e-9)


def test_optimum_keeps_every_legal_rule(md, result):
    """No breach of the legal rules (compliance, as `simlib run` checks them), and every source's
    money within its envelope in every year."""
    split = compile_levers(result.optimal, compile_structure(result.optimal)).split
    assert check_allocation(result.optimal, split) == []
    assert result.legal_violations == []
    spent = result.amounts["optimal"][1:].sum(axis=1) / 1e9  # (Y, sources) billion VND
    assert (spent <= result.spec.envelope + 1e-6).all()


def test_certificate_reports_the_measured_model_error(result):
    """The certificate measures the piecewise-linear model against the engine at tested
    allocations (plan and equal split at least) and the summary says so."""
    cert = result.certificate
    assert cert.tests >= 2 and np.isfinite(cert.approx_error) and cert.approx_error >= 0
    assert np.isfinite(cert.gap) and cert.evaluations > 0
    text = result.message("en")
    assert "model error" in text.lower() or "error" in text.lower()


def test_poverty_gap_is_the_multidimensional_income_gap(md):
    """With `poverty_gap`, the objective is the sum of households' relative income shortfalls at
    the horizon review: the runner's province poverty-gap index (FGT1, %) x households / 100."""
    p = build_problem(md, resolve_spec(md, _spec_raw(objective="poverty_gap")))
    got = float(p.objective_from(run_batch(p.target, p.model.spend))[0])  # the plan's own spending
    res = run(md, counterfactual=False)
    ind = res.indicators
    last = ind["year"] == ind["year"].max()
    fgt1 = ind[last & (ind["geo"] == "province") & (ind["indicator"] == "poverty_gap_index")]["value"].iloc[0]
    st = res.states
    households = st[st["year"] == st["year"].max()]["households"].sum()
    assert got == pytest.approx(fgt1 / 100 * households, rel=1e-6)


@pytest.mark.slow
def test_cli_optimize_on_a_multidim_scenario_writes_a_scenario_run_accepts(tmp_path):
    """`simlib optimize` on a small multidimensional scenario exits 0, reports the certificate,
    and `simlib run` accepts the scenario it writes."""
    scen, spec = tmp_path / "md.yaml", tmp_path / "spec.yaml"
    scen.write_text(yaml.safe_dump(_md_raw(), allow_unicode=True), encoding="utf-8")
    spec.write_text(yaml.safe_dump(_spec_raw(), allow_unicode=True), encoding="utf-8")
    out = tmp_path / "opt"
    cmd = [sys.executable, "-m", "simlib", "--lang", "en"]
    r = subprocess.run(
        cmd + ["optimize", str(scen), "--spec", str(spec), "--out", str(out), "--frontier", ""],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    # the planner is told the effort, an estimate of the runs before they start, and what they took
    assert "Effort: economy" in r.stderr
    est = re.search(r"Estimate: about ([\d,]+) runs of the model", r.stderr)
    done = re.search(r"Done: ([\d,]+) runs of the model", r.stderr)
    assert est and done and r.stderr.index(est.group(0)) < r.stderr.index(done.group(0))
    n_est, n_done = (int(m.group(1).replace(",", "")) for m in (est, done))  # «39,828»: English groups
    assert 0.5 * n_est <= n_done <= 2 * n_est, (est.group(0), done.group(0))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert "approx_error" in json.dumps(summary)
    r2 = subprocess.run(
        cmd + ["run", str(out / "optimal_scenario.yaml"), "--out", str(tmp_path / "run")],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert r2.returncode == 0, r2.stderr
    assert (tmp_path / "run" / "deprivations.csv").exists()  # run on the multidimensional model
