"""A recommendation the province can legally adopt: the optimum of plan_2024 gives sub-project P3.1
(Hỗ trợ phát triển sản xuất trong lĩnh vực nông nghiệp) no money. The legal frame now states what
the sources found say about splitting the programme's money between component projects
(`caps_and_floors.component_projects`: from 2024 the centre gives the recurrent money as one total,
the provincial People's Council allocates it to component projects, Resolution 111/2024/QH15, seen
second-hand; no floor per project found), so no floor is invented; the recommendation says plainly
which lines it leaves without money, what that leaves undone, and which rule to check
(`simlib.allocate.unfunded`)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
import yaml
from conftest import ROOT

from simlib.allocate import unfunded
from simlib.allocate.optimize import run_optimization
from simlib.i18n import LocalText
from simlib.legal import Citation, load_frame
from simlib.scenario import load_scenario

FRAME = ROOT / "params/legal/caobang_2021_2025.yaml"
PLAN = ROOT / "params/scenarios/plan_2024.yaml"
#: plan_2024's money for P3.1 a year, by hand from the scenario file: 75 central recurrent + 4 local + 3 mobilised
P31_PLAN_BN = 75 + 4 + 3
P31_NAME = LocalText(
    vi="P3.1 (Hỗ trợ phát triển sản xuất trong lĩnh vực nông nghiệp)", en="P3.1 (Agricultural production support)"
)
#: P3.1's households in words, from its two `eligible` entries of params/program.yaml, written by hand
P31_WHO_VI = (
    "hộ nghèo, hộ cận nghèo, hộ mới thoát nghèo có khả năng lao động; "
    "hộ khác trên địa bàn huyện nghèo có khả năng lao động"
)


def test_the_frame_states_the_component_project_rule_without_a_floor():
    frame = load_frame(FRAME)
    rule = frame.component_rule_for("recurrent", 2024)
    assert rule.capital == ("recurrent",) and rule.years == (2024, 2025) and rule.rule == "unclear"
    assert [c.doc for c in rule.citations] == ["NQ111_2024_QH15", "CV747_2024_BLDTBXH", "KH415_2024_UBND_CB"]
    assert rule.applies("recurrent", 2024) and rule.applies("recurrent", 2025)
    assert not rule.applies("investment", 2024) and not rule.applies("recurrent", 2023)
    assert frame.component_rule_for("recurrent", 2023) is None  # the investment rule (legal61) is another
    cited = frame.cite_all(rule.citations, "vi")
    assert cited.startswith("Nghị quyết 111/2024/QH15, ") and "Kế hoạch 415/KH-UBND" in cited
    assert frame.cite(Citation("KH415_2024_UBND_CB", "seen_in"), "en").startswith("Plan 415/KH-UBND")
    assert "Hội đồng nhân dân tỉnh" in rule.check.vi and "People's Council" in rule.check.en
    raw = yaml.safe_load(FRAME.read_text(encoding="utf-8"))["caps_and_floors"]
    assert raw["component_projects"][0]["floor_per_project"] == "not_found"  # no figure was invented


# a component rule citing an unknown document: tests/test_legal61.py (both rules)


@pytest.fixture(scope="module")
def plan():
    return load_scenario(PLAN)


def stub(scen, optimal: dict, zero: list[dict], plan_years=None):
    """A result with what `unfunded` reads: the scenario optimised, its years, the lines table
    (capital, money a year at the optimum and in the plan) and the lines left at zero."""
    rows = [
        {"line": code, "capital": cap, "optimal_bn_per_year": opt, "plan_bn_per_year": plan}
        for code, (cap, opt, plan) in optimal.items()
    ]
    return SimpleNamespace(
        problem=SimpleNamespace(scenario=scen),
        spec=SimpleNamespace(plan_years=plan_years),
        lines=pd.DataFrame(rows),
        zero_lines=zero,
    )


def zero_row(code: str, name: LocalText, measured: bool = True) -> dict:
    return {"line": code, "measured": measured, "name": name}


LINES = {
    "P1.2": ("investment", 0.0, 80.0),
    "P2": ("recurrent", 3.0, 42.0),
    "P3.1": ("recurrent", 0.0, float(P31_PLAN_BN)),
    "P1.1.maintenance": ("recurrent", 0.0, 0.0),
}
ZERO = [
    zero_row("P1.2", LocalText(vi="P1.2 (Đề án 880)", en="P1.2 (Scheme 880)")),
    zero_row("P3.1", P31_NAME),
    zero_row("P1.1.maintenance", LocalText(vi="P1.1 – Duy tu", en="P1.1 – Maintenance"), measured=False),
]


def test_a_recurrent_line_left_at_zero_is_named_with_what_it_leaves_undone(plan):
    texts = unfunded.texts(stub(plan, LINES, ZERO), "vi")
    # one sentence each for P1.2 and P3.1, then one closing sentence per rule (investment capital for
    # P1.2, legal61 — tests/test_legal61.py; recurrent money for P3.1); none for a content the model
    # does not measure
    assert len(texts) == 4
    line, check = texts[1], texts[3]
    assert line.startswith(f"Phương án đề xuất không bố trí vốn cho tiểu dự án {P31_NAME.vi} trong năm 2024, 2025")
    assert f"(phương án kế hoạch: {P31_PLAN_BN},0 tỷ đồng/năm)" in line
    assert f"({P31_WHO_VI})" in line
    # P2 still has money, so the production-support target is counted from P2 only
    assert "chỉ tiêu «80 % người có nhu cầu" in line and "chỉ còn được tính từ P2" in line
    assert check.startswith("Các văn bản đã đọc chưa cho biết có được để P3.1 không có vốn hay không")
    assert "Nghị quyết 111/2024/QH15" in check and "Hội đồng nhân dân tỉnh quyết định" in check
    en = unfunded.texts(stub(plan, LINES, ZERO), "en")
    assert en[1].startswith("The recommended split gives the sub-project P3.1 (Agricultural production support)")
    assert "Resolution 111/2024/QH15" in en[3]


def test_with_every_production_line_at_zero_the_target_is_said_to_be_missed(plan):
    lines = LINES | {"P2": ("recurrent", 0.0, 42.0)}
    zero = ZERO + [zero_row("P2", LocalText(vi="P2 (Đa dạng hóa sinh kế)", en="P2 (Livelihoods)"))]
    texts = unfunded.texts(stub(plan, lines, zero), "vi")
    assert len(texts) == 5  # P1.2, P3.1, P2, then one sentence per rule (P1.2's; P3.1 and P2 named together)
    assert texts[2].startswith("Phương án đề xuất không bố trí vốn cho dự án P2")
    assert all("nên chỉ tiêu này không đạt" in t for t in texts[1:3])
    assert "để P3.1, P2 không có vốn" in texts[4]
    record = unfunded.record(stub(plan, lines, zero))
    assert [r["line"] for r in record] == ["P1.2", "P3.1", "P2"] and record[1]["years"] == [2024, 2025]
    assert record[1]["vi"] == texts[1] and "để P3.1 không có vốn" in record[1]["check"]["vi"]


def test_nothing_is_said_outside_the_rule_years_or_without_a_frame(plan):
    assert len(unfunded.texts(stub(plan, LINES, ZERO, plan_years=(2025,)), "vi")) == 4  # a year of both rules
    assert unfunded.texts(stub(plan, LINES, ZERO, plan_years=(2026,)), "vi") == []
    no_frame = SimpleNamespace(legal=None, params=plan.params)
    assert unfunded.texts(stub(no_frame, LINES, ZERO), "vi") == []


@pytest.fixture(scope="module")
def optimum():
    return run_optimization(PLAN, frontier_scales=[])


def test_plan_2024s_recommendation_says_it_gives_p31_nothing_and_which_rule_to_check(optimum):
    lines = optimum.lines.set_index("line")
    assert lines.loc["P3.1", "optimal_bn_per_year"] == 0 and lines.loc["P3.1", "plan_bn_per_year"] == P31_PLAN_BN
    vi, en = optimum.message("vi"), optimum.message("en")
    assert f"Phương án đề xuất không bố trí vốn cho tiểu dự án {P31_NAME.vi} trong năm 2024, 2025" in vi
    assert "cần đối chiếu với Nghị quyết 111/2024/QH15" in vi
    assert f"gives the sub-project {P31_NAME.en} no money in 2024, 2025" in en
    assert "P3.1" in [r["line"] for r in unfunded.record(optimum)]
