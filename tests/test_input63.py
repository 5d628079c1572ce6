"""Round input63: what a tired planner types that simlib still read as something else — full-width
digits (`５５７`, an East-Asian input method) said as a number «in quotes» in a scenario and as
«not a number» in a table — each said as what it is, with the number to write, exit status 2, no
traceback and nothing of the user's changed."""

from __future__ import annotations

import re
import shutil

import openpyxl
import pytest
import yaml
from conftest import ROOT, TINY
from hostile_helpers import assert_user_error, cli, snapshot
from series_helpers import spec_doc, write_series
from test_cli61 import messages
from test_hostile60 import typed

from simlib.calibrate.series_spec import load_series_spec
from simlib.dataset import load_dataset
from simlib.errors import InputError, InputErrors

pytestmark = pytest.mark.usefixtures("vietnamese_by_default")


@pytest.fixture
def tiny(here):
    """A copy of the tiny (district) dataset as ./ds, and the scenario using it (its name)."""
    shutil.copytree(TINY, here / "ds")
    return typed(here, "seed: 7", "seed: 7", dataset="./ds")


def replaced(path, old: str, new: str) -> None:
    """`path` with the first `old` replaced by `new` (it must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# 1. full-width digits


@pytest.mark.parametrize(
    "written,lang,says",
    [
        ("５５７", "vi", ["chữ số toàn khổ", "hãy gõ lại bằng chữ số thường: 557 (giá trị: '５５７')"]),
        ("'５５７'", "en", ["full-width digits", "type it again in ordinary digits: 557 (value: '５５７')"]),
        ("１２．５", "en", ["full-width digits", "ordinary digits: 12.5 (value: '１２．５')"]),
    ],
    ids=["bare", "quoted", "full-width point"],
)
def test_full_width_digits_in_an_amount_are_said_as_such(here, written, lang, says):
    """`local: ５５７` was «a number in quotes; write it without the quotes: ５５７» — the same
    digits again, and no quotes to take off."""
    name = typed(here, "local: 3", f"local: {written}")
    before = snapshot(here)
    code, text = cli("--lang", lang, "validate", name)
    assert_user_error(code, text, ["budget.years.2024.lines.P1.1.local", *says])
    assert "quotes" not in text and "nháy" not in text
    assert snapshot(here) == before


def test_full_width_digits_in_a_year_and_a_set_value(here):
    """`start_year: ２０２４` and `--set horizon=２`: said with the year and the count to write."""
    code, text = cli("--lang", "en", "validate", typed(here, "start_year: 2024", "start_year: ２０２４"))
    assert_user_error(code, text, ["start_year", "full-width digits", "ordinary digits: 2024"])
    code, text = cli("--lang", "en", "validate", "good.yaml", "--set", "horizon=２")
    assert_user_error(code, text, ["horizon", "full-width digits", "ordinary digits: 2"])


@pytest.mark.parametrize(
    "lang,says",
    [
        ("vi", "trường «households»: số ở các dòng 3 được gõ bằng chữ số toàn khổ (full-width, ví dụ «４４１０»"),
        ("en", "field 'households': the numbers at rows 3 are typed in full-width digits (e.g. “４４１０”"),
    ],
)
def test_full_width_digits_in_a_baseline_cell_are_said_with_the_number(here, tiny, lang, says):
    """A household count `４４１０` was «not a number at rows 3», with nothing on why."""
    base = here / "ds" / "baseline_2023.csv"
    lines = base.read_text(encoding="utf-8").splitlines()
    lines[2] = re.sub(r",\d+$", ",４４１０", lines[2])
    base.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = snapshot(here)
    code, text = cli("--lang", lang, "validate", tiny)
    assert_user_error(code, text, ["baseline_2023.csv", says, "4410"])
    assert "không phải số" not in text and "not a number" not in text
    assert snapshot(here) == before


def test_full_width_digits_in_a_calibration_table_are_said_with_the_number(here):
    """`simlib calibrate aggregate`: a count typed `１２０` was «not a number»."""
    src = ROOT / "data" / "synthetic_review" / "aggregate_2021_2023.csv"
    lines = src.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[3].split(",")
    col = next(i for i, h in enumerate(header) if h not in ("year", "unit_id") and cells[i].isdigit())
    cells[col] = cells[col].translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
    lines[3] = ",".join(cells)
    (here / "agg.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = snapshot(here)
    code, text = cli("--lang", "en", "calibrate", "aggregate", "agg.csv", "--out", "o")
    assert_user_error(code, text, [f"agg.csv, field '{header[col]}': the numbers at rows 4 are typed in full-width"])
    assert f"(e.g. {int(src.read_text().splitlines()[3].split(',')[col])})" in text
    assert snapshot(here) == before


# 2. a calibration series' units saved by Excel as numbers


@pytest.mark.parametrize(
    "dataset,says",
    [
        (
            "caobang_communes",
            "series.yaml, field 'segments.0.observations.3.geo': a unit code that looks like a number saved by "
            "Excel (read: 1290.0, 1273.0; expected: a unit code of 5 digits written as text, between quotes, "
            "e.g. “['01290']”)",
        ),
        (
            str(TINY),
            "series.yaml, field 'segments.0.observations.3.geo': a unit that looks like a number saved by Excel "
            "(read: 1290.0, 1273.0; expected: the unit written as its code in units.csv",
        ),
    ],
    ids=["codes in digits", "codes in words"],
)
def test_a_series_unit_saved_by_excel_says_so(tmp_path, dataset, says):
    """`geo: ['1290.0', 1273.0, nowhere]`: a number in the list was «does not match exactly one
    allowed form» (the schema wanted text), and `'1290.0'` in quotes «unit not in the scenario's
    dataset» with every unit listed and nothing on why; the unit not in the dataset is still said
    as such."""
    doc = spec_doc()
    doc["segments"][0]["observations"][3]["geo"] = ["1290.0", 1273.0, "nowhere"]
    path = write_series(tmp_path, doc)
    scenario = yaml.safe_load((tmp_path / "scenario.yaml").read_text(encoding="utf-8"))
    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump(scenario | {"dataset": dataset}), encoding="utf-8")
    with pytest.raises(InputErrors) as exc:
        load_series_spec(path)
    said = [e.message("en") for e in exc.value.errors]
    assert [e.code for e in exc.value.errors] == [
        "unit_excel_number_list" if dataset == "caobang_communes" else "unit_excel_number_words_key",
        "series_unit",
    ], said
    assert says in said[0], said
    assert "'nowhere'" in said[1]
    assert "trông như số do Excel lưu (đọc được: 1290.0, 1273.0; cần:" in exc.value.errors[0].message("vi")


# 3. a list's flag in units.csv, at the line the planner sees


def test_a_flag_written_wrong_is_said_at_its_line_in_units_csv(here):
    """1 header · 2 north · 3 (blank) · 4 ,,,,,, (an emptied row) · 5 south, flag «unknown» ·
    6 town: line 5 (was «rows 3»: the rows counted by position, the blank and emptied lines not)."""
    shutil.copytree(TINY, here / "ds")
    lines = (here / "ds" / "units.csv").read_text(encoding="utf-8").splitlines()
    flags = ["true", "unknown", "false"]
    rows = [lines[0] + ",region_iii", lines[1] + ",true", "", ",,,,,,", lines[2] + ",unknown", lines[3] + ",false"]
    (here / "ds" / "units.csv").write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    ds = load_dataset(here / "ds")
    assert list(ds.units["region_iii"]) == flags and list(ds.units.index) == [0, 1, 2]  # positions as before
    with pytest.raises(InputError) as info:
        ds.unit_flag("region_iii")
    assert info.value.fields["rows"] == "5"
    assert "ds/units.csv, field 'region_iii': values not allowed at rows 5" in info.value.message("en")
    assert ds.unit_flag("poor_district").tolist() == [True, False, False]


# 4. what a tired planner made of the tables


def test_a_review_workbook_with_merged_cells_names_the_empty_rows(here):
    """A district review in Excel with the district's name merged over its rows (A2:A3): the
    merged cell keeps its value in A2 only, A3 is read empty — simlib's internal error («'float'
    object has no attribute 'strip'») and nothing said; now row 3's empty unit, nothing written."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["unit_id", "ethnic_group", "area", "state", "households"])
    ws.append(["north", "ethnic_minority", "rural", "poor", 1306])
    ws.append(["north", "ethnic_minority", "rural", "near_poor", 783])
    ws.append(["south", "kinh", "rural", "poor", 12])
    ws.merge_cells("A2:A3")
    wb.save(here / "review.xlsx")
    assert ws["A3"].value is None  # what Excel keeps of a merged cell
    before = snapshot(here)
    for lang, says in [
        ("vi", "review.xlsx, trường «unit_id»: ô trống ở các dòng 3: mỗi dòng cần ghi đủ giá trị"),
        ("en", "review.xlsx, field 'unit_id': empty cells at rows 3: every row needs its value"),
    ]:
        code, text = cli("--lang", lang, "import-review", "review.xlsx", "--template", TINY, "--out", "out")
        assert_user_error(code, text, [says])
        assert len(messages(text)) == 1, text
    assert snapshot(here) == before


