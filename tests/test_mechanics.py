"""Mechanics of issue 14: durable works keep acting, area lines reach everybody of an area alike,
a house never goes twice to a household, livelihood lines cannot lift households without labour
capacity, diminishing returns. Checked against hand-worked values and counts, not copied outputs."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_scenario, tiny_raw

from simlib.engines import run_expected, run_microsim
from simlib.engines.expected import YearStep
from simlib.engines.microsim import move_housed
from simlib.engines.reach import (
    acting_spend,
    beneficiaries,
    beneficiary_money,
    coverage_shares,
    held_stock,
    pool_left,
    reach_households,
    record,
    saturating,
    survival,
)
from simlib.model import compile_model
from simlib.results import review_category_name
from simlib.runner import run
from simlib.scenario import SOURCES
from simlib.states import ESCAPED_1, NON_POOR, POOR

#: every planned VND spent in its year (the defaults follow published disbursement rates)
FULL_DISBURSEMENT = [(f"funding.sources.{s}.disbursement.value", 1.0) for s in SOURCES]


def _only(lines: dict, years=("2023",), horizon: int = 2, set_overrides=()):
    """A tiny scenario whose budget funds `lines` (code -> billion VND of its capital) in `years` only."""
    yrs = {str(y): {} for y in range(2023, 2024 + horizon)}
    for y in years:
        yrs[y] = {"lines": lines}
    return make_scenario(tiny_raw(horizon=horizon, budget={"unit": "billion VND", "years": yrs}), set_overrides)


def _none(horizon: int = 2):
    return _only({}, years=(), horizon=horizon)


def test_saturating_is_the_root_of_the_rising_cost_and_spends_the_money():
    x, pool = np.array([0.0, 10.0, 50.0, 500.0]), np.array(100.0)
    for rise in (0.0, 0.5, 2.0):
        r = saturating(x, pool, np.array(rise))
        # money spent = unit cost x (r + rise r^2 / (2 pool)), until the pool is exhausted
        spent = r + rise * r**2 / (2 * pool)
        inside = r < pool
        np.testing.assert_allclose(spent[inside], x[inside], rtol=1e-12)
        assert r[-1] == pool
    # diminishing returns: the second 10 beneficiaries' worth of money buys fewer than the first
    r10, r20 = saturating(np.array([10.0, 20.0]), pool, np.array(1.0))
    assert r20 - r10 < r10


def test_survival_is_straight_line_over_the_life():
    np.testing.assert_allclose(survival(np.array(20.0), np.arange(0, 25, 5)), [1, 0.75, 0.5, 0.25, 0])
    assert survival(np.array(0.0), np.array(1)) == 0.0


def test_area_line_covers_every_tier_alike_household_line_fills_tiers_in_order():
    model = compile_model(make_scenario())
    area, hh = model.line_codes.index("P1.1"), model.line_codes.index("P2")
    by_tier = np.zeros((2, len(model.unit_ids), model.n_tiers))
    by_tier[:, 0, :3] = [100.0, 300.0, 600.0]  # e.g. poor, near-poor and non-poor tiers of unit 0
    sp = np.zeros((2, len(model.unit_ids)))
    sp[:, 0] = [200.0 * model.unit_cost[area], 200.0 * model.unit_cost[hh]]
    r = beneficiaries(model, sp, by_tier, lines=[area, hh])
    share = coverage_shares(r.covered, by_tier)
    # area: the same share of every tier (the poor and the rest of the area in proportion)
    np.testing.assert_allclose(share[0, 0, :3], r.reached[0, 0] / 1000.0, rtol=1e-12)
    # household line: the first tier first, up to its take-up ceiling
    assert share[1, 0, 0] == pytest.approx(model.max_share[hh])
    assert share[1, 0, 1] < share[1, 0, 0] and share[1, 0, 2] == 0.0


def test_area_line_reaches_poor_and_non_poor_households_in_proportion_microsim():
    scen = _only({"P1.1": {"central_investment": 30}})
    model = compile_model(scen)
    li = model.line_codes.index("P1.1")
    group = np.repeat(np.arange(len(model.g_unit)), model.n0.sum(1).astype(int))
    state = np.concatenate([np.repeat(np.arange(6), model.n0[g].astype(int)) for g in range(len(model.g_unit))])
    sp = acting_spend(model, model.spend)[0]
    r = reach_households(model, sp, group, state.astype(np.int8), np.random.default_rng(1))
    for d in np.flatnonzero(r.reached[li] > 0):
        in_d = model.g_unit[group] == d
        poor, rest = in_d & (state == POOR), in_d & (state == NON_POOR)
        p_all = r.chosen[li, in_d].mean()
        for m in (poor, rest):  # each within 4.5 binomial standard errors of the unit's share
            se = np.sqrt(p_all * (1 - p_all) / m.sum())
            assert abs(r.chosen[li, m].mean() - p_all) < 4.5 * se + 1e-12
        assert r.chosen[li, rest].sum() > 0  # non-poor households are served too


def test_infrastructure_keeps_acting_in_the_years_after_it_is_built():
    """Works paid in 2023 (acting 2024, lag 1) still serve (1 - age / life) of the households
    they first served in 2025 and 2026, with no new money, and lower relapse there."""
    scen, none = _only({"P1.1": {"central_investment": 30}}, horizon=3), _none(horizon=3)
    model, base = compile_model(scen), compile_model(none)
    li = model.line_codes.index("P1.1")
    step = YearStep(model, 1, model.effects[None])
    n, sp = model.n0[None].astype(float), acting_spend(model, model.spend[None])[0]
    served = []
    for y in range(3):
        st = step(n, sp[y], y)
        served.append(st.reached[0, li].sum())
        n = np.einsum("sgk,sgkj->sgj", st.n, st.P)
    life = model.params.life[li]
    built = step.built[0, 0, li]
    assert built.sum() == pytest.approx(served[0]) and served[1] == served[2] == 0.0
    for y in (1, 2):
        np.testing.assert_allclose(held_stock(model, step.built, y)[0, li], built * (1 - y / life), rtol=1e-12)
    out, ref = run_expected(model, model.spend), run_expected(base, base.spend)
    served_units = np.flatnonzero(built > 0)
    in_served = np.isin(model.g_unit, served_units)
    elsewhere = ~in_served & ~model.g_housed
    for y in (1, 2):  # later years: fewer relapses from escaped households where the works stand
        relapse = out.flows[0, y][:, ESCAPED_1, POOR]
        relapse_ref = ref.flows[0, y][:, ESCAPED_1, POOR]
        rate, rate_ref = (
            relapse[in_served].sum() / out.states[0, y][in_served, ESCAPED_1].sum(),
            (relapse_ref[in_served].sum() / ref.states[0, y][in_served, ESCAPED_1].sum()),
        )
        assert rate < rate_ref
        np.testing.assert_allclose(out.flows[0, y][elsewhere], ref.flows[0, y][elsewhere], rtol=1e-9, atol=1e-9)


def test_no_household_receives_a_house_twice_microsim():
    scen = _only({"P5": {"central_recurrent": 400}}, years=("2023", "2024", "2025", "2026"), horizon=4)
    model = compile_model(scen)
    li = model.line_codes.index("P5")
    rng = np.random.default_rng(5)
    group = np.repeat(np.arange(len(model.g_unit)), model.n0.sum(1).astype(int)).astype(np.int32)
    state = np.concatenate([np.repeat(np.arange(6), model.n0[g].astype(int)) for g in range(len(model.g_unit))])
    state = state.astype(np.int8)
    houses = np.zeros(group.size, int)
    sp = acting_spend(model, model.spend)
    eligible = []
    for y in range(len(model.years)):
        r = reach_households(model, sp[y], group, state, rng)
        houses += r.chosen[li]
        eligible.append(r.eligible[li].sum())
        group = move_housed(model, group, r.chosen)
        assert model.g_housed[group[r.chosen[li]]].all()
    assert houses.max() == 1 and houses.sum() > 0
    assert eligible[-1] < eligible[0]  # the served stock leaves the eligible pool
    # the engine itself: houses given over the run never exceed the households eligible at the start
    out = run_microsim(model, model.spend, draws=2, seed=3)
    start_pool = model.n0[model.eligible[li].any(1) & ~model.g_housed].sum()
    assert np.all(out.reached[:, :, li].sum(axis=(1, 2)) <= start_pool)


@pytest.mark.parametrize("line", ["P2", "P3.1", "P4.1"])
def test_a_livelihood_line_does_not_lift_a_household_without_labour_capacity(line):
    scen = _only({line: {"central_recurrent": 40}})
    model, base = compile_model(scen), compile_model(_none())
    li = model.line_codes.index(line)
    unable = model.g_labour == 1
    assert unable.any() and not model.eligible[li][unable].any()
    out, ref = run_expected(model, model.spend), run_expected(base, base.spend)
    np.testing.assert_allclose(out.flows[0, 0][unable], ref.flows[0, 0][unable], rtol=1e-12, atol=1e-12)
    assert out.flows[0, 0][~unable][:, POOR, ESCAPED_1].sum() > ref.flows[0, 0][~unable][:, POOR, ESCAPED_1].sum()
    # microsim: never chosen
    rng = np.random.default_rng(2)
    group = np.repeat(np.arange(len(model.g_unit)), model.n0.sum(1).astype(int)).astype(np.int32)
    state = np.concatenate([np.repeat(np.arange(6), model.n0[g].astype(int)) for g in range(len(model.g_unit))])
    r = reach_households(model, acting_spend(model, model.spend)[0], group, state.astype(np.int8), rng)
    assert r.chosen[li].any() and not r.chosen[li][model.g_labour[group] == 1].any()


def test_review_flows_add_up_to_the_model_flows_and_close_each_list():
    res = run(make_scenario(), engine="expected")
    rf, fl, st = res.review_flows, res.flows, res.states
    keys = ["draw", "year", "district", "ethnic_group", "area"]
    # every row is exactly one model flow: per model flow and destination, the totals agree
    for (flow, to), part in rf.groupby(["model_flow", "to_state"]):
        model = fl[(fl["flow"] == flow) & (fl["to_state"] == to)]["households"].sum()
        for _, one_list in part.groupby("list"):  # a move between the lists is a row of each
            assert one_list["households"].sum() == pytest.approx(model, rel=1e-12)
    # the review's identity for each list: end = start + in - out, per cell and year
    for lst in ("poor", "near_poor"):
        part = rf[rf["list"] == lst]
        sign = np.where(part["direction"] == "out", -1.0, 1.0)
        net = part.assign(h=sign * part["households"]).groupby(keys)["h"].sum()
        stock = st[st["state"] == lst].groupby(["draw", "year", "district", "ethnic_group", "area"])["households"].sum()
        for (draw, year, d, e, a), v in net.items():
            assert stock[(draw, year, d, e, a)] - stock[(draw, year - 1, d, e, a)] == pytest.approx(v, abs=1e-6)
    # the headline: the review's "thoát nghèo" counts poor -> near-poor too
    ind = res.indicators
    prov = ind[(ind["geo"] == "province") & (ind["year"] == 2024)].set_index("indicator")["value"]
    assert prov["review_escapes"] == pytest.approx(prov["escapes"] + prov["poor_to_near_poor"], rel=1e-12)
    assert prov["review_added_poor"] > prov["relapses"] + prov["new_poor"]  # + new households entering poor


def test_reclassification_by_the_programme_is_visible():
    ind = run(make_scenario(), engine="expected").indicators
    prov = ind[(ind["geo"] == "province") & (ind["year"] == 2025)].set_index("indicator")["value"]
    assert prov["reclassified_by_programme"] == pytest.approx(
        prov["poor_fewer_than_without_programme"] - prov["poor_near_poor_fewer_than_without_programme"], rel=1e-12
    )
    # a line acting only through deprivations (P5: houses) mostly reclassifies
    only = run(_only({"P5": {"central_recurrent": 40}}, years=("2023", "2024")), engine="expected").indicators
    p5 = only[(only["geo"] == "province") & (only["year"] == 2025)].set_index("indicator")["value"]
    assert p5["reclassified_by_programme"] > 0


def test_review_categories_carry_the_form_s_names():
    assert review_category_name("poor", "relapse", "vi") == "Tái nghèo"
    assert review_category_name("poor", "to_near_poor", "en").startswith("Becoming near-poor")


def test_scorecard_shows_the_poor_plus_near_poor_change_next_to_the_poor_rate_target():
    res = run(make_scenario(), engine="expected")
    ind, tg = res.indicators, res.targets
    row = tg[(tg["target_id"] == "poor_rate_province") & (tg["year"] == 2024)].iloc[0]
    rates = ind[(ind["geo"] == "province")].set_index(["year", "indicator"])["value"]
    expect = rates[(2024, "poor_near_poor_rate")] - rates[(2023, "poor_near_poor_rate")]
    assert row["poor_near_poor_value"] == pytest.approx(expect, rel=1e-12)
    assert tg[tg["indicator"] != "poor_rate_change"]["poor_near_poor_value"].isna().all()


def test_value_left_of_durable_assets_is_straight_line_wear():
    # worked with every planned VND spent (30 + 10 billion in 2024)
    lines = {"P1.1": {"central_investment": 30}, "P2": {"central_recurrent": 10}}
    res = run(_only(lines, years=("2024",), horizon=3, set_overrides=FULL_DISBURSEMENT))
    model, prog, ind = res.model, res.programme, res.indicators
    life = model.params.life[model.line_codes.index("P1.1")]
    # money of 2024 (first projected year, horizon 2024-2026): 3 years of wear by the end of 2026
    p11 = prog[(prog["line"] == "P1.1") & (prog["year"] == 2024)]
    np.testing.assert_allclose(p11["value_left_after_horizon_vnd"], p11["spend_vnd"] * (1 - 3 / life), rtol=1e-12)
    assert (prog[prog["line"] == "P2"]["value_left_after_horizon_vnd"] == 0).all()  # no asset
    prov = ind[(ind["geo"] == "province")].set_index(["year", "indicator"])["value"]
    for year, age in ((2024, 1), (2026, 3)):
        assert prov[(year, "value_left")] == pytest.approx(30 * (1 - age / life), rel=1e-9)
    cum = 40e3  # million VND spent by 2026
    expect = (cum - prov[(2026, "value_left")] * 1e3) / prov[(2026, "poor_fewer_than_without_programme")]
    assert prov[(2026, "cost_per_household_lifted_net")] == pytest.approx(expect, rel=1e-9)


def test_money_a_run_spends_on_its_beneficiaries_is_the_money_acting_below_the_pool():
    """At a cost per beneficiary rising with the share of the pool reached, the beneficiaries a
    line's money buys cost exactly that money (the inverse of the saturating reach) wherever the
    pool is not exhausted, more than unit cost x beneficiaries; so absorption finds no money
    unallocatable there."""
    model = compile_model(make_scenario())
    out = run_expected(model, model.spend)
    acting = acting_spend(model, model.spend)[None]  # (1, Y, L, D) as the run's arrays
    used = beneficiary_money(model, out.reached, out.eligible)
    s, p = model.structure, model.params
    hist = record(model, out.reached[0], out.eligible[0])
    pools = np.stack(
        [
            pool_left(model, out.eligible[0, y] * p.max_share[:, None], held_stock(model, hist, y))[0]
            for y in range(len(model.years))
        ]
    )
    below = pools[None] - out.reached > 1e-6
    check = (acting > 1e6) & s.household_line[:, None] & below
    assert check.sum() > 3 and (p.cost_rise[s.household_line] > 0).all()
    np.testing.assert_allclose(used[check], acting[check], rtol=1e-9)
    assert (used[check] > (out.reached * p.unit_cost[:, None])[check] * (1 + 1e-6)).all()
