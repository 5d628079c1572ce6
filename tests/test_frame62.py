"""Frame62: breaches of plan_2027 in 2026 and 2027 told under the frame in force those years (the
2026–2035 commune frame), for every rule that can breach there, not only the territory (split62).
A capital breach names the content the money stands for, the frame, the catalogue its capital by
content follows and how it is known (an assumption), and the documents the frame records — never
the 2021–2025 content's sources (Decision 90/QĐ-TTg); an envelope breach names the frame too. The
2026 frame's lists have English names (`name_en`), quoted in English messages. Counterpart and
norm cannot breach in 2026–2027: the frame records no ratio and no norm (its `not_checked`).
Each: exit 2, file, field, value, what is allowed; every problem at once."""

from __future__ import annotations

import pytest
from conftest import ROOT
from hostile_helpers import assert_user_error, cli
from test_split61 import plan_with
from test_split62 import WARDS, lines_of

from simlib.legal import load_frame
from simlib.yaml_strict import parse_strict

pytestmark = pytest.mark.usefixtures("vietnamese_by_default")

FRAME_FILE = ROOT / "params" / "legal" / "caobang_communes_2026_2027.yaml"
#: 2026 written on 2021–2025 lines, one of them with investment money its content cannot take
LINES_2026 = (
    "    2026: {same_as: 2027}\n",
    "    2026:\n      lines:\n        P2.models: {central_investment: 5, central_recurrent: 30}\n"
    "        P5.new_house: {central_recurrent: 70}\n",
)
#: 2027's C1 above the frame's illustrative investment envelope (557 billion VND)
ABOVE_ENVELOPE = (
    "C1.infrastructure_poor_communes: {central_investment: 557}",
    "C1.infrastructure_poor_communes: {central_investment: 600}",
)


def plan_file(tmp_path, *edits, split=""):
    path = plan_with(tmp_path, split) if split else plan_with(tmp_path, "P7.1: {01273: 1}")
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


def test_frame_reads_its_capital_by_content():
    raw = parse_strict(FRAME_FILE.read_text(encoding="utf-8"))["capital_by_content"]
    frame = load_frame(FRAME_FILE)
    assert [c.doc for c in frame.capital] == [d["doc"] for d in raw["documents"]]
    assert frame.capital_status == raw["status"].split()[0] == "assumption"
    assert frame.capital_catalogue == raw["catalogue"]
    assert frame.earlier.capital == ()  # the 2021–2025 frame records it in contents_2021_2025.yaml


def test_capital_2026_names_the_frame_in_force(tmp_path):
    edit_2024 = ("P2: {central_recurrent: 40, local: 2}", "P2.models: {central_recurrent: 40, central_investment: 2}")
    code, text = cli("validate", plan_file(tmp_path, LINES_2026, edit_2024))
    assert_user_error(code, text, ["p27.yaml", "budget.years.2026", "NSTW – vốn đầu tư phát triển", "vốn sự nghiệp"])
    frame = load_frame(FRAME_FILE)
    (got,) = lines_of(text, 2026)
    assert "90/QĐ-TTg" not in got and "09/2022/TT-BLĐTBXH" not in got
    assert frame.title.vi in got and "«nguồn vốn theo nội dung»" in got
    assert f"theo danh mục {frame.capital_catalogue} (giả định)" in got
    for c in frame.capital:
        assert f"{frame.documents[c.doc].number}, {c.part}" in got
    assert "C2 – " in got and "(vốn trên P2)" in got and "nhận 5 tỷ đồng" in got
    for year in (2024, 2025):  # the 2021–2025 frame's years keep the 2021–2025 content's sources
        (old,) = [ln for ln in lines_of(text, year) if "«nguồn vốn theo nội dung»" in ln]
        assert "90/QĐ-TTg" in old and "P2 – " in old
        assert all(frame.title.vi not in ln for ln in lines_of(text, year))  # its envelope too (412 > 410)


def test_capital_2026_in_english(tmp_path):
    code, text = cli("validate", "--lang", "en", plan_file(tmp_path, LINES_2026))
    frame = load_frame(FRAME_FILE)
    assert_user_error(code, text, ["budget.years.2026", "the 2021–2025 source is not cited", frame.title.en])
    (got,) = lines_of(text, 2026)
    assert "(assumption)" in got and "90/QĐ-TTg" not in got
    assert all(c.part_en in got for c in frame.capital)


def test_envelope_2026_2027_names_the_frame_and_its_source(tmp_path):
    code, text = cli("validate", plan_file(tmp_path, ABOVE_ENVELOPE))
    assert_user_error(code, text, ["p27.yaml", "600 tỷ đồng", "vượt dự toán 557 tỷ đồng", "MINH HỌA"])
    frame = load_frame(FRAME_FILE)
    (cite,) = frame.envelope.citations
    for year in (2026, 2027):
        (got,) = lines_of(text, year)
        assert frame.title.vi in got and f"{frame.documents[cite.doc].number}, {cite.part}" in got


def test_english_list_names(tmp_path):
    raw = parse_strict(FRAME_FILE.read_text(encoding="utf-8"))["eligibility"]
    frame = load_frame(FRAME_FILE)
    for lid, entry in raw.items():
        assert entry.get("name_en") and entry["name_en"] != entry["name_vi"], lid
        assert frame.lists[lid].name.en == entry["name_en"]
    code, text = cli("validate", "--lang", "en", plan_with(tmp_path, WARDS))
    poor = frame.lists["poor_districts"].name
    assert_user_error(code, text, [f"the list “{poor.en}”"])
    assert all(poor.vi not in ln for ln in lines_of(text, 2027))


def test_every_problem_at_once(tmp_path):
    code, text = cli("validate", plan_file(tmp_path, LINES_2026, ABOVE_ENVELOPE, split=WARDS))
    assert_user_error(code, text, ["«nguồn vốn theo nội dung»", "«dự toán vốn trung ương giao cho tỉnh»"])
    assert "Phát hiện 8 lỗi" in text
    assert len(lines_of(text, 2026)) == 1  # capital (2026 gives P1.1 no money, within the envelope)
    assert len(lines_of(text, 2027)) == 3  # envelope + the two wards
    assert len(lines_of(text, 2024)) == len(lines_of(text, 2025)) == 2  # the two wards
    title = load_frame(FRAME_FILE).title.vi
    assert all(title in ln for ln in lines_of(text, 2026) + lines_of(text, 2027))  # each under its frame
