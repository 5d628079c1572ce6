"""Reports on paper and in Excel (print65): a share below 100 % never prints as 100 % (nor one
above 0 as 0 %), the heat map of changes by unit reads in black and white with its column labels
at the top, the landscape evidence table gives its long text room, and compare.xlsx has one
table per sheet, headed in row 1."""

from __future__ import annotations

import io
import re

import openpyxl
import pandas as pd
import pytest
from test_report62 import exported  # noqa: F401 - the fixture: the comparison exported twice

from simlib import i18n
from simlib.i18n import fmt
from simlib.report import html
from simlib.report.deprivation_charts import MAX_PANELS, PANEL_ROWS, ink, plot_district_changes
from simlib.report.table import ReportTable, cell_text, csv_frame, write_xlsx

# --- whole percents -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "vi", "en"),
    [
        (99.6, 0, "99,6 %", "99.6%"),  # 99.6 rounds to 100: one decimal keeps it under
        (99.5, 0, "99,5 %", "99.5%"),  # the half rounds to even: 100
        (99.4, 0, "99 %", "99%"),  # rounds to 99: as asked
        (99.96, 0, "99,96 %", "99.96%"),  # 100 with one decimal too: two
        (99.997, 0, "99,99 %", "99.99%"),  # 100 with two: the nearest two-decimal value below
        (0.4, 0, "0,4 %", "0.4%"),
        (0.001, 0, "0,01 %", "0.01%"),
        (100.0, 0, "100 %", "100%"),  # a target met is 100 %
        (0.0, 0, "0 %", "0%"),
        (100.4, 0, "100 %", "100%"),  # above 100: as asked
        (99.97, 1, "99,97 %", "99.97%"),  # one decimal asked: 100,0 would say met
        (24.66, 1, "24,7 %", "24.7%"),
    ],
)
def test_a_share_inside_0_and_100_never_reads_0_or_100(value, decimals, vi, en):
    assert fmt.percent(value, "vi", decimals) == vi
    assert fmt.percent(value, "en", decimals) == en


def test_a_whole_percent_column_writes_99_6_as_99_6_in_page_csv_and_workbook(tmp_path):
    """The share of draws best, in whole percents: 99.6 printed as «100 %» in the page and was
    100 in the CSV and the workbook; it is 99,6 in all three, the other cells as before."""
    frame = pd.DataFrame({"Kịch bản": ["a", "b", "c", "d"], "Tốt nhất (%)": [99.6, 35.2, 0.4, 100.0]})
    table = ReportTable("t", "Bảng", frame, {"Tốt nhất (%)": "pct0"})
    assert [cell_text(v, "pct0", "vi") for v in frame["Tốt nhất (%)"]] == ["99,6 %", "35 %", "0,4 %", "100 %"]
    assert list(csv_frame(table, "vi")["Tốt nhất (%)"]) == ["99,6", "35", "0,4", "100"]
    write_xlsx([table], tmp_path / "t.xlsx", "vi")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["Bảng"]
    cells = [ws.cell(row=r, column=2) for r in range(2, 6)]
    assert [c.value for c in cells] == [99.6, 35, 0.4, 100]
    assert [c.number_format for c in cells] == ['#,##0.0" %"', '#,##0" %"', '#,##0.0" %"', '#,##0" %"']


# --- the heat map ---------------------------------------------------------------------------


def _unit_rows(n_units: int) -> pd.DataFrame:
    """Deprivations of `n_units` units in 2024 and 2026: education 40 % → 40 − k/4 %, housing
    20 % → 20 + k/8 % in unit k (more deprived), one draw."""
    rows = []
    for k in range(n_units):
        for year in (2024, 2026):
            for dim, share in (
                ("education", 40.0 - (k / 4 if year == 2026 else 0)),
                ("housing", 20.0 + (k / 8 if year == 2026 else 0)),
            ):
                rows.append(
                    dict(
                        scenario="s", engine="expected", draw=0, year=year, standard="2022-2025", geo_type="district",
                        geo=f"u{k:02d}", population="poor_near_poor", dimension=dim, indicator="any",
                        households=1000.0, deprived=10 * share, share=share,
                    )
                )  # fmt: skip
    return pd.DataFrame(rows)


