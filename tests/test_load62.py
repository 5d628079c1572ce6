"""Round load62: what cli61 left of a planner's sheet read silently or said as something else —
a total row that says more than the total word («Cộng huyện Bảo Lạc», «Tổng cộng toàn tỉnh»,
«Total Bao Lac», «Cong xa») and a unit code Excel saved as a number (`1290.0`) in the district
dataset, a calibration table and a budget's split keyed by unit — each said as what it is, with
exit status 2, no traceback and nothing of the user's changed; every unit name simlib ships still
read as a unit."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, TINY
from hostile_helpers import assert_user_error, cli, snapshot
from test_cli61 import messages
from test_hostile60 import typed

from simlib.dataset import total_rows

pytestmark = pytest.mark.usefixtures("vietnamese_by_default")

#: total rows as provinces' sheets write them, with more than the total word
TOTALS = [
    "Cộng huyện Bảo Lạc",
    "Tổng cộng toàn tỉnh",
    "Cộng xã",
    "Total Bao Lac",
    "Cong huyen",
    "CỘNG HUYỆN HÀ QUẢNG",
    "Tổng số hộ toàn tỉnh",
    "Toàn tỉnh Cao Bằng",
    "Cộng:",
    "Tổng cộng",
    "total",
]
#: names that begin with a total word but are units: communes of Cao Bằng and elsewhere
NOT_TOTALS = ["Tổng Cọt", "Xã Tổng Cọt", "Tong Cot", "Cộng Hòa", "Xã Cộng Hòa", "Thanh Công", "Sumatra", "Totality"]
#: the columns of the tables under data/ and params/ that hold a unit's code or name
NAME_COLUMNS = re.compile(r"unit_id|code|name|commune|district|old_units|unit$|geo")


def shipped_names() -> list[str]:
    """Every unit code and name in the CSV tables under data/ and params/ (lists split at `;`)."""
    names = set()
    for path in sorted([*(ROOT / "data").rglob("*.csv"), *(ROOT / "params").rglob("*.csv")]):
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        for col in (c for c in df.columns if NAME_COLUMNS.search(c)):
            names.update(part.strip() for cell in df[col] for part in cell.split(";") if part.strip())
    return sorted(names)


def test_total_rows_with_more_words_are_told_and_no_unit_name_is():
    """The words of a total row at the start of the name as a whole word (alone or before the
    kind of unit it sums for «Cộng», «Tổng»): every shipped unit name, and names that merely
    begin with «Tổng», «Cộng», are units."""
    assert total_rows(pd.Series(TOTALS)).all(), [t for t, m in zip(TOTALS, total_rows(pd.Series(TOTALS))) if not m]
    names = shipped_names()
    assert len(names) > 300 and "Xã Tổng Cọt" in names and "Tổng Cọt" in names  # the shipped names, read
    found = pd.Series(names + NOT_TOTALS)
    assert not total_rows(found).any(), list(found[total_rows(found)])


# 1. total rows saying more than the total word


@pytest.fixture
def tiny(here):
    """A copy of the tiny (district) dataset as ./ds, and the scenario using it (its name)."""
    shutil.copytree(TINY, here / "ds")
    return typed(here, "seed: 7", "seed: 7", dataset="./ds")


def with_rows(path: Path, rows: dict[int, str], end: str | None = None) -> list[str]:
    """`path`'s lines with `rows` put at those line numbers (1: the header) and `end` last."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for at, text in sorted(rows.items()):
        lines.insert(at - 1, text)
    lines += [end] if end else []
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


@pytest.mark.parametrize(
    "lang,says",
    [
        ("vi", "dòng tổng cộng (dòng 10, {end}) ở giữa bảng"),
        ("en", "a total row (rows 10, {end}) inside the table"),
    ],
)
def test_a_baseline_with_named_total_rows_is_refused(here, tiny, lang, says):
    """«Cộng huyện Bắc» under the district's rows and «Tổng cộng toàn tỉnh» at the end: read as
    units unknown before (four messages: unit, group, area, state), never as total rows."""
    base = here / "ds" / "baseline_2023.csv"
    lines = with_rows(base, {10: "Cộng huyện Bắc,,,,3000"}, end="Tổng cộng toàn tỉnh,,,,9999")
    assert lines[9].startswith("Cộng") and lines[-1].startswith("Tổng")  # rows 10 and the last (header: row 1)
    before = snapshot(here)
    code, text = cli("--lang", lang, "validate", tiny)
    assert_user_error(code, text, ["baseline_2023.csv", "unit_id", says.format(end=len(lines)), "Cộng huyện Bắc"])
    assert len(messages(text)) == 1, text
    assert snapshot(here) == before


def test_a_units_list_with_a_named_total_row_is_refused(here, tiny):
    """«Total Bao Lac» with its communes in units.csv: read as one more district, silently."""
    with_rows(here / "ds" / "units.csv", {}, end="Total Bao Lac,Tổng,Total,district,false,22")
    code, text = cli("--lang", "en", "validate", tiny)
    assert_user_error(code, text, ["ds/units.csv, field 'unit_id': a total row (rows 5) in the list of units"])
    assert "Total Bao Lac" in text


