"""Economy effort's curves are sampled where the decision is taken (`simlib.allocate.pwl`,
`Effort.inner`): a line holding money at the reference gets two more points, at a third and two
thirds of its money, so the chord from 0 to that money no longer hides how concave its response
is (plan_2027's 16.6 %: benchmarks/HISTORY.md, cert64, curve64); and the certificate tells the
model's error near the decision (the loop's candidates) apart from the error at the plan."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from test_optimise_engine_search import F_ZERO, two_line_task

import simlib.allocate.pwl as pwl
from simlib import i18n
from simlib.allocate.certificate_text import certificate_text
from simlib.allocate.certify import certified
from simlib.allocate.effort import ECONOMY, FULL


def response(s: np.ndarray) -> np.ndarray:
    """A concave line: 100 − 10 √s poor households left with s billion VND on it."""
    return 100.0 - 10.0 * np.sqrt(s)


def fake_perturbed(problem, x, ks, deltas):
    """The sums `pwl.build_curves` reads, for two separable lines each `response` (no engine)."""
    s = problem.var_disb * x
    f = [float(response(s).sum() - 100.0)]
    moved = [float(response(s).sum() - response(s[k]) + response(s[k] + d) - 100.0) for k, d in zip(ks, deltas)]
    return {"objective": np.array(f)}, {"objective": np.array(moved)}


def test_economy_samples_a_line_holding_money_between_0_and_its_money(monkeypatch):
    """Line 0 holds 9 of at most 12 billion, line 1 nothing: economy samples line 0 at 0, 3, 6, 9,
    12 and line 1 at 0, 12 only. At 3 billion on line 0 the model is then the curve itself
    (100 − 10 √3 = 82.68 for that line); the chord from 0 to 9 (100 → 70) said 90: 7.32 off."""
    monkeypatch.setattr(pwl, "perturbed", fake_perturbed)
    problem = SimpleNamespace(var_dir=np.arange(2), var_disb=np.ones(2))
    x, ranges = np.array([9.0, 0.0]), np.array([12.0, 12.0])
    curves = pwl.build_curves(problem, x, ranges, np.inf, grid=ECONOMY.grid, rounds=0, inner=ECONOMY.inner)
    assert np.allclose(curves.breaks[0], [0, 3, 6, 9, 12]) and np.allclose(curves.breaks[1], [0, 12])
    at3 = np.array([3.0, 0.0])
    line0 = curves.value(at3) - curves.f_ref + 70.0  # the model's value of line 0 alone at 3 billion
    assert abs(line0 - (100 - 10 * np.sqrt(3))) < 1e-9
    chord = pwl.build_curves(problem, x, ranges, np.inf, grid=1, rounds=0)  # as before: 0, 9, 12
    assert np.allclose(chord.breaks[0], [0, 9, 12])
    assert abs(chord.value(at3) - curves.f_ref + 70.0 - 90.0) < 1e-9
    assert FULL.inner == 0  # full effort samples as before


def test_the_certificate_tells_the_error_near_the_decision_from_the_plans():
    """The two-line problem of tests/test_optimise_engine_search.py, its plan half and half: the
    error at the plan is |model − engine| at (5, 5) on the loop's last model, worked out here from
    the model and the engine; the error at the loop's candidates is the rest; the largest of the
    two is the certificate's model error, and the sentence says both."""
    p, task = two_line_task()
    plan = np.array([5.0, 5.0])
    x, cert = certified(task, [plan], [plan])
    model = cert.models[0]
    far = abs(model.value(plan) - (F_ZERO - 0.2 * 25 - 0.25 * 25 + 0.03 * 5 * 25)) / cert.scale
    assert abs(cert.far_error - far) < 1e-12
    assert cert.approx_error == max(cert.near_error, cert.far_error)
    assert cert.near_error > 0.005 and not cert.promise_met  # the loop's own step is off here
    spec = SimpleNamespace(robust=None, draws=0)
    text = certificate_text(cert, spec, "en")
    near = i18n.fmt.percent(100 * cert.near_error, "en", 2)
    assert f"Of that error: {near} at the solutions the loop ran" in text