def test_an_empty_state_in_a_baseline_is_said_as_empty_at_its_line(here, tiny):
    """`north,kinh,rural,,36` on line 3 was «values not allowed at rows 3 (value: '')»: now an
    empty cell, with what to do."""
    base = here / "ds" / "baseline_2023.csv"
    lines = base.read_text(encoding="utf-8").splitlines()
    lines[2] = re.sub(r"^([^,]*,[^,]*,[^,]*),[^,]*,", r"\1,,", lines[2])
    base.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = snapshot(here)
    code, text = cli("--lang", "en", "validate", tiny)
    assert_user_error(code, text, ["baseline_2023.csv, field 'state': empty cells at rows 3: every row needs"])
    assert "not allowed" not in text and snapshot(here) == before


# 5. what a tired planner made of the scenario


@pytest.mark.parametrize(
    "old,new,lang,says",
    [
        (
            "start_year: 2024",
            "start_year: 2.024",
            "vi",
            "trường «start_year»: năm được viết với dấu chấm phân cách hàng nghìn nên bị đọc thành một số thập "
            "phân; hãy viết năm gồm bốn chữ số liền nhau: 2024 (giá trị: 2.024)",
        ),
        ("same_as: 2024", "same_as: 2.024", "en", "write the year as four digits: 2024 (value: 2.024)"),
        ("start_year: 2024", "start_year: 2.020", "en", "write the year as four digits: 2020 (value: 2.02)"),
    ],
    ids=["start_year", "same_as", "2.020"],
)
def test_a_year_with_a_thousands_dot_is_said_with_the_year(here, old, new, lang, says):
    """`start_year: 2.024` was two messages, «must be ≥ 2000» and «expected integer», with the
    decimal number YAML read and nothing of the dot; now one, with the year to write."""
    name = typed(here, old, new)
    code, text = cli("--lang", lang, "validate", name)
    assert_user_error(code, text, [says])
    assert len(messages(text)) == 1, text
    code, text = cli("--lang", "en", "validate", typed(here, "start_year: 2024", "start_year: 2.0245"))
    assert_user_error(code, text, ["must be ≥ 2000", "expected integer"])  # no year with a dot: as before


