"""The aggregate path: a known model recovered from counts of many cells and years, the prior
exactly when there is nothing to fit, the prior's pull shrinking as data grow, and the programme
factors read off the expected engine exactly."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from calib_helpers import truth_doc
from conftest import TINY, make_scenario

from simlib.calibrate.aggregate import calibrate_aggregate, panel_exposure, run_filter
from simlib.calibrate.exposure import Exposure, programme_factors
from simlib.calibrate.io import read_aggregate
from simlib.calibrate.panel import template_cells, template_counts
from simlib.calibrate.prior import load_prior
from simlib.calibrate.synthetic import aggregate_table, class_rates_of, simulate_cells
from simlib.dataset import load_dataset
from simlib.engines.expected import run_expected
from simlib.model import compile_model
from simlib.results import by_cell
from simlib.states import NEAR_POOR, POOR
from simlib.transitions import rate_array, transition_matrix

FLOWS = ("escapes", "relapses", "new_poor", "near_poor_to_poor")
ENTRY = np.array([0.1, 0.1, 0, 0, 0, 0.8])


def _panel(tmp_path, ds, truth, years, scale=1.0, flows=FLOWS, seed=0, level="cell", f1=None, f2=None):
    cells = template_cells(ds)
    counts0 = np.round(template_counts(ds) * scale).astype(int)
    st, mv = simulate_cells(
        counts0,
        class_rates_of(truth)[cells.klass],
        years,
        np.random.default_rng(seed),
        f1=f1,
        f2=f2,
        growth=0.01,
        entry=ENTRY,
    )
    df = aggregate_table(list(range(2016, 2016 + years)), cells, st, mv, level=level, flows=flows)
    p = tmp_path / f"agg_{seed}_{scale}.csv"
    df.to_csv(p, index=False)
    return read_aggregate([p], ds)


@pytest.fixture(scope="module")
def caobang():
    return load_dataset("caobang")


def test_recovers_known_model_from_counts(tmp_path, caobang):
    """40 cells x 6 reviews of counts (stocks and four flow counts) from a known model, with a
    weak prior centred elsewhere: the well-informed parameters land on the truth."""
    truth = truth_doc()
    panel = _panel(tmp_path, caobang, truth, 6)
    cal = calibrate_aggregate(panel, load_prior(scale=0.2), draws=100)
    ref_true = class_rates_of(truth)[0]
    sd = cal.ref_draws.std(axis=0)
    informed = [j for j, n in enumerate(cal.data_weight) if n.startswith("reference.") and cal.data_weight[n] > 0.9]
    assert {0, 2, 10} <= set(informed)  # escape, exit from near-poverty, new poverty
    for j in informed:
        assert abs(cal.ref[j] - ref_true[j]) < 4 * sd[j] + 1e-3, j
    assert cal.ref[0] == pytest.approx(0.09, abs=0.006) and cal.ref[2] == pytest.approx(0.14, abs=0.015)
    assert cal.mods[0, 0] == pytest.approx(1.8, abs=0.3)  # Kinh upward relative risk
    assert cal.growth == pytest.approx(0.01, abs=0.002)
    # and the fit reproduces the counts it was given
    assert cal.fit["rmse_poor_rate_points"] < 1.5


def test_nothing_to_fit_gives_the_prior(tmp_path, caobang):
    panel = _panel(tmp_path, caobang, truth_doc(), 1, flows=())
    prior = load_prior()
    cal = calibrate_aggregate(panel, prior, draws=50)
    np.testing.assert_allclose(cal.ref, prior.ref, rtol=1e-7)
    np.testing.assert_allclose(np.log(cal.mods), prior.mod_log0, atol=1e-7)
    assert cal.growth == prior.growth0
    assert max(cal.data_weight.values()) < 1e-3


def test_prior_pull_shrinks_as_data_grow(tmp_path):
    """The same known model, counts 1x, 30x and 1000x larger: the escape estimate approaches the
    truth and the data weight of the escape rate approaches 1."""
    tiny = load_dataset(TINY)
    truth = truth_doc()
    errors, weights = [], []
    for scale in (1, 30, 1000):
        panel = _panel(tmp_path, tiny, truth, 3, scale=scale, flows=("escapes",), seed=7)
        cal = calibrate_aggregate(panel, load_prior(), draws=20)
        errors.append(abs(cal.ref[0] - 0.09))
        weights.append(cal.data_weight["reference.poor.escaped_1"])
    assert weights[0] < weights[1] < weights[2] and weights[2] > 0.99
    assert errors[2] < errors[0] and errors[2] < 0.005


def test_district_level_counts(tmp_path, caobang):
    """Counts per district (not per cell) are spread over the district's cells and still fit."""
    panel = _panel(tmp_path, caobang, truth_doc(), 4, level="unit", flows=("escapes",))
    assert panel.n_obs == 10 and len(panel.cells) == 40
    cal = calibrate_aggregate(panel, load_prior(), draws=20)
    assert cal.ref[0] == pytest.approx(0.09, abs=0.01)


