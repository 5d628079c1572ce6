"""Simulation-based calibration of the series fit on the tiny dataset: truths drawn from the prior,
figures simulated with the model, re-estimated — the 90 % intervals must cover the truth in about
90 % of replications; and a fit that is wrong on purpose must fail the same check."""

from __future__ import annotations

from series_helpers import quantity, spec_doc, write_series

from simlib.calibrate.sbc import coverage, simulation_based_calibration
from simlib.calibrate.series_spec import load_series_spec

#: 99.7 % band of the number of covered replications out of 100 when the coverage is 90 %
#: (Binomial(100, 0.9): P(X <= 79) = 0.0008, P(X >= 98) = 0.0019)
BAND = (0.80, 0.97)


def _spec(tmp_path):
    doc = spec_doc()
    doc["segments"][0]["observations"] = doc["segments"][0]["observations"][:3]  # three province figures
    doc["error"]["sigma"] = quantity(1.0, 0.5, 2.5, unit="percentage points")
    return load_series_spec(write_series(tmp_path / "sbc", doc))


def test_intervals_cover_the_truth_about_90_percent_of_the_time(tmp_path):
    table = simulation_based_calibration(_spec(tmp_path), replications=100, bank=3000, seed=1)
    cov = coverage(table).set_index("quantity")
    assert set(cov.index) == {
        "transitions.reference.poor.escaped_1",
        "series.error.sigma",
        "series.segments.s1.level",
        "series.segments.s1.programme_share_of_fall",
    }
    assert (cov["replications"] == 100).all()
    assert cov["coverage"].between(*BAND).all(), cov
    assert (cov["below"] <= 12).all() and (cov["above"] <= 12).all(), cov  # no one-sided miss


def test_an_overconfident_fit_fails_the_check(tmp_path):
    """The fit told the figures are three times more precise than they are: intervals too narrow."""
    table = simulation_based_calibration(_spec(tmp_path), replications=40, bank=1000, seed=2, sigma_factor=1 / 3)
    cov = coverage(table).set_index("quantity")
    assert cov.loc["series.segments.s1.level", "coverage"] < BAND[0]
    assert cov.loc["series.error.sigma", "coverage"] < BAND[0]
