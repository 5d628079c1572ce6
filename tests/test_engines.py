"""Engines against independent calculations: closed-form Markov powers, a hand-worked line
effect, conservation of households, and agreement between the two engines."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_scenario, tiny_raw

from simlib.engines import run_expected, run_microsim
from simlib.model import compile_model
from simlib.schema import qv
from simlib.states import ESCAPED_1, ESCAPED_2, ESCAPED_3, NEAR_POOR, NON_POOR, POOR


def hand_matrix(tr: dict, eth: str, area: str, poor_district: bool) -> np.ndarray:
    """The no-programme annual matrix written out from the YAML, independently of simlib's
    transition code (growth added as in the model: g * households enter with entry shares)."""
    up, down = 1.0, 1.0
    for mod in tr["modifiers"]:
        cond = mod["applies_to"]
        if (
            cond.get("ethnic_group", eth) == eth
            and cond.get("area", area) == area
            and cond.get("poor_district", poor_district) == poor_district
        ):
            up *= qv(mod["upward"])
            down *= qv(mod["downward"])
    ref = {f: {t: qv(q) for t, q in row.items()} for f, row in tr["reference"].items()}
    a, b = ref["poor"]["escaped_1"] * up, ref["poor"]["near_poor"] * up
    x, f = ref["near_poor"]["non_poor"] * up, ref["near_poor"]["poor"] * down
    M = np.zeros((6, 6))
    M[POOR, ESCAPED_1] = a
    M[POOR, NEAR_POOR] = (1 - a) * b
    M[POOR, POOR] = (1 - a) * (1 - b)
    M[NEAR_POOR, NON_POOR] = x
    M[NEAR_POOR, POOR] = (1 - x) * f
    M[NEAR_POOR, NEAR_POOR] = (1 - x) * (1 - f)
    for k, nxt, name in (
        (ESCAPED_1, ESCAPED_2, "escaped_1"),
        (ESCAPED_2, ESCAPED_3, "escaped_2"),
        (ESCAPED_3, NON_POOR, "escaped_3"),
    ):
        r, q = ref[name]["poor"] * down, ref[name]["near_poor"] * down
        M[k, POOR], M[k, NEAR_POOR], M[k, nxt] = r, q, 1 - r - q
    p, q = ref["non_poor"]["poor"] * down, ref["non_poor"]["near_poor"] * down
    M[NON_POOR, POOR], M[NON_POOR, NEAR_POOR], M[NON_POOR, NON_POOR] = p, q, 1 - p - q
    g = qv(tr["growth"]["rate"])
    entry = np.zeros(6)
    entry[[POOR, NEAR_POOR, NON_POOR]] = [
        qv(tr["growth"]["entry_states"][s]) for s in ("poor", "near_poor", "non_poor")
    ]
    return M + g * entry[None, :]  # every household brings g new households distributed by entry


def test_zero_budget_equals_closed_form_matrix_power():
    years = {str(y): {} for y in range(2023, 2029)}
    scen = make_scenario(tiny_raw(horizon=5, budget={"unit": "VND", "years": years}))
    model = compile_model(scen)
    out = run_expected(model, model.spend)
    tr = scen.params["transitions"]
    eth, area = ("ethnic_minority", "kinh"), ("rural", "urban")
    for gi in range(len(model.g_unit)):
        M = hand_matrix(tr, eth[model.g_eth[gi]], area[model.g_area[gi]], bool(model.poor_district[model.g_unit[gi]]))
        expect = model.n0[gi] @ np.linalg.matrix_power(M, 5)
        np.testing.assert_allclose(out.states[0, -1, gi], expect, rtol=1e-10, atol=1e-8)


def _with_twins_summed(model, arr: np.ndarray) -> np.ndarray:
    """(S, G, ...) -> (S, G, ...) with each housed twin's households added to its base group
    (twins zero): a house moves a household to its group's twin within the year."""
    has = np.flatnonzero(model.twin >= 0)
    out = np.where(model.g_housed.reshape((1, -1) + (1,) * (arr.ndim - 2)), 0.0, arr)
    out[:, has] += arr[:, model.twin[has]]
    return out


