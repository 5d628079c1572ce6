"""The run's time: now, or fixed by SOURCE_DATE_EPOCH so that two runs write the same bytes."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from simlib.clock import ENV, fixed_time, run_time, zip_time
from simlib.errors import InputError
from simlib.report.table import ReportTable, write_xlsx
from tests.hostile_helpers import cli

ROOT = Path(__file__).resolve().parents[1]
NEW_YEAR_2026 = 1767225600  # 2026-01-01 00:00:00 UTC: 56 years of 365 days and 14 leap days
UTC = dt.UTC


def test_epoch_of_new_year_2026_by_hand():
    assert NEW_YEAR_2026 == (56 * 365 + 14) * 86400


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0", dt.datetime(1970, 1, 1, tzinfo=UTC)),
        (str(NEW_YEAR_2026), dt.datetime(2026, 1, 1, tzinfo=UTC)),
        (f" {NEW_YEAR_2026 + 3661}\n", dt.datetime(2026, 1, 1, 1, 1, 1, tzinfo=UTC)),
    ],
)
def test_fixed_time_reads_whole_seconds_since_1970(monkeypatch, raw, expected):
    monkeypatch.setenv(ENV, raw)
    assert fixed_time() == expected
    assert run_time() == expected


@pytest.mark.parametrize("raw", ["", "abc", "-5", "1.5", "1e9", "1,767,225,600", "99999999999999999999"])
def test_a_malformed_value_is_an_input_error_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv(ENV, raw)
    with pytest.raises(InputError) as err:
        fixed_time()
    assert err.value.field == ENV and err.value.value == raw
    assert ENV in err.value.message("vi") and "1970" in err.value.message("vi")


def test_without_the_variable_the_time_is_now_in_whole_seconds(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    before = dt.datetime.now(UTC).replace(microsecond=0)
    got = run_time()
    assert fixed_time() is None and got.microsecond == 0
    assert before <= got <= dt.datetime.now(UTC)


def test_zip_time_is_even_seconds_within_what_zip_stores():
    assert zip_time(dt.datetime(2026, 1, 1, 1, 1, 1, tzinfo=UTC)) == (2026, 1, 1, 1, 1, 0)
    assert zip_time(dt.datetime(1970, 1, 1, tzinfo=UTC)) == (1980, 1, 1, 0, 0, 0)
    assert zip_time(dt.datetime(2200, 1, 1, tzinfo=UTC))[0] == 2107


def _workbook(path) -> bytes:
    t = ReportTable("demo", "Demo", pd.DataFrame({"Năm": [2025, 2026], "Hộ nghèo": [1200.0, 950.5]}))
    write_xlsx([t], path, "vi", info=[("Tạo lúc", "01/01/2026")])
    return path.read_bytes()


def test_two_workbooks_written_apart_are_the_same_bytes_with_the_time_fixed(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV, str(NEW_YEAR_2026))
    first = _workbook(tmp_path / "a.xlsx")
    time.sleep(2.1)  # zip stores even seconds: a later save would show in every part's date
    assert _workbook(tmp_path / "b.xlsx") == first
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 1, 1, 0, 0, 0)}
    wb = load_workbook(tmp_path / "a.xlsx")
    assert wb.properties.created == wb.properties.modified == dt.datetime(2026, 1, 1)
    assert [c.value for c in wb["Demo"]["B"]] == ["Hộ nghèo", 1200, 950.5]


def test_an_unfixed_workbook_carries_the_time_it_was_written(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV, raising=False)
    before = dt.datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    _workbook(tmp_path / "a.xlsx")
    wb = load_workbook(tmp_path / "a.xlsx")
    assert before <= wb.properties.modified <= dt.datetime.now(UTC).replace(tzinfo=None)


def test_the_command_line_refuses_a_malformed_time_before_any_work(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV, "2026-01-01")
    code, text = cli("--lang", "vi", "run", "params/scenarios/plan_2024.yaml", "--out", str(tmp_path / "out"))
    assert code == 2 and ENV in text and "Traceback" not in text
    assert not (tmp_path / "out").exists()


def test_a_malformed_time_gives_a_message_not_numpys_traceback(tmp_path):
    """numpy.f2py (imported by SciPy when simlib starts) raises on a malformed value: a fresh
    process must still reach simlib's own message."""
    env = dict(os.environ, SOURCE_DATE_EPOCH="abc", SIMLIB_LANG="en")
    cmd = [sys.executable, "-m", "simlib", "validate", str(ROOT / "params" / "scenarios" / "plan_2024.yaml")]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and "'SOURCE_DATE_EPOCH'" in r.stderr and "'abc'" in r.stderr
