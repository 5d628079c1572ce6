"""Every place that judges a target judges it the same way (`simlib.targets`): strict and inclusive
comparisons in both directions, and a value a rounding away from its threshold — hand-worked
cases, with the verdict table, the explorer's verdicts and the scorecard checked against them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simlib.allocate.problem import Problem, TargetRow
from simlib.report import scorecard as S
from simlib.report import verdict as V
from simlib.targets import AT_THRESHOLD, COMPARE, evaluate_specs, margin, met_by_margin
from simlib.workbench.judged import VerdictLayout

# (value, threshold, comparison, margin by hand, met by hand)
CASES = [
    (8.0, 10.0, "<", 2.0, True),  # 8 % is below 10 %: two points to spare
    (12.0, 10.0, "<", -2.0, False),
    (10.0, 10.0, "<", 0.0, False),  # at the threshold: not below it
    (10.0, 10.0, "<=", 0.0, True),
    (90.0, 85.0, ">", 5.0, True),
    (85.0, 85.0, ">", 0.0, False),
    (80.0, 85.0, ">=", -5.0, False),
    (-4.5, -4.0, "<=", 0.5, True),  # a rate that falls by 4.5 points meets "falls by at least 4"
    (-3.5, -4.0, "<=", -0.5, False),
]


@pytest.mark.parametrize("value, threshold, comparison, by_hand, met", CASES)
def test_margin_and_verdict_by_hand(value, threshold, comparison, by_hand, met):
    assert margin(value, threshold, comparison) == pytest.approx(by_hand)
    assert met_by_margin(margin(value, threshold, comparison), comparison) is met
    assert bool(COMPARE[comparison](value, threshold)) is met


def test_a_rounding_away_is_at_the_threshold():
    """An optimum that trains every officer with money rounded to the VND computes 99.99999999636 %:
    met, as 100 % is; a value short by a thousandth of a point is not."""
    assert COMPARE[">="](99.99999999636044, 100.0)
    assert met_by_margin(margin(99.99999999636044, 100.0, ">="), ">=")
    assert not COMPARE[">="](99.999, 100.0)
    # strict comparisons want the value clear of the threshold by more than the rounding
    assert not COMPARE["<"](10.0 - AT_THRESHOLD / 2, 10.0)
    assert COMPARE["<"](10.0 - 2 * AT_THRESHOLD, 10.0)


def test_compare_and_margin_agree_around_every_threshold():
    values = 10.0 + np.array([-1.0, -3e-6, -1e-6, -5e-7, 0.0, 5e-7, 1e-6, 3e-6, 1.0])
    for comparison, judge in COMPARE.items():
        by_margin = met_by_margin(margin(values, 10.0, comparison), comparison)
        assert np.array_equal(by_margin, judge(values, 10.0)), comparison


def _run(comparison: str, values: list[float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """targets.csv / indicators.csv of a one-target run on the poor rate (level) with `comparison`
    10 %, one year per value."""
    years = list(range(2027, 2027 + len(values)))
    targets = pd.DataFrame(
        {
            "target_id": "t",
            "geo_type": "province",
            "geo": "province",
            "year": years,
            "indicator": "poor_rate",
            "comparison": comparison,
            "threshold": 10.0,
            "value": values,
            "draw": 0,
            "label_vi": "Tỷ lệ hộ nghèo dưới 10 %",
            "label_en": "Poor rate below 10 %",
        }
    )
    ind = pd.DataFrame({"indicator": "households", "geo": "province", "year": years, "value": 1000.0})
    return targets, ind


def test_verdict_table_reads_a_strict_below_target_the_right_way():
    """«below 10 %»: 8 % met with 2 points (20 of 1,000 households) to spare; 12 % short by 2
    points; exactly 10 % not met."""
    targets, ind = _run("<", [8.0, 12.0, 10.0])
    v = V.verdict_table(targets, ind)
    assert list(v["status"]) == ["met", "not_met", "not_met"]
    assert list(v["margin"]) == pytest.approx([2.0, -2.0, 0.0])
    assert list(v["margin_households"]) == pytest.approx([20.0, -20.0, 0.0])
    assert S.threshold_text("poor_rate", "<", 10.0, "en").startswith("< ")
    assert S.threshold_text("poor_rate", ">=", 10.0, "en").startswith("≥ ")


@pytest.mark.parametrize("comparison", ["<", "<=", ">", ">="])
def test_the_explorers_verdicts_are_the_reports(comparison):
    targets, ind = _run(comparison, [8.0, 12.0, 10.0, 10.0 + 5e-7])
    layout = VerdictLayout(targets, ind, {})
    ours = layout.verdicts(targets, ind)
    report = V.verdict_table(targets, ind)
    assert list(ours["status"]) == list(report["status"])
    assert np.allclose(ours["margin"], report["margin"])


def test_evaluated_targets_say_met_as_the_verdict_does():
    """`evaluate_specs` (targets.csv's `met`) on an officers-trained value a rounding short of 100 %."""
    ind = pd.DataFrame(
        {
            "scenario": "s",
            "engine": "expected",
            "draw": 0,
            "year": [2024, 2025],
            "geo_type": "province",
            "geo": "province",
            "indicator": "officers_trained",
            "value": [99.99999999636044, 99.9],
        }
    )
    spec = {
        "target_id": "officers_trained",
        "indicator": "officers_trained",
        "geo_type": "province",
        "geo": "province",
        "each_poor_district": False,
        "comparison": ">=",
        "threshold": 100.0,
        "label_vi": "100 % cán bộ được tập huấn",
        "label_en": "100 % of officers trained",
    }
    out = evaluate_specs(ind, [spec], [])
    assert list(out["met"]) == [True, False]


@pytest.mark.parametrize("comparison", ["<", "<=", ">", ">="])
def test_what_the_optimiser_calls_met_the_verdict_calls_met(comparison):
    """`Problem.slacks_from` (the optimiser's target rows: met when the slack is >= 0) never
    accepts a value that `COMPARE` judges not met — at a strict threshold it must be clear of
    `AT_THRESHOLD` (values a few millionths of a point around the threshold, rate level 10 %)."""
    values = 10.0 + np.linspace(-5e-6, 5e-6, 101)

    class Rows:
        target_rows = [
            TargetRow("t", "poor_rate", 0, "province", "province", 1, comparison, 10.0, None, False) for _ in values
        ]

        def values_from(self, agg):
            return values[None, :]

    slack = Problem.slacks_from(Rows(), {"poor": np.zeros((1, 1))})[0]
    assert (slack >= 0).any() and (slack < 0).any()
    assert COMPARE[comparison](values[slack >= 0], 10.0).all()


def test_the_scorecard_says_not_met_below_a_strict_threshold():
    """A dated run to 2030 judged «xuống dưới 10 %» at 12,7 %: the scorecard showed «≥ 10,0 %» and
    «✓ Đạt». It shows the target's own sign and the miss."""
    targets, ind = _run("<", [12.7])
    page = S.scorecard_html(V.verdict_table(targets, ind), "vi")
    assert "&lt; 10,0\xa0%" in page and "≥ 10,0" not in page
    assert "Không đạt" in page and "✓ Đạt" not in page