def test_households_are_conserved_up_to_growth(tiny_scenario):
    model = compile_model(tiny_scenario)
    assert model.g_housed.any()  # the tiny scenario funds houses
    for out in (run_expected(model, model.spend), run_microsim(model, model.spend, draws=3, seed=1)):
        for y in range(len(model.years)):
            before = out.states[:, y].sum(axis=(1, 2))
            # every household either stays somewhere or moves: flows out of each state = its stock
            # (a group and its housed twin together: flows start after the year's moves)
            np.testing.assert_allclose(
                _with_twins_summed(model, out.flows[:, y].sum(axis=-1)),
                _with_twins_summed(model, out.states[:, y]),
                atol=1e-9,
            )
            # the next stock = flows into each state + new households
            np.testing.assert_allclose(
                out.flows[:, y].sum(axis=-2) + out.entries[:, y], out.states[:, y + 1], atol=1e-9
            )
            if out.engine == "expected":
                np.testing.assert_allclose(
                    out.states[:, y + 1].sum(axis=(1, 2)), before * (1 + model.growth), rtol=1e-12
                )
            else:  # stochastic rounding of g * N per group: within one household per group
                assert np.all(
                    np.abs(out.states[:, y + 1].sum(axis=(1, 2)) - before * (1 + model.growth)) <= len(model.g_unit)
                )


def test_hand_worked_line_effect():
    """P2 funds exactly half of the first-priority households (ethnic-minority poor) in the
    north; their escape probability must be 1 - (1 - a)(1 - 0.5 * e)."""
    raw = tiny_raw()
    scen0 = make_scenario(raw)
    model0 = compile_model(scen0)
    north = model0.unit_ids.index("north")
    tier0 = (model0.g_unit == north) & (model0.g_eth == 0) & (model0.g_labour == 0)  # P2 needs labour
    n_tier0 = model0.n0[tier0, POOR].sum()
    cost = qv(scen0.params["program"]["lines"]["P2"]["beneficiary"]["unit_cost"])
    budget_bn = 0.5 * n_tier0 * cost / 1e9
    raw["budget"] = {
        "unit": "billion VND",
        "years": {"2024": {"lines": {"P2": {"central_recurrent": budget_bn}}}, "2025": {}},
        "district_split": {"lines": {"P2": {"north": 1.0}}},
    }
    # worked without diminishing returns, with the money acting in its own year, all of it spent
    flat = [
        ("program.reach.cost_rise.value", 0.0),
        ("program.lines.P2.lag.range", [0, 2]),
        ("program.lines.P2.lag.value", 0),
        ("funding.sources.central_recurrent.disbursement.value", 1.0),
    ]
    scen = make_scenario(raw, set_overrides=[("program.lines.P2.effects.escape.value", 0.15)] + flat)
    model = compile_model(scen)
    out = run_expected(model, model.spend)
    a_ref = qv(scen.params["transitions"]["reference"]["poor"]["escaped_1"])  # EM, rural, poor district
    g = np.flatnonzero(tier0 & (model.g_area == 0))
    escaped = out.flows[0, 0, g, POOR, ESCAPED_1]
    np.testing.assert_allclose(escaped, model.n0[g, POOR] * (1 - (1 - a_ref) * (1 - 0.5 * 0.15)), rtol=1e-12)
    # the second priority tier (and everybody in other districts) got nothing
    others = np.flatnonzero(~tier0)
    none = compile_model(
        make_scenario(
            tiny_raw(budget={"unit": "VND", "years": {"2023": {}, "2024": {}, "2025": {}}}), set_overrides=flat
        )
    )
    base = run_expected(none, none.spend)
    np.testing.assert_allclose(out.flows[0, 0, others], base.flows[0, 0, others], rtol=1e-12)


def test_microsim_mean_matches_expected(tiny_scenario):
    model = compile_model(tiny_scenario)
    exp = run_expected(model, model.spend)
    draws = 40
    mic = run_microsim(model, model.spend, draws=draws, seed=2024)
    for arr_e, arr_m in ((exp.states, mic.states), (exp.flows.sum(axis=-2), mic.flows.sum(axis=-2))):
        e = arr_e.sum(axis=2)[0]  # (Y, K) province totals by state
        m = arr_m.sum(axis=2)
        mean, se = m.mean(0), m.std(0, ddof=1) / np.sqrt(draws)
        # 4.5 standard errors plus a small allowance for E[min(R, E)] vs min(R, E[E]) in year 2
        assert np.all(np.abs(mean - e) <= 4.5 * se + 0.002 * e + 1.0), (mean, e, se)


def test_microsim_reaches_exactly_what_the_budget_buys(tiny_scenario):
    model = compile_model(tiny_scenario)
    mic = run_microsim(model, model.spend, draws=2, seed=3)
    exp = run_expected(model, model.spend)
    # year 1: identical eligible counts, so reached differs only by integer rounding
    hh = model.household_line
    assert np.all(np.abs(mic.reached[:, 0][:, hh] - exp.reached[0, 0][hh]) <= model.n_tiers)


def test_same_seed_same_numbers_different_seed_differs(tiny_scenario):
    model = compile_model(tiny_scenario)
    a = run_microsim(model, model.spend, draws=2, seed=11)
    b = run_microsim(model, model.spend, draws=2, seed=11)
    c = run_microsim(model, model.spend, draws=2, seed=12)
    assert np.array_equal(a.states, b.states) and np.array_equal(a.flows, b.flows)
    assert not np.array_equal(a.states, c.states)
    assert not np.array_equal(a.states[0], a.states[1])  # draws are independent


