"""law63: the decree on the national target programmes' management mechanism that replaces the draft
of September 2025 was found to be Decree 358/2025/NĐ-CP, seen only in a legal publisher's newsletter
quoting its Article 4 (the locality decides which contents to carry out and the allocation of
resources, within the approved targets) and in a VietNamNet summary dating it 31/12/2025. The
register holds it as seen second-hand; both 2026–2027 component rules of `caobang_communes_2026_2027` cite it, stay `unclear` with no floor,
and a recommendation leaving a line without money in 2026–2027 names it among the documents to check.
Its counterpart obligation (as reported: local money at no less than the counterpart level, five-year
and yearly) is recorded, but the level is not given, so no ratio is entered. Nothing else changes: no rule of the frame becomes a constraint, no number moves."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
import yaml
from conftest import ROOT

from simlib.allocate import unfunded
from simlib.i18n import LocalText
from simlib.legal import load_frame
from simlib.scenario import load_scenario

FRAME = ROOT / "params/legal/caobang_communes_2026_2027.yaml"
REGISTER = ROOT / "params/legal/documents_2026_2030.yaml"
PLAN = ROOT / "params/scenarios/plan_2027.yaml"
NEWSLETTER = (
    "http://tintuc.thuvienphapluat.com/thong-bao-van-ban-moi/email/102887/"
    "nguyen-tac-quan-ly-va-to-chuc-thuc-hien-cac-chuong-trinh-muc-tieu-quoc-gia"
)
#: the citation as it should read, written by hand from the frame's part and the locale's words
CITED_VI = (
    "Nghị định 358/2025/NĐ-CP, Điều 4 khoản 2: địa phương quyết định lựa chọn nội dung, phân bổ nguồn lực "
    "trong khuôn khổ các mục tiêu đã được phê duyệt (theo nguồn trích dẫn lại)"
)
CITED_EN = (
    "Decree 358/2025/NĐ-CP, Article 4(2): the locality decides which contents to carry out and the "
    "allocation of resources, within the approved targets (seen second-hand)"
)


def test_the_register_holds_decree_358_as_seen_second_hand():
    doc = yaml.safe_load(REGISTER.read_text(encoding="utf-8"))["documents"]["ND358_2025_CP"]
    assert doc["number"] == "358/2025/NĐ-CP" and doc["kind"] == "Nghị định (Chính phủ)"
    # the date as VietNamNet reports it, with that source; the heading itself not read
    assert str(doc["date"]) == "2025-12-31" and "VietNamNet" in doc["date_source"]
    assert any("vietnamnet.vn" in u for u in doc["seen_in"])
    assert doc["status"].startswith("seen_in") and doc["seen_in"][0].startswith(NEWSLETTER)
    assert "trong khuôn khổ các mục tiêu đã được phê duyệt" in doc["facts_seen"][0]
    assert any("counterpart" in item for item in doc["not_found"])


@pytest.mark.parametrize("capital", ["recurrent", "investment"])
def test_both_2026_rules_cite_decree_358_and_stay_unclear_without_a_floor(capital):
    frame = load_frame(FRAME)
    rule = frame.component_rule_for(capital, 2027)
    ours = [c for c in rule.citations if c.doc == "ND358_2025_CP"]
    assert len(ours) == 1 and ours[0].status == "seen_in"
    assert frame.cite(ours[0], "vi") == CITED_VI and frame.cite(ours[0], "en") == CITED_EN
    # the issued decree is cited just before the draft it replaces
    docs = [c.doc for c in rule.citations]
    assert docs.index("ND358_2025_CP") + 1 == docs.index("DRAFT_ND_NTP_2025")
    assert rule.rule == "unclear"
    raw = yaml.safe_load(FRAME.read_text(encoding="utf-8"))["caps_and_floors"]["component_projects"]
    assert raw[["recurrent", "investment"].index(capital)]["floor_per_project"] == "not_found"


def test_a_recurrent_line_left_without_money_in_2026_names_decree_358():
    plan = load_scenario(PLAN)
    rows = [
        {"line": "P2", "capital": "recurrent", "optimal_bn_per_year": 40.0, "plan_bn_per_year": 36.0},
        {"line": "P3.1", "capital": "recurrent", "optimal_bn_per_year": 0.0, "plan_bn_per_year": 68.0},
    ]
    result = SimpleNamespace(
        problem=SimpleNamespace(scenario=plan),
        spec=SimpleNamespace(plan_years=(2026,)),
        lines=pd.DataFrame(rows),
        zero_lines=[
            {"line": "P3.1", "measured": True, "name": LocalText(vi="P3.1 (Sản xuất)", en="P3.1 (Production)")}
        ],
    )
    vi = unfunded.texts(result, "vi")
    en = unfunded.texts(result, "en")
    assert len(vi) == 2 and CITED_VI in vi[1] and CITED_EN in en[1]
    assert "Nghị định 358/2025/NĐ-CP, Điều 4, theo bản trích" in vi[1]  # the rule's own check sentence


def test_the_counterpart_obligation_is_recorded_without_a_ratio():
    frame = load_frame(FRAME)
    assert frame.counterpart.ratio is None  # the level was not found: the check stays off
    raw = yaml.safe_load(FRAME.read_text(encoding="utf-8"))["counterpart"]
    assert raw["min_local_share_of_central"] is None and raw["rule"] == "not_found"
    assert raw["obligation_seen"].startswith("Decree 358/2025/NĐ-CP (31/12/2025, as reported by VietNamNet")
    assert "not found" in raw["obligation_seen"]
