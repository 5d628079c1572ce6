"""The optimum of plan_2024 gives P1.2 (the exit scheme of Decision 880/QĐ-TTg, funded with
development investment capital) no money. The legal frame's only component-project rule spoke of
recurrent money (Resolution 111/2024/QH15), so nothing was said for P1.2. The frame now holds a second
rule, for development investment capital (`caps_and_floors.component_projects`, the second entry):
what the sources read say (Decision 652/QĐ-TTg, the Law on Public Investment, Decree 27/2022/NĐ-CP
Article 5, Resolution 111/2024/QH15's summary, all second-hand) does not settle whether a component
project may be left without it, so the rule is `unclear`, no floor is encoded, and the recommendation
names the line, what it leaves undone and the documents to check, in both languages and in
summary.json (`unfunded`). No optimiser number moves: the frame's rules are not constraints."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml
from conftest import ROOT

from simlib.allocate import unfunded
from simlib.allocate.optimize import run_optimization
from simlib.allocate.output import read_summary, write_optimization
from simlib.errors import InputError
from simlib.i18n import LocalText
from simlib.legal import load_frame
from simlib.scenario import load_scenario

FRAME = ROOT / "params/legal/caobang_2021_2025.yaml"
PLAN = ROOT / "params/scenarios/plan_2024.yaml"
#: the documents the investment rule names, in the frame's order (read or looked for in legal61)
INVESTMENT_DOCS = [
    "QD652_2022_TTg",
    "LDT39_2019_QH14",
    "NQ111_2024_QH15",
    "ND27_2022_CP",
    "ND38_2023_CP",
    "QD90_2022_TTg",
    "QD880_2022_TTg",
]
P12_NAME = LocalText(vi="P1.2 (Đề án 880)", en="P1.2 (Scheme 880)")


def test_the_frame_states_an_unclear_rule_for_investment_capital():
    frame = load_frame(FRAME)
    rule = frame.component_rule_for("investment", 2024)
    assert rule is not None and rule.capital == ("investment",) and rule.rule == "unclear"
    assert rule.years == (2022, 2023, 2024, 2025)
    assert [c.doc for c in rule.citations] == INVESTMENT_DOCS
    # nothing read in the documents themselves: seen second-hand, or not read (to verify)
    assert {c.status for c in rule.citations} == {"seen_in", "not_read"}
    assert {c.doc for c in rule.citations if c.status == "not_read"} == {"ND38_2023_CP", "QD90_2022_TTg"}
    # the recurrent rule is another one, and neither speaks outside its years
    assert frame.component_rule_for("recurrent", 2024) is not rule
    assert frame.component_rule_for("investment", 2021) is None
    assert frame.component_rule_for("investment", 2026) is None
    assert "kế hoạch đầu tư công trung hạn" in rule.check.vi and "medium-term public" in rule.check.en
    raw = yaml.safe_load(FRAME.read_text(encoding="utf-8"))["caps_and_floors"]["component_projects"][1]
    assert raw["floor_per_project"] == "not_found" and "not law" in raw["assumption"]  # no figure invented
    cited = frame.cite_all(rule.citations, "vi")
    assert cited.startswith("Quyết định 652/QĐ-TTg, ") and "Luật 39/2019/QH14" in cited
    assert "Nghị định 38/2023/NĐ-CP, sửa đổi Nghị định 27/2022/NĐ-CP (chưa đọc trực tiếp" in cited


def copied_frame(tmp_path):
    for name in ("caobang_2021_2025.yaml", "documents_2021_2025.yaml"):
        shutil.copy(ROOT / "params/legal" / name, tmp_path / name)
    return tmp_path / "caobang_2021_2025.yaml"


def test_a_second_rule_for_the_same_capital_and_year_is_refused(tmp_path):
    path = copied_frame(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("capital: [investment]", "capital: [investment, recurrent]"), "utf-8")
    with pytest.raises(InputError) as err:
        load_frame(path)
    assert err.value.code == "component_rules_overlap"
    assert err.value.field == "caps_and_floors.component_projects.1"
    assert err.value.fields == {"capital": "recurrent", "year": 2024, "other": 0}


@pytest.mark.parametrize(
    ("doc", "rule"),
    [("CV747_2024_BLDTBXH", 0), ("LDT39_2019_QH14", 1)],  # the recurrent rule (optzero), the investment one
)
def test_a_component_rule_citing_an_unknown_document_is_refused(tmp_path, doc, rule):
    path = copied_frame(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace(f"{{doc: {doc}", "{doc: UNKNOWN99"), "utf-8")
    with pytest.raises(InputError) as err:
        load_frame(path)
    assert err.value.field == f"caps_and_floors.component_projects.{rule}.documents.1.doc"


@pytest.fixture(scope="module")
def plan():
    return load_scenario(PLAN)


def stub(scen, plan_years=None):
    """A result with P1.2 (investment) at zero and every other line funded: what `unfunded` reads."""
    rows = [
        {"line": "P1.1", "capital": "investment", "optimal_bn_per_year": 300.0, "plan_bn_per_year": 240.0},
        {"line": "P1.2", "capital": "investment", "optimal_bn_per_year": 0.0, "plan_bn_per_year": 80.0},
        {"line": "P3.1", "capital": "recurrent", "optimal_bn_per_year": 82.0, "plan_bn_per_year": 82.0},
    ]
    return SimpleNamespace(
        problem=SimpleNamespace(scenario=scen),
        spec=SimpleNamespace(plan_years=plan_years),
        lines=pd.DataFrame(rows),
        zero_lines=[{"line": "P1.2", "measured": True, "name": P12_NAME}],
    )


def test_an_investment_line_at_zero_gets_its_sentence_and_the_rule_to_check(plan):
    vi = unfunded.texts(stub(plan), "vi")
    assert len(vi) == 2  # the line, then the investment rule (none for recurrent: no recurrent line at zero)
    assert vi[0].startswith("Phương án đề xuất không bố trí vốn cho tiểu dự án P1.2 (Đề án 880) trong năm 2024, 2025")
    assert "(phương án kế hoạch: 80,0 tỷ đồng/năm)" in vi[0]
    # P1.1 still has money, so the infrastructure target is counted from P1.1
    assert "chỉ còn được tính từ P1.1" in vi[0]
    assert vi[1].startswith(
        "Vốn của P1.2 là vốn đầu tư phát triển; các văn bản đã đọc chưa cho biết có được để P1.2 "
        "không có vốn đầu tư phát triển trong năm hay không: cần đối chiếu với Quyết định 652/QĐ-TTg"
    )
    assert "Nghị quyết 111/2024/QH15, điều chỉnh kế hoạch đầu tư vốn ngân sách nhà nước" in vi[1]
    assert "Hội đồng nhân dân tỉnh quyết định" in vi[1]
    en = unfunded.texts(stub(plan), "en")
    assert en[0].startswith("The recommended split gives the sub-project P1.2 (Scheme 880) no money in 2024, 2025")
    assert en[1].startswith("The money of P1.2 is development investment capital; the documents read do not say")
    assert "Decision 652/QĐ-TTg" in en[1] and "Decree 38/2023/NĐ-CP" in en[1]
    record = unfunded.record(stub(plan))
    assert [r["line"] for r in record] == ["P1.2"] and record[0]["years"] == [2024, 2025]
    assert record[0]["vi"] == vi[0] and record[0]["check"] == {"vi": vi[1], "en": en[1]}


def test_the_investment_rule_speaks_for_its_years_only(plan):
    assert len(unfunded.texts(stub(plan, plan_years=(2023,)), "vi")) == 2  # 2023: investment rule only
    assert unfunded.texts(stub(plan, plan_years=(2026,)), "en") == []


@pytest.fixture(scope="module")
def optimum():
    return run_optimization(PLAN, frontier_scales=[])


def test_plan_2024s_message_and_summary_say_the_sentence_for_p12(optimum, tmp_path_factory):
    lines = optimum.lines.set_index("line")
    assert lines.loc["P1.2", "capital"] == "investment" and lines.loc["P1.2", "optimal_bn_per_year"] == 0
    vi, en = optimum.message("vi"), optimum.message("en")
    assert "Phương án đề xuất không bố trí vốn cho tiểu dự án P1.2" in vi
    assert "Vốn của P1.2 là vốn đầu tư phát triển; các văn bản đã đọc chưa cho biết" in vi
    assert "gives the sub-project P1.2" in en and "The money of P1.2 is development investment capital" in en
    summary = read_summary(write_optimization(optimum, tmp_path_factory.mktemp("legal61") / "out", report=False))
    (p12,) = [u for u in summary["unfunded"] if u["line"] == "P1.2"]
    assert p12["check"]["vi"].startswith("Vốn của P1.2 là vốn đầu tư phát triển")
    assert p12["check"]["en"].startswith("The money of P1.2 is development investment capital")
    assert "Quyết định 652/QĐ-TTg" in p12["check"]["vi"] and "Decision 652/QĐ-TTg" in p12["check"]["en"]
