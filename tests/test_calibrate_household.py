"""The household path: hand-worked conjugate posteriors, the 36-month escaped cohort, recovery of
a known model in the limit, priors dominating empty data and vanishing as data grow, and the
programme netted out of the estimate."""

from __future__ import annotations

import numpy as np
import pytest
from calib_helpers import household, kappa, truth_doc, write_rows
from conftest import TINY

from simlib.calibrate.exposure import Exposure
from simlib.calibrate.household import U0, calibrate_households, count_transitions, detailed_states
from simlib.calibrate.io import read_register
from simlib.calibrate.panel import TransitionCounts, template_cells
from simlib.calibrate.prior import load_prior
from simlib.calibrate.synthetic import class_rates_of, simulate_cells
from simlib.dataset import load_dataset
from simlib.states import ESCAPED_1, ESCAPED_2, ESCAPED_3, NEAR_POOR, NON_POOR, POOR

EM_RURAL_POOR_DISTRICT = 0  # class index of the reference cell


@pytest.fixture(scope="module")
def tiny():
    return load_dataset(TINY)


def _unit_of_class0(ds):
    return ds.unit_ids[int(np.flatnonzero(ds.poor_district)[0])]


def test_posterior_mean_by_hand(tmp_path, tiny):
    """10 poor households: 3 escape, 2 become near-poor, 5 stay; 4 escaped_1: 1 relapses."""
    u = _unit_of_class0(tiny)
    rows = []
    moves = ["escaped"] * 3 + ["near_poor"] * 2 + ["poor"] * 5
    for i, m in enumerate(moves):
        rows += household(f"p{i}", {2022: "poor", 2023: m}, unit=u)
    for i, m in enumerate(["poor", "escaped", "escaped", "escaped"]):
        rows += household(f"e{i}", {2022: "escaped", 2023: m}, unit=u, escape_year=2022)
    tc = read_register([write_rows(tmp_path, rows)], tiny)
    cal = calibrate_households(tc, load_prior(), draws=50)
    est = cal.class_rates[EM_RURAL_POOR_DISTRICT]
    k_esc = kappa(0.065, 0.04, 0.10)
    assert est[0] == pytest.approx((3 + k_esc * 0.065) / (10 + k_esc), rel=1e-12)
    k_np = kappa(0.05, 0.03, 0.08)
    assert est[1] == pytest.approx((2 + k_np * 0.05) / (7 + k_np), rel=1e-12)  # given no escape: 2 of 7
    # escaped_1 row (to poor, to near-poor, to escaped_2): Dirichlet with the smaller pseudo-count
    k_row = min(kappa(0.045, 0.02, 0.08), kappa(0.05, 0.02, 0.08))
    assert est[4] == pytest.approx((1 + k_row * 0.045) / (4 + k_row), rel=1e-12)
    assert est[5] == pytest.approx((0 + k_row * 0.05) / (4 + k_row), rel=1e-12)
    # a class without data keeps the prior exactly
    assert np.array_equal(cal.class_rates[7], load_prior().class_rates[7])


def test_36_month_escaped_cohort():
    """poor -> escaped 3 reviews -> ages out; an unknown first-year cohort is not guessed."""
    S = {"poor": 0, "near_poor": 1, "escaped": 2, "non_poor": 3}
    hist = [
        ["poor", "escaped", "escaped", "escaped", "non_poor"],
        ["poor", "non_poor", "non_poor", "non_poor", "non_poor"],  # lists without the escaped label
        ["escaped", "escaped", "poor", "near_poor", "non_poor"],  # first-year escaped, year known (k=2)
        ["escaped", "escaped", "escaped", "non_poor", "non_poor"],
    ]  # first-year escaped, year unknown
    status = np.array([[S[s] for s in h] for h in hist])
    first_k = np.zeros_like(status)
    first_k[2, 0] = 2
    states, bad = detailed_states(status, first_k, np.zeros(status.shape, bool))
    assert not bad.any()
    assert list(states[0]) == [POOR, ESCAPED_1, ESCAPED_2, ESCAPED_3, NON_POOR]
    assert list(states[1]) == [POOR, ESCAPED_1, ESCAPED_2, ESCAPED_3, NON_POOR]
    assert list(states[2]) == [ESCAPED_2, ESCAPED_3, POOR, NEAR_POOR, NON_POOR]
    assert states[3, 0] == U0 and states[3, 2] == ESCAPED_3 and states[3, 3] == NON_POOR
    cells = template_cells(load_dataset(TINY))
    tc = count_transitions(
        states, np.zeros(status.shape, int), np.zeros(status.shape, bool), len(cells), tuple(range(2019, 2024)), cells
    )
    n = tc.counts.sum(axis=(0, 1))
    assert n[ESCAPED_1, ESCAPED_2] == 2 and n[ESCAPED_2, ESCAPED_3] == 3 and n[ESCAPED_3, NON_POOR] == 3
    assert n[ESCAPED_3, POOR] == 1
    assert tc.unknown_origin == 2  # household 4: U0 -> U1 -> escaped_3 (known again: still listed escaped)
    # still listed as escaped after the window closed: flagged
    status[0, 4] = S["escaped"]
    _, bad = detailed_states(status, first_k, np.zeros(status.shape, bool))
    assert bad[0, 4] and bad.sum() == 1


