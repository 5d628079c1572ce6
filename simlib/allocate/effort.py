"""How hard the optimiser works: the number of engine runs it spends on a problem.

The certified loop (`simlib.allocate.certify`) samples every direction's response curve at an even
grid refined where curves bend, re-samples around each better solution, may restart from several
allocations, re-solves with tighter absorption caps, and measures marginal values per line and
per unit with further runs. On the states model a run takes milliseconds and `FULL` effort costs
seconds. On the multidimensional model a run of a 56-commune plan takes seconds, and the same
work would take days; `ECONOMY` keeps what certifies the result and drops what refines it:

- breakpoints: the curve of each direction at 0, the reference spending and the most it can
  spend (no refinement) — the model is coarser, and the certificate's measured model error says
  by how much;
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
)


def choose(poverty_model: str, asked: str | None) -> Effort:
    """The effort for a request: `asked` (full | economy), else economy for the multidimensional
    model and full for the states model."""
    if asked == "full":
        return FULL
    if asked == "economy" or (asked in (None, "auto") and poverty_model != "states"):
        return ECONOMY
    return FULL


def estimated_runs(effort: Effort, directions: int, active: int) -> int:
    """Engine runs (of the whole model) the optimisation is expected to take: `directions`
    spending directions — those of the years optimised, at economy effort the plan year only —
    of which `active` can take money. Counted from the loop: the starts and the no-programme
    run; per re-sampling round (two at most are counted, at either effort) the curves — the
    reference, then grid + 1 points for each active direction, sampled once and again in each
    refinement round, the reference spending not re-run — and the candidate steps, all of it
    once per absorption round; the comparison of four allocations; the explanation: at full
    effort a billion more and a billion less for every line and the curves sampled again around
    the optimum, at economy effort a billion more for each line that can take money. The
    frontier and the runs per unit are left out (they are reported separately)."""
    curves = 1 + active * (effort.grid + 1) * (1 + effort.refine)  # the reference spending is not re-run
    rounds = min(effort.max_rounds, 2)
    loop = rounds * (curves + 1 + len(effort.steps))
    if effort.unit_marginals:  # full: marginals added and cut for every line, curves sampled again
        explain = 1 + 2 * directions + curves
    else:  # economy: added only, for the lines that can take money; the certificate's models
        explain = 1 + active
    return int(5 + loop * effort.absorb_rounds + 8 + explain)
