"""The series fit's machinery against independent calculations: the start stock, the level
interpolation, unit costs acting as money, the integrated likelihood (closed form), importance
weights (a conjugate normal model), the spec's checks and the held-out back-test's data diet."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from conftest import make_scenario
from series_helpers import FIGURES, spec_doc, write_series

from simlib.calibrate.series import fit_series, prior_of, segment_quantities
from simlib.calibrate.series_fit import (
    SegmentGrid,
    at_levels,
    fine_grid,
    level_knots,
    normalise,
    systematic,
    weighted_quantiles,
)
from simlib.calibrate.series_model import project_segment, start_stock
from simlib.calibrate.series_spec import load_series_spec
from simlib.engines.expected import run_expected
from simlib.errors import InputErrors
from simlib.model import Model, compile_model
from simlib.states import POOR


@pytest.fixture
def tiny_spec(tmp_path):
    return load_series_spec(write_series(tmp_path / "series"))


def test_start_stock_sets_the_province_rate_and_keeps_each_group(tiny_scenario):
    n0 = compile_model(tiny_scenario).n0.astype(float)
    for level in (12.0, 40.0, 70.0):
        out = start_stock(n0, level)
        assert 100 * out[:, POOR].sum() / out.sum() == pytest.approx(level, abs=1e-9)
        np.testing.assert_allclose(out.sum(axis=1), n0.sum(axis=1), rtol=1e-12)  # households per group
        others = np.delete(np.arange(n0.shape[1]), POOR)
        has = n0[:, others].sum(axis=1) > 0
        share = n0[has][:, others] / n0[has][:, others].sum(axis=1, keepdims=True)
        new = out[has][:, others] / out[has][:, others].sum(axis=1, keepdims=True)
        np.testing.assert_allclose(new, share, atol=1e-12)  # the other states keep their proportions
        # the groups keep their order (groups without households, e.g. housed twins at the start, have no rate)
        live = n0.sum(axis=1) > 0
        assert (~live).any() and live.sum() > 10
        p0, p1 = n0[live, POOR] / n0[live].sum(axis=1), out[live, POOR] / out[live].sum(axis=1)
        assert (np.diff(p1[np.argsort(p0)]) > -1e-9).all()
    assert start_stock(n0, 30.0, households=5000.0).sum() == pytest.approx(5000.0)


def test_spline_between_knots_matches_runs_at_those_levels(tiny_spec):
    """Projections are smooth in the start level except at the kinks of the reach rule (take-up
    ceilings): between knots the spline stays far below a figure's error (sd >= 0.25 points)."""
    spec = tiny_spec
    prior, model = prior_of(spec), compile_model(spec.scenario)
    draws = prior.draw(60, np.random.default_rng(0))
    knots = level_knots(spec.segments[0].level_range, spec.level_step)
    qs = segment_quantities(spec, 0)
    at_knots = project_segment(spec, 0, model, prior, draws, knots, qs)
    levels = np.linspace(25.3, 44.7, 9)
    exact = project_segment(spec, 0, model, prior, draws, levels, qs).values
    err = np.abs(at_levels(knots, at_knots.values, levels) - exact)
    assert err.max() < 0.1 and np.quantile(err, 0.99) < 0.03


