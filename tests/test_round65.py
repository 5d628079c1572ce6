"""One rounding for every number a reader sees (helper round65): the page rounded with Python's
formatting (half to even on the binary value: 1.15 → 1,1) and the report tables' CSV and workbook
with numpy (`np.round`: 1.15 → 1,2), so a cell could read 1,1 on the page and 1,2 in its CSV.
Now all three round half away from zero on the value's shortest decimal form (`fmt.shown`), the
rule a reader applies by hand and Excel's; the values below are worked by hand."""

from __future__ import annotations

import csv

import openpyxl
import pandas as pd
import pytest

from simlib.i18n import fmt
from simlib.report.table import CSV_ENCODING, ReportTable, cell_text, to_html, write_csv, write_xlsx

#: (value, decimals, Vietnamese text, English text), worked by hand: a 5 rounds away from zero
HAND = [
    (1.15, 1, "1,2", "1.2"),  # stored 1.149999…: Python's f"{:.1f}" says 1.1
    (2.675, 2, "2,68", "2.68"),  # stored 2.67499…: Python says 2.67
    (0.125, 2, "0,13", "0.13"),  # exact half: Python and numpy say 0.12 (to even)
    (2.5, 0, "3", "3"),  # exact half: Python and numpy say 2
    (1e-9, 1, "0,0", "0.0"),
    (-1.15, 1, "−1,2", "−1.2"),
    (-2.5, 0, "−3", "−3"),
    (-0.04, 1, "0,0", "0.0"),  # rounds to zero: no sign, never −0,0
    (-0.05, 1, "−0,1", "−0.1"),
    (1234.45, 1, "1.234,5", "1,234.5"),
    (999.95, 1, "1.000,0", "1,000.0"),
    (0.1 + 0.05, 1, "0,2", "0.2"),  # 0.15000000000000002: above the half either way
]


@pytest.mark.parametrize("x,d,vi,en", HAND)
def test_numbers_round_half_away_from_zero_on_their_shortest_form(x, d, vi, en):
    assert fmt.number(x, "vi", d) == vi
    assert fmt.number(x, "en", d) == en
    assert fmt.plain(x, d) == vi.replace(".", "").replace(",", ".").replace("−", "-")
    assert fmt.shown(x, d) == float(fmt.plain(x, d))


def test_signed_points_and_percentages_round_the_same_way():
    assert fmt.signed(1.155, "vi", 2) == "+1,16"  # stored 1.15499…
    assert fmt.signed(-0.004, "vi", 2) == "0,00"
    assert fmt.percent(12.25, "vi", 1) == "12,3 %"  # exact half: Python says 12,2
    assert fmt.percent(99.95, "en", 1) == "99.95%"  # 100.0 by the rule: one more decimal


#: one row per hand-worked value in a column of each format: (code, value, page text in Vietnamese)
CELLS = [
    ("num1", 1.15, "1,2"),
    ("num1", -1.15, "−1,2"),
    ("num1", -0.04, "0,0"),
    ("num1", 1e-9, "0,0"),
    ("num2", 2.675, "2,68"),
    ("num2", 0.125, "0,13"),
    ("num2", -0.125, "−0,13"),
    ("int", 2.5, "3"),
    ("int", -2.5, "−3"),
    ("int", 32442.5, "32.443"),
    ("pct1", 12.25, "12,3 %"),
    ("pct1", -0.04, "0,0 %"),
    ("pts2", 1.155, "+1,16"),
    ("pts2", -0.004, "0,00"),
]


def _table() -> ReportTable:
    frame = pd.DataFrame({"Dòng": [f"r{i}" for i in range(len(CELLS))]})
    formats = {}
    for j, (code, value, _) in enumerate(CELLS):
        col = f"c{j}"
        frame[col] = [value if i == j else float("nan") for i in range(len(CELLS))]
        formats[col] = code
    return ReportTable("t", "T", frame, formats)


def test_every_page_cell_reads_as_its_csv_cell_and_its_workbook_cell(tmp_path):
    table = _table()
    write_csv(table, tmp_path / "t.csv", "vi")
    write_xlsx([table], tmp_path / "t.xlsx", "vi")
    with open(tmp_path / "t.csv", encoding=CSV_ENCODING, newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))[1:]
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["T"]
    for j, (code, value, page) in enumerate(CELLS):
        assert cell_text(value, code, "vi") == page, (code, value)
        # the CSV: the page's digits, with `-` and no thousands dot, no % or + sign
        digits = page.removesuffix(" %").lstrip("+").replace(".", "").replace("−", "-")
        assert rows[j][j + 1] == digits, (code, value)
        # the workbook: the CSV's value, shown by the column's Excel format
        cell = ws.cell(row=j + 2, column=j + 2)
        assert cell.value == float(digits.replace(",", ".")), (code, value)
        assert str(cell.value) != "-0.0"


def test_a_cell_a_row_shows_whole_reads_as_its_csv_and_workbook_cell(tmp_path):
    """Expected households shown whole in a column of two-decimal rates (`row_formats`): the CSV
    and the workbook hold 1234,50 (the column's decimals), which Excel shows whole as 1.235; the
    page rounded the unrounded 1234.4951 and said 1.234."""
    frame = pd.DataFrame({"Chỉ tiêu": ["hộ", "tỷ lệ"], "Trung vị": [1234.4951, 24.705]})
    table = ReportTable("t", "T", frame, {"Trung vị": "num2"}, row_formats=["int", None])
    write_csv(table, tmp_path / "t.csv", "vi")
    write_xlsx([table], tmp_path / "t.xlsx", "vi")
    with open(tmp_path / "t.csv", encoding=CSV_ENCODING, newline="") as fh:
        assert [r[1] for r in csv.reader(fh, delimiter=";")][1:] == ["1234,50", "24,71"]
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["T"]
    assert [(c.value, c.number_format) for c in ws["B"][1:]] == [(1234.5, "#,##0"), (24.71, "#,##0.00")]
    page = to_html(table, "vi")
    assert ">1.235<" in page and ">24,71<" in page and "1.234<" not in page
