"""The legal frame and absorption as linear constraints for an optimiser (simlib.compliance:
`LeverLayout`, `legal_constraints`, `constraint_arrays`): each row is checked against the rule it
encodes, computed independently from the frame, the catalogue and the scenario's budget."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from conftest import ROOT

from simlib.compliance import LeverLayout, constraint_arrays, layout_money_only, legal_constraints
from simlib.compliance.constraints import Constraint
from simlib.district import split_context
from simlib.i18n import LocalText
from simlib.model import compile_model
from simlib.scenario import load_scenario

BN = 1e9


@pytest.fixture(scope="module")
def plan():
    return load_scenario(ROOT / "params" / "scenarios" / "plan_2024.yaml")


@pytest.fixture(scope="module")
def model(plan):
    return compile_model(plan)


@pytest.fixture(scope="module")
def layout(plan):
    return LeverLayout.full(plan, allowed_only=False)


def x_of(scen, layout: LeverLayout) -> np.ndarray:
    """The scenario's own budget as the layout's variables (billion VND)."""
    a = scen.budget.amounts
    return np.array([a[y, i, s] for i, s, y in zip(layout.item, layout.source, layout.year)]) / layout.scale


def violated(constraints, x) -> list[Constraint]:
    out = []
    for c in constraints:
        lhs = float(c.row @ x)
        tol = 1e-9 * max(1.0, abs(c.rhs))
        if (c.sense == "<=" and lhs > c.rhs + tol) or (c.sense == ">=" and lhs < c.rhs - tol):
            out.append(c)
    return out


def test_a_layout_gives_back_the_budget_it_was_read_from(plan, layout):
    x = x_of(plan, layout)
    back = layout.amounts(x)
    np.testing.assert_allclose(back[1:], plan.budget.amounts[1:], rtol=1e-12, atol=1e-3)
    assert not back[0].any()


def test_the_bundled_plan_satisfies_every_legal_row(plan, layout):
    rows = legal_constraints(plan, layout, absorption=False)
    assert {c.name for c in rows} >= {"capital", "envelope"}
    assert violated(rows, x_of(plan, layout)) == []


def test_capital_rows_bound_exactly_the_pairs_the_contents_forbid(plan, layout):
    cat, funding = plan.catalogue, plan.params["funding"]["sources"]
    expected = {
        (code, s)
        for code in cat.codes
        for s in layout.sources
        if funding[s]["capital"] != "any" and funding[s]["capital"] not in cat.lines[code].capital
    }
    rows = [c for c in legal_constraints(plan, layout, absorption=False) if c.name == "capital"]
    got = {(c.key["item"], c.key["source"]) for c in rows}
    assert got == expected
    # training courses take no investment capital; the vocational-school facilities do
    assert ("P4.1", "central_investment") in got and ("P4.1.facilities", "central_investment") not in got
    assert all(c.sense == "<=" and c.rhs == 0 and np.count_nonzero(c.row) == 1 for c in rows)
    assert all("90/QĐ-TTg" in c.source.vi for c in rows if c.key["item"] == "P4.1")
    # the layout of allowed pairs has no variable such a row would bound
    allowed = LeverLayout.full(plan)
    pairs = {(allowed.items[i], allowed.sources[s]) for i, s in zip(allowed.item, allowed.source)}
    assert not pairs & expected


def test_envelope_rows_sum_central_money_of_a_year_and_source(plan, layout):
    frame = plan.legal
    rows = [c for c in legal_constraints(plan, layout, absorption=False) if c.name == "envelope"]
    assert rows and all(c.status == "illustrative" for c in rows)  # the bundled envelope is a placeholder
    x = x_of(plan, layout)
    for c in rows:
        year, src = c.key["year"], c.key["source"]
        assert c.rhs == pytest.approx(frame.envelope.amount(year, src) / BN)
        yi = plan.budget.years.index(year)
        spent = plan.budget.amounts[yi, :, list(layout.sources).index(src)].sum() / BN
        assert c.row @ x == pytest.approx(spent)
    covered = {c.key["year"] for c in rows}
    assert covered == {y for y in plan.budget.years[1:] if frame.envelope.amount(y, rows[0].key["source"]) is not None}


def test_no_counterpart_row_unless_a_ratio_is_known_or_explicitly_assumed(plan, layout):
    assert plan.legal.counterpart.ratio is None
    rows = legal_constraints(plan, layout, absorption=False)
    assert not [c for c in rows if c.name == "counterpart"]
    assumed = legal_constraints(plan, layout, absorption=False, assumed_counterpart=(0.5, "assumed: half"))
    cp = [c for c in assumed if c.name == "counterpart"]
    assert len(cp) == len(plan.budget.years) - 1 and {c.status for c in cp} == {"assumption"}
    # the plan's local money is well below half its central money: every year breaks the assumed floor
    x = x_of(plan, layout)
    assert violated(cp, x) == cp
    for c in cp:
        yi = plan.budget.years.index(c.key["year"])
        a = plan.budget.amounts[yi]
        central = sum(a[:, layout.sources.index(s)].sum() for s in ("central_investment", "central_recurrent"))
        local = a[:, layout.sources.index("local")].sum()
        assert c.row @ x == pytest.approx((0.5 * central - local) / BN)


def test_territory_rows_bound_money_placed_off_the_eligibility_list(plan):
    """P1.2 is for the exit-scheme districts only: a variable putting its money in Bảo Lạc is bound
    at zero, one putting it in Hà Quảng is not."""
    cat, units = plan.catalogue, plan.dataset.unit_ids
    li, si = cat.codes.index("P1.2"), LeverLayout.full(plan).sources.index("central_investment")
    base = LeverLayout.full(plan)
    lay = replace(
        base,
        item=np.array([li, li]),
        source=np.array([si, si]),
        year=np.array([1, 1]),
        unit=np.array([units.index("bao_lac"), units.index("ha_quang")]),
    )
    rows = [c for c in legal_constraints(plan, lay, absorption=False) if c.name == "territory"]
    assert len(rows) == 1 and rows[0].row.tolist() == [1.0, 0.0]
    assert "880/QĐ-TTg" in rows[0].source.vi


def test_absorption_caps_are_eligible_times_take_up_times_unit_cost(plan, layout, model):
    rows = [c for c in legal_constraints(plan, layout, model=model) if c.name == "absorption"]
    cat, p = plan.catalogue, model.params
    eligible = split_context(model.structure).eligible
    li = cat.codes.index("P4.3")
    units = plan.dataset.unit_ids
    mine = [c for c in rows if c.key["item"] == "P4.3"]
    assert mine
    for c in mine:
        di = units.index(c.key["unit"])
        # the whole pool at a cost per beneficiary rising linearly to (1 + cost_rise) x unit cost
        whole_pool = eligible[li, di] * p.max_share[li] * p.unit_cost[li] * (1 + p.cost_rise[li] / 2)
        assert p.cost_rise[li] > 0 and c.rhs == pytest.approx(whole_pool / BN)
        assert c.status == "model"
    # items that buy no household benefit get no cap: they are listed as money only
    money_only = layout_money_only(plan)
    assert {cat.codes[i] for i in np.flatnonzero(money_only)} >= {"P4.1.facilities", "P4.3.labour_market_system"}
    assert not {c.key["item"] for c in rows} & {cat.codes[i] for i in np.flatnonzero(money_only)}


def test_equal_split_breaks_the_absorption_caps_where_money_reaches_no_one():
    """equal_split gives P7.2 monitoring 26.909 billion VND a year while every commune can take
    20 million VND: its caps add up to communes × 20 million and the split breaks them; its P4.3
    investment money goes to the information system, which has no cap (it reaches no household)."""
    scen = load_scenario(ROOT / "params" / "scenarios" / "equal_split.yaml")
    lay = LeverLayout.full(scen, allowed_only=False)
    model = compile_model(scen)
    rows = legal_constraints(scen, lay, model=model)
    communes = scen.dataset.units["communes"].sum()
    year = scen.budget.years[1]
    p72 = [c for c in rows if c.name == "absorption" and c.key["item"] == "P7.2" and c.key["year"] == year]
    assert sum(c.rhs for c in p72) == pytest.approx(communes * scen.catalogue.lines["P7.2"].unit_cost / BN)
    broken = {c.key["item"] for c in violated(rows, x_of(scen, lay)) if c.name == "absorption"}
    assert "P7.2" in broken
    assert not {"P4.1.facilities", "P4.3.labour_market_system"} & broken


def test_constraint_arrays_negate_greater_equal_rows():
    basis = LocalText(vi="x", en="x")
    cs = [
        Constraint("a", basis, np.array([1.0, 2.0]), "<=", 3.0, "model"),
        Constraint("b", basis, np.array([1.0, 0.0]), ">=", 1.0, "model"),
        Constraint("c", basis, np.array([0.0, 1.0]), "==", 2.0, "model"),
    ]
    A_ub, b_ub, A_eq, b_eq = constraint_arrays(cs, 2)
    np.testing.assert_array_equal(A_ub, [[1.0, 2.0], [-1.0, 0.0]])
    np.testing.assert_array_equal(b_ub, [3.0, -1.0])
    np.testing.assert_array_equal(A_eq, [[0.0, 1.0]])
    np.testing.assert_array_equal(b_eq, [2.0])
    A_ub, b_ub, A_eq, b_eq = constraint_arrays([], 3)
    assert A_ub.shape == (0, 3) and A_eq.shape == (0, 3)
