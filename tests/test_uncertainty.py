"""Uncertainty sampling and summaries against independent answers: rows on the simplex, known
means and quantiles of the declared distributions, zero-width ranges reproducing the
deterministic run, deterministic outcomes giving probabilities 0 or 1, seeds, streaming."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from conftest import make_scenario, tiny_raw

from simlib.parameters import load_parameters
from simlib.runner import run
from simlib.scenario import scenario_from_dict
from simlib.schema import iter_quantities
from simlib.uncertainty.apply import model_for_values, params_for_values
from simlib.uncertainty.evaluate import make_layout
from simlib.uncertainty.run import run_uncertainty
from simlib.uncertainty.sampling import dirichlet_ppf, sample, scalar_ppf
from simlib.uncertainty.space import Factor, build_space
from simlib.uncertainty.summaries import QUANTILES, quantile_table
from simlib.uncertainty.validity import transition_violations


@pytest.fixture(scope="module")
def params():
    return load_parameters()


@pytest.fixture(scope="module")
def tiny():
    return make_scenario()


def _cols(space, prefix):
    return [i for i, k in enumerate(space.keys) if k.startswith(prefix)]


def test_every_quantity_is_sampled_or_fixed_for_a_stated_reason(params):
    space = build_space(params)
    sampled = set(space.keys)
    fixed = dict(space.fixed)
    for name, doc in params.docs.items():
        if name == "evidence":  # the register itself: its priors reach the model through the files citing them
            continue
        for path, _q in iter_quantities(doc):
            key = ".".join([name, *map(str, path)])
            assert key in sampled or key in fixed, key
            if key in fixed:  # never "just forgot the range"
                assert fixed[key] not in ("no range",), (key, fixed[key])
    for f in space.factors:
        assert f.basis.strip(), f.name


def test_sampled_rows_sum_to_one_and_shares_stay_on_the_simplex(params):
    space = build_space(params)
    s = sample(space, params, 512, "sobol", seed=3)
    v = s.values
    assert np.all((v >= 0) & np.isfinite(v))
    tr = params["transitions"]
    for state in tr["reference"]:
        keys = [k for k in space.keys if k.startswith(f"transitions.reference.{state}.")]
        a, b = (v[:, space.keys.index(k)] for k in keys)
        if state in ("poor", "near_poor"):  # up, then the other move given no move up
            row = np.column_stack([a, (1 - a) * b, (1 - a) * (1 - b)])
        else:
            row = np.column_stack([a, b, 1 - a - b])
        assert np.all(row >= -1e-15) and np.allclose(row.sum(1), 1.0, atol=1e-12)
    entry = v[:, _cols(space, "transitions.growth.entry_states.")]
    assert np.all(entry >= 0) and np.allclose(entry.sum(1), 1.0, atol=1e-12)
    assert not transition_violations(space, params, v).any()
    # the core's own validation accepts every row after relative risks (a sample of draws)
    for i in range(0, 512, 64):
        params_for_values(params, space.keys, v[i], validate=True)


def test_dirichlet_rows_are_centred_with_the_declared_concentration(params):
    space = build_space(params)
    f = next(f for f in space.factors if f.name == "transitions.reference.poor")
    u = sample(space, params, 4000, "lhs", seed=1).uniforms[:, space.columns()[space.factors.index(f)]]
    p = dirichlet_ppf(u, f.concentration * np.array(f.explicit))
    mean, var = np.array(f.explicit), np.array(f.explicit) * (1 - np.array(f.explicit)) / (f.concentration + 1)
    np.testing.assert_allclose(p.mean(0), mean, atol=4 * np.sqrt(var / 4000).max())
    np.testing.assert_allclose(p.var(0), var, rtol=0.1)


def test_scalar_distributions_have_their_documented_quantiles():
    def fac(dist, v, lo, hi, bounds=(0.0, np.inf)):
        return Factor(
            name="x",
            keys=("x",),
            central=(v,),
            kind="other",
            project="other",
            distribution=dist,
            low=lo,
            high=hi,
            bounds=bounds,
        )

    u = np.array([0.05, 0.5, 0.95])
    np.testing.assert_allclose(scalar_ppf(fac("uniform", 2, 1, 5), u), [1.2, 3.0, 4.8])
    # triangular (lo=0, mode=1, hi=4): F(x) = x^2/4 on [0, 1], so the 5 % point is sqrt(0.2)
    assert scalar_ppf(fac("triangular", 1, 0, 4), np.array([0.05]))[0] == pytest.approx(np.sqrt(0.2))
    # normal and lognormal: the range is the 5-95 % interval around the central value
    np.testing.assert_allclose(scalar_ppf(fac("normal", 10, 8, 12), u), [8, 10, 12], rtol=1e-9)
    np.testing.assert_allclose(scalar_ppf(fac("lognormal", 2, 1, 4), u), [1, 2, 4], rtol=1e-9)
    # beta (PERT): mean (lo + 4 mode + hi) / 6
    x = scalar_ppf(fac("beta", 0.2, 0.0, 1.0), (np.arange(20000) + 0.5) / 20000)
    assert x.mean() == pytest.approx((0 + 4 * 0.2 + 1) / 6, abs=1e-3)
    assert np.all(scalar_ppf(fac("fixed", 3, 1, 5), u) == 3)
    # a normal probability is truncated to [0, 1]
    assert scalar_ppf(fac("normal", 0.02, 0.0, 0.2, (0.0, 1.0)), np.array([1e-6]))[0] >= 0


def test_invalid_rows_after_relative_risks_are_repaired_towards_the_centre(params):
    wide = params.with_overrides(
        {"transitions.modifiers.0.upward.range": [1.1, 9.0], "transitions.modifiers.1.upward.range": [1.0, 6.0]}
    )
    space = build_space(wide)
    s = sample(space, wide, 256, "lhs", seed=5)
    assert s.repaired.any()  # the test would be empty otherwise
    assert not transition_violations(space, wide, s.values).any()
    for i in np.flatnonzero(s.repaired)[:5]:
        params_for_values(wide, space.keys, s.values[i], validate=True)


def test_fast_path_compiles_to_the_same_model_as_validated_overrides(tiny):
    space = build_space(tiny.params)
    s = sample(space, tiny.params, 6, "lhs", seed=2)
    for v in s.values:
        a = model_for_values(tiny, space.keys, v)
        b = model_for_values(tiny, space.keys, v, validate=True)
        for f in ("n0", "rates", "effects", "unit_cost", "max_share", "spend", "entry", "capacity_units", "eligible"):
            assert np.array_equal(getattr(a, f), getattr(b, f)), f
        assert (a.growth, a.ps_want_share) == (b.growth, b.ps_want_share)


def _zero_width(raw_params):
    """Parameter documents with every range collapsed onto its central value."""
    docs = copy.deepcopy(dict(raw_params.docs))
    for doc in docs.values():
        for _, q in iter_quantities(doc):
            if "range" in q:
                q["range"] = [q["value"], q["value"]]
    return replace(raw_params, docs=docs)


@pytest.mark.parametrize("engine,reps", [("expected", 1), ("microsim", 2)])
def test_zero_width_ranges_reproduce_the_deterministic_run(tiny, engine, reps):
    ps = _zero_width(tiny.params)
    scen = scenario_from_dict(tiny_raw(), params=ps)
    assert build_space(ps).dims == 0
    unc = run_uncertainty(scen, 3, engine=engine, draws=reps)
    det = run(scen, engine=engine, draws=reps)
    key = ["year", "geo_type", "geo", "indicator"]
    # three identical draws, each the deterministic run's replications
    by_cell = pd.concat([det.indicators] * 3).groupby(key)["value"]
    expect = pd.DataFrame({f"q{int(round(100 * q)):02d}": by_cell.quantile(q) for q in QUANTILES}).reset_index()
    m = unc.quantiles.merge(expect, on=key, suffixes=("", "_det"), validate="one_to_one")
    assert len(m) == len(expect)
    for c in ("q05", "q25", "q50", "q75", "q95"):
        np.testing.assert_allclose(m[c], m[f"{c}_det"], rtol=1e-12, atol=1e-12)
    # probabilities of meeting targets are those of the deterministic run's replications
    p_det = det.targets.groupby(["target_id", "geo", "year"])["met"].mean()
    p_unc = unc.targets.set_index(["target_id", "geo", "year"])["probability_met"]
    pd.testing.assert_series_equal(p_unc.sort_index(), p_det.sort_index().astype(float), check_names=False)
    if engine == "expected":
        assert set(p_unc.unique()) <= {0.0, 1.0}


def test_probability_is_zero_or_one_when_the_outcome_does_not_depend_on_the_draws(tiny):
    """Only the escape effect of P4.3 (unfunded in the tiny plan) is uncertain: every outcome is
    deterministic, so every target is met in all draws or in none."""
    ps = _zero_width(tiny.params).with_overrides({"program.lines.P4.3.effects.escape.range": [0.0, 0.1]})
    scen = scenario_from_dict(tiny_raw(), params=ps)
    assert build_space(ps).keys == ("program.lines.P4.3.effects.escape",)
    unc = run_uncertainty(scen, 16)
    assert set(unc.targets["probability_met"].unique()) <= {0.0, 1.0}
    assert np.allclose(unc.quantiles["sd"], 0.0, atol=1e-9)


def test_same_seed_same_quantiles_through_any_executor(tiny):
    a = run_uncertainty(tiny, 12, seed=4)
    b = run_uncertainty(tiny, 12, seed=4, executor="local", jobs=2, chunk_size=3)
    c = run_uncertainty(tiny, 12, seed=5)
    pd.testing.assert_frame_equal(a.quantiles, b.quantiles)
    pd.testing.assert_frame_equal(a.targets, b.targets)
    pd.testing.assert_frame_equal(a.parameters, b.parameters)
    assert not a.quantiles["q50"].equals(c.quantiles["q50"])


def test_streamed_quantiles_equal_numpy_on_the_whole_array(tmp_path, tiny):
    unc = run_uncertainty(tiny, 20, folder=tmp_path, rules=False)
    draws = np.load(tmp_path / "uncertainty_draws.npy")
    layout = make_layout(tiny)
    small = quantile_table(
        np.load(tmp_path / "uncertainty_draws.npy", mmap_mode="r"),
        layout,
        tiny.name,
        "expected",
        block_bytes=8 * 20 * 7,
    )  # 7 columns at a time
    pd.testing.assert_frame_equal(small, unc.quantiles, rtol=1e-12)
    cells = layout.cells()
    i = cells.index[(cells["indicator"] == "poor_rate") & (cells["geo"] == "province") & (cells["year"] == 2025)][0]
    row = unc.quantiles.query("indicator == 'poor_rate' and geo == 'province' and year == 2025").iloc[0]
    np.testing.assert_allclose(row[["q05", "q50", "q95"]].to_numpy(float), np.quantile(draws[:, i], [0.05, 0.5, 0.95]))
    assert row["mean"] == pytest.approx(draws[:, i].mean()) and row["sd"] == pytest.approx(draws[:, i].std(ddof=1))


def test_uncertain_disbursement_spends_at_most_the_plan_and_matches_the_drawn_shares(tiny):
    """Spending of a draw = planned amounts x drawn disbursement share of each source (independent
    einsum over the budget), never more than planned."""
    space = build_space(tiny.params)
    s = sample(space, tiny.params, 8, "lhs", seed=9)
    sources = ("central_investment", "central_recurrent", "local", "policy_credit", "mobilised")
    for v in s.values:
        m = model_for_values(tiny, space.keys, v)
        disb = np.array([v[space.keys.index(f"funding.sources.{src}.disbursement")] for src in sources])
        expect = np.einsum("yls,s,ld->yld", tiny.budget.amounts, disb, m.split)
        np.testing.assert_allclose(m.spend, expect, rtol=1e-12)
        planned = np.einsum("yls,ld->yld", tiny.budget.amounts, m.split)  # everything planned spent
        assert np.all(m.spend <= planned * (1 + 1e-12))
