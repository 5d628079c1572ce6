"""The optimiser's progress in the planner's numbers, the same on the command line and in the
explorer («Suggest»): counts of runs grouped as the language groups thousands (39.828 /
39,828), a run's CPU seconds with two significant digits, and past the estimate a line that
says so — in both places (the explorer's lines used to count «41851 trên khoảng 4186»)."""

from __future__ import annotations

import io
from contextlib import redirect_stderr

from simlib.allocate.progress import runs_text
from simlib.cli.optimize import Meter
from simlib.workbench.compare import Progress


def test_counts_of_runs_are_grouped_as_the_language_groups_thousands():
    assert runs_text(39828, "vi") == "39.828" and runs_text(39828, "en") == "39,828"
    assert runs_text(86.4, "vi") == "86" and runs_text(1000, "vi") == "1.000"


def test_the_command_line_estimate_and_progress_in_vietnamese():
    err = io.StringIO()
    meter = Meter("vi", interval=0.0)
    with redirect_stderr(err):
        meter.estimate(39828, 0.0021)  # 39828 × 0,0021 s = 83,6 s ≈ 1,4 phút
        meter(12340.0)
    text = err.getvalue()
    assert "khoảng 39.828 lần chạy mô hình × 0,0021 giây CPU ≈ 1,4 phút CPU" in text
    assert "… 12.340 trên khoảng 39.828 lần chạy" in text


def test_the_explorer_says_when_the_runs_pass_the_estimate_as_the_command_line_does():
    shown = []
    progress = Progress("vi", shown.append, every=1)
    progress.estimate(30, 0.5)
    progress(20.0)
    assert shown[-1].splitlines()[1].startswith("… 20 trên khoảng 30 lần chạy")
    progress(1500.0)  # 1.520 runs: past the estimate of 30
    line = shown[-1].splitlines()[1]
    assert line.startswith("… 1.520 lần chạy, đã vượt ước tính khoảng 30 lần chạy"), line
    assert "trên khoảng" not in line
    err = io.StringIO()
    meter = Meter("vi", interval=0.0)
    with redirect_stderr(err):
        meter.estimate(30, 0.5)
        meter(1520.0)
    assert err.getvalue().splitlines()[-1].split(",")[0] == line.split(",")[0]