def _counts_from_cells(ds, rates_doc, per_cell, years, seed, f1=None, f2=None):
    """TransitionCounts from multinomial moves (the distribution of a household simulation)."""
    cells = template_cells(ds)
    counts0 = np.zeros((len(cells), 6), int)
    counts0[:, [POOR, NEAR_POOR, ESCAPED_1, ESCAPED_2, ESCAPED_3, NON_POOR]] = (
        np.array([30, 20, 5, 5, 5, 35]) * per_cell // 100
    )
    R = class_rates_of(rates_doc)[cells.klass]
    stocks, moves = simulate_cells(counts0, R, years, np.random.default_rng(seed), f1=f1, f2=f2)
    T = years
    return TransitionCounts(
        years=tuple(range(2020, 2020 + T)),
        cells=cells,
        counts=moves.astype(float),
        entries=np.zeros((T - 1, len(cells), 6)),
        households=stocks.sum(axis=2).astype(float),
        left=np.zeros(T - 1),
    )


def test_recovers_truth_in_the_limit(tiny):
    truth = class_rates_of(truth_doc())
    prior = load_prior(scale=1e-9)  # the prior's pull vanishes: the estimate is the observed share
    tc = _counts_from_cells(tiny, truth_doc(), 2_000_000, 3, seed=1)
    cal = calibrate_households(tc, prior, draws=20)
    have = cal.class_households > 0
    assert np.abs(cal.class_rates[have] - truth[have]).max() < 2e-3
    # exactly the maximum-likelihood share, e.g. escape = escapes / poor at risk
    n = tc.counts.sum(axis=0)[tiny_class0_cells(tc)].sum(axis=0)
    assert cal.class_rates[0, 0] == pytest.approx(n[POOR, ESCAPED_1] / n[POOR].sum(), rel=1e-6)


def tiny_class0_cells(tc):
    return tc.cells.klass == EM_RURAL_POOR_DISTRICT


def test_prior_dominates_empty_data_and_vanishes_as_data_grow(tiny):
    prior = load_prior()
    empty = _counts_from_cells(tiny, truth_doc(), 0, 2, seed=2)
    cal = calibrate_households(empty, prior, draws=20)
    np.testing.assert_array_equal(cal.class_rates, prior.class_rates)
    truth = class_rates_of(truth_doc())[0, 0]
    pulls = []
    for n in (200, 20_000, 2_000_000):
        tc = _counts_from_cells(tiny, truth_doc(), n, 2, seed=3)
        est = calibrate_households(tc, prior, draws=20).class_rates[0, 0]
        cnt = tc.counts.sum(axis=0)[tiny_class0_cells(tc)].sum(axis=0)
        mle = cnt[POOR, ESCAPED_1] / cnt[POOR].sum()
        k = kappa(0.065, 0.04, 0.10)
        assert est - mle == pytest.approx(k * (0.065 - mle) / (cnt[POOR].sum() + k), abs=1e-12)
        pulls.append(abs(est - mle))
    assert pulls[0] > pulls[1] > pulls[2] and pulls[2] < 1e-3
    assert abs(est - truth) < 3e-3


def test_numerical_posterior_equals_conjugate_posterior(tiny):
    """With factors of 1 passed as a 'budget', the numerical path must give the conjugate answer."""
    tc = _counts_from_cells(tiny, truth_doc(), 5_000, 2, seed=4)
    ones = np.ones((1, 1, len(tc.cells), 6))
    fake = Exposure(np.array([1.0]), ones, ones.copy(), ({"scenario": "factors of one"},))
    closed = calibrate_households(tc, load_prior(), draws=20)
    numeric = calibrate_households(tc, load_prior(), exposure=fake, draws=20)
    np.testing.assert_allclose(numeric.class_rates, closed.class_rates, rtol=2e-5, atol=1e-8)


def test_programme_is_netted_out(tiny):
    """Moves generated with programme factors: with the factors the baseline is recovered,
    without them the estimate is the (higher) gross escape rate."""
    truth = truth_doc()
    C = len(template_cells(tiny))
    f1 = np.ones((1, C, 6))
    f1[..., POOR] = 0.9  # 10 % fewer poor households fail to escape
    f2 = f1 * 0.97  # and somewhat more move up to near-poor (a programme's F2 <= F1, as in the engine)
    tc = _counts_from_cells(tiny, truth, 400_000, 2, seed=5, f1=f1, f2=f2)
    ex = Exposure(np.array([1.0]), f1[None], f2[None], ({"scenario": "test"},))
    net = calibrate_households(tc, load_prior(), exposure=ex, draws=20)
    gross = calibrate_households(tc, load_prior(), draws=20)
    a0 = class_rates_of(truth)[0, 0]
    assert net.class_rates[0, 0] == pytest.approx(a0, abs=3e-3)
    assert gross.class_rates[0, 0] == pytest.approx(1 - (1 - a0) * 0.9, abs=3e-3)


def test_effect_multiplier_is_identified_when_intensity_varies(tiny):
    """Factors f(lambda) = f1^lambda with cell-varying intensity; data made at lambda = 1.6."""
    truth = truth_doc()
    C = len(template_cells(tiny))
    base = np.ones((1, C, 6))
    base[..., POOR] = np.linspace(0.75, 1.0, C)[None, :]
    grid = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0])
    tc = _counts_from_cells(tiny, truth, 300_000, 2, seed=6, f1=base**1.6, f2=base**1.6)
    fl = base[None] ** grid[:, None, None, None]
    ex = Exposure(grid, fl, fl.copy(), ({"scenario": "test"},))
    cal = calibrate_households(tc, load_prior(), exposure=ex, structure="parametric", effects=True, draws=50)
    assert cal.effect_multiplier == pytest.approx(1.6, abs=0.15)
    assert cal.data_weight["effect_multiplier"] > 0.9
