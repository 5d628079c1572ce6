"""What the optimiser says while and after it works, read as a provincial leader reads it: the
progress line never counts past its own «about N runs» as if N were still the total."""

from __future__ import annotations

import io
import sys

from simlib.cli.optimize import Meter


def progress_lines(lang: str, expected: int, calls: list[float]) -> list[str]:
    """The stderr lines of a Meter told `expected` runs and then fed `calls` runs."""
    err, old = io.StringIO(), sys.stderr
    sys.stderr = err
    try:
        meter = Meter(lang)
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


def test_progress_past_the_estimate_says_so_instead_of_of_about():
    # 50 runs against an estimate of 30: the lines at 40 and 50 overrun it and must not read «trên khoảng 30»
    for lang, of_about, past in (("vi", "trên khoảng", "vượt ước tính"), ("en", "of about", "past the estimate")):
        lines = progress_lines(lang, 30, [10] * 5)
        assert len(lines) == 5
        assert all(of_about in line for line in lines[:3])
        for line, runs in zip(lines[3:], (40, 50), strict=True):
            assert of_about not in line and past in line and f"{runs} " in line and "30" in line
