"""The optimiser's estimate counts a run it continues from the kept years' state
(`simlib.allocate.continued.Kept`) as the share of a whole run's years it runs
(`simlib.allocate.estimate.whole_runs`), and tells the CPU seconds of a whole run: multidim_2030
announced «about 97 runs» for 14 whole runs' worth of engine years. Checked by hand on a problem
stub and against the runs counted on a small multidimensional scenario."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from conftest import make_scenario, tiny_raw

import simlib.allocate.estimate as estimate_module
from simlib.allocate.continued import kept, run_share
from simlib.allocate.effort import ECONOMY, estimated_runs
from simlib.allocate.estimate import problem_runs, timed_zero, whole_runs
from simlib.allocate.evaluate import engine
from simlib.allocate.optimize import optimize
from simlib.allocate.spec import resolve_spec

Y, L, D = 4, 3, 2


class Stub:
    """A compiled model (only what `Kept` reads: its money and poverty model)."""

    def __init__(self, poverty_model: str):
        self.spend = np.ones((Y + 1, L, D))
        self.poverty_model = poverty_model


def _problem(poverty_model: str, start: int) -> SimpleNamespace:
    """A built problem as `problem_runs` reads it: 3 directions (one line each), 4 projected years
    whose first allocated one is `start`."""
    return SimpleNamespace(
        model=SimpleNamespace(line_codes=("a", "b", "c"), split=None),
        var_line=np.arange(3),
        var_dir=np.arange(3),
        Y=Y,
        target=kept(Stub(poverty_model), start),
    )


SPEC = SimpleNamespace(effort=ECONOMY, plan_years=(2027,), by_year=False, robust=None, draws=0, frontier=())


def test_a_continued_run_counts_its_years_share_by_hand():
    """Economy, 3 directions of which 2 can take money, 3 lines: 28 runs of allocations
    (`test_estimated_runs_by_hand`). On a 4-year multidimensional model whose first allocated year
    is the 4th each allocation runs 1 year of 4 from the kept state, the 3 years before run once,
    the no-programme run (no money in any year) whole: 1 + 27 × 1/4 + 3/4 = 8.5, about 9 runs.
    The states model is not continued (its engine hands no state over): 28; nor is a model whose
    every year is allocated."""
    ranges = np.array([5.0, 5.0, 0.0])
    assert estimated_runs(ECONOMY, 3, 2, lines=3) == 28
    assert run_share(engine("multidim"), _problem("multidim", 3).target) == 0.25
    assert problem_runs(_problem("multidim", 3), SPEC, 3, ranges, False, 4) == 9
    assert problem_runs(_problem("states", 3), SPEC, 3, ranges, False, 4) == 28
    assert problem_runs(_problem("multidim", 0), SPEC, 3, ranges, False, 4) == 28
    assert whole_runs(97, 1 / 7) == 16  # multidim_2030: 1 + 96/7 + 6/7 = 15.6
    assert whole_runs(0, 0.25) == 0


def test_a_continued_run_is_timed_as_a_whole_one(monkeypatch):
    """The run timed for the estimate continues from the kept state (the kept years were run
    while the problem was built): 0.5 CPU seconds for a quarter of the years are told as 2 seconds
    a whole run; a run not continued as itself. The clock is a stub (no timing)."""
    for ran, told in ((0.25, 2.0), (1.0, 0.5)):
        clock = iter([10.0, 10.5])
        monkeypatch.setattr(estimate_module.time, "process_time", lambda c=clock: next(c))
        problem = _problem("multidim", 3)

        def evaluate(x, target=problem.target, ran=ran):
            target.ran = ran
            return np.array([3.0])

        problem.n, problem.evaluate = 3, evaluate
        assert timed_zero(problem) == (3.0, told)


FREE = ("P2", "P3.1", "P5")


@pytest.fixture(scope="module")
def md2():
    """The tiny fixture on the multidimensional model over two projected years (2024, 2025)."""
    raw = tiny_raw(model="multidim", horizon=2)
    raw["budget"]["years"] = {y: v for y, v in raw["budget"]["years"].items() if int(y) <= 2025}
    return make_scenario(raw)


def test_the_estimate_is_near_the_runs_counted_when_runs_continue(md2):
    """Economy effort optimises 2025 only: every allocation keeps 2024's money and is continued
    from the review at the end of 2024 (half a run). The estimate against the runs the optimiser
    reports (`on_runs`, in runs of the whole model), within a quarter either way; it counted
    each continued run as a whole one (about twice the runs)."""
    lines = {c: {"ceiling": 0} for c in md2.catalogue.codes if c not in FREE}
    spec = resolve_spec(md2, {"objective": "poor", "frontier": [], "counterpart_min_share": 0, "lines": lines})
    assert spec.plan_years == (2025,)
    told, runs = [], []
    res = optimize(md2, spec, on_estimate=lambda n, seconds: told.append(n), on_runs=runs.append)
    assert res.problem.target.continued > 10  # the runs were continued
    assert len(told) == 1 and 0.8 <= told[0] / sum(runs) <= 1.25, (told, sum(runs))