def test_the_heat_map_writes_each_change_with_its_sign_readable_on_its_cell():
    """Every cell carries its change with its sign (the grey of −8 and +8 is the same when
    printed), white on dark cells and black on light ones by the cell's grey, and the column
    labels are above the cells."""
    fig = plot_district_changes(_unit_rows(12), lang="vi")
    fig.draw_without_rendering()
    ax = fig.axes[0]
    im = ax.images[0]
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in ax.texts}
    assert len(texts) == 12 * 2
    # unit 8: education 40 → 38 (−2,0), housing 20 → 21 (+1,0)
    assert texts[(8, 0)].get_text() == "−2,0" and texts[(8, 1)].get_text() == "+1,0"
    for (r, c), t in texts.items():
        r_, g, b = im.cmap(im.norm(im.get_array()[r, c]))[:3]
        grey = 0.299 * r_ + 0.587 * g + 0.114 * b
        assert t.get_color() == ("white" if grey < 0.5 else "black")
    assert {t.get_color() for t in texts.values()} == {"white", "black"}  # both occur on this scale
    ticks = ax.xaxis.get_major_ticks()
    assert [t.label2.get_text() for t in ticks] == ["Giáo dục", "Nhà ở"]  # above the cells
    assert all(t.label2.get_visible() and not t.label1.get_visible() for t in ticks)  # 12 rows: not at the foot


def test_a_column_label_is_wrapped_between_words_only():
    """«Information» was printed «Informatio / n» above its column."""
    fig = plot_district_changes(_unit_rows(3).replace({"housing": "information"}), lang="en")
    labels = [t.label2.get_text() for t in fig.axes[0].xaxis.get_major_ticks()]
    assert labels == ["Education", "Information"]


def test_ink_is_black_on_light_and_white_on_dark():
    assert ink((1.0, 1.0, 0.75, 1.0)) == "black"  # pale yellow, the middle of the scale
    assert ink((0.0, 0.41, 0.22, 1.0)) == "white"  # dark green: grey 0.27
    assert ink((0.65, 0.0, 0.15, 1.0)) == "white"  # dark red: grey 0.21


def test_a_long_heat_map_is_cut_into_panels_that_print_on_a_page():
    """56 units: one strip of 56 rows printed at a third of the page's width; now panels side by
    side of at most `PANEL_ROWS` rows, their rows all there, labels at the top and the foot, and
    the figure no taller than an A4 text area is for its width (235 mm against 186 mm)."""
    fig = plot_district_changes(_unit_rows(56), lang="vi")
    panels = [ax for ax in fig.axes if ax.images]
    assert 2 <= len(panels) <= MAX_PANELS
    rows = [ax.images[0].get_array().shape[0] for ax in panels]
    assert sum(rows) == 56 and max(rows) <= PANEL_ROWS
    w, h = fig.get_size_inches()
    assert h / w <= 235 / 186
    assert all(ax.images[0].get_clim() == panels[0].images[0].get_clim() for ax in panels)  # one scale
    for ax in panels:
        assert all(t.label1.get_visible() and t.label2.get_visible() for t in ax.xaxis.get_major_ticks())
    fig.savefig(io.BytesIO(), format="png")


# --- the landscape evidence table -----------------------------------------------------------


def test_long_text_columns_of_a_landscape_table_are_marked():
    """A table of 12 columns whose parameter names and studies run long: those columns (not the
    row labels, not the numbers, not the short words) are `sl-long`, kept wide in print."""
    header = ["Dự án", "Tham số", "Giá trị", "Đơn vị"] + [f"c{i}" for i in range(7)] + ["Nghiên cứu"]
    row = ["P1.1", "Chi phí bình quân cho một đối tượng thụ hưởng của dự án", "25", "năm"]
    row += ["x"] * 7 + ["Hai-Anh H. Dang (2025); Ngân hàng Thế giới (2020)"]
    numeric = [False, False, True] + [False] * 9
    assert html.long_columns(header, [row], numeric) == {1, 11}
    out = html.table(header, [row], numeric=numeric)
    assert out.count('class="sl-long"') == 2 and "sl-wider" in out
    assert html.long_columns(header[:9], [row[:9]], numeric[:9]) == set()  # not a landscape table
    assert "table.sl-table.sl-wider td.sl-long { min-width: 11em; }" in html.CSS


