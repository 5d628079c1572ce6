"""Production support once per cycle (issue 14): a household a livelihood line supported cannot be
supported again by that line within its cycle (register `mechanics.support_cycle`, an assumption).
Hand-worked pools, the engines against the closed form, households conserved, and individual
households never supported twice within the cycle by the one-by-one selection (`reach.reach_households`
with `recent`).

The compiled household engines (`engines.household_reach`) hold the memory as cohort shares, like
the expected engine; the exact memory lives in the reference selection only."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_scenario, tiny_raw

from simlib.engines import run_expected, run_microsim
from simlib.engines.reach import (
    acting_money,
    beneficiaries,
    cycle_line,
    held_stock,
    pool_left,
    reach_households,
    record,
    supported_within,
)
from simlib.model import compile_model


def _p2_every_year(billion: float = 400.0, horizon: int = 4, overrides=()):
    """A tiny scenario that gives P2 `billion` VND every year (enough to exhaust its pool)."""
    years = {str(y): {"lines": {"P2": {"central_recurrent": billion}}} for y in range(2023, 2024 + horizon)}
    raw = tiny_raw(horizon=horizon, budget={"unit": "billion VND", "years": years})
    return make_scenario(raw, set_overrides=overrides)


@pytest.fixture(scope="module")
def model():
    return compile_model(_p2_every_year())


def test_the_register_cycle_reaches_the_production_support_lines_only(model):
    codes = model.line_codes
    cyc = dict(zip(codes, model.params.cycle))
    assert cyc["P2"] == 3 and cyc["P3.1"] == 3  # params/evidence.yaml mechanics.support_cycle
    assert set(np.array(codes)[cycle_line(model)]) == {"P2", "P3.1"}


def test_held_stock_sums_the_cohorts_of_the_cycle_hand_worked(model):
    """Shares supported 0.2 (year 0), 0.1 (year 1), 0.05 (year 2): with a 3-year cycle, year 2
    holds 0.2 + 0.1, year 3 holds 0.1 + 0.05 (year 0's cohort is back in the pool)."""
    li = model.line_codes.index("P2")
    L, D = len(model.line_codes), len(model.unit_ids)
    hist = np.zeros((4, L, D))
    hist[:3, li, 0] = [0.2, 0.1, 0.05]
    assert held_stock(model, hist, 0)[li, 0] == 0.0
    assert held_stock(model, hist, 1)[li, 0] == pytest.approx(0.2)
    assert held_stock(model, hist, 2)[li, 0] == pytest.approx(0.3)
    assert held_stock(model, hist, 3)[li, 0] == pytest.approx(0.15)
    # the pool left: the take-up ceiling less the share held
    ceiling = np.full((L, D), 100.0)
    pool, standing = pool_left(model, ceiling, held_stock(model, hist, 2))
    assert pool[li, 0] == pytest.approx(70.0) and standing[li, 0] == 0.0
    other = model.line_codes.index("P4.1")  # no cycle: the whole ceiling
    assert pool[other, 0] == 100.0


def test_beneficiaries_fill_the_tiers_within_the_pool_left(model):
    """1,000 eligible households (tiers 600 / 400), take-up m, 30 % of them supported within the
    cycle, money for everybody: reached = 1,000 m x 0.7, each tier m x 0.7 of its households."""
    li = model.line_codes.index("P2")
    D, T = len(model.unit_ids), model.n_tiers
    by_tier = np.zeros((1, D, T))
    by_tier[0, 0, :2] = [600.0, 400.0]
    stock = np.zeros((1, D))
    stock[0, 0] = 0.3
    sp = np.zeros((1, D))
    sp[0, 0] = 1e6 * model.unit_cost[li]
    r = beneficiaries(model, sp, by_tier, lines=[li], stock=stock)
    m = model.max_share[li]
    assert r.reached[0, 0] == pytest.approx(1000 * m * 0.7, rel=1e-12)
    np.testing.assert_allclose(r.covered[0, 0, :2], [600 * m * 0.7, 400 * m * 0.7], rtol=1e-12)
    assert r.eligible[0, 0] == 1000.0 and not r.old.any()


@pytest.mark.parametrize("backend", ["numpy", "jit"])
def test_expected_engine_follows_the_closed_form_of_the_cycle(model, backend):
    """With money for every household each year, P2 reaches m x eligible x (1 - the shares it
    reached in the last two years) — the closed form, from the run's own eligible counts."""
    li = model.line_codes.index("P2")
    out = run_expected(model, model.spend, backend=backend)
    E, R = out.eligible[0, :, li], out.reached[0, :, li]
    m = model.max_share[li]
    share = np.divide(R, E, out=np.zeros_like(R), where=E > 0)
    for y in range(len(model.years)):
        held = share[max(0, y - 2) : y].sum(axis=0)
        np.testing.assert_allclose(R[y], m * E[y] * (1 - held), rtol=1e-9)
    assert (R[1] < m * E[1] * 0.99).any()  # the memory bites


def test_a_cycle_of_one_year_is_no_memory():
    model = compile_model(_p2_every_year(overrides=[("program.lines.P2.support_cycle.value", 1)]))
    li = model.line_codes.index("P2")
    out = run_expected(model, model.spend, backend="numpy")
    np.testing.assert_allclose(out.reached[0, :, li], model.max_share[li] * out.eligible[0, :, li], rtol=1e-9)


def test_households_are_conserved_with_the_memory(model):
    out = run_expected(model, model.spend, backend="numpy")
    for y in range(len(model.years)):
        total_before = out.states[0, y].sum()
        assert out.flows[0, y].sum() == pytest.approx(total_before, rel=1e-12)
        assert out.states[0, y + 1].sum() == pytest.approx(total_before + out.entries[0, y].sum(), rel=1e-12)
    sim = run_microsim(model, model.spend, draws=1, seed=4)
    for y in range(len(model.years)):
        assert sim.states[0, y + 1].sum() == sim.states[0, y].sum() + sim.entries[0, y].sum()


NEVER = -(2**30)  # `last` of a household a line never supported


def test_no_household_is_supported_twice_within_the_cycle_microsim(model):
    """Households one by one (population held fixed): P2 never reaches a household again within 3
    years of supporting it, and does reach households again once their cycle is over."""
    li = model.line_codes.index("P2")
    rng = np.random.default_rng(8)
    group = np.repeat(np.arange(len(model.g_unit)), model.n0.sum(1).astype(int)).astype(np.int32)
    state = np.concatenate([np.repeat(np.arange(6), model.n0[g].astype(int)) for g in range(len(model.g_unit))])
    state = state.astype(np.int8)
    last = np.full((len(model.line_codes), group.size), NEVER)
    sp = acting_money(model, model.spend)
    gaps, again = [], 0
    for y in range(len(model.years)):
        recent = supported_within(model, last, y)
        r = reach_households(model, sp[y], group, state, rng, recent=recent)
        chosen = r.chosen[li]
        seen = last[li, chosen] != NEVER
        gaps += list(y - last[li, chosen][seen])
        again += int(seen.sum())
        assert r.eligible[li].sum() == model.eligible[li][group, state].sum()  # the supported still count
        last[r.chosen] = y
    assert again > 0 and min(gaps) >= 3


def test_microsim_mean_agrees_with_the_expected_engine_under_the_memory(model):
    """The expected engine against the microsimulation, both holding the memory as cohort shares,
    with money for every household each year (the pool binds every year, the hardest case): P2's
    beneficiaries per year agree within 10 % (4 draws), and exactly in distribution's mean in the
    first year, before any memory."""
    li = model.line_codes.index("P2")
    exp = run_expected(model, model.spend).reached[0, :, li].sum(-1)
    sim = run_microsim(model, model.spend, draws=4, seed=11).reached[:, :, li].sum(-1).mean(0)
    np.testing.assert_allclose(sim, exp, rtol=0.10)
    assert sim[0] == pytest.approx(exp[0], rel=0.01)  # no memory yet in the first year


def test_record_keeps_area_households_and_cycle_shares(model):
    L, D = len(model.line_codes), len(model.unit_ids)
    reached, eligible = np.full((L, D), 10.0), np.full((L, D), 50.0)
    rec = record(model, reached, eligible)
    area, cyc = model.area_line, cycle_line(model)
    assert (rec[area] == 10.0).all() and (rec[cyc] == 0.2).all() and (rec[~area & ~cyc] == 0.0).all()