@pytest.mark.parametrize("written", [".\\ds", "'./ds '", ".\\ds\\"], ids=["backslash", "blank", "backslash-end"])
def test_a_dataset_path_with_backslashes_or_a_blank_suggests_the_folder(here, written):
    """`dataset: .\\ds` (typed as Windows writes paths) and `'./ds '`: «dataset folder not found»
    and nothing more; the folder meant is suggested now, when it is there."""
    shutil.copytree(TINY, here / "ds")
    name = typed(here, "seed: 7", "seed: 7", dataset=written)
    before = snapshot(here)
    code, text = cli("--lang", "en", "validate", name)
    assert_user_error(code, text, ["field 'dataset': dataset folder", "did you mean ./ds"])
    code, text = cli("--lang", "vi", "validate", name)
    assert_user_error(code, text, ["không tìm thấy thư mục bộ dữ liệu", "có phải là ./ds"])
    assert snapshot(here) == before
    shutil.rmtree(here / "ds")
    code, text = cli("--lang", "en", "validate", name)  # nothing there: nothing suggested
    assert_user_error(code, text, ["field 'dataset': dataset folder"])
    assert "did you mean" not in text


@pytest.mark.parametrize(
    "written,says",
    [
        ("１２", "field 'communes': the numbers at rows 3 are typed in full-width digits (e.g. “１２”"),
        ("12 xã", "field 'communes': values not allowed at rows 3 (value: '12 xã'; allowed: 0 … 100000)"),
    ],
)
def test_a_units_commune_count_says_what_was_written(here, tiny, written, says):
    """units.csv's `communes` on line 3 written `１２` or `12 xã`: «values not allowed at rows 3
    (allowed: 0 … 100000)», without the value or why."""
    replaced(here / "ds" / "units.csv", "false,12", f"false,{written}")
    before = snapshot(here)
    code, text = cli("--lang", "en", "validate", tiny)
    assert_user_error(code, text, ["ds/units.csv", says])
    assert len(messages(text)) == 1 and snapshot(here) == before


