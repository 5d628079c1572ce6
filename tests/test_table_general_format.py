"""The `general` number format of report tables: values of very different sizes in one column
(rates and đồng in the evidence table) read in the page's language, on the page and in the CSV."""

import openpyxl
import pandas as pd

from simlib.report.table import ReportTable, cell_text, read_csv, write_csv, write_xlsx


def test_general_numbers_in_each_language():
    assert cell_text(0.05, "general", "vi") == "0,05"
    assert cell_text(25_000_000.0, "general", "vi") == "25.000.000"
    assert cell_text(20.0, "general", "vi") == "20"
    assert cell_text(0.0125, "general", "en") == "0.0125"
    assert cell_text(120_000_000.0, "general", "en") == "120,000,000"
    assert cell_text(-0.5, "general", "vi") == "\u22120,5"
    assert cell_text(float("nan"), "general", "vi") == "–"


def test_general_column_round_trips_through_the_csv(tmp_path):
    frame = pd.DataFrame({"Tham số": ["a", "b"], "Giá trị": [0.0125, 25_000_000.0]})
    table = ReportTable("t", "T", frame, formats={"Giá trị": "general"})
    back = read_csv(write_csv(table, tmp_path / "t.csv", "vi"), "vi")
    assert back["Giá trị"].tolist() == [0.0125, 25_000_000.0]


def test_general_column_in_the_workbook_has_thousands_separated_like_the_page(tmp_path):
    """read64: the evidence sheet showed 25000000 (Excel's General format) where the page shows
    25.000.000: whole values are written `#,##0`, others with up to 4 decimals."""
    frame = pd.DataFrame({"Tham số": ["a", "b", "c"], "Giá trị": [25_000_000.0, 0.0125, 1.5]})
    table = ReportTable("t", "T", frame, formats={"Giá trị": "general"})
    write_xlsx([table], tmp_path / "t.xlsx", "vi")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["T"]
    cells = [(c.value, c.number_format) for c in ws["B"][1:]]
    assert cells == [(25_000_000, "#,##0"), (0.0125, "#,##0.0###"), (1.5, "#,##0.0###")]
