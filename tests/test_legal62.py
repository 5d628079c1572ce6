"""The 2026–2027 legal frame (`caobang_communes_2026_2027`, the merged 2026–2035 programme on the 56
communes) had no component-project rule, so a recommendation leaving a line without money in 2026 or
2027 said nothing, while legal61's frame said what the texts read say for 2024–2025. The frame now
holds one rule per capital type for 2026–2027, in the 2021–2025 frame's format: what was seen of
Resolution 257/2025/QH15, the 2026–2030 allocation decision, Decree 27/2022/NĐ-CP as amended by Decree
38/2023/NĐ-CP and the draft decree to replace them (all second-hand) does not settle whether every
component or content must get money each year, so both rules are `unclear`, no floor is encoded, and
the recommendation names the line, what it leaves undone and the documents to check — through the same
code (`simlib.allocate.unfunded`). A scenario crossing periods (plan_2027: 2024–2027) gets each
period's rule, earlier first. No optimiser number moves: the frame's rules are not constraints."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml
from conftest import ROOT

from simlib.allocate import unfunded
from simlib.errors import InputError
from simlib.i18n import LocalText
from simlib.legal import load_frame
from simlib.scenario import load_scenario

FRAME = ROOT / "params/legal/caobang_communes_2026_2027.yaml"
PLAN = ROOT / "params/scenarios/plan_2027.yaml"
#: the documents each 2026–2027 rule names, in the frame's order, and those not read even second-hand
RECURRENT_DOCS = [
    "NQ257_2025_QH15",
    "PHANBO_2026_2030_TTg",
    "QD417_2026_BNNMT",
    "NQ111_2024_QH15",
    "ND38_2023_CP",
    "ND358_2025_CP",  # law63: the issued decree, seen second-hand
    "DRAFT_ND_NTP_2025",
    "LUAT89_2025_QH15",
]
INVESTMENT_DOCS = [
    "NQ257_2025_QH15",
    "PHANBO_2026_2030_TTg",
    "QD417_2026_BNNMT",
    "LUAT58_2024_QH15",
    "ND27_2022_CP",
    "ND38_2023_CP",
    "ND358_2025_CP",  # law63: the issued decree, seen second-hand
    "DRAFT_ND_NTP_2025",
]
NOT_READ = {
    "recurrent": {"QD417_2026_BNNMT", "LUAT89_2025_QH15"},
    "investment": {"QD417_2026_BNNMT", "LUAT58_2024_QH15"},
}
P31_NAME = LocalText(vi="P3.1 (Sản xuất nông nghiệp)", en="P3.1 (Agricultural production)")
P11_NAME = LocalText(vi="P1.1 (Hạ tầng)", en="P1.1 (Infrastructure)")
#: how the closing sentences start, written by hand from the locale templates and the registers
CHECK_2026_VI = (
    "Các văn bản đã đọc chưa cho biết có được để P3.1 không có vốn hay không: cần đối chiếu với "
    "Nghị quyết 257/2025/QH15, nguyên tắc phân bổ vốn ngân sách trung ương"
)
CHECK_2024_VI = (
    "Các văn bản đã đọc chưa cho biết có được để P3.1 không có vốn hay không: cần đối chiếu với "
    "Nghị quyết 111/2024/QH15, phân bổ, giao dự toán chi thường xuyên ngân sách trung ương hằng năm"
)


@pytest.mark.parametrize(("capital", "docs"), [("recurrent", RECURRENT_DOCS), ("investment", INVESTMENT_DOCS)])
def test_the_2026_frame_states_an_unclear_rule_per_capital_type(capital, docs):
    frame = load_frame(FRAME)
    rule = frame.component_rule_for(capital, 2026)
    assert rule is not None and rule is frame.component_rule_for(capital, 2027)
    assert rule.capital == (capital,) and rule.years == (2026, 2027) and rule.rule == "unclear"
    assert [c.doc for c in rule.citations] == docs
    # nothing read in the documents themselves: seen second-hand, or not read (to verify)
    assert {c.status for c in rule.citations} == {"seen_in", "not_read"}
    assert {c.doc for c in rule.citations if c.status == "not_read"} == NOT_READ[capital]
    # 2025 is the earlier frame's, 2028 no frame's
    assert frame.component_rule_for(capital, 2025) is None and frame.component_rule_for(capital, 2028) is None
    assert frame.for_year(2025).component_rule_for(capital, 2025) is not rule
    raw = yaml.safe_load(FRAME.read_text(encoding="utf-8"))["caps_and_floors"]["component_projects"]
    entry = raw[["recurrent", "investment"].index(capital)]
    assert entry["floor_per_project"] == "not_found" and "not law" in entry["assumption"]  # no figure invented
    assert "ưu tiên xã" in rule.check.vi and "region III" in rule.check.en


def test_the_draft_decree_is_cited_by_what_it_is_and_not_found_as_issued():
    frame = load_frame(FRAME)
    rule = frame.component_rule_for("recurrent", 2026)
    cited = frame.cite_all(rule.citations, "vi")
    assert "Nghị định quy định cơ chế quản lý, tổ chức thực hiện các chương trình mục tiêu quốc gia, thay thế " in cited
    assert "(dự thảo của Bộ Tài chính, lấy ý kiến tháng 9/2025) (chưa tìm thấy văn bản)" in cited
    assert "Quyết định 417/QĐ-BNNMT, hợp phần, nội dung và nguồn vốn theo nội dung" in cited
    assert "(chưa đọc trực tiếp văn bản; cần kiểm tra)" in cited


def test_a_second_rule_for_2026_investment_is_refused(tmp_path):
    for name in ("caobang_communes_2026_2027.yaml", "documents_2026_2030.yaml", "documents_2021_2025.yaml"):
        shutil.copy(ROOT / "params/legal" / name, tmp_path / name)
    shutil.copy(ROOT / "params/legal/caobang_2021_2025.yaml", tmp_path / "caobang_2021_2025.yaml")
    path = tmp_path / "caobang_communes_2026_2027.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("capital: [recurrent]", "capital: [recurrent, investment]")
    )
    with pytest.raises(InputError) as err:
        load_frame(path)
    assert err.value.code == "component_rules_overlap"
    assert err.value.fields == {"capital": "investment", "year": 2026, "other": 0}


@pytest.fixture(scope="module")
def plan():
    return load_scenario(PLAN)


def stub(scen, plan_years, zero: str):
    """A result with line `zero` at zero and the others funded: what `unfunded` reads."""
    rows = [
        {"line": "P1.1", "capital": "investment", "optimal_bn_per_year": 557.0, "plan_bn_per_year": 557.0},
        {"line": "P2", "capital": "recurrent", "optimal_bn_per_year": 40.0, "plan_bn_per_year": 36.0},
        {"line": "P3.1", "capital": "recurrent", "optimal_bn_per_year": 82.0, "plan_bn_per_year": 68.0},
    ]
    for r in rows:
        if r["line"] == zero:
            r["optimal_bn_per_year"] = 0.0
    name = {"P3.1": P31_NAME, "P1.1": P11_NAME}[zero]
    return SimpleNamespace(
        problem=SimpleNamespace(scenario=scen),
        spec=SimpleNamespace(plan_years=plan_years),
        lines=pd.DataFrame(rows),
        zero_lines=[{"line": zero, "measured": True, "name": name}],
    )


def test_a_recurrent_line_at_zero_in_2026_2027_gets_its_sentence_and_the_2026_rule(plan):
    vi = unfunded.texts(stub(plan, (2026, 2027), "P3.1"), "vi")
    assert len(vi) == 2  # the line, then the 2026–2027 recurrent rule
    assert vi[0].startswith(
        "Phương án đề xuất không bố trí vốn cho tiểu dự án P3.1 (Sản xuất nông nghiệp) trong năm 2026, 2027"
    )
    assert "(phương án kế hoạch: 68,0 tỷ đồng/năm)" in vi[0]
    assert vi[1].startswith(CHECK_2026_VI)
    assert "Nghị định 38/2023/NĐ-CP, kế hoạch hằng năm của địa phương" in vi[1]
    assert "Nghị quyết 111/2024/QH15" in vi[1] and "được nêu là áp dụng năm 2024–2025" in vi[1]
    en = unfunded.texts(stub(plan, (2026, 2027), "P3.1"), "en")
    assert en[0].startswith(
        "The recommended split gives the sub-project P3.1 (Agricultural production) no money in 2026, 2027"
    )
    assert en[1].startswith(
        "The documents read do not say whether P3.1 may be left without money: check it against Resolution 257/2025/QH15"
    )
    record = unfunded.record(stub(plan, (2026, 2027), "P3.1"))
    assert [r["line"] for r in record] == ["P3.1"] and record[0]["years"] == [2026, 2027]
    assert record[0]["vi"] == vi[0] and record[0]["check"] == {"vi": vi[1], "en": en[1]}


def test_an_investment_line_at_zero_in_2027_names_the_capital_first(plan):
    vi = unfunded.texts(stub(plan, (2027,), "P1.1"), "vi")
    assert len(vi) == 2 and vi[0].startswith(
        "Phương án đề xuất không bố trí vốn cho tiểu dự án P1.1 (Hạ tầng) trong năm 2027"
    )
    assert vi[1].startswith(
        "Vốn của P1.1 là vốn đầu tư phát triển; các văn bản đã đọc chưa cho biết có được để P1.1 không có vốn "
        "đầu tư phát triển trong năm hay không: cần đối chiếu với Nghị quyết 257/2025/QH15, vốn đầu tư phát triển giai đoạn I"
    )
    assert "Luật 58/2024/QH15, kế hoạch đầu tư công trung hạn và hằng năm" in vi[1]
    assert "Nghị định 27/2022/NĐ-CP, Điều 5" in vi[1]
    en = unfunded.texts(stub(plan, (2027,), "P1.1"), "en")
    assert en[1].startswith("The money of P1.1 is development investment capital;") and "Law 58/2024/QH15" in en[1]


def test_a_scenario_crossing_periods_gets_each_periods_rule_earlier_first(plan):
    vi = unfunded.texts(stub(plan, (2024, 2025, 2026, 2027), "P3.1"), "vi")
    assert len(vi) == 3  # the line over the four years, then the 2024–2025 rule, then the 2026–2027 rule
    assert "trong năm 2024, 2025, 2026, 2027" in vi[0]
    assert vi[1].startswith(CHECK_2024_VI) and vi[2].startswith(CHECK_2026_VI)
    record = unfunded.record(stub(plan, (2024, 2025, 2026, 2027), "P3.1"))
    assert record[0]["years"] == [2024, 2025, 2026, 2027] and record[0]["check"]["vi"] == f"{vi[1]} {vi[2]}"
    # a year no frame's rule speaks for (2028) adds nothing
    assert unfunded.texts(stub(plan, (2028,), "P3.1"), "en") == []
