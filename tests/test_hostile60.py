"""Round 60 of hostile inputs: files a tired provincial planner edited by hand — a scenario copied
through Word or Notepad, a table saved from Excel — and what simlib must answer now (exit status
2 and a message naming the file, the field or line, the value and what to write; no traceback;
nothing of the user's changed), or read as the planner meant where nothing is guessed (the empty
rows a spreadsheet leaves at a table's end, a table saved as UTF-16 with its byte-order mark).
"""

from __future__ import annotations

import io
import re
import shutil
import unicodedata

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, TINY
from hostile_helpers import assert_user_error, cli, snapshot

from simlib.dataset import load_dataset

pytestmark = pytest.mark.usefixtures("vietnamese_by_default")

#: a scenario as a planner's copy of it reads, line by line (the lines the cases below change)
SCENARIO = """\
name: typed
title_vi: Kịch bản thử
title_en: Test scenario
dataset: {dataset}
seed: 7
start_year: 2024
horizon: 2
budget:
  unit: billion VND
  years:
    '2024':
      lines:
        P1.1:
          central_investment: 30
          local: 3
        P2:
          central_recurrent: 10
    '2025':
      same_as: 2024
"""


def typed(here, old: str, new: str, dataset: str = str(TINY)) -> str:
    """The scenario above with `old` replaced by `new` (once, and it must be there), as typed.yaml."""
    text = SCENARIO.format(dataset=dataset)
    assert old in text
    (here / "typed.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return "typed.yaml"


# 1. a comma before three digits: a thousand (English) or a decimal (Vietnamese)

COMMA = [
    ("1,000", "en", ["has two readings: 1000", "or 1 (a decimal comma", "write 1000 or 1", "(value: '1,000')"]),
    ("12,500", "vi", ["có hai cách hiểu: 12500", "hoặc 12.5 (dấu phẩy thập phân", "hãy viết 12500 hoặc 12.5"]),
]


@pytest.mark.parametrize("written,lang,says", COMMA, ids=["1,000", "12,500"])
def test_a_comma_before_three_digits_names_both_readings(here, written, lang, says):
    """`local: 1,000` was «a decimal comma; write 1.000» — a guess (and a fix that reads as one
    in the file): one thousand in English writing. Both readings are named now, none taken."""
    code, text = cli("--lang", lang, "validate", typed(here, "local: 3", f"local: {written}"))
    assert_user_error(code, text, ["budget.years.2024.lines.P1.1.local", *says])
    code, text = cli("--lang", "en", "validate", typed(here, "local: 3", "local: 1,5"))  # one reading: its fix
    assert_user_error(code, text, ["decimal comma; write 1.5", "(value: '1,5')"])


# 2. a budget year written twice, once in quotes and once without


def test_a_year_written_twice_in_two_forms_is_a_repeated_key(here):
    """`'2024':` and further down `2024:` were two keys for YAML, one after simlib read every key
    as text: the second silently replaced the first (here: a same_as circle was then said)."""
    name = typed(here, "    '2025':\n      same_as: 2024\n", "    '2025':\n      same_as: 2024\n    2024:\n      {}\n")
    code, text = cli("--lang", "en", "validate", name)
    assert_user_error(code, text, ["typed.yaml, field 'budget.years.2024': key repeated at line 20"])
    assert "circle" not in text


# 3. characters a word processor puts in: no-break spaces, typographic quotes

HIDDEN = [
    ("central_investment: 30", "central_investment: 30\u00a0", "en", ["invisible character (U+00A0", "write 30 with"]),
    ("seed: 7", "seed: \u201c7\u201d", "en", ["typographic quotes", "write it without quotes: 7", "field 'seed'"]),
    ("same_as: 2024", "same_as: \u20182024\u2019", "vi", ["dấu ngoặc kiểu văn bản", "không có dấu ngoặc: 2024"]),
    ("local: 3", "local: 3\u00ad", "vi", ["ký tự ẩn (U+00AD", "hãy viết 3 chỉ bằng ký tự thông thường"]),
]


@pytest.mark.parametrize("old,new,lang,says", HIDDEN, ids=["nbsp", "quotes", "single-quotes", "soft-hyphen"])
def test_a_number_with_a_word_processors_characters_says_so(here, old, new, lang, says):
    """`30` followed by a no-break space was «a number in quotes is read as text» (there are no
    quotes); `“7”` and `‘2024’` were «wrong type, expected integer»."""
    code, text = cli("--lang", lang, "validate", typed(here, old, new))
    assert_user_error(code, text, says)
    assert "dấu nháy" not in text and "in quotes is read" not in text


@pytest.mark.parametrize(
    "old,new,line",
    [
        ("central_investment: 30", "central_investment:\u00a030", 14),
        ("          local: 3", "\u00a0         local: 3", 15),
    ],
    ids=["after-colon", "indent"],
)
def test_a_no_break_space_that_breaks_the_yaml_names_its_line(here, old, new, line):
    """A no-break space after a colon or in an indent: «cannot parse YAML at line 15, column 16:
    mapping values are not allowed here» — the line after, and nothing to see there."""
    code, text = cli("--lang", "vi", "validate", typed(here, old, new))
    assert_user_error(code, text, [f"dòng {line} có ký tự ẩn (U+00A0", "dấu cách thông thường"])


@pytest.mark.parametrize("written", ["80%", "80 %"])
def test_a_percentage_where_an_amount_goes_is_said(here, written):
    """`local: 80%` (80 % of what?) was «wrong type, expected number»."""
    code, text = cli("--lang", "en", "validate", typed(here, "local: 3", f"local: {written}"))
    assert_user_error(code, text, ["a percentage where an amount of money goes", "budget.unit", f"'{written}'"])


# 4. tables saved from Excel


@pytest.fixture
def table(here):
    """A copy of the tiny dataset as ./ds and the scenario using it (its name)."""
    shutil.copytree(TINY, here / "ds")
    return typed(here, "seed: 7", "seed: 7", dataset="./ds")


BASE = (TINY / "baseline_2023.csv").read_text(encoding="utf-8")
UNITS = (TINY / "units.csv").read_text(encoding="utf-8")


def counts_of(folder) -> np.ndarray:
    return load_dataset(folder).counts


READ_AS_MEANT = [
    ("baseline_2023.csv", (BASE + ",,,,\n,,,,\n").encode()),
    ("baseline_2023.csv", (BASE.replace(",", ";") + ";;;;\n ; ; ; ;\n").encode()),
    ("units.csv", (UNITS + ",,,,,\n").encode()),
    ("baseline_2023.csv", BASE.replace(",", "\t").encode("utf-16")),
    ("baseline_2023.csv", BASE.replace("\n", "\r\n").encode("utf-16")),
]


@pytest.mark.parametrize(
    "file,data", READ_AS_MEANT, ids=["blank-rows", "blank-rows-semicolons", "units-blank-rows", "utf16-tabs", "utf16"]
)
def test_tables_excel_saves_are_read_as_meant(here, table, file, data):
    """Empty rows a spreadsheet saves after the data were «unit '' not in the dataset … at rows
    74, 75» (and for units.csv «unit_id duplicated»); Excel's «Unicode text» (UTF-16 with its
    byte-order mark, tabs between columns) was «'utf-8' codec can't decode byte 0xff». Read now,
    to the same households as the file as it was."""
    (here / "ds" / file).write_bytes(data)
    code, text = cli("validate", table)
    assert code == 0, text
    np.testing.assert_array_equal(counts_of(here / "ds"), counts_of(TINY))


def cp1258(text: str) -> bytes:
    """`text` in Windows-1258 (Vietnamese letters as a base letter and a combining tone mark)."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = bytearray()
    for c in text:
        decomposed = unicodedata.normalize("NFD", c)
        base = unicodedata.normalize("NFC", "".join(x for x in decomposed if x not in tones))
        out += (base + "".join(x for x in decomposed if x in tones)).encode("cp1258")
    return bytes(out)


def workbook(text: str, title: str | None = None) -> bytes:
    """An .xlsx of the CSV `text` (all columns as text), with a title row and a blank row above
    the header when `title` is given."""
    df = pd.read_csv(io.StringIO(text), dtype=str)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf) as w:
        if title is not None:
            pd.DataFrame([[title]]).to_excel(w, index=False, header=False)
        df.to_excel(w, index=False, startrow=2 if title is not None else 0)
    return buf.getvalue()


OLD_EXCEL = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)

REFUSED = [
    ("units.csv", cp1258(UNITS), "vi", ["ds/units.csv: không phải văn bản mã hóa UTF-8: dòng 2", "CSV UTF-8"]),
    (
        "baseline_2023.csv",
        workbook(BASE),
        "en",
        ["baseline_2023.csv: the file is an Excel workbook (xlsx)", "CSV UTF-8"],
    ),
    ("baseline_2023.csv", OLD_EXCEL, "en", ["an Excel workbook (xls) with a .csv name"]),
    (
        "baseline_2023.csv",
        ("Biểu 01: số hộ năm 2023,,,,\n,,,,\n" + BASE).encode(),
        "en",
        ["baseline_2023.csv: the column names are on row 3", "delete every row above row 3"],
    ),
    ("units.csv", ("Danh sách đơn vị;;;;;\n" + UNITS.replace(",", ";")).encode(), "vi", ["tên cột nằm ở dòng 2"]),
]


@pytest.mark.parametrize(
    "file,data,lang,says", REFUSED, ids=["cp1258", "xlsx-named-csv", "xls-named-csv", "title-rows", "units-title"]
)
def test_tables_simlib_cannot_read_say_what_to_do(here, table, file, data, lang, says):
    """A CSV in Windows-1258 and a workbook saved under a .csv name were «cannot read the file:
    'utf-8' codec can't decode byte 0xea in position 66» (English, the byte, no line); a title
    row above the header «missing columns: unit_id, …; the file has the columns: Biểu 01: …,
    Unnamed: 1». The encoding is not guessed; the file is left as it is."""
    (here / "ds" / file).write_bytes(data)
    before = snapshot(here)
    code, text = cli("--lang", lang, "validate", table)
    assert_user_error(code, text, says)
    assert "codec" not in text and "Unnamed" not in text
    assert snapshot(here) == before


def test_an_old_excel_file_for_import_review_is_said_before_writing(here):
    """`import-review review.xls` (Excel 97–2003): «cannot read the file: `Import
    python-calamine` failed. Use pip, conda…» — a maintainer's words. Nothing is written."""
    (here / "review.xls").write_bytes(OLD_EXCEL)
    code, text = cli("--lang", "vi", "import-review", "review.xls", "--template", TINY, "--out", "out")
    assert_user_error(code, text, ["review.xls: tệp ở định dạng Excel cũ (.xls, Excel 97–2003)", ".xlsx"])
    assert "pip" not in text and not (here / "out").exists()


def test_a_review_workbook_with_a_title_names_the_header_row(here):
    """A review workbook with its title and a blank row above the header (as provinces send them)."""
    review = (ROOT / "tests" / "hostile" / "reviews" / "review_good.csv").read_text(encoding="utf-8")
    (here / "review.xlsx").write_bytes(workbook(review, title="Biểu tổng hợp kết quả rà soát năm 2024"))
    code, text = cli("--lang", "en", "import-review", "review.xlsx", "--template", TINY, "--out", "out")
    assert_user_error(code, text, ["review.xlsx: the column names are on row 3"])
    assert not (here / "out").exists()


# 5. commune codes that lost their leading zero in a spreadsheet


def test_commune_codes_without_their_leading_zero_are_said(here):
    """The commune dataset's baseline saved from Excel: `01273` became `1273`; the message listed
    the codes and 56 allowed ones without saying why none matched. No code is matched by a guess."""
    shutil.copytree(ROOT / "data" / "caobang_communes", here / "ds", ignore=shutil.ignore_patterns("*.py"))
    base = here / "ds" / "baseline_2023.csv"
    base.write_text(re.sub(r"(?m)^0(\d{4}),", r"\1,", base.read_text(encoding="utf-8")), encoding="utf-8")
    name = typed(here, "seed: 7", "seed: 7", dataset="./ds")
    code, text = cli("--lang", "vi", "validate", name)
    assert_user_error(code, text, ["mã địa bàn bị mất số 0 ở đầu (1273 → 01273, 1279 → 01279", "Văn bản (Text)"])


# 6. what else a sheet or a Word copy carries


@pytest.mark.parametrize("key", ["\u20182024\u2019", "\u201c2024\u201d"])
def test_a_year_key_in_typographic_quotes_suggests_the_year(here, key):
    """`‘2024’:` (Word turned the quotes): the allowed form was said, the year meant was not."""
    code, text = cli("--lang", "en", "validate", typed(here, "    '2024':", f"    {key}:"))
    assert_user_error(code, text, [f"(value: '{key}'; allowed: a year in four digits, e.g. 2024); did you mean 2024?"])


def test_headers_written_with_capitals_are_named_as_renames(here, table):
    """units.csv with `Unit_ID` (a header retyped in a sheet): «missing columns: unit_id» with
    nothing on the column it has."""
    (here / "ds" / "units.csv").write_text(UNITS.replace("unit_id", "Unit_ID", 1), encoding="utf-8")
    code, text = cli("--lang", "en", "validate", table)
    assert_user_error(code, text, ["ds/units.csv: missing columns: unit_id", "“Unit_ID” → unit_id"])


def test_a_count_that_is_no_number_shows_its_value(here, table):
    """`households` of 80% (a share typed in a count column): «not a number at rows 2», no value."""
    (here / "ds" / "baseline_2023.csv").write_text(BASE.replace("1306", "80%", 1), encoding="utf-8")
    code, text = cli("--lang", "en", "validate", table)
    assert_user_error(code, text, ["field 'households': not a number at rows 2 (value: '80%')"])


def test_a_total_row_at_the_end_of_a_baseline_is_said_as_such(here, table):
    """A sheet's «Tổng cộng» row left under the data: four messages (unit 'Tổng cộng' unknown,
    and the empty group, area and state of row 74), none saying it is a total."""
    (here / "ds" / "baseline_2023.csv").write_text(BASE + "Tổng cộng,,,,9999\n", encoding="utf-8")
    code, text = cli("--lang", "vi", "validate", table)
    assert_user_error(code, text, ["trường «unit_id»: dòng tổng cộng (dòng 74) ở cuối bảng", "(giá trị: 'Tổng cộng')"])
    assert "ethnic_group" not in text and "area" not in text


def test_a_total_row_at_the_end_of_a_commune_review_is_said_as_such(here):
    """The same in a commune-level review (names read as communes): «unknown unit 'Tổng cộng'»
    listing the province's 56 communes."""
    rows = "unit_id,ethnic_group,area,state,households\nXã Bảo Lâm,ethnic_minority,rural,poor,120\n"
    (here / "review.csv").write_text(rows + "TỔNG CỘNG,,,,120\n", encoding="utf-8")
    argv = ["import-review", "review.csv", "--level", "commune", "--name", "t", "--year", "2024", "--out", "out"]
    code, text = cli("--lang", "en", *argv)
    assert_user_error(code, text, ["field 'unit_id': a total row (rows 3) at the end of the table", "'TỔNG CỘNG'"])
    assert "Bảo Lạc" not in text and not (here / "out").exists()