def test_a_drawn_unit_cost_acts_as_scaled_money(tiny_scenario):
    """The fit applies a draw's unit costs by scaling each line's money (reach = money / cost)."""
    model = compile_model(tiny_scenario)
    factor = np.linspace(0.6, 1.7, len(model.line_codes))
    dearer = Model(model.structure, replace(model.params, unit_cost=model.params.unit_cost * factor), model.levers)
    a = run_expected(dearer, model.spend)
    b = run_expected(model, model.spend / factor[None, :, None])
    np.testing.assert_allclose(a.states, b.states, rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(a.reached, b.reached, rtol=1e-10, atol=1e-9)


def test_integrated_likelihood_is_the_closed_form():
    """Figures y_j = L + c_j + error: integrating the flat-prior level gives a Gaussian integral."""
    rng = np.random.default_rng(1)
    grid, lo, hi = fine_grid((0.0, 100.0)), 0.0, 100.0
    c = rng.normal(0, 3, (5, 3))  # 5 draws, 3 figures
    pred = grid[:, None, None] + c[None]
    y, sigma = np.array([41.0, 37.5, 30.2]), np.array([0.5, 1.0, 2.0, 0.8, 1.5])
    g = SegmentGrid(grid, pred, [0, 1, 2], y, np.zeros(3), (lo, hi))
    ll, logpost = g.loglik(sigma, np.ones(3, bool))
    r = y[None] - c
    J, s2 = 3, sigma**2
    dev = ((r - r.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
    closed = -J / 2 * np.log(2 * np.pi * s2) - dev / (2 * s2) + 0.5 * np.log(2 * np.pi * s2 / J) - np.log(hi - lo)
    np.testing.assert_allclose(ll, closed, atol=1e-6)
    mean_level = (np.exp(logpost) * grid[:, None]).sum(axis=0)
    np.testing.assert_allclose(mean_level, r.mean(axis=1), atol=1e-6)


def test_weights_recover_a_conjugate_posterior():
    """Prior N(0, 1), four figures N(mu, 0.5^2): weighted draws give the closed-form posterior."""
    rng = np.random.default_rng(2)
    mu = rng.standard_normal(40_000)
    y = np.array([0.9, 1.3, 0.4, 1.1])
    log_w = -0.5 * ((y[None] - mu[:, None]) ** 2 / 0.25).sum(axis=1)
    w, ess = normalise(log_w)
    prec = 1 + len(y) / 0.25
    mean, sd = y.sum() / 0.25 / prec, prec**-0.5
    q = weighted_quantiles(mu, w, [0.05, 0.5, 0.95])
    np.testing.assert_allclose(q, mean + sd * np.array([-1.6449, 0.0, 1.6449]), atol=0.02)
    assert ess == pytest.approx(1 / (w**2).sum())
    picked = mu[systematic(w, 20_000, rng)]
    assert picked.mean() == pytest.approx(mean, abs=0.01)
    assert picked.std() == pytest.approx(sd, abs=0.01)


def test_spec_problems_are_reported_together(tmp_path):
    doc = spec_doc()
    obs = doc["segments"][0]["observations"]
    obs[1]["value"] = 30.5  # not in the table
    obs[3]["geo"] = ["north", "nowhere"]  # unknown unit
    doc["segments"][0]["level_range"] = [36, 45]  # excludes the start figure 35
    doc["budgets"].append({"id": "c", "years": [2022], "scale": doc["budgets"][0]["scale"]})  # 2022 twice
    with pytest.raises(InputErrors) as exc:
        load_series_spec(write_series(tmp_path / "bad", doc))
    codes = sorted(e.code for e in exc.value.errors)
    assert codes == ["series_budget_year", "series_level_range", "series_row", "series_unit"]


def test_a_segment_needs_its_start_figure(tmp_path):
    doc = spec_doc()
    doc["segments"][0]["start_year"] = 2018
    doc["segments"][0]["observations"][0]["review_year"] = 2020  # no figure at 2018 any more
    with pytest.raises(Exception) as exc:
        load_series_spec(write_series(tmp_path / "nostart", doc))
    assert "series_start" in repr(getattr(exc.value, "errors", [exc.value])[0].code)


def test_holdout_predictions_use_only_earlier_years(tmp_path):
    """Changing a 2022 figure changes nothing predicted from the years before 2022."""
    a = fit_series(load_series_spec(write_series(tmp_path / "a")), draws=300)
    moved = [(area, y, 17.0 if (area, y) == ("Test province", "2022") else v) for area, y, v in FIGURES]
    doc = spec_doc()
    doc["segments"][0]["observations"][2]["value"] = 17.0
    b = fit_series(load_series_spec(write_series(tmp_path / "b", doc, figures=moved)), draws=300)
    ha, hb = a.holdout.set_index(["year", "geo"]), b.holdout.set_index(["year", "geo"])
    cols = ["predicted", "lo", "hi", "model", "ess"]
    assert ha.loc[(2020, "province"), cols].tolist() == hb.loc[(2020, "province"), cols].tolist()
    assert ha.loc[(2022, "province"), cols].tolist() == hb.loc[(2022, "province"), cols].tolist()
    assert ha.loc[(2022, "province"), "observed"] == 21.0 and hb.loc[(2022, "province"), "observed"] == 17.0
    # the full fit does see it
    fa, fb = a.fitted.set_index(["year", "geo"]), b.fitted.set_index(["year", "geo"])
    assert fb.loc[(2022, "province"), "model"] < fa.loc[(2022, "province"), "model"]


def test_tiny_fit_reproduces_its_figures(tiny_spec):
    fit = fit_series(tiny_spec, draws=1000)  # enough prior draws for the tiny model's posterior
    assert fit.ess > 20
    assert fit.fitted["covered"].all()  # every figure inside its 90 % posterior predictive interval
    shares = fit.derived["series.segments.s1.programme_share_of_fall"]
    assert shares.notna().mean() > 0.95


def test_scenario_without_figures_keeps_the_prior(tiny_spec):
    """With every figure's error enormous the data weigh nothing: the weights are flat."""
    spec = replace(tiny_spec, observations=tuple(replace(o, sd_extra=1e4) for o in tiny_spec.observations))
    fit = fit_series(spec, draws=200)
    assert fit.ess > 199
    assert make_scenario() is not None
