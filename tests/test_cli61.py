"""Round cli61: what a tired planner's files got as messages, said now as what they are — the
budget years a scenario lacks in one message, commune codes that Excel saved as numbers
(`1290.0`), a total row inside a table — each with exit status 2, no traceback and nothing of the
user's changed; and `simlib run`'s first-run watch, which says compiling is over by the year
kernels its run calls (as a batch) and always ends on a line of its own. No kernel is compiled
here: the cache folder is a temporary one, its files written by the tests (as
tests/test_firstrun.py)."""

from __future__ import annotations

import contextlib
import re
import shutil
import threading
import time

import pytest
from conftest import ROOT, TINY
from hostile_helpers import assert_user_error, cli, snapshot
from test_firstrun import index_file, kernel_file
from test_hostile60 import typed

from simlib.batch import compiling
from simlib.cli import run as run_command
from simlib.options import RunOptions
from simlib.scenario import load_scenario

pytestmark = pytest.mark.usefixtures("vietnamese_by_default")

MULTIDIM = ROOT / "params" / "scenarios" / "multidim_2030.yaml"
YEAR, BOTH = "multidim_jit._year", "multidim_jit._year_both"
BASE = (TINY / "baseline_2023.csv").read_text(encoding="utf-8")
UNITS = (TINY / "units.csv").read_text(encoding="utf-8")


@pytest.fixture
def table(here):
    """A copy of the tiny dataset as ./ds and the scenario using it (its name)."""
    shutil.copytree(TINY, here / "ds")
    return typed(here, "seed: 7", "seed: 7", dataset="./ds")


@pytest.fixture
def communes(here):
    """A copy of the commune dataset as ./ds (its tables only) and a scenario using it (its name)."""
    shutil.copytree(ROOT / "data" / "caobang_communes", here / "ds", ignore=shutil.ignore_patterns("*.py"))
    return typed(here, "seed: 7", "seed: 7", dataset="./ds")


def messages(text: str) -> list[str]:
    """The problems a command said, one a line («- …» under a count, or the single one)."""
    listed = [line.strip()[2:] for line in text.splitlines() if line.strip().startswith("- ")]
    return listed or [line for line in text.splitlines() if ": " in line]


# 1. the budget years a scenario lacks, in one message


@pytest.mark.parametrize(
    "lang,says",
    [
        ("vi", "trường «budget.years»: thiếu ngân sách cho các năm 2026, 2027, 2028 (khai báo từng năm"),
        ("en", "field 'budget.years': budget missing for the years 2026, 2027, 2028 (list each"),
    ],
)
def test_the_years_a_budget_lacks_are_named_in_one_message(here, lang, says):
    """`horizon: 5` with 2024 and 2025 given: one message a missing year (three lines saying
    the same thing); one now, naming the three."""
    name = typed(here, "horizon: 2", "horizon: 5")
    before = snapshot(here)
    code, text = cli("--lang", lang, "validate", name)
    assert_user_error(code, text, [says])
    assert len(messages(text)) == 1, text
    assert snapshot(here) == before


def test_one_year_missing_keeps_its_message_and_a_set_horizon_names_every_year(here):
    code, text = cli("--lang", "en", "validate", typed(here, "horizon: 2", "horizon: 3"))
    assert_user_error(code, text, ["budget missing for year 2026 (list it"])
    code, text = cli("--lang", "vi", "validate", typed(here, "seed: 7", "seed: 7"), "--set", "horizon=4")
    assert_user_error(
        code, text, ["thiếu ngân sách cho các năm 2026, 2027: các năm này được dự báo vì --set horizon=4"]
    )
    assert len(messages(text)) == 1, text


# 2. commune codes saved by Excel as numbers


def excel_codes(text: str, only: str | None = None) -> str:
    """A table's commune codes (first column) as Excel saves them read as numbers: `01290` →
    `1290.0` (every code, or the code `only`)."""
    code = only or r"\d{5}"
    return re.sub(rf"(?m)^({code}),", lambda m: f"{float(m.group(1))},", text)


