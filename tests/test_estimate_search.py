"""The optimiser's estimate tells apart the runs the local search on the engine may add
(`simlib.allocate.engine_search`, at most `MAX_EVALUATIONS` engine runs after each absorption
round's certified loop, only where the certificate misses its promise): a bound, said «up to» /
«tối đa», each continued run counted as its share of the years (est64). Counted by hand."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from simlib.allocate.continued import kept
from simlib.allocate.effort import ECONOMY, FULL, EstimatedRuns, search_runs
from simlib.allocate.engine_search import MAX_EVALUATIONS
from simlib.allocate.estimate import problem_runs
from simlib.allocate.progress import estimate_text


class Stub:
    """A compiled model (only what `Kept` reads: its money and poverty model), 4 projected years."""

    def __init__(self, poverty_model: str):
        self.spend = np.ones((5, 3, 2))
        self.poverty_model = poverty_model


def _problem(poverty_model: str) -> SimpleNamespace:
    """3 directions (one line each), 4 projected years, the 4th the first allocated."""
    return SimpleNamespace(
        model=SimpleNamespace(line_codes=("a", "b", "c"), split=None),
        var_line=np.arange(3),
        var_dir=np.arange(3),
        Y=4,
        target=kept(Stub(poverty_model), 3),
    )


SPEC = SimpleNamespace(effort=ECONOMY, plan_years=(2027,), by_year=False, robust=None, draws=0, frontier=())


def test_the_search_runs_are_a_bound_counted_by_hand():
    """Economy: one absorption round, 64 runs each continued over 1 year of 4: 64 / 4 = 16 runs of
    the whole model; 10 runs: 2.5, up to 3. Full effort: three rounds, not continued: 3 × 64 = 192.
    No search (min_cost): none."""
    assert MAX_EVALUATIONS == 64
    assert search_runs(ECONOMY, 64, 0.25) == 16
    assert search_runs(ECONOMY, 10, 0.25) == 3
    assert search_runs(FULL, 64, 1.0) == 192
    assert search_runs(ECONOMY, 0, 0.25) == 0


def test_problem_runs_tells_the_search_apart():
    """The central count is 9 (multidimensional) and 28 (states), as tests/test_effort_continued.py counts it; the search adds up to
    16 and 64 runs of the whole model, apart from it."""
    ranges = np.array([5.0, 5.0, 0.0])
    md = problem_runs(_problem("multidim"), SPEC, 3, ranges, False, 4, 64)
    st = problem_runs(_problem("states"), SPEC, 3, ranges, False, 4, 64)
    assert (int(md), md.search) == (9, 16)
    assert (int(st), st.search) == (28, 64)
    assert problem_runs(_problem("multidim"), SPEC, 3, ranges, False, 4).search == 0


def test_the_estimate_says_up_to():
    """«… ≈ 0,1 phút CPU.» then the search's bound: 16 runs × 3 s = 0,8 minutes."""
    runs = EstimatedRuns(7, search=16)
    vi, en = estimate_text(runs, 3.0, "vi"), estimate_text(runs, 3.0, "en")
    assert "khoảng 7 lần chạy mô hình" in vi and "tối đa 16 lần, ≈ 0,8 phút CPU" in vi
    assert "about 7 runs" in en and "up to 16 runs, ≈ 0.8 CPU minutes" in en
    assert "tối đa" not in estimate_text(EstimatedRuns(7), 3.0, "vi")