def test_rows_after_a_total_row_keep_their_numbers(here, tiny):
    """A total row taken out of the table moved every later row's number by one: the state
    written wrong at row 21 was said at row 20."""
    base = here / "ds" / "baseline_2023.csv"
    lines = with_rows(base, {10: "Cộng,,,,3000"})
    lines[20] = lines[20].replace(",poor,", ",poorr,").replace(",near_poor,", ",poorr,")
    base.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert "poorr" in lines[20]  # row 21 of the sheet
    code, text = cli("--lang", "en", "validate", tiny)
    assert_user_error(code, text, ["a total row (rows 10)", "field 'state': values not allowed at rows 21 "])


def test_a_commune_review_with_a_total_row_and_a_saved_code_says_both_at_their_rows(here):
    """A commune review by name: «Cong xa Tong Cot» (a total row without diacritics) was an
    unknown commune; «Tổng Cọt» is the commune; `1290.0` after the total row is at row 5."""
    rows = [
        "unit_id,ethnic_group,area,state,households",
        "Tổng Cọt,ethnic_minority,rural,poor,120",
        "01290,ethnic_minority,rural,poor,80",
        "Cong xa Tong Cot,,,,200",
        "1290.0,kinh,rural,poor,12",
    ]
    (here / "review.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    argv = ["import-review", "review.csv", "--level", "commune", "--name", "t", "--year", "2024", "--out", "out"]
    before = snapshot(here)
    code, text = cli("--lang", "en", *argv)
    assert_user_error(
        code,
        text,
        ["a total row (rows 4) inside the table", "'Cong xa Tong Cot'", "(read: 1290.0, rows 5;", "“01290”"],
    )
    assert len(messages(text)) == 2, text
    assert snapshot(here) == before


# 2. codes saved by Excel as numbers, where cli61 did not say so


@pytest.mark.parametrize(
    "lang,says",
    [
        ("vi", ["địa bàn trông như số do Excel lưu (đọc được: 1290.0, dòng 14;", "mã bằng chữ", "cho phép: north"]),
        ("en", ["units that look like numbers saved by Excel (read: 1290.0, rows 14;", "a code in words", "north"]),
    ],
)
def test_a_number_saved_by_excel_in_a_district_baseline_is_said_as_such(here, tiny, lang, says):
    """The district dataset (codes in words): `1290.0` was «unit not in the dataset»."""
    base = here / "ds" / "baseline_2023.csv"
    lines = base.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("north,kinh,rural,poor,"))
    lines[at] = lines[at].replace("north", "1290.0", 1)
    base.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert at + 1 == 14  # the sheet's row
    before = snapshot(here)
    code, text = cli("--lang", lang, "validate", tiny)
    assert_user_error(code, text, ["baseline_2023.csv", "unit_id", *says])
    assert snapshot(here) == before


def test_a_calibration_table_with_numbers_saved_by_excel_says_so(here):
    """`simlib calibrate aggregate`: `1290.0` and `45.0` for districts were «unit not in the
    template dataset», with nothing on why."""
    src = ROOT / "data" / "synthetic_review" / "aggregate_2021_2023.csv"
    lines = src.read_text(encoding="utf-8").splitlines()
    lines[2] = re.sub(r"^2021,\w+,", "2021,1290.0,", lines[2])
    lines[4] = re.sub(r"^2021,\w+,", "2021,45.0,", lines[4])
    (here / "agg.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = snapshot(here)
    code, text = cli("--lang", "en", "calibrate", "aggregate", "agg.csv", "--out", "o")
    assert_user_error(
        code,
        text,
        ["agg.csv, field 'unit_id': units that look like numbers saved by Excel (read: 1290.0, 45.0, rows 3, 5;"],
    )
    assert "not in the template" not in text and snapshot(here) == before


SPLIT = """  district_split:
    lines:
      P2:
        {key}: 0.5
        {other}: 0.5
"""


@pytest.mark.parametrize(
    "dataset,other,says",
    [
        (
            "caobang_communes",
            "'01273'",
            "field 'budget.district_split.lines.P2.1290.0': a unit code that looks like a number saved by Excel "
            "(read: 1290.0; expected: a unit code of 5 digits written as text, between quotes, e.g. “'01290': 0.5”)",
        ),
        (
            str(TINY),
            "north",
            "field 'budget.district_split.lines.P2.1290.0': a unit that looks like a number saved by Excel "
            "(read: 1290.0; expected: the unit written as its code in units.csv",
        ),
    ],
)
def test_a_budget_split_keyed_by_a_number_saved_by_excel_says_so(here, dataset, other, says):
    """A scenario's split across units keyed `1290.0:`: «unit not in the dataset» and every code."""
    name = typed(here, "seed: 7", "seed: 7", dataset=dataset)
    text = (here / name).read_text(encoding="utf-8") + SPLIT.format(key="1290.0", other=other)
    (here / name).write_text(text, encoding="utf-8")
    before = snapshot(here)
    code, out = cli("--lang", "en", "validate", name)
    assert_user_error(code, out, [says])
    assert "not in the dataset" not in out and snapshot(here) == before


def test_the_vietnamese_budget_key_message(here):
    name = typed(here, "seed: 7", "seed: 7", dataset="caobang_communes")
    text = (here / name).read_text(encoding="utf-8") + SPLIT.format(key="1290.0", other="'01273'")
    (here / name).write_text(text, encoding="utf-8")
    code, out = cli("--lang", "vi", "validate", name)
    assert_user_error(code, out, ["mã địa bàn trông như số do Excel lưu (đọc được: 1290.0; cần:", "«'01290': 0.5»"])
