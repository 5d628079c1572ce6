"""What the optimiser says while and after it works, read as a provincial leader reads it: the
progress line never counts past its own «about N runs» as if N were still the total."""

from __future__ import annotations

import io
import sys

import pandas as pd

from simlib import i18n
from simlib.allocate import plots
from simlib.cli.optimize import Meter
from simlib.report import optimization as T


def progress_lines(lang: str, expected: int, calls: list[float], interval: float = 0.0) -> list[str]:
    """The stderr lines of a Meter told `expected` runs and then fed `calls` runs (at most a line
    every `interval` seconds: 0, every 10 runs)."""
    err, old = io.StringIO(), sys.stderr
    sys.stderr = err
    try:
        meter = Meter(lang, interval)
        meter.estimate(expected, 0.5)
        for runs in calls:
            meter(runs)
    finally:
        sys.stderr = old
    return err.getvalue().splitlines()[1:]  # the first line is the estimate


def test_progress_within_the_estimate_counts_against_it():
    # 20 runs fed 10 at a time against an estimate of 30: two lines, «10 of about 30», «20 of about 30»
    lines = progress_lines("vi", 30, [10, 10])
    assert [line.split(",")[0] for line in lines] == ["… 10 trên khoảng 30 lần chạy", "… 20 trên khoảng 30 lần chạy"]


def test_progress_lines_are_spaced_in_time_not_one_every_ten_runs():
    # 4,000 runs fed at once, faster than any interval: one line (the first, at once), not 400
    lines = progress_lines("en", 5000, [10] * 400, interval=3600.0)
    assert len(lines) == 1 and lines[0].startswith("… 10 of about 5,000")  # English groups thousands


def test_progress_past_the_estimate_says_so_instead_of_of_about():
    # 50 runs against an estimate of 30: the lines at 40 and 50 overrun it and must not read «trên khoảng 30»
    for lang, of_about, past in (("vi", "trên khoảng", "vượt ước tính"), ("en", "of about", "past the estimate")):
        lines = progress_lines(lang, 30, [10] * 5)
        assert len(lines) == 5
        assert all(of_about in line for line in lines[:3])
        for line, runs in zip(lines[3:], (40, 50), strict=True):
            assert of_about not in line and past in line and f"{runs} " in line and "30" in line


def test_the_district_level_table_names_its_units_as_district_level_units_not_districts():
    # Cao Bằng's district-level units include «Thành phố Cao Bằng»: the heading and the note of the
    # table by line and unit say «huyện, thành phố» / «đơn vị cấp huyện», as the rest of simlib does
    marg = pd.DataFrame(
        [("P4.1", d, 1.0) for d in ("bao_lac", "tp_cao_bang")],
        columns=["line", "district", "objective_per_billion_added"],
    )
    lines = pd.DataFrame({"line": ["P4.1"], "name_vi": ["Nội dung"], "name_en": ["Content"]})
    names = {"bao_lac": "Huyện Bảo Lạc", "tp_cao_bang": "Thành phố Cao Bằng"}
    note = T.districts(marg, "vi", names, lines, "poor", "district").note
    assert "ở đơn vị cấp huyện đó" in note and "ở đơn vị cấp huyện này" in note
    assert "ở huyện" not in note
    empty = T.districts(marg.iloc[:0], "vi", names, lines, "poor", "district").note
    assert "theo từng đơn vị cấp huyện" in empty
    assert i18n.t("alloc.report.districts", "vi").endswith("theo dự án và huyện, thành phố")


def binding_rows() -> pd.DataFrame:
    """Four binding rules by hand: an envelope, two contents the model does not measure (each
    year), and a ceiling; one unmeasured content in 2025 alone stays its own row."""
    rows = [
        ("envelope", None, None, 1.5, "Đã dùng hết NSTW", "tổng vốn"),
        ("cap_unmeasured", "P1.1.maintenance", None, float("nan"), "P1.1.maintenance: không đo", "không trực tiếp"),
        ("ceiling", "P2", None, 0.25, "P2: chạm mức trần", "trần"),
        ("cap_unmeasured", "P5.repair", None, float("nan"), "P5.repair: không đo", "không trực tiếp"),
        ("cap_unmeasured", "P4.1.facilities", 2025, float("nan"), "P4.1.facilities: không đo", "không trực tiếp"),
    ]
    df = pd.DataFrame(rows, columns=["kind", "code", "year", "value_per_billion", "text_vi", "basis_vi"])
    df["unit"] = None
    return df


def test_the_contents_the_model_does_not_measure_are_one_row_of_the_binding_rules():
    lines = pd.DataFrame(
        {"line": ["P1.1.maintenance", "P5.repair"], "name_vi": ["Duy tu", "Sửa chữa"], "name_en": ["Upkeep", "Repair"]}
    )
    table = T.rules(binding_rows(), "vi", lines).frame
    rule = table.iloc[:, 0].tolist()
    # 5 rules: the two unmeasured each year in one row (in the first one's place), the 2025 one alone
    assert len(rule) == 4
    assert rule[0] == "Đã dùng hết NSTW" and rule[2] == "P2: chạm mức trần"
    assert rule[3] == "P4.1.facilities: không đo"
    assert rule[1].startswith("Mô hình không đo tác động đến hộ gia đình của 2 nội dung sau")
    # each content by its line's code and its name, not by its identifier (plots.report_labels)
    assert "(mỗi năm)" in rule[1] and rule[1].endswith(": P1.1 – Duy tu; P5 – Sửa chữa.")
    assert table.iloc[1, 1] == "không trực tiếp" and table.iloc[1, 2] == "–"


def test_a_funded_content_the_model_does_not_measure_is_named_on_the_chart_not_coded():
    lines = pd.DataFrame(
        {
            "line": ["P5", "P5.repair", "P6.1.commune_radio"],
            "name_vi": ["Hỗ trợ nhà ở", "Hỗ trợ sửa chữa nhà ở", "Tăng cường cơ sở vật chất cho hoạt động của đài"],
            "name_en": ["Housing", "House repairs", "Commune radio"],
            "optimal_bn_per_year": [10.0, 2.0, 1.0],
            "plan_bn_per_year": [8.0, 2.0, 0.0],
        }
    )
    unmeasured = frozenset({"P5.repair", "P6.1.commune_radio"})
    fig = plots.plot_allocation(lines, "vi", unmeasured)
    got = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    # a modelled line keeps its code; the unmeasured ones read by name with the table's mark, the
    # long name (47 characters) cut at a word within 32: «Tăng cường cơ sở vật chất cho» + «…»
    assert got == ["P5", "Hỗ trợ sửa chữa nhà ở (*)", "Tăng cường cơ sở vật chất cho… (*)"]


def test_the_estimate_shows_a_runs_cpu_seconds_not_zero():
    # a states-model run takes about 0.002 s CPU: «× 0,00 giây CPU ≈ 1,1 phút CPU» multiplied zero
    # into a minute; two significant digits: 0,0018; 0,25 and 3,20 keep their two decimals
    for seconds, vi in ((0.0018, "× 0,0018 giây CPU"), (0.25, "× 0,25 giây CPU"), (3.2, "× 3,20 giây CPU")):
        err, old = io.StringIO(), sys.stderr
        sys.stderr = err
        try:
            Meter("vi").estimate(36000, seconds)
        finally:
            sys.stderr = old
        assert vi in err.getvalue(), err.getvalue()