LINES_THAT_LOWER_POVERTY = [
    "P1.1",
    "P1.2",
    "P2",
    "P3.1",
    "P3.2",
    "P4.1",
    "P4.2",
    "P4.3",
    "P5",
    "P6.1",
    "P6.2",
    "P7.1",
    "P7.2",
]


@pytest.mark.parametrize("line", LINES_THAT_LOWER_POVERTY)
def test_more_money_never_raises_expected_poor(tiny_scenario, line):
    model = compile_model(tiny_scenario)
    li = model.line_codes.index(line)
    levels = np.array([0.0, 0.5, 1.0, 2.0, 5.0, 20.0, 100.0]) * 1e9
    spend = np.repeat(model.spend[None], len(levels), axis=0)
    share = model.split[li]
    spend[:, :, li, :] = levels[:, None, None] * share[None, None, :]
    out = run_expected(model, spend)
    poor = out.states[:, :, :, POOR].sum(axis=2)  # (levels, Y+1)
    assert np.all(np.diff(poor[:, -1]) <= 1e-9), poor[:, -1]
    assert np.all(np.diff(poor[:, 1]) <= 1e-9)


def test_vectorised_sweep_equals_one_by_one(tiny_scenario):
    model = compile_model(tiny_scenario)
    rng = np.random.default_rng(0)
    spend = model.spend[None] * rng.uniform(0, 2, size=(5, 1, len(model.line_codes), 1))
    batch = run_expected(model, spend)
    for s in range(5):
        single = run_expected(model, spend[s])
        np.testing.assert_allclose(batch.states[s], single.states[0], rtol=1e-12)


def test_priority_order_fills_first_tier_first(tiny_scenario):
    model = compile_model(tiny_scenario)
    li = model.line_codes.index("P3.1")
    spend = np.zeros_like(model.spend)
    spend[:, li] = 2e9 * model.split[li]  # small budget
    out = run_expected(model, spend[None])
    # with little money nobody outside tier 0 is reached: reached <= tier-0 eligible households
    tier0 = model.eligible[li] & (model.tier[li] == 0)
    by_unit = np.zeros(len(model.unit_ids))
    np.add.at(by_unit, model.g_unit, (model.n0 * tier0).sum(1))
    assert np.all(out.reached[0, 0, li] <= by_unit + 1e-9)
    assert out.reached[0, 0, li].sum() > 0


def test_select_beneficiaries_exact_counts_and_uniform():
    """Exactly n_select per bin (full and empty bins included), and within a partly covered bin
    every household is equally likely: selection frequencies over many calls pass a chi-square
    test at a fixed seed (the statistic would be far off if, e.g., the first households of a bin
    were always taken)."""
    from scipy import stats

    from simlib.engines.reach import select_beneficiaries

    rng = np.random.default_rng(11)
    key = np.repeat(np.arange(4), [30, 20, 10, 0 + 5])[rng.permutation(65)]
    n_groups = np.bincount(key, minlength=4)
    n_select = np.array([7, 0, 10, 2])  # partial, empty, full, partial
    freq = np.zeros(key.size)
    reps = 4000
    for _ in range(reps):
        chosen = select_beneficiaries(key, n_select, n_groups, rng)
        assert np.array_equal(np.bincount(key[chosen], minlength=4), np.minimum(n_select, n_groups))
        freq += chosen
    for b in (0, 3):  # partly covered bins: observed counts against the uniform expectation
        obs = freq[key == b]
        exp = np.full(obs.size, reps * n_select[b] / n_groups[b])
        assert stats.chisquare(obs, exp).pvalue > 0.001
    assert (freq[key == 2] == reps).all() and (freq[key == 1] == 0).all()


def test_indicator_arrays_read_the_money_the_run_used(tiny_scenario):
    """Money spent and infrastructure coverage come from the spend passed in (the counterfactual's
    zero money), not from the scenario's own allocation."""
    from simlib.results import indicator_arrays

    m = compile_model(tiny_scenario)
    zero = np.zeros_like(m.spend)
    _, own = indicator_arrays(run_expected(m, m.spend), m, m.spend)
    _, cf = indicator_arrays(run_expected(m, zero), m, zero)
    assert np.allclose(own["spend"][0, 1:, 0], m.spend[1:].sum(axis=(1, 2)) / 1e9)
    assert (cf["spend"][0, 1:, 0] == 0).all()
    assert (own["poor_districts_with_infrastructure"][0, 1:, 0] == 100).all()  # the tiny plan funds them
    assert (cf["poor_districts_with_infrastructure"][0, 1:, 0] == 0).all()
