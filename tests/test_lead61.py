"""The lead's checks of stop 61: a scenario's `horizon` written as the last year."""

from __future__ import annotations

import pytest

from simlib.schema import horizon_as_year, validate


def _doc(horizon) -> dict:
    return {"name": "x", "horizon": horizon}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_horizon_written_as_a_year_says_how_to_count(lang):
    """`horizon: 2030` (the last year, not the number of years) is refused with how to count the
    years; the value and the limit are said."""
    errors = [e for e in validate(_doc(2030), "scenario", "s.yaml") if e.field == "horizon"]
    assert [e.code for e in errors] == ["horizon_year"]
    text = errors[0].message(lang)
    assert "2030" in text and "30" in text
    assert ("horizon: 7" in text) and (("số năm dự báo" in text) if lang == "vi" else ("projected years" in text))


def test_horizon_too_large_but_not_a_year_keeps_the_limit_message():
    """31 or 10**30 is no year of this era: the ordinary limit message stays."""
    for value in (31, 10**30):
        codes = [e.code for e in validate(_doc(value), "scenario", "s.yaml") if e.field == "horizon"]
        assert codes == ["maximum"]


@pytest.mark.parametrize(
    ("field", "value", "bound", "expected"),
    [
        ("horizon", 2030, "maximum", True),
        ("horizon", 1900, "maximum", True),
        ("horizon", 2201, "maximum", False),
        ("horizon", True, "maximum", False),
        ("horizon", 2030.5, "maximum", False),
        ("start_year", 2030, "maximum", False),
        ("horizon", 2030, "minimum", False),
    ],
)
def test_horizon_as_year_rule(field, value, bound, expected):
    assert horizon_as_year(field, value, bound) is expected