def test_programme_factors_reproduce_the_engine():
    """Factors read off one expected-engine year give back the engine's cell matrices with the
    real baseline rates (the matrix is affine in the factors)."""
    scen = make_scenario()
    cells = template_cells(scen.dataset)
    f1, f2, src = programme_factors(scen, 2024, cells, template_counts(scen.dataset), np.array([1.0]))
    model = compile_model(scen)
    out = run_expected(model, model.spend)
    D = len(scen.dataset.unit_ids)
    fl = by_cell(model, out.flows[0, 0], 0).reshape(D * 4, 6, 6)  # groups summed into cells
    n = by_cell(model, out.states[0, 0], 0).reshape(D * 4, 6)
    P_engine = fl / np.where(n > 0, n, 1)[..., None]
    R = rate_array(scen.params["transitions"], cells.eth, cells.area, cells.poor_district)
    P = transition_matrix(R, f1[0], f2[0])
    have = n > 0
    np.testing.assert_allclose(P[have], P_engine[have], atol=1e-12)
    assert (f1[0][have] <= 1).all() and (f1[0][:, POOR] < 1).any()  # the budget helps somebody
    assert src["spend_billion_vnd"] > 0


def test_budget_nets_the_programme_out(tmp_path):
    """Counts generated with the tiny scenario's programme: fitted with that budget the baseline
    escape rate is recovered; without it the estimate absorbs the programme (gross rate)."""
    scen = make_scenario()
    tiny = scen.dataset
    cells = template_cells(tiny)
    scale = 200
    big = replace(scen, budget=replace(scen.budget, amounts=scen.budget.amounts * scale))
    f1, f2, _ = programme_factors(big, 2024, cells, template_counts(tiny) * scale, np.array([1.0]))
    truth = truth_doc()
    T = 3
    F1 = np.broadcast_to(f1[0], (T - 1,) + f1[0].shape)
    F2 = np.broadcast_to(f2[0], (T - 1,) + f2[0].shape)
    panel = _panel(tmp_path, tiny, truth, T, scale=scale, flows=("escapes",), seed=9, f1=F1, f2=F2)
    ex = panel_exposure(panel, {y: big for y in panel.years[1:]}, load_prior())
    net = calibrate_aggregate(panel, load_prior(), ex, draws=20)
    gross = calibrate_aggregate(panel, load_prior(), draws=20)
    assert net.ref[0] == pytest.approx(0.09, abs=0.006)
    assert gross.ref[0] > net.ref[0] + 0.005
    assert net.exposure and not gross.exposure


def test_filter_meets_every_observed_total(tmp_path, caobang):
    """Filtered stocks add up to every observed count exactly (raking), whatever the rates."""
    panel = _panel(tmp_path, caobang, truth_doc(), 3, flows=())
    R = load_prior().class_rates[panel.cells.klass]
    ones = np.ones((2, len(panel.cells), 6))
    fr = run_filter(panel, R, ones, ones, 0.01, ENTRY)
    for t in range(3):
        s = fr.stock[0, t]
        by_obs = np.zeros((panel.n_obs, 6))
        np.add.at(by_obs, panel.member, s)
        np.testing.assert_allclose(by_obs.sum(axis=1), panel.stock[t, :, 0], rtol=1e-9)
        np.testing.assert_allclose(by_obs[:, POOR], panel.stock[t, :, 1], rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(by_obs[:, NEAR_POOR], panel.stock[t, :, 2], rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(by_obs[:, 2:5].sum(axis=1), panel.stock[t, :, 3], rtol=1e-9, atol=1e-9)


def test_exposure_none_is_neutral():
    ex = Exposure.none(2, 5)
    f1, f2 = ex.factors(1.7)
    assert f1.shape == (2, 5, 6) and (f1 == 1).all() and (f2 == 1).all() and not ex.has_programme
