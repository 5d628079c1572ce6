"""Four input messages a tired planner met (input64), each tried as the planner would, through the
CLI: a value typed in full-width digits with a full-width comma (`５５７，５`) was told to be
written `557,5` — a decimal comma the reader refuses; a budget year typed `2.025:` got «wrong
format» and no year; a dataset path a letter off (`./data/caobangg`) got no folder suggested; and
the default-horizon note was repeated on every budget year it put outside the projection."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import TINY
from hostile_helpers import assert_user_error, cli, snapshot
from test_cli61 import messages
from test_hostile60 import SCENARIO, typed

from simlib.table_files import table_number

pytestmark = pytest.mark.usefixtures("vietnamese_by_default")

# 1. full-width digits with a full-width comma: what to write is a number the reader accepts


@pytest.mark.parametrize(
    "written,lang,says,fixed",
    [
        ("５５７，５", "vi", "hãy gõ lại bằng chữ số thường: 557.5 (giá trị: '５５７，５')", "557.5"),
        ("１．２３４，５", "en", "type it again in ordinary digits: 1234.5 (value: '１．２３４，５')", "1234.5"),
        ("１　２５０", "en", "type it again in ordinary digits: 1250 (value: '１\\u3000２５０')", "1250"),
    ],
    ids=["decimal comma", "dots and comma", "ideographic space"],
)
def test_full_width_digits_with_a_comma_are_told_as_a_number_yaml_reads(here, written, lang, says, fixed):
    """`local: ５５７，５` was «type it again in ordinary digits: 557,5» — a decimal comma, which
    the scenario's reader refuses in turn. The value told is one it reads: written so, it passes."""
    name = typed(here, "local: 3", f"local: {written}")
    before = snapshot(here)
    code, text = cli("--lang", lang, "validate", name)
    assert_user_error(code, text, ["budget.years.2024.lines.P1.1.local", says])
    assert len(messages(text)) == 1, text
    assert snapshot(here) == before
    code, text = cli("--lang", "en", "validate", typed(here, "local: 3", f"local: {fixed}"))
    assert code == 0, text


def test_a_full_width_comma_of_two_readings_names_both_and_a_year_drops_its_comma(here):
    """`local: １，０００` (one comma before three digits): both readings, as for `1,000`, not one
    guessed; `start_year: ２，０２４` (a whole number): 2024, without the thousands comma."""
    code, text = cli("--lang", "en", "validate", typed(here, "local: 3", "local: １，０００"))
    assert_user_error(code, text, ["has two readings: 1000", "write 1000 or 1", "(value: '１，０００')"])
    code, text = cli("--lang", "en", "validate", typed(here, "start_year: 2024", "start_year: ２，０２４"))
    assert_user_error(code, text, ["start_year", "type it again in ordinary digits: 2024 (value: '２，０２４')"])


def test_full_width_digits_with_a_comma_in_a_table_cell_are_told_as_the_table_reads_them(here):
    """A household count `５５７，５` in baseline_2023.csv was «(e.g. 557,5)», which the table
    reader refuses as a decimal comma; now 557.5, and written so the dataset passes."""
    shutil.copytree(TINY, here / "ds")
    name = typed(here, "seed: 7", "seed: 7", dataset="./ds")
    base = here / "ds" / "baseline_2023.csv"
    original = base.read_text(encoding="utf-8")
    base.write_text(re.sub(r",(\d+)(\r?\n)", r",５５７，５\2", original, count=1), encoding="utf-8")
    before = snapshot(here)
    code, text = cli("--lang", "en", "validate", name)
    assert_user_error(code, text, ["baseline_2023.csv, field 'households'", "“５５７，５”", "(e.g. 557.5)"])
    assert snapshot(here) == before
    base.write_text(re.sub(r",(\d+)(\r?\n)", r",557.5\2", original, count=1), encoding="utf-8")
    code, text = cli("--lang", "en", "validate", name)
    assert code == 0, text


@pytest.mark.parametrize(
    "ascii_text,whole,fix",
    [("557,5", True, "557.5"), ("4.410", True, "4410"), ("4,410", True, "4410"), ("12 500", True, "12500")]
    + [("0,5", False, "0.5"), ("0.25", False, "0.25")],
)
def test_a_table_number_is_written_as_the_table_reads_it(ascii_text, whole, fix):
    assert table_number(ascii_text, whole) == fix


# 2. a budget year written with a thousands dot


