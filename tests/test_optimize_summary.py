"""The optimiser's first sentence compares the optimum's poor households at the horizon with the
plan's: "fewer" when it has fewer, "more" when an objective other than the poor count leaves more
(it read «−866 fewer than the plan»)."""

from __future__ import annotations

import pytest

from simlib.allocate.optimize import summary_text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_fewer_and_more_than_the_plan(lang):
    fewer = summary_text("poor", {"poor": 20_000.0, "total_bn": 500.0}, {"poor": 20_866.0}, lang)
    more = summary_text("poor_near_poor", {"poor": 20_866.0, "total_bn": 500.0}, {"poor": 20_000.0}, lang)
    assert "866" in fewer and "866" in more and "−866" not in more and "-866" not in more
    if lang == "en":
        assert "866 fewer than the plan" in fewer and "866 more than the plan" in more
    else:
        assert "ít hơn kế hoạch 866 hộ" in fewer and "nhiều hơn kế hoạch 866 hộ" in more
