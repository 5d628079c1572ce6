"""The estimate of a built optimisation problem: the no-programme run timed (`timed_zero`) and
the engine runs its effort will take (`problem_runs`), counted in runs of the whole model
(`whole_runs`). Apart from `simlib.allocate.effort` (the efforts and the counts by hand), which
the command line reads at start-up: this module reads the engines' runs (`continued`), which load
the engines."""

from __future__ import annotations

import math
import time

import numpy as np

from simlib.allocate.certify import MAX_ROUNDS, STOP
from simlib.allocate.continued import engine_run, engine_runs, engine_target, run_share
from simlib.allocate.effort import (
    EstimatedRuns,
    estimated_runs,
    robust_restart_runs,
    robust_runs,
    search_runs,
)
from simlib.allocate.evaluate import engine

#: a run cheaper than this many CPU seconds is timed once more (`timed_zero`)
RETIME = 0.05


def timed_zero(problem) -> tuple[float, float]:
    """The objective without the programme (one run of the engine) and the CPU seconds a run
    takes, for the estimate. A cheap run is timed once more on the engine itself (the model
    remembers the spending it ran, `continued.Kept`: asked again, it runs nothing) and the faster
    time kept: the first run of a small model costs two to four times the next (plan_2024: 0.3–0.4
    ms, then 0.1–0.2 ms, near the 0.17 ms a run averages over the whole optimisation, solver
    included); a run of seconds (the multidimensional model) is timed once, and told as the
    seconds of a whole run, as the estimate counts them (`whole_runs`): a run continued from the
    kept years' state (plan_2027: its last year of four) is its years' share of one."""
    zero = np.zeros((1, problem.n))
    t0 = time.process_time()
    f_zero = float(problem.evaluate(zero)[0])
    seconds = time.process_time() - t0
    ran = engine_runs(problem.target, 1)  # in runs of the whole model (0: remembered)
    seconds = seconds / ran if 0 < ran < 1 else seconds
    if seconds < RETIME:
        spend, eng = problem.spend(zero), engine(problem.target.poverty_model)
        t0 = time.process_time()
        engine_run(eng, engine_target(problem.target), spend)
        seconds = min(seconds, time.process_time() - t0)
    return f_zero, seconds


def problem_runs(
    problem, spec, starts: int, ranges: np.ndarray, frontier: bool, kept: int, search: int = 0
) -> EstimatedRuns:
    """`estimated_runs` for a built `problem` (`simlib.allocate.problem.Problem`) under `spec`
    (`simlib.allocate.spec.OptimizeSpec`), with `robust_runs` when it asks for `--robust`:
    `starts` allocations to start from, `ranges` the most each direction can spend
    (`pwl.direction_ranges`), `frontier` whether the frontier is drawn, `kept` the corner starts
    the multistart keeps (`certify.MAX_EXTRA`), `search` the engine runs the local search may
    spend after each absorption round (`engine_search.MAX_EVALUATIONS`; 0 where it cannot run),
    told apart as `EstimatedRuns.search` (`search_runs`, a bound), with the certified loop's
    stopping rule (`EstimatedRuns.rounds`, `.stop`: the effort's most rounds and
    `certify.STOP`) for the progress line to state. The central runs are counted
    in runs of the whole model (`whole_runs`): on the multidimensional model a continued run is
    its years' share."""
    effort, model = spec.effort, problem.model
    open_lines = set(problem.var_line[ranges[problem.var_dir] > 1e-9].tolist())  # lines that can take money
    blocks = len(spec.plan_years) if spec.plan_years is not None else (problem.Y if spec.by_year else 1)
    lines = len(model.line_codes) if effort.unit_marginals else len(set(problem.var_line.tolist()))
    split = getattr(model, "split", None)
    active = int((ranges > 1e-9).sum())
    robust = robust_runs(effort, spec.draws, spec.robust, active) if spec.robust else 0
    central = estimated_runs(
        effort,
        len(ranges),
        active,
        lines=lines * blocks,
        starts=starts,
        corners=len(open_lines),
        kept=kept,
        frontier=sum(abs(k - 1.0) > 1e-12 for k in spec.frontier) if frontier else 0,
        pairs=int((split > 0).sum()) if split is not None and effort.unit_marginals else 0,
    )
    share = run_share(engine(problem.target.poverty_model), problem.target)
    central = whole_runs(central, share)
    restart = robust_restart_runs(spec.draws, active) if spec.robust else 0
    searched = search_runs(effort, search, share)
    rounds = min(MAX_ROUNDS, effort.max_rounds)
    return EstimatedRuns(central + robust, robust, spec.draws if spec.robust else 0, restart, searched, rounds, STOP)


def whole_runs(runs: int, share: float) -> int:
    """`runs` runs of allocations in runs of the whole model, each counted as the `share` of the
    whole run's years it runs (`continued.run_share`: the multidimensional model continues every
    allocation from the state at the first allocated year), but the no-programme run before
    (no money in any year: run whole) and the years before the first allocated one, run once
    (1 − share). By hand: 20 runs of a 4-year model whose first allocated year is the 4th:
    1 + 19 × 1/4 + 3/4 = 6.5, about 7 runs (a half rounded up)."""
    return math.floor(1 + (runs - 1) * share + (1.0 - share) + 0.5) if runs else 0
