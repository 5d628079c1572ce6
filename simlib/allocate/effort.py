"""How hard the optimiser works: the number of engine runs it spends on a problem.

The certified loop (`simlib.allocate.certify`) samples every direction's response curve at an even
grid refined where curves bend, re-samples around each better solution, may restart from several
allocations, re-solves with tighter absorption caps, and measures marginal values per line and
per unit with further runs. On the states model a run takes milliseconds and `FULL` effort costs
seconds. On the multidimensional model a run of a 56-commune plan takes seconds, and the same
work would take days; `ECONOMY` keeps what certifies the result and drops what refines it:

- breakpoints: the curve of each direction at 0, the reference spending and the most it can
  spend (no refinement), and for a direction that holds money at the reference two more, at a
  third and two thirds of it — where the decision is taken (the chord from 0 to the money missed
  how concave a line's response is: benchmarks/HISTORY.md, cert64 and curve64); the model is
  coarser, and the certificate's measured model error says by how much;
- at most two re-sampling rounds, one shortened step, no multistart;
- one absorption round (caps from the runs without the programme and with the scenario's money);
- no frontier unless asked for; marginal values (one billion more) only for the lines that can
  take money, none for a billion less and none per unit; shadow prices of the binding rules from
  the certificate's last models instead of curves sampled again;
- only the plan year (the last projected year) is optimised; earlier years keep the scenario's
  money (`years` in the request, or `--years` with years or a range such as 2026-2027, choose
  others; at full effort every year's money is optimised unless they say otherwise — every year
  whose money can be allocated: not a dated plan's years of an ended programme period,
  `simlib.allocate.kept`, nor a crossing's years before its switch).

`choose` takes `ECONOMY` for the multidimensional model unless the request asks for `full`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EFFORTS = ("auto", "full", "economy")


@dataclass(frozen=True)
class Effort:
    """Settings of the optimiser's work (see the module docstring)."""

    name: str = "full"
    grid: int = 8  # initial segments per direction (`simlib.allocate.pwl.GRID`)
    refine: int = 4  # refinement rounds of each curve (`pwl.ROUNDS`)
    max_rounds: int = 10  # re-sampling rounds of the certified loop
    steps: tuple[float, ...] = (0.5, 0.25, 0.1)  # shortened steps towards an overrated solution
    multistart: bool = True
    absorb_rounds: int = 3
    unit_marginals: bool = True  # marginal values per line and unit (one run per pair)
    plan_year_only: bool = False  # by default optimise only the plan year (the last projected year)
    inner: int = 0  # more points between 0 and the money a direction holds (`pwl.build_curves`)


FULL = Effort()
ECONOMY = Effort(
    name="economy",
    grid=1,
    refine=0,
    max_rounds=2,
    steps=(0.5,),
    multistart=False,
    absorb_rounds=1,
    unit_marginals=False,
    plan_year_only=True,
    inner=2,
)


def choose(poverty_model: str, asked: str | None) -> Effort:
    """The effort for a request: `asked` (full | economy), else economy for the multidimensional
    model and full for the states model."""
    if asked == "full":
        return FULL
    if asked == "economy" or (asked in (None, "auto") and poverty_model != "states"):
        return ECONOMY
    return FULL


#: rounds of the certified loop counted per loop (at most the effort's `max_rounds`): curves around
#: the start, a round that improves on it and curves around the better allocation, again, and a
#: third round that finds nothing better or gains too little to go on
LOOP_ROUNDS = 3


def estimated_runs(
    effort: Effort,
    directions: int,
    active: int,
    *,
    lines: int | None = None,
    starts: int = 3,
    corners: int = 0,
    kept: int = 4,
    frontier: int = 0,
    pairs: int = 0,
) -> int:
    """Engine runs (of the whole model) the optimisation is expected to take: `directions`
    spending directions — those of the years optimised, at economy effort the plan year only —
    of which `active` can take money; `lines` the lines (times the years with money of their own)
    given marginal values (default `directions`); `starts` the allocations the loop starts from;
    `corners` the lines that can take money (all money on each: the multistart's further starts,
    of which the `kept` best on the engine are run); `frontier` the frontier's points other than
    the envelope itself; `pairs` the line × unit pairs given marginal values (full effort).

    Counted from the algorithm, where it stops on what the runs say taken as follows, each
    spending run once: the model remembers the spendings it ran lately and the first few of the
    optimisation (`simlib.allocate.continued.Kept`), so a spending asked for again is no run:

    - one set of curves: grid + 1 points for each active direction, and about as many midpoints
      in each refinement round (its reference, the current allocation, was run before);
    - one certified loop (`certify.run_certified`): `LOOP_ROUNDS` rounds (at most
      `max_rounds`), each the curves and the candidate steps (full and shortened);
    - each absorption round (all `absorb_rounds` of them, though the caps often settle after the
      second) evaluates its starts and runs the loop from the best; at full effort the multistart
      runs the loop from every other start too — the optimisation tests its model at the plan and
      the equal split, far from the optimum, where the lines' interactions make its error larger
      than the promise — and the first round from the `kept` best corners (all of them evaluated);
      each later round starts from the previous optimum as well; the money that reaches no one
      and the caps are read from the optimum's run (remembered);
    - the frontier: for each point its two starts and one loop (its model is tested only at its
      own candidates, near the optimum: no multistart);
    - before: the no-programme run and the plan; after: the comparison of four allocations, all
      run before; the explanation: at full effort a billion more and a billion less for every
      line, the curves sampled again around the optimum and a billion more for every line × unit
      pair, at economy effort a billion more for each line whose money is decided (`lines`).

    The runs of `--robust` (the parameter draws) are counted apart (`robust_runs`)."""
    lines = directions if lines is None else lines
    curves = _curves(effort, active)
    loop = _loop(effort, active)
    runs = 2
    for rnd in range(effort.absorb_rounds):
        n = starts + rnd  # the previous optimum joins the starts
        others = n - 1 + (min(kept, corners) if rnd == 0 else 0) if effort.multistart else 0
        runs += n + (corners if rnd == 0 and effort.multistart else 0) + (1 + others) * loop
    runs += frontier * (2 + loop)
    if effort.unit_marginals:  # full: marginals added and cut for every line, curves sampled again
        runs += 2 * lines + (curves - 1) + pairs
    else:  # economy: added only, for the lines whose money is decided; the certificate's models
        runs += lines
    return int(runs)


