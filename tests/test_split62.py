"""Split62: three slips a planner meets writing a split table in plan_2027 (2024–2027, communes
for 2026–2027 under the merged 2026–2035 programme). A split breaking the territory rule in 2026
or 2027 is told under the frame in force that year (the commune frame's list and the source it
records, here «not found»), never the 2021–2025 content's source (Decision 353/QĐ-TTg's poor
districts); a split named by a 2026–2035 project (`C1`) is told the 2021–2025 lines its contents
run on; a negative share is a share, not money. Each: exit 2, file, field, value, what is allowed."""

from __future__ import annotations

import pytest
from conftest import ROOT
from hostile_helpers import assert_user_error, cli
from test_split61 import plan_with

from simlib.legal import load_frame
from simlib.programmes import load_programme_catalogue

pytestmark = pytest.mark.usefixtures("vietnamese_by_default")

WARDS = "P1.1: {01273: 0.5, 01279: 0.5}"  # Phường Thục Phán, Phường Nùng Trí Cao: no poor-commune area


def lines_of(text: str, year: int) -> list[str]:
    return [ln for ln in text.splitlines() if f"budget.years.{year}" in ln]


def test_territory_2026_names_the_frame_in_force(tmp_path):
    code, text = cli("validate", plan_with(tmp_path, WARDS))
    assert_user_error(code, text, ["p27.yaml", "budget.years.2026", "budget.years.2027", "Phường Thục Phán"])
    frame = load_frame(ROOT / "params" / "legal" / "caobang_communes_2026_2027.yaml")
    poor = frame.lists["poor_districts"]
    assert poor.citation.status == "not_found"
    for year in (2026, 2027):
        got = lines_of(text, year)
        assert len(got) == 2, text  # the two wards
        for ln in got:
            assert "353/QĐ-TTg" not in ln and "ngoài các huyện nghèo" not in ln
            assert f"«{poor.name.vi}»" in ln and frame.title.vi in ln
            assert "417/QĐ-BNNMT" in ln and "không tìm thấy" in ln and "chưa kiểm chứng" in ln
            assert "(vốn trên P1.1)" in ln and "C1 – " in ln
    for year in (2024, 2025):  # the years of the 2021–2025 frame keep its source
        assert all("353/QĐ-TTg" in ln and "ngoài các huyện nghèo" in ln for ln in lines_of(text, year))


def test_territory_2026_in_english(tmp_path):
    code, text = cli("validate", "--lang", "en", plan_with(tmp_path, WARDS))
    assert_user_error(code, text, ["budget.years.2027", "as not found", "the 2021–2025 source is not cited"])
    assert not any("353/QĐ-TTg" in ln for ln in lines_of(text, 2027))


@pytest.mark.parametrize("group", ["C1", "C4"])
def test_group_code_split_names_its_lines(tmp_path, group):
    cat = load_programme_catalogue(ROOT / "params" / "catalogues" / "2026_2035.yaml")
    contents = cat.projects[group]["lines"]
    lines = sorted({cat.lines[c]["effects_from"] for c in contents})
    code, text = cli("validate", plan_with(tmp_path, f"{group}: {{01273: 0.5, 01279: 0.5}}"))
    frags = ["p27.yaml", f"budget.district_split.lines.{group}", f"'{group}'", "mã P", "2024, 2025"]
    assert_user_error(code, text, frags + [f"`{ln}`" for ln in lines] + list(contents))
    assert "mã dự án/tiểu dự án không tồn tại" not in text


def test_negative_share_is_a_share_not_money(tmp_path):
    money = ("P1.2: {central_investment: 80}", "P1.2: {central_investment: -80}")  # money stays money
    path = plan_with(tmp_path, "P7.1: {01273: -0.5, 01279: 1.5}\nC1: {01273: 1}", money)
    code, text = cli("validate", path)
    field = "budget.district_split.lines.P7.1."
    assert_user_error(code, text, [f"{field}01273", "-0.5", f"{field}01279", "1.5", "tỷ lệ", "từ 0 đến 1"])
    (negative,) = [ln for ln in text.splitlines() if f"{field}01273" in ln]
    assert "không phải số tiền" in negative and "số tiền không được âm" not in negative
    (above,) = [ln for ln in text.splitlines() if f"{field}01279" in ln]
    assert "giá trị phải ≤ 1" in above  # above 1 keeps the bound (percentages are told by the sum)
    assert "«budget.years.2024.lines.P1.2.central_investment»: số tiền không được âm" in text
    assert "budget.district_split.lines.C1" in text  # every problem at once


def test_negative_share_in_english(tmp_path):
    code, text = cli("validate", "--lang", "en", plan_with(tmp_path, "P7.1: {01273: -0.5, 01279: 1.5}"))
    assert_user_error(code, text, ["budget.district_split.lines.P7.1.01273", "-0.5", "share, not money", "0 to 1"])
    assert "money amounts cannot be negative" not in text