@pytest.mark.parametrize(
    "lang,says",
    [
        ("vi", ["mã địa bàn trông như số do Excel lưu (đọc được: 1290.0, dòng 74,", "gồm 5 chữ số", "«01290»"]),
        ("en", ["look like numbers saved by Excel (read: 1290.0, rows 74,", "of 5 digits written as text", "“01290”"]),
    ],
)
def test_a_commune_code_saved_as_a_number_is_said_as_such(here, communes, lang, says):
    """The baseline's `01290` saved by Excel as `1290.0`: «unit not in the dataset» with the 56
    codes allowed, nothing on why none matched."""
    base = here / "ds" / "baseline_2023.csv"
    base.write_text(excel_codes(base.read_text(encoding="utf-8"), "01290"), encoding="utf-8")
    first = 1 + next(
        i for i, line in enumerate(base.read_text(encoding="utf-8").splitlines()) if line.startswith("1290.0")
    )
    assert first == 74  # the spreadsheet row of the first `1290.0` (header: row 1), counted independently
    before = snapshot(here)
    code, text = cli("--lang", lang, "validate", communes)
    assert_user_error(code, text, ["baseline_2023.csv", "unit_id", *says])
    assert "01273, 01279" not in text  # not the list of every code allowed
    assert snapshot(here) == before


def test_the_units_codes_saved_as_numbers_are_said_in_units_csv(here, communes):
    """units.csv with every code saved as a number: every baseline row was «unit not in the
    dataset» (value '01273, …'; allowed: 1273.0, …), the file at fault never named."""
    units = here / "ds" / "units.csv"
    units.write_text(excel_codes(units.read_text(encoding="utf-8")), encoding="utf-8")
    code, text = cli("--lang", "en", "validate", communes)
    assert_user_error(code, text, ["ds/units.csv, field 'unit_id': unit codes that look like numbers saved by Excel"])
    assert "(read: 1273.0, 1279.0" in text and "rows 2, 3, 4" in text and "“01273”" in text
    assert "baseline_2023.csv" not in text


def test_a_commune_review_with_a_code_saved_as_a_number_says_so(here):
    """A commune review (units by name or code) with `1290.0`: «unknown unit» and the 56 names."""
    rows = "unit_id,ethnic_group,area,state,households\n01290,ethnic_minority,rural,poor,120\n"
    (here / "review.csv").write_text(rows + "1290.0,kinh,rural,poor,12\n", encoding="utf-8")
    argv = ["import-review", "review.csv", "--level", "commune", "--name", "t", "--year", "2024", "--out", "out"]
    code, text = cli("--lang", "vi", *argv)
    assert_user_error(
        code, text, ["review.csv, trường «unit_id»: mã địa bàn trông như số do Excel lưu", "dòng 3", "«01290»"]
    )
    assert "Bảo Lạc" not in text and not (here / "out").exists()


# 3. a total row inside a table


def test_a_total_row_inside_a_baseline_is_said_as_such(here, table):
    """A district's «Cộng» row between the rows (a subtotal): «unit 'Cộng' not in the dataset»
    and the empty group, area and state of its row, none saying it is a total."""
    lines = BASE.splitlines(keepends=True)
    (here / "ds" / "baseline_2023.csv").write_text("".join(lines[:25] + ["Cộng,,,,4567\n"] + lines[25:]), "utf-8")
    before = snapshot(here)
    code, text = cli("--lang", "vi", "validate", table)
    assert_user_error(code, text, ["trường «unit_id»: dòng tổng cộng (dòng 26) ở giữa bảng", "(giá trị: 'Cộng')"])
    assert "ethnic_group" not in text and "không có trong bộ dữ liệu" not in text
    assert snapshot(here) == before


def test_total_rows_inside_and_at_the_end_of_a_review_are_said_together(here):
    rows = "unit_id,ethnic_group,area,state,households\nXã Bảo Lâm,ethnic_minority,rural,poor,120\nTổng,,,,120\n"
    (here / "review.csv").write_text(rows + "Xã Lý Bôn,kinh,rural,poor,80\nTOTAL,,,,200\n", encoding="utf-8")
    argv = ["import-review", "review.csv", "--level", "commune", "--name", "t", "--year", "2024", "--out", "out"]
    code, text = cli("--lang", "en", *argv)
    assert_user_error(code, text, ["field 'unit_id': a total row (rows 3, 5) inside the table", "(value: 'Tổng')"])
    assert len(messages(text)) == 1 and not (here / "out").exists()


def test_a_total_row_in_units_csv_is_said_as_such(here, table):
    """units.csv with a «Tổng cộng» row (its communes the sum): a unit of that name was read."""
    (here / "ds" / "units.csv").write_text(UNITS + "Tổng cộng,Tổng cộng,Total,,,27\n", encoding="utf-8")
    code, text = cli("--lang", "en", "validate", table)
    assert_user_error(code, text, ["ds/units.csv, field 'unit_id': a total row (rows 5) in the list of units"])


