"""Wording a provincial leader reads (reportpolish): the money table's rows with no money gathered
into one note with whole names, names never cut, the run id's term, plain column headers and the
index's verdict phrase. Fast: hand-made frames and loaded (not run) scenarios."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.paths import params_dir
from simlib.report import data
from simlib.report.assumptions import parameters_table
from simlib.report.money import money_table, unallocated_table, unfunded_in_note
from simlib.report.table import ReportTable, to_html
from simlib.scenario import load_scenario


def money_frame() -> ReportTable:
    """Four rows: one with money, one lagged (beneficiaries, no money), two with nothing at all."""
    frame = pd.DataFrame(
        {
            "Dự án": ["P1.1 Có vốn", "P1.2 Chỉ có đối tượng", "P6.1 Trang bị hệ thống đồn biên phòng", "P7.2 Không"],
            "Vốn kế hoạch": [12.5, 0.0, 0.0, 0.0],
            "Vốn giải ngân": [10.0, 0.0, 0.0, 0.0],
            "Đối tượng 2024": [100.0, np.nan, 0.0, np.nan],
            "Đối tượng 2025": [120.0, 30.0, np.nan, 0.0],
            "Chi phí": [0.045, np.nan, np.nan, np.nan],
        }
    )
    formats = {"Vốn kế hoạch": "num1", "Vốn giải ngân": "num1", "Chi phí": "num1"}
    formats.update({"Đối tượng 2024": "int", "Đối tượng 2025": "int"})
    return ReportTable("money", "Vốn", frame, formats, "Ghi chú riêng của bảng.")


def test_rows_without_money_or_beneficiaries_go_to_one_note():
    shown = unfunded_in_note(money_frame(), "vi")
    assert shown.frame["Dự án"].tolist() == ["P1.1 Có vốn", "P1.2 Chỉ có đối tượng"]  # lagged row kept
    assert shown.note.startswith("Không bố trí vốn")
    assert "P6.1 Trang bị hệ thống đồn biên phòng; P7.2 Không." in shown.note
    assert shown.note.endswith("Ghi chú riêng của bảng.")  # the table's own note follows
    page = to_html(shown, "vi")
    assert "P7.2 Không</td>" not in page and "Không bố trí vốn" in page
    assert shown.frame["Vốn kế hoạch"].sum() == 12.5  # money unchanged


def test_a_table_where_every_row_has_money_is_unchanged():
    table = money_frame()
    table.frame = table.frame.iloc[:2]
    assert unfunded_in_note(table, "vi") is table


def money_context(name: str):
    """A loaded scenario whose programme table spends every (line, year)'s money and reaches no one
    (so all of it is money reaching no one: the unallocated table has every funded row)."""
    scen = load_scenario(params_dir() / "scenarios" / f"{name}.yaml")
    bud = data.budget_by_line(scen).groupby(["line", "year"])["vnd"].sum()
    prog = pd.DataFrame(
        [dict(draw=0, line=c, year=y, spend_vnd=v, reached=0.0, eligible=0.0) for (c, y), v in bud.items()]
    )
    return SimpleNamespace(scenario=scen, lang="vi", tables=SimpleNamespace(programme=prog), result=SimpleNamespace())


def test_table_names_are_whole():
    """plan_2024 (undated) and plan_2027 (dated): the money, money-reaching-no-one and parameter
    tables' row labels are whole — no «…» — and each line's whole name, as the catalogue spells
    it, is in the money table."""
    for name in ("plan_2024", "plan_2027"):
        ctx = money_context(name)
        labels = money_table(ctx).frame.iloc[:, 0].tolist()
        for table in (unallocated_table(ctx), parameters_table(ctx)):
            shown = table.frame.iloc[:, 0].tolist()
            assert len(shown) > 3 and not any("…" in x for x in shown), (name, table.key)
        assert labels and not any("…" in x for x in labels), name
        cat = ctx.scenario.catalogue
        for code in cat.codes:
            if not i18n.has(f"short.{code}"):
                whole = cat.lines[code].name("vi")
                assert any(whole in x for x in labels), (name, code)


def test_evidence_headers_fit_their_rows_and_speak_plainly():
    """The first column holds lines and «Toàn Chương trình» / «Dân cư» rows, so its header names a
    scope, not «Tiểu dự án»; no Vietnamese header says «tiên nghiệm» (a statistician's word),
    while the English page keeps «prior»."""
    from simlib.evidence_tables import readable_evidence_table
    from simlib.parameters import load_parameters

    vi = readable_evidence_table(load_parameters(), "vi")
    first = vi.columns[0]
    assert {"Toàn Chương trình", "Dân cư"} <= set(vi[first]) and "P2" in set(vi[first])
    assert first != "Tiểu dự án" and "phạm vi" in first
    assert not any("tiên nghiệm" in c for c in vi.columns)
    assert "Giá trị theo sổ bằng chứng" in vi.columns and "Giá trị dùng" in vi.columns
    assert "prior" in i18n.t("evidence.col_central", "en").lower()


def test_run_id_is_the_glossary_term():
    """glossary-vi.md: run id = «mã lượt chạy» (parameter hash «mã kiểm tra tham số»)."""
    from simlib.report.assumptions import footer_html

    page = footer_html({"run_id": "abc123", "parameter_hash": "f00d"}, "vi")
    assert "<td>Mã lượt chạy</td><td>abc123</td>" in page and "Thông tin lượt chạy" in page
    assert "lần chạy" not in page
    assert "<td>Mã kiểm tra tham số</td><td>f00d</td>" in page


def deprivation_frame(standards: dict[int, str]) -> pd.DataFrame:
    """Province rows of poor + near-poor households, two indicators of two dimensions, one draw."""
    rows = []
    for k, (year, std) in enumerate(sorted(standards.items())):
        for dim, ind, share in (("education", "adult_education", 40.0 - k), ("housing", "housing_area", 20.0 - 2 * k)):
            for indicator in (ind, "any"):
                rows.append(
                    dict(
                        scenario="s", engine="expected", draw=0, year=year, standard=std, geo_type="province",
                        geo="province", population="poor_near_poor", dimension=dim, indicator=indicator,
                        households=1000.0, deprived=10 * share, share=share,
                    )
                )  # fmt: skip
    return pd.DataFrame(rows)


def test_deprivation_section_says_why_it_stops_before_a_new_standard():
    """A run 2023–2027 whose 2027 review applies the 2027–2030 standard: the comparison is 2023 to
    2026 (by design, the poor and near-poor are classified anew in 2027) and the page says so once."""
    from simlib.report.deprivation import deprivation_section
    from simlib.report.deprivation_tables import compared_years_note

    std = {2023: "2022-2025", 2024: "2022-2025", 2025: "2022-2025", 2026: "2022-2025", 2027: "2027-2030"}
    dep = deprivation_frame(std)
    (note,) = compared_years_note(dep, "vi")
    assert "dừng ở năm 2026" in note and "từ năm 2027" in note and "với năm 2023" in note
    assert "2022–2025 (Nghị định 07/2021/NĐ-CP)" in note and "2027–2030 (Nghị định 351/2025/NĐ-CP)" in note
    sec = deprivation_section(dict(deprivations=dep, manifest={}), lang="vi")
    assert sum("dừng ở năm 2026" in x for x in sec.texts) == 1
    assert list(sec.tables["dimensions"].columns[1:3]) == ["Năm 2023 (%)", "Năm 2026 (%)"]
    # one standard throughout: the comparison reaches the last year, nothing to explain
    assert compared_years_note(deprivation_frame(dict.fromkeys(range(2023, 2028), "2022-2025")), "vi") == []


def test_the_table_of_deprivation_by_unit_says_its_unit_and_years():
    """read64: «Thiếu hụt theo xã, phường» (page and workbook sheet) showed −13,9 under «Nhà ở»
    with no unit and no years (only its heat map's title said «2023–2026, điểm %»). Each
    dimension's header carries «(điểm %)» and a line under the table names the years."""
    from simlib.report.deprivation import deprivation_section

    std = {2023: "2022-2025", 2024: "2022-2025", 2025: "2022-2025", 2026: "2022-2025", 2027: "2027-2030"}
    province = deprivation_frame(std)
    dep = pd.concat([province, province.assign(geo_type="district", geo="D1")], ignore_index=True)
    sec = deprivation_section(dict(deprivations=dep, manifest={}), lang="vi", unit_names={"D1": "Xã Một"})
    table = sec.tables["districts"]
    assert list(table.columns) == ["Giáo dục (điểm %)", "Nhà ở (điểm %)"]
    # 2023 → 2026 (the last year under the first standard): education 40 → 37, housing 20 → 14
    assert table.loc["Xã Một"].tolist() == [-3.0, -6.0]
    note = sec.notes["districts"]
    assert "từ năm 2023 đến năm 2026" in note and "điểm %" in note
    en = deprivation_section(dict(deprivations=dep, manifest={}), lang="en")
    assert list(en.tables["districts"].columns) == ["Education (points)", "Housing (points)"]
    assert "from 2023 to 2026" in en.notes["districts"]
