"""Round rows62: the row a message names is the line the planner sees in the file (1-based, as a
text editor and the spreadsheet count, the header's line 1 counted) when the table has blank
lines, lines of separators only (`,,,,` / `;;;;`: a row whose contents were deleted) or a quoted
cell with a line break above the row — in the baseline, units.csv, commune reviews and
calibration tables. Empty rows are skipped wherever they are (not refused), and change no number.

Every expected row number below is counted by hand from the lines the test writes."""

from __future__ import annotations

import re
import shutil

import numpy as np
import openpyxl
import pytest
from conftest import ROOT, TINY
from hostile_helpers import assert_user_error, cli, snapshot
from test_cli61 import messages
from test_hostile60 import typed

from simlib.dataset import load_dataset

pytestmark = pytest.mark.usefixtures("vietnamese_by_default")

BASE = (TINY / "baseline_2023.csv").read_text(encoding="utf-8").splitlines()
UNITS_HEADER = "unit_id,name_vi,name_en,unit_type,poor_district,communes"
REVIEW_HEADER = "unit_id,ethnic_group,area,state,households"


@pytest.fixture
def tiny(here):
    """A copy of the tiny (district) dataset as ./ds, and the scenario using it (its name)."""
    shutil.copytree(TINY, here / "ds")
    return typed(here, "seed: 7", "seed: 7", dataset="./ds")


def misspelt(line: str) -> str:
    """A baseline row with its state written wrong."""
    return re.sub(r",(poor|near_poor|escaped_\d|non_poor),", ",poorr,", line, count=1)


def baseline_with_gaps(sep: str = ",") -> list[str]:
    """The tiny baseline with a blank line, a line of spaces and a line of separators among its
    first rows, and the state written wrong on line 7:

    1 header · 2 row · 3 (blank) · 4 (spaces) · 5 row · 6 ,,,, · 7 row, state «poorr» · 8… rows
    """
    lines = [BASE[0], BASE[1], "", "   ", BASE[2], ",,,,", misspelt(BASE[3]), *BASE[4:]]
    assert "poorr" in lines[6] and "poorr" not in BASE[3]
    return [line.replace(",", sep) for line in lines]


@pytest.mark.parametrize("lang,says", [("en", "values not allowed at rows 7 ("), ("vi", "ở các dòng 7 (")])
def test_a_baseline_with_blank_lines_names_the_line_of_the_wrong_value(here, tiny, lang, says):
    """Blank lines were skipped and not counted: the state on line 7 was said at row 5; the `,,,,`
    line was refused as a row of empty values (unit, group, area, state, households)."""
    (here / "ds" / "baseline_2023.csv").write_text("\n".join(baseline_with_gaps()) + "\n", encoding="utf-8")
    before = snapshot(here)
    code, text = cli("--lang", lang, "validate", tiny)
    assert_user_error(code, text, ["ds/baseline_2023.csv", "state", says, "poorr"])
    assert len(messages(text)) == 1, text
    assert snapshot(here) == before