@pytest.mark.parametrize(
    "old,new,lang,says",
    [
        (
            "horizon: 2",
            "horizon: 2 năm",
            "vi",
            "trường «horizon»: số có chữ viết kèm phía sau («năm») nên bị đọc thành chữ; hãy chỉ ghi số: 2",
        ),
        (
            "local: 3",
            "local: 3 (tạm tính)",
            "en",
            "field 'budget.years.2024.lines.P1.1.local': a number with words after it (“(tạm tính)”) is read as "
            "text; write the number alone: 3 (a note goes after a # on the line)",
        ),
    ],
    ids=["horizon", "amount"],
)
def test_a_number_with_a_note_typed_after_it_says_to_write_the_number(here, old, new, lang, says):
    """`horizon: 2 năm` was «wrong type, expected integer (value: '2 năm')»; a word of money
    (`3 tỷ`) keeps its own message, and a typo glued to a number (`7a`) is not read as a note."""
    code, text = cli("--lang", lang, "validate", typed(here, old, new))
    assert_user_error(code, text, [says])
    code, text = cli("--lang", "en", "validate", typed(here, "local: 3", "local: 3 tỷ"))
    assert_user_error(code, text, ["an amount is written with its unit “tỷ”"])
    code, text = cli("--lang", "en", "validate", typed(here, "seed: 7", "seed: 7a"))
    assert_user_error(code, text, ["field 'seed': wrong type, expected integer (value: '7a')"])


@pytest.mark.parametrize(
    "column,written,says",
    [
        ("year", "2.021", "agg.csv, field 'year': not a valid year at rows 3 (value: '2.021')"),
        ("households", "32 hộ", "agg.csv, field 'households': not a number at rows 3 (value: '32 hộ')"),
    ],
)
def test_a_calibration_table_s_wrong_value_is_shown(here, column, written, says):
    """`simlib calibrate aggregate`: a year `2.021` or a count `32 hộ` on line 3 was «not a valid
    year at rows 3» or «not a number at rows 3», without the value (the baseline's says it)."""
    src = ROOT / "data" / "synthetic_review" / "aggregate_2021_2023.csv"
    lines = src.read_text(encoding="utf-8").splitlines()
    cells = lines[2].split(",")
    cells[lines[0].split(",").index(column)] = written
    lines[2] = ",".join(cells)
    (here / "agg.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = snapshot(here)
    code, text = cli("--lang", "en", "calibrate", "aggregate", "agg.csv", "--out", "o")
    assert_user_error(code, text, [says])
    assert snapshot(here) == before