# 4. `simlib run`'s first-run watch


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """numba's cache folder in `tmp_path` (`NUMBA_CACHE_DIR`), looked at every 10 ms."""
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "numba"))
    monkeypatch.setattr(compiling, "TICK", 0.01)
    return compiling.cache_folder()


def test_run_tells_the_watch_the_year_kernels_its_run_calls(monkeypatch):
    """As a batch does (`warmup.kernels_of`): `_year_both` only for a run its twin continues."""
    asked = []

    @contextlib.contextmanager
    def watch(bar, lang, models, **kw):
        asked.append(kw.get("needed"))
        yield

    monkeypatch.setattr(run_command, "compile_watch", watch)
    monkeypatch.setattr(run_command, "run", lambda scen, options: "the run")
    scen = load_scenario(MULTIDIM)
    run_command._run_compiling(scen, RunOptions(progress=False), "en")
    run_command._run_compiling(scen, RunOptions(progress=False, chunk=5), "en")  # a chunked run: no twin
    assert [set(a) for a in asked] == [{YEAR, BOTH}, {YEAR}]


def test_run_without_its_twin_says_compiling_is_over_once_its_year_is(cache, monkeypatch, capfd):
    """A cold cache indexes `_year_both` too; a run that never calls it (chunked: no twin) waited
    for it, and never said compiling was over."""
    now = time.time()
    index_file(cache, YEAR, now)
    index_file(cache, BOTH, now)  # the engines imported on a cold cache
    lines = []
    monkeypatch.setattr(compiling, "plain_line", lambda text, done: lines.append((text, done)))

    def compiles(scen, options):
        kernel_file(cache, "multidim_numba.aempty", time.time() + 1)
        for _ in range(3000):
            if lines:
                break
            time.sleep(0.01)
        kernel_file(cache, YEAR, time.time() + 1)
        index_file(cache, YEAR, time.time() + 1)
        return "the run"

    monkeypatch.setattr(run_command, "run", compiles)
    assert run_command._run_compiling(load_scenario(MULTIDIM), RunOptions(progress=False, chunk=5), "en") == "the run"
    assert lines[0][0].startswith("first run: compiling the model's kernels, 1 done, ") and not lines[0][1]
    assert lines[-1][1] and lines[-1][0].startswith("The model's kernels are compiled (2 kernels")
    assert not [t for t in threading.enumerate() if t.name == "simlib-compile-watch"]


@pytest.mark.parametrize(
    "lang,said", [("en", "First run: 2 of the model's kernels compiled ("), ("vi", "Lần chạy đầu: đã biên dịch 2 hàm")]
)
def test_a_watch_ended_before_a_kernel_it_waits_for_ends_on_a_line(tmp_path, lang, said):
    """`_year_both` waited for and never reached (the work ended first): the watch was cleared
    with nothing said after its progress (`show(None, False)`); it ends on a line of its own."""
    index_file(tmp_path, YEAR, time.time())
    index_file(tmp_path, BOTH, time.time())
    shown, heard = [], threading.Event()

    def display(bar):
        def show(text, done):
            shown.append((text, done))
            heard.set()

        return show, 0.0

    needed = {YEAR, BOTH}
    with compiling.compile_watch(None, lang, {"multidim"}, needed=needed, folder=tmp_path, tick=0.01, display=display):
        kernel_file(tmp_path, "multidim_numba.aempty", time.time() + 1)
        kernel_file(tmp_path, YEAR, time.time() + 1)
        assert heard.wait(30)
    text, done = shown[-1]
    assert done and text.startswith(said), shown
    assert all(not d for _, d in shown[:-1]) and None not in [t for t, _ in shown]


def test_a_terminal_line_of_progress_is_replaced_by_the_last_line(capsys):
    """On a terminal (`line_display`) the last line overwrites the progress and stays."""
    show, _ = compiling.line_display(True)
    watch = compiling.CompileWatch(ROOT / "no such folder", "en", 1_000_000.0)
    watch.kernels = {"multidim_numba.aempty"}
    show("first run: compiling the model's kernels, 1 done, 0 min 05 s", False)
    show(watch.ended(1_000_065.0), True)
    err = capsys.readouterr().err
    assert err.endswith(
        "\rFirst run: 1 of the model's kernels compiled (1 min 05 s since the start); "
        "a kernel not compiled yet is compiled by the first run that calls it.\x1b[K\n"
    )
