"""The optimiser on a dated scenario (`simlib.allocate.dated`): in a year under the 2026–2035
catalogue it allocates only the (item, source) cells a content stands for, and its written
scenario gives such a year as `contents:`, which reads back to the budget it judged.

The bundled plan_2027 run under the states model (the rules, variables and writer do not depend
on the poverty model; the multidimensional engine would take minutes per optimum), at economy
effort, optimising 2026 and 2027. The request caps P1.1 (C1's infrastructure) at 100 billion: an
optimiser with variables on every cell then put the other 457 billion of central investment of
each year on P1.2 — the Decision 880 scheme, which has no 2026–2035 content — and its scenario,
written as `lines:`, read P1.2's money back as P1.1's (557 billion: another budget)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml
from conftest import ROOT

from simlib.allocate.optimize import optimize
from simlib.allocate.problem import build_problem
from simlib.allocate.scenario_out import anchored, entry_code, optimal_scenario_raw
from simlib.allocate.spec import resolve_spec
from simlib.dated_budget import content_cells, dated_catalogues
from simlib.errors import InputErrors
from simlib.scenario import SOURCES, load_scenario, scenario_from_dict
from simlib.schema import load_yaml

PLAN = ROOT / "params" / "scenarios" / "plan_2027.yaml"
DATED = (2026, 2027)
REQUEST = {"years": list(DATED), "effort": "economy", "frontier": [], "lines": {"P1.1": {"ceiling": 100}}}


def states_plan(**changes):
    """plan_2027 under the states model (its budget, units and catalogues as bundled)."""
    raw = copy.deepcopy(load_yaml(PLAN))
    raw["model"] = "states"
    raw.update(changes)
    return scenario_from_dict(raw, file=PLAN)


def cells_of(scen, year: int) -> dict:
    capital = {s: v["capital"] for s, v in scen.params["funding"]["sources"].items()}
    return content_cells(dated_catalogues([year])[year], scen.catalogue, capital)


def variable_cells(p, year: int | None) -> set[tuple[str, str]]:
    """(line, source) of the variables spending in calendar `year` (None: every year)."""
    yi = -1 if year is None else p.model.years.index(year)
    sel = p.var_year == yi if year is None else (p.var_year == yi) | (p.var_year < 0)
    return {(p.model.line_codes[li], SOURCES[si]) for li, si in zip(p.var_line[sel], p.var_source[sel])}


@pytest.fixture(scope="module")
def plan():
    return states_plan()


@pytest.fixture(scope="module")
def alternative():
    """plan_2027 as a what-if (`role: alternative`): a dated scenario that is not a plan has every
    year allocatable; the plan's 2024–2025 are kept (`simlib.allocate.kept`)."""
    return states_plan(role="alternative")


@pytest.fixture(scope="module")
def result(plan):
    return optimize(plan, resolve_spec(plan, REQUEST), with_frontier=False)


def test_no_variable_where_no_content_stands_in_2026_and_2027(alternative):
    """Each year with its own variables (`by_year`): in 2026 and 2027 only content cells (P1.1's
    investment is C1's, P1.2 none), in 2024 and 2025 the 2021–2025 lines' cells as before (P1.2's
    investment too). With one variable for every year, a cell without content in 2026–2027 gets
    none at all (its money would land in those years too). On the what-if twin: the plan's
    2024–2025 cannot be allocated."""
    plan = alternative
    p = build_problem(plan, resolve_spec(plan, {"by_year": True, "frontier": [], "effort": "economy", "years": "all"}))
    for year in DATED:
        got, cells = variable_cells(p, year), cells_of(plan, year)
        assert got and got <= set(cells), sorted(got - set(cells))
        assert ("P1.1", "central_investment") in got and ("P1.2", "central_investment") not in got
    for year in (2024, 2025):
        assert {("P1.1", "central_investment"), ("P1.2", "central_investment")} <= variable_cells(p, year)
    every = build_problem(plan, resolve_spec(plan, {"frontier": [], "effort": "economy", "years": "all"}))
    got = variable_cells(every, None)
    assert got and got <= set(cells_of(plan, 2027))
    assert ("P1.2", "central_investment") not in got and ("P5.repair", "central_recurrent") not in got


def test_the_written_optimum_reads_back_as_judged_and_gives_contents(result, tmp_path):
    """Read back from the written file, the budget is the one the optimiser judged to the VND,
    with no money on P1.2 and P1.1 within the 100 billion asked; 2026 and 2027 are written as
    `contents:` of the catalogue (no `lines:`), 2024 and 2025 as `lines:`."""
    judged = result.amounts["optimal"]
    file = tmp_path / "optimal.yaml"
    file.write_text(yaml.safe_dump(anchored(result.optimal_raw, result.scenario), allow_unicode=True), "utf-8")
    back = load_scenario(file).budget
    assert back.years == result.scenario.budget.years and back.lines == result.scenario.budget.lines
    np.testing.assert_allclose(back.amounts, judged, rtol=0, atol=1.0)  # VND: amounts written to the VND
    p11, p12, ci = back.lines.index("P1.1"), back.lines.index("P1.2"), SOURCES.index("central_investment")
    for year in DATED:
        yi = back.years.index(year)
        assert back.amounts[yi, p12].sum() == 0.0
        assert 0 < back.amounts[yi, p11, ci] <= 100e9 + 1.0
    years = result.optimal_raw["budget"]["years"]
    contents = set(dated_catalogues([2027])[2027].content_ids)
    for year in DATED:
        assert list(years[str(year)]) == ["contents"]
        assert set(years[str(year)]["contents"]) <= contents
    assert all(list(years[str(y)]) == ["lines"] for y in (2024, 2025))