# --- compare.xlsx ---------------------------------------------------------------------------


def test_compare_xlsx_has_one_table_a_sheet_headed_in_row_1(exported):  # noqa: F811 - the fixture
    """The workbook had one sheet of every group's rows, each group's columns beside the other's
    (blank in the other group's rows: the blocks staggered). Each group now has its own sheet in
    the report's language: its headers in row 1 (frozen, bold), a value or a blank under each,
    no merged cells, the columns' number formats, widths that fit a number's column."""
    runs, (out, _) = exported
    book = openpyxl.load_workbook(out / "compare.xlsx")
    assert book.sheetnames[0] == i18n.t("xlsx.info_sheet", "vi")
    ranking = pd.read_csv(out / "compare_table_ranking.csv", sep=";", encoding="utf-8-sig")
    group_col = i18n.t("compare.group_col", "vi")
    groups = list(dict.fromkeys(ranking[group_col]))
    assert len(book.sheetnames) == 1 + len(groups)
    for name, group in zip(book.sheetnames[1:], groups):
        ws = book[name]
        assert len(name) <= 31 and name.startswith("Mô hình")
        part = ranking[ranking[group_col] == group].dropna(axis=1, how="all").drop(columns=group_col)
        header = [c.value for c in ws[1]]
        assert set(part.columns) <= set(header) <= set(ranking.columns) and header[0] == ranking.columns[0]
        last = {g: g.split("–")[-1][:4] for g in groups}  # each group's last year
        other = [rf"{last[g]}(?!–)" for g in groups if g != group]  # the other group's horizon (not a start)
        assert not [h for h in header for y in other if re.search(y, h)]  # none of its columns here
        assert ws.freeze_panes == "B2" and not ws.merged_cells.ranges and all(c.font.bold for c in ws[1])
        assert ws.max_row == 1 + len(part)
        for row in ws.iter_rows(min_row=2):
            assert row[0].value and row[0].number_format == "@"
        formats = {
            ws.cell(row=1, column=i).value: ws.cell(row=2, column=i).number_format for i in range(2, len(header) + 1)
        }
        assert set(formats.values()) <= {
            '#,##0.0" %"',
            '#,##0" %"',
            "+#,##0.00;-#,##0.00;0.00",
            "#,##0",
            "#,##0.0",
            "#,##0.00",
        }
        cost = next(c for c in header if c.startswith("Chi phí"))
        assert formats[cost] == "#,##0.0"
        width = ws.column_dimensions[openpyxl.utils.get_column_letter(header.index(cost) + 1)].width
        assert width < len(cost)  # wrapped header, not a 60-character column of numbers
    info = [r for r in book.sheetnames[0:1] for r in book[r].iter_rows(values_only=True)]
    assert all(
        any(row[0] == name and group in row[1] for row in info) for name, group in zip(book.sheetnames[1:], groups)
    )


def test_numbers_are_unchanged_in_the_sheets(exported):  # noqa: F811 - the fixture
    """The same values as the CSV, cell for cell."""
    _, (out, _) = exported
    book = openpyxl.load_workbook(out / "compare.xlsx")
    ranking = pd.read_csv(out / "compare_table_ranking.csv", sep=";", decimal=",", encoding="utf-8-sig")
    for name in book.sheetnames[1:]:
        rows = list(book[name].iter_rows(values_only=True))
        for row in rows[1:]:
            csv_row = ranking[ranking[rows[0][0]] == row[0]].iloc[0]
            for head, value in zip(rows[0][1:], row[1:]):
                expected = csv_row[head]
                assert (value is None and pd.isna(expected)) or value == pytest.approx(float(expected)), (name, head)
