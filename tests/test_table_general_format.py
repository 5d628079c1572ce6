"""The `general` number format of report tables: values of very different sizes in one column
(rates and đồng in the evidence table) read in the page's language, on the page and in the CSV."""

import pandas as pd

from simlib.report.table import ReportTable, cell_text, read_csv, write_csv


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