def test_a_baseline_saved_by_excel_with_bom_crlf_and_semicolons(here, tiny):
    """The same table as a spreadsheet set to Vietnamese saves it: UTF-8 with a byte-order mark,
    CRLF line ends, `;` between columns and `;;;;` for the emptied row."""
    text = "\r\n".join(baseline_with_gaps(";")) + "\r\n"
    (here / "ds" / "baseline_2023.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    code, out = cli("--lang", "en", "validate", tiny)
    assert_user_error(code, out, ["field 'state': values not allowed at rows 7 ("])
    assert len(messages(out)) == 1, out


def test_empty_lines_change_no_number(here):
    """A blank line above the header, and blank and separator-only lines among and after the rows:
    the same households, cell by cell, as the table without them."""
    shutil.copytree(TINY, here / "ds")
    lines = ["", BASE[0], *BASE[1:10], ",,,,", "", *BASE[10:40], ",,,,", " ", *BASE[40:], ",,,,", ""]
    (here / "ds" / "baseline_2023.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    got, want = load_dataset(here / "ds"), load_dataset(TINY)
    assert np.array_equal(got.counts, want.counts)
    assert got.counts.sum() == want.counts.sum() > 0


def validate_units(here, tiny, lines: list[str]):
    """(exit status, output) of `simlib --lang en validate` on `tiny` with `lines` as its units.csv."""
    (here / "ds" / "units.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cli("--lang", "en", "validate", tiny)


def test_units_with_a_blank_line_and_an_emptied_row_name_the_repeated_unit_s_lines(here, tiny):
    """1 header · 2 north · 3 (blank) · 4 south · 5 ,,,,, · 6 town · 7 south again: lines 4 and 7
    (were rows 3 and 6, with the `,,,,,` row refused as a unit without a name)."""
    lines = [
        UNITS_HEADER,
        "north,Huyện Bắc,North district,district,true,10",
        "",
        "south,Huyện Nam,South district,district,false,12",
        ",,,,,",
        "town,Thành phố,Town,city,false,5",
        "south,Huyện Nam,South district,district,false,12",
    ]
    code, text = validate_units(here, tiny, lines)
    assert_user_error(code, text, ["ds/units.csv, field 'unit_id': duplicated cells at rows 4, 7"])
    assert len(messages(text)) == 1, text


def test_a_line_break_inside_a_quoted_cell_counts_as_a_line(here, tiny):
    """A name typed with Alt+Enter in Excel is saved quoted over two lines (2 and 3): the rows
    after it are on lines 4 and 5 (were said at rows 3 and 4)."""
    lines = [
        UNITS_HEADER,
        'north,"Huyện Bắc\nHuyện miền núi",North district,district,true,10',
        "south,Huyện Nam,South district,district,false,12",
        "south,Huyện Nam,South district,district,false,12",
        "town,Thành phố,Town,city,false,5",
    ]
    code, text = validate_units(here, tiny, lines)
    assert_user_error(code, text, ["ds/units.csv, field 'unit_id': duplicated cells at rows 4, 5"])


def test_a_header_below_a_title_and_a_blank_line_is_said_on_its_line(here, tiny):
    """1 title · 2 (blank) · 3 the column names: «on row 3» (was row 2, the blank line not
    counted: deleting every row above row 2 left the title)."""
    lines = ["Bảng tổng hợp hộ nghèo năm 2023,,,,", "", *BASE]
    (here / "ds" / "baseline_2023.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, text = cli("--lang", "vi", "validate", tiny)
    assert_user_error(code, text, ["tên cột nằm ở dòng 3,", "xóa mọi dòng phía trên dòng 3 "])


def review_argv(file: str) -> list[str]:
    return ["import-review", file, "--level", "commune", "--name", "t", "--year", "2024", "--out", "out"]


def test_a_commune_review_with_blank_lines_names_the_unknown_commune_s_line(here):
    """1 header · 2 Tổng Cọt · 3 (blank) · 4 ,,,, · 5 a total row · 6 (blank) · 7 an unknown
    commune: the total row at 5 and the commune at 7 (were 3 and 4, with the `,,,,` row said as
    an unknown unit, a group, an area, a state and a count)."""
    rows = [
        REVIEW_HEADER,
        "Tổng Cọt,ethnic_minority,rural,poor,120",
        "",
        ",,,,",
        "Cộng xã,,,,120",
        "",
        "Xã Không Có Thật,kinh,rural,poor,12",
    ]
    (here / "review.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    before = snapshot(here)
    code, text = cli("--lang", "en", *review_argv("review.csv"))
    assert_user_error(code, text, ["a total row (rows 5) inside the table", "unknown unit at rows 7 "])
    assert len(messages(text)) == 2, text
    assert snapshot(here) == before


def test_a_review_workbook_with_an_emptied_row_names_the_sheet_s_row(here):
    """An XLSX review (rows as Excel numbers them): row 3 emptied, row 4 an unknown commune —
    row 4, and the empty row skipped (was said as an unknown unit and four empty values)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(REVIEW_HEADER.split(","))
    ws.append(["Tổng Cọt", "ethnic_minority", "rural", "poor", "120"])
    ws.append([None] * 5)
    ws.append(["Xã Không Có Thật", "kinh", "rural", "poor", "12"])
    wb.save(here / "review.xlsx")
    code, text = cli("--lang", "en", *review_argv("review.xlsx"))
    assert_user_error(code, text, ["unknown unit at rows 4 "])
    assert len(messages(text)) == 1, text


def test_a_calibration_table_with_blank_lines_names_the_saved_code_s_line(here):
    """`simlib calibrate aggregate`: 1 header · 2 row · 3 (blank) · 4 row · 5 ,,,,,,,,,,, · 6 a
    district written 1290.0 — line 6 (was row 4, and the emptied row refused)."""
    src = (ROOT / "data" / "synthetic_review" / "aggregate_2021_2023.csv").read_text(encoding="utf-8").splitlines()
    lines = [src[0], src[1], "", src[2], "," * src[0].count(","), re.sub(r"^2021,\w+,", "2021,1290.0,", src[3])]
    lines += src[4:]
    assert lines[5].startswith("2021,1290.0,")
    (here / "agg.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = snapshot(here)
    code, text = cli("--lang", "en", "calibrate", "aggregate", "agg.csv", "--out", "o")
    assert_user_error(
        code, text, ["agg.csv, field 'unit_id': units that look like numbers saved by Excel (read: 1290.0, rows 6;"]
    )
    assert len(messages(text)) == 1, text
    assert snapshot(here) == before