def _curves(effort: Effort, active: int) -> int:
    """Runs of one set of curves: the reference, then grid + 1 points for each of the `active`
    directions, and about as many midpoints in each refinement round; `inner` more points for
    each direction holding money at the reference (at most the active ones: counted so)."""
    return 1 + active * ((effort.grid + 1) * (1 + effort.refine) + effort.inner)


def _loop(effort: Effort, active: int, remembered: bool = True) -> int:
    """Runs of one certified loop: `LOOP_ROUNDS` rounds (at most `max_rounds`), each the curves
    and the candidate steps, full and shortened; the curves' reference (the allocation the round
    starts from) was run before where the model remembers its runs (`remembered`: the central
    optimisation's, not the parameter draws' of `--robust`)."""
    curves = _curves(effort, active) - (1 if remembered else 0)
    return min(effort.max_rounds, LOOP_ROUNDS) * (curves + 1 + len(effort.steps))


#: the allocations `--robust` starts from and compares its optimum with (`simlib.allocate.optimize`:
#: the central optimum, the plan, the equal split)
ROBUST_STARTS = 3


def robust_runs(effort: Effort, draws: int, kind: str, active: int) -> int:
    """Engine runs of `--robust` (`simlib.allocate.robust.robust_optimum`) over `draws` parameter
    draws, `active` directions that can take money, each draw's run counted as one of the whole
    model. For every draw: its run without the programme; the robust loop, whose curves and steps
    are those of full effort whatever the request's (`robust_task`): its `ROBUST_STARTS` starts
    evaluated, the start of the loop, one loop (its promise met from the best start: no
    multistart), its model tested at the starts and at each round's candidates; and the optimum
    and the starts compared. `kind` "regret" adds each draw's own optimum: a certified loop at
    `effort` from the same starts, with the multistart where the effort has one (as
    `estimated_runs` counts the central one).

    Checked against the runs counted: plan_2024, 30 draws, `expected`: 30 × 1,794 = 53,820
    estimated for 64,229 counted (the robust loop's curves refine more than the central's)."""
    steps = len(FULL.steps)
    tested = ROBUST_STARTS + min(FULL.max_rounds, LOOP_ROUNDS) * (1 + steps)
    per_draw = 1 + ROBUST_STARTS + 1 + _loop(FULL, active, False) + tested + 1 + ROBUST_STARTS
    if kind == "regret":
        loops = 1 + (ROBUST_STARTS - 1 if effort.multistart else 0)
        per_draw += ROBUST_STARTS + loops * _loop(effort, active, False)
    return int(draws * per_draw)


def robust_restart_runs(draws: int, active: int) -> int:
    """The runs `robust_runs` leaves out when the robust loop from the best start does not keep
    its promise (`certify.certified`): the loop again from each of the other starts, each its
    start, the loop and its model's tests, for every draw. By hand: 2 draws, 2 directions: 2 × 2 ×
    (1 + 285 + 15) = 1,204."""
    tested = ROBUST_STARTS + min(FULL.max_rounds, LOOP_ROUNDS) * (1 + len(FULL.steps))
    return int(draws * (ROBUST_STARTS - 1) * (1 + _loop(FULL, active, False) + tested))


def search_runs(effort: Effort, budget: int, share: float = 1.0) -> int:
    """The most runs of the whole model the local search on the engine
    (`simlib.allocate.engine_search`) may add: it runs only where a certificate misses the
    optimiser's promise, at most `budget` engine runs after each absorption round's loop, each
    run the `share` of a whole run's years it runs (`continued.run_share`). A bound, not an
    expectation. By hand: economy (one absorption round), 64 runs continued over 1 year of 4:
    64 × 1/4 = 16; full effort (three rounds), not continued: 3 × 64 = 192."""
    return math.ceil(effort.absorb_rounds * budget * share - 1e-9) if budget > 0 else 0


class EstimatedRuns(int):
    """The runs an optimisation is expected to take (an `int`, as `on_estimate` is told it), with
    those of `--robust` among them: `robust` runs over `draws` parameter draws (0 and 0 without),
    `restart` more if its search must start again from the other starts
    (`robust_restart_runs`), and up to `search` more if a certificate misses its promise and the
    local search on the engine runs (`search_runs`); `rounds` the most rounds of the certified
    loop and `stop` its tolerance (`simlib.allocate.certify.STOP`), for the progress line to state
    (0: not said)."""

    robust: int = 0
    draws: int = 0
    restart: int = 0
    search: int = 0
    rounds: int = 0
    stop: float = 0.0

    def __new__(
        cls,
        runs: int,
        robust: int = 0,
        draws: int = 0,
        restart: int = 0,
        search: int = 0,
        rounds: int = 0,
        stop: float = 0.0,
    ):
        self = super().__new__(cls, int(runs))
        self.robust, self.draws, self.restart, self.search = int(robust), int(draws), int(restart), int(search)
        self.rounds, self.stop = int(rounds), float(stop)
        return self
