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


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_explorer_compares_with_the_allocation_being_explored(lang):
    """The explorer's «Suggest» starts from the allocation on screen, not from the plan: its summary
    says so (it read «ít hơn kế hoạch» after the planner had changed the amounts)."""
    fewer = summary_text("poor", {"poor": 20_000.0, "total_bn": 500.0}, {"poor": 20_866.0}, lang, "explorer")
    if lang == "en":
        assert "866 fewer than the allocation being explored (20,866)" in fewer and "plan" not in fewer
    else:
        assert "ít hơn phương án đang thử 866 hộ (phương án đang thử: 20.866)" in fewer and "kế hoạch" not in fewer
