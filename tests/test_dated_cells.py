"""The way back from budget items to the contents of a dated catalogue (`simlib.dated_budget`:
`content_cells`, `contents_entry`): each content's money of each source lands in the cell the map
names when a scenario is read, the bundled plan_2027's 2027 items give back its contents, and a
catalogue whose contents could not be told apart is refused."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

from simlib.dated_budget import content_cells, contents_entry, dated_catalogues
from simlib.errors import InputErrors
from simlib.scenario import load_scenario, scenario_from_dict
from simlib.schema import load_yaml
from tests.conftest import ROOT

PLAN = ROOT / "params" / "scenarios" / "plan_2027.yaml"


@pytest.fixture(scope="module")
def plan():
    return load_scenario(PLAN)


def capital_of(scen) -> dict[str, str]:
    return {s: v["capital"] for s, v in scen.params["funding"]["sources"].items()}


def test_dated_years_are_the_merged_programmes(plan):
    cats = dated_catalogues([2024, 2025, 2026, 2027])
    assert sorted(cats) == [2026, 2027]
    assert cats[2026] is cats[2027] and cats[2027].first == 2026


def test_each_contents_money_lands_in_its_cell(plan):
    """Every (content, source) given its own amount (1, 2, 3 … billion) in 2027: read as a
    scenario, each cell holds exactly its amount and every other cell of 2027 nothing."""
    cat = dated_catalogues([2027])[2027]
    cells = content_cells(cat, plan.catalogue, capital_of(plan))
    raw = copy.deepcopy(load_yaml(PLAN))
    contents, expected = {}, {}
    for n, ((item, src), content) in enumerate(sorted(cells.items()), start=1):
        contents.setdefault(content, {})[src] = float(n)
        expected[(item, src)] = n * 1e9
    raw["budget"]["years"]["2027"] = {"contents": contents}
    scen = scenario_from_dict(raw, file=PLAN)
    b = scen.budget
    got = b.amounts[b.years.index(2027)]
    for i, item in enumerate(b.lines):
        for j, src in enumerate(b.sources):
            assert got[i, j] == pytest.approx(expected.get((item, src), 0.0), abs=1e-3), (item, src)
    # every content of the catalogue, with every source its capital allows, has a cell
    assert {c for c in cells.values()} == set(cat.content_ids)
    assert ("P5", "central_investment") not in cells  # housing takes no investment capital
    assert ("P1.2", "central_investment") not in cells  # the 880 scheme has no 2026–2035 content


def test_plan_2027s_items_give_back_its_contents(plan):
    b = plan.budget
    cat = dated_catalogues([2027])[2027]
    cells = content_cells(cat, plan.catalogue, capital_of(plan))
    yi = b.years.index(2027)
    amounts = {
        (item, src): b.amounts[yi, i, j] / 1e9 for i, item in enumerate(b.lines) for j, src in enumerate(b.sources)
    }
    contents, stray = contents_entry(amounts, cells)
    assert stray == []
    written = load_yaml(PLAN)["budget"]["years"]["2027"]["contents"]
    assert set(contents) == set(written)
    for content, by_src in written.items():
        assert contents[content] == pytest.approx(by_src, rel=1e-12)


def test_money_no_content_stands_for_is_named():
    cells = {("P5", "local"): "C5.housing"}
    contents, stray = contents_entry({("P5", "local"): 2.0, ("P1.2", "local"): 3.0, ("P2", "local"): 0.0}, cells)
    assert contents == {"C5.housing": {"local": 2.0}}
    assert stray == [("P1.2", "local")]


def test_two_contents_in_one_cell_are_refused(plan):
    cat = dated_catalogues([2027])[2027]
    lines = copy.deepcopy(cat.lines)
    lines["C2.production_support"]["effects_from"] = "P2"
    with pytest.raises(ValueError, match="C2.livelihood_models and C2.production_support"):
        content_cells(replace(cat, lines=lines), plan.catalogue, capital_of(plan))


def test_a_contents_year_with_a_problem_is_not_reported_again_as_lines():
    """Investment capital for housing in 2027 (`contents:`): one problem, on the field written
    (`…contents.C5.housing.central_investment`), not a second one on the translated lines the
    planner never wrote (`…lines.P5.central_investment`); another year's problem still reported."""
    raw = copy.deepcopy(load_yaml(PLAN))
    raw["budget"]["years"]["2027"]["contents"]["C5.housing"] = {"central_investment": 77.24}
    raw["budget"]["years"]["2024"]["lines"]["P9"] = {"local": 1}  # no such line
    with pytest.raises(InputErrors) as info:
        scenario_from_dict(raw, file=PLAN)
    fields = [e.field for e in info.value.errors]
    assert "budget.years.2027.contents.C5.housing.central_investment" in fields
    assert not [f for f in fields if f.startswith("budget.years.2027.lines")]
    assert "budget.years.2024.lines.P9" in fields