def test_money_no_content_stands_for_is_refused_when_written(plan):
    """An amount on P1.2 in 2027 (not the scenario's own) cannot be written as a content: an
    error naming the cell, never a file that reads it back as another line's money."""
    amounts = plan.budget.amounts.copy()
    amounts[plan.budget.years.index(2027), plan.budget.lines.index("P1.2"), SOURCES.index("central_investment")] = 5e9
    with pytest.raises(ValueError, match="2027: .*P1.2 / central_investment"):
        optimal_scenario_raw(plan, amounts, "poor", None)


def test_a_year_kept_as_given_keeps_the_scenarios_entry():
    """A dated year the scenario gives as 2021–2025 lines carried along `continues` (P5.repair
    keeps its mechanism, a cell no content stands for): written unchanged with the scenario's own
    amounts, so that it reads back the same."""
    raw = copy.deepcopy(load_yaml(PLAN))
    raw["budget"]["years"]["2026"] = {"lines": {"P5.repair": {"central_recurrent": 7}, "P2": {"central_recurrent": 3}}}
    scen = states_plan(budget=raw["budget"])
    out = optimal_scenario_raw(scen, scen.budget.amounts, "poor", None)["budget"]["years"]
    assert out["2026"] == {"lines": {"P5.repair": {"central_recurrent": 7.0}, "P2": {"central_recurrent": 3.0}}}
    assert list(out["2027"]) == ["contents"]


def test_an_undated_scenarios_years_are_written_as_lines():
    """plan_2024 (not dated): every projected year as `lines:` under the entry codes, each amount
    to the VND, in the catalogue's order — the form written before dated catalogues existed."""
    scen = load_scenario(ROOT / "params" / "scenarios" / "plan_2024.yaml")
    assert not scen.dated
    amounts = scen.budget.amounts * 1.000000001  # not the scenario's own: nothing kept as given
    years = optimal_scenario_raw(scen, amounts, "poor", None)["budget"]["years"]
    for yi, year in enumerate(scen.budget.years[1:], start=1):
        want: dict = {}
        for li, code in enumerate(scen.catalogue.codes):
            for si, src in enumerate(SOURCES):
                if amounts[yi, li, si] / 1e9 >= 5e-7:
                    want.setdefault(entry_code(scen, code, src), {})[src] = round(amounts[yi, li, si] / 1e9, 9)
        assert years[str(year)] == {"lines": want}
        assert list(years[str(year)]["lines"]) == list(want)


def test_a_floor_or_earmark_no_content_stands_for_is_named(plan, alternative):
    """A floor on P1.2 (no 2026–2035 content) and local money earmarked for P5.repair in 2026–2027
    cannot hold (no variable there): each named with its years, not the floors' general message;
    the same floor in 2024–2025 stays a 2021–2025 line's floor (on the what-if twin: the plan's
    2024–2025 cannot be allocated)."""
    raw = {"years": list(DATED), "effort": "economy", "frontier": []}
    raw |= {"lines": {"P1.2": {"floor": 10}}, "earmarks": [{"line": "P5.repair", "source": "local", "amount": 1}]}
    with pytest.raises(InputErrors) as info:
        resolve_spec(plan, raw)
    text = "\n".join(e.message("en") for e in info.value.errors)
    assert "2026, 2027: P1.2 has a floor or commitment but matches no content" in text
    assert "2026, 2027: money earmarked from local for P5.repair matches no content" in text
    assert len(info.value.errors) == 2
    earlier = resolve_spec(
        alternative, {"years": [2024, 2025], "effort": "economy", "frontier": [], "lines": {"P1.2": {"floor": 10}}}
    )
    assert [b.lower for b in earlier.bounds if b.code == "P1.2"] == [10.0]


def test_the_allocation_table_names_each_dated_years_content(plan, result):
    """The allocation table of a dated plan gives each 2026–2027 row the content its money stands
    for (as the written `contents:`), and none in an undated plan."""
    table = result.allocation
    dated = table[table["year"].isin(DATED)]
    assert len(dated) and (dated["content"] != "").all()
    row = dated[(dated["line"] == "P1.1") & (dated["source"] == "central_investment")]
    assert set(row["content"]) == {"C1.infrastructure_poor_communes"}
