"""The explorer on the years of the 2026–2035 programme (plan_2027: 2024–2025 under the 2021–2025
lines, 2026–2027 under the merged programme's draft contents).

A planner choosing 2027 sees and types into the programme's contents (C1 … C7), not the 2021–2025
lines whose mechanisms run them; money in a cell no content stands for (the Decision 880 scheme,
P1.2; housing repairs, P5.repair; investment capital for housing) is refused in those years, and
a saved allocation writes those years as `contents:` and reads back to the very budget the
explorer showed. Expected cells are worked by hand from params/catalogues/2026_2035.yaml
(`effects_from`, `capital`) and params/legal/caobang_communes_2026_2027.yaml (investment of C4
runs on P4.1.facilities / P4.3.labour_market_system)."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from simlib.scenario import load_scenario, scenario_from_dict
from simlib.schema import load_yaml
from simlib.workbench import workspace as ws
from simlib.workbench.grid import AmountGrid
from simlib.workbench.layout import LINES, NO_CONTENT, cell_label, layout_for
from simlib.workbench.state import AllocationState
from tests.conftest import ROOT

PLAN = ROOT / "params" / "scenarios" / "plan_2027.yaml"


@pytest.fixture
def state():
    return AllocationState.load(PLAN)


def rows_by_name(layout) -> dict:
    return {r.name.split(":")[0]: r for g in layout.groups for r in g.rows}


def test_2027_lists_the_programmes_contents(state):
    layout = layout_for(state, 2027, "vi")
    assert layout.key == "2026_2035"
    assert [g.code for g in layout.groups] == ["C1", "C2", "C3", "C4", "C5", "C6", "C7"]
    assert layout.groups[4].name.startswith("Nhà ở hộ nghèo, hộ cận nghèo")
    rows = rows_by_name(layout)
    assert len(rows) == 12
    src = {s: i for i, s in enumerate(state.sources)}
    housing = rows["C5.housing"]
    assert housing.label.startswith("Hỗ trợ nhà ở cho hộ nghèo")
    assert housing.cells[src["central_investment"]] is None  # housing takes recurrent capital only
    assert housing.cells[src["central_recurrent"]] == ("P5", "central_recurrent")
    assert housing.cells[src["local"]] == ("P5", "local")
    training = rows["C4.vocational_training"].cells
    assert training[src["central_investment"]] == ("P4.1.facilities", "central_investment")
    assert training[src["central_recurrent"]] == ("P4.1", "central_recurrent")
    infra = rows["C1.infrastructure_poor_communes"].cells
    assert infra[src["central_investment"]] == ("P1.1", "central_investment")
    assert infra[src["central_recurrent"]] is None
    shown = {c[0] for r in rows.values() for c in r.cells if c is not None}
    assert not shown & {"P1.2", "P1.2.recurrent", "P5.repair", "P1.1.maintenance"}


def test_earlier_years_and_every_year_list_the_2021_2025_lines(state):
    assert layout_for(state, 2025, "vi").key == LINES
    every = layout_for(state, None, "vi")  # 2024–2027 span two catalogues
    assert every.key == LINES
    assert [g.code for g in every.groups] == [f"P{i}" for i in range(1, 8)]
    assert cell_label(state, "P5", "local", 2025, "vi").startswith("P5 – ")
    assert cell_label(state, "P5", "local", 2027, "en") == "Housing support in poor communes (candidate)"


def test_money_no_content_stands_for_is_refused_from_2026(state):
    before = state.amounts()
    problems = state.set_amount("P1.2", "local", "3", 2027, "vi")
    assert len(problems) == 1 and problems[0].blocking
    text = problems[0].message("vi")
    assert "Năm 2027" in text and "P1.2" in text and "Ngân sách địa phương" in text
    assert np.array_equal(state.amounts(), before)
    every = state.set_amount("P1.2", "local", "3", None, "vi")  # every year includes 2026 and 2027
    assert len(every) == 1 and "Năm 2026, 2027" in every[0].message("vi")
    assert np.array_equal(state.amounts(), before)
    assert state.set_amount("P5", "central_investment", "1", 2026, "en")  # housing takes no investment
    assert state.set_amount("P1.2", "local", "3", 2025, "vi") == []  # the 2021–2025 scheme in 2025
    assert state.set_amount("P5", "local", "7", 2027, "vi") == []  # C5.housing, local money
    assert state.amount("P5", "local", 2027) == 7e9
    assert not [p for p in state.problems() if p.blocking]


def test_a_saved_2027_is_written_by_content_and_reads_back(state, tmp_path):
    assert state.set_amount("P1.2", "local", "3", 2025, "vi") == []
    assert state.set_amount("P5", "local", "7", 2027, "vi") == []
    assert state.set_amount("P1.1", "central_investment", "500", 2027, "vi") == []  # room in the envelope
    assert state.set_amount("P4.1.facilities", "central_investment", "2", 2027, "vi") == []
    path = ws.save(state, ws.plan_save(state, "Thử nội dung 2027", folder=tmp_path))
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    years = saved["budget"]["years"]
    # the description gives 2024 by the 2021–2025 projects and 2027 by the programme's (C1 … C7)
    assert "năm 2024 (tỷ trọng: P1 " in saved["description_vi"] and "năm 2027 (tỷ trọng: C1 " in saved["description_vi"]
    assert years[2025]["lines"]["P1.2"] == {"central_investment": 80.0, "local": 3.0}
    c2027 = years[2027]["contents"]
    assert c2027["C5.housing"] == {"central_recurrent": 77.24, "local": 7.0}
    assert c2027["C4.vocational_training"] == {"central_investment": 2.0, "central_recurrent": 18.17}
    assert c2027["C1.infrastructure_poor_communes"] == {"central_investment": 500.0}
    assert "lines" not in years[2026] and "lines" not in years[2027]
    again = load_scenario(path)
    assert np.allclose(again.budget.amounts, state.amounts(), rtol=0, atol=1.0)  # to the VND
    given = {r.year: r.given for r in again.budget_periods}
    assert given == {2023: "lines", 2024: "lines", 2025: "lines", 2026: "contents", 2027: "contents"}


def test_the_grid_shows_each_years_catalogue(state):
    seen = []
    grid = AmountGrid(state, "vi", seen.append)
    assert grid.layout.key == LINES
    assert "2026, 2027" in grid.note.value and "danh mục nội dung" in grid.note.value
    grid.year_control.value = 2027
    assert grid.layout.key == "2026_2035" and set(grid.shares) == {f"C{i}" for i in range(1, 8)}
    assert "BẢN NHÁP" in grid.note.value
    texts = [getattr(w, "value", "") for row in grid.box.children[1:-1] for w in getattr(row, "children", [])]
    assert any("Hỗ trợ nhà ở cho hộ nghèo" in t for t in texts)
    assert not any("huyện nghèo" in t for t in texts)  # no 2021–2025 line or project name
    housing_local = grid.cells[("P5", "local")]
    housing_local.value = "7"
    assert seen[-1] == [] and state.amount("P5", "local", 2027) == 7e9
    assert state.amount("P5", "local", 2026) == 0.0
    c5 = float(grid.shares["C5"].value.split(" ")[0].replace(".", "").replace(",", "."))
    assert c5 == pytest.approx(77.24 + 7, abs=0.05)  # billion VND, as shown
    grid.year_control.value = 2024
    assert grid.layout.key == LINES and "P5" in grid.shares


def test_carried_money_no_content_stands_for_is_shown_and_can_be_taken_out():
    """2025's money for house repairs (P5.repair) carried into 2026 (`same_as: 2025`) stays on
    P5.repair (`simlib.dated_budget.carry_lines`), a cell no content stands for: the 2026 grid
    lists it apart, a save is blocked until it is taken out, and it can be taken out."""
    raw = load_yaml(PLAN)
    raw["budget"]["years"]["2025"] = {"lines": {"P5.repair": {"local": 2}, "P2": {"central_recurrent": 40}}}
    raw["budget"]["years"]["2026"] = {"same_as": 2025}
    st = AllocationState(scenario_from_dict(raw, file=PLAN))
    assert st.amount("P5.repair", "local", 2026) == 2e9
    layout = layout_for(st, 2026, "vi")
    stray = [g for g in layout.groups if g.code == NO_CONTENT]
    assert len(stray) == 1 and stray[0].cells() == [("P5.repair", "local")]
    assert stray[0].rows[0].label.startswith("P5 – ")
    assert layout_for(st, 2027, "vi") == layout  # one layout per catalogue (2027's cell holds 0)
    assert NO_CONTENT not in [g.code for g in layout_for(AllocationState.load(PLAN), 2026, "vi").groups]
    blocking = [p for p in st.problems() if p.blocking]
    assert len(blocking) == 1 and "P5.repair" in blocking[0].message("en") and "2026" in blocking[0].message("en")
    assert st.set_amount("P5.repair", "local", "0", 2026, "vi") == []
    assert not [p for p in st.problems() if p.blocking]