@pytest.mark.parametrize(
    "lang,says",
    [
        (
            "vi",
            "trường «budget.years»: năm được viết với dấu chấm phân cách hàng nghìn nên bị đọc thành một số thập "
            "phân; hãy viết năm gồm bốn chữ số liền nhau: 2025 (giá trị: '2.025')",
        ),
        (
            "en",
            "field 'budget.years': a year written with a thousands dot is read as a decimal number; write the "
            "year as four digits: 2025 (value: '2.025')",
        ),
    ],
)
def test_a_budget_year_with_a_thousands_dot_is_told_with_the_year(here, lang, says):
    """`2.025:` for 2025 was «wrong format (value: '2.025'; allowed: a year in four digits)», with
    no year; now the year to write, as `start_year: 2.027` is told (`year_dot_error`)."""
    name = typed(here, "'2025':", "2.025:")
    before = snapshot(here)
    code, text = cli("--lang", lang, "validate", name)
    assert_user_error(code, text, [says])
    assert len(messages(text)) == 1, text
    assert snapshot(here) == before
    assert cli("validate", typed(here, "'2025':", "2025:"))[0] == 0
    code, text = cli("--lang", "en", "validate", typed(here, "'2025':", "1.234:"))  # no year of ours: as before
    assert_user_error(code, text, ["wrong format (value: '1.234'; allowed: a year in four digits"])
    assert "write the year" not in text


# 3. a dataset folder a letter off


@pytest.mark.parametrize(
    "written,near",
    [("./sets/tinyy", "./sets/tiny"), ("./set/tiny", "./sets/tiny"), ("sets/tiy", "sets/tiny")]
    + [("./data/caobangg", "caobang"), ("./caobang_comunes", "caobang_communes")],
)
def test_a_dataset_path_a_letter_off_suggests_the_folder(here, written, near):
    """`dataset: ./sets/tinyy` was «dataset folder not found» and nothing more; the folder meant is
    suggested, written as the file writes it (from the scenario's folder), or the dataset under
    data/ of the closest name when no folder there is close."""
    shutil.copytree(TINY, here / "sets" / "tiny")
    name = typed(here, "seed: 7", "seed: 7", dataset=written)
    before = snapshot(here)
    code, text = cli("--lang", "en", "validate", name)
    assert_user_error(code, text, ["field 'dataset': dataset folder", f"did you mean {near}?"])
    code, text = cli("--lang", "vi", "validate", name)
    assert_user_error(code, text, ["không tìm thấy thư mục bộ dữ liệu", f"có phải là {near} không?"])
    assert snapshot(here) == before
    code, text = cli("--lang", "en", "validate", typed(here, "seed: 7", "seed: 7", dataset=near))
    assert code == 0, text


def test_a_template_path_a_letter_off_suggests_the_folder(here):
    """`simlib import-review … --template ./sets/tinyy`: the folder meant, from the current one."""
    shutil.copytree(TINY, here / "sets" / "tiny")
    (here / "review.csv").write_text("unit_id,households\n", encoding="utf-8")
    before = snapshot(here)
    code, text = cli("--lang", "en", "import-review", "review.csv", "--template", "./sets/tinyy", "--out", "o")
    assert_user_error(code, text, ["'--template': dataset folder", "did you mean ./sets/tiny?"])
    assert snapshot(here) == before


# 4. the default horizon said once


def test_the_default_horizon_is_said_once_for_all_the_years_beyond_it(here):
    """Seven budget years (2024–2030) and no `horizon`: the five beyond the default projection
    2024–2025 each said «…; the file does not give `horizon`, so the default of 2 years is in use»
    — five times the same note; now once, on the first."""
    more = "".join(f"    '{y}':\n      same_as: 2024\n" for y in range(2026, 2031))
    text = SCENARIO.format(dataset=TINY).replace("horizon: 2\n", "") + more
    (here / "seven.yaml").write_text(text, encoding="utf-8")
    before = snapshot(here)
    for lang, note in [
        ("vi", "tệp không khai báo «horizon» nên đang dùng số năm dự báo mặc định là 2 năm"),
        ("en", "the default horizon of 2 years is in use because `horizon` is not given"),
    ]:
        code, out = cli("--lang", lang, "validate", "seven.yaml")
        assert_user_error(code, out, [note])
        said = messages(out)
        assert [re.search(r"budget\.years\.(\d{4})", m)[1] for m in said] == [str(y) for y in range(2026, 2031)]
        assert [note in m for m in said] == [True, False, False, False, False], out
    assert snapshot(here) == before
