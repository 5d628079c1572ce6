"""The explorer's projection of an allocation: what `simlib.runner.run` gives the view — the
target table and the indicators the view reads (`SHOWN` and the targets' own) of the expected
engine, with the programme's effect against no money — without the tables and indicators the
view does not show, and with the no-money run made once per starting scenario (it does not
depend on the amounts). `tests/test_workbench.py` checks it equals a full run's rows.

Multidimensional scenarios take the full run (`simlib.runner.run`), with the no-money run kept
per starting scenario too and the engine re-run only from the first year a change of amounts
reaches (`simlib.workbench.incremental`): the view's indicators and the targets are made at once,
the run's other tables when first read. A scenario that switches units (`crossing_2024_2027`) the
same way in its two segments, with its own no-money segments kept (`simlib.workbench.switched`). The run is kept on the projection, so that the
probabilities of the same allocation build their draws' layout from it
(`simlib.workbench.compare.probabilities`)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from simlib.memo import memoised
from simlib.options import RunOptions
from simlib.period_targets import targets_for_year
from simlib.report.levels import Levels
from simlib.results import indicators_table, programme_effect_indicators
from simlib.runner import RunResult, compile_run_model, run, simulate
from simlib.targets import COMPANION, evaluate_targets, target_specs
from simlib.unit_switch import units_levels
from simlib.workbench.incremental import incremental, run_models, run_multidim, same_but_amounts
from simlib.workbench.scoring import judged, no_rebasing, scorer
from simlib.workbench.switched import run_switched, switched

ENGINE = "expected"
#: indicators the view reads besides the targets' (chart, cards, households behind the margins;
#: the years a new poverty standard applies, where the chart's target path starts again)
SHOWN = ("poor_rate", "poor", "poor_fewer_than_without_programme", "households", "standard_changed")


@dataclass(frozen=True)
class Projection:
    """The tables of a run the explorer shows (as in `simlib.runner.RunResult`)."""

    indicators: pd.DataFrame
    targets: pd.DataFrame
    run: RunResult | None = None  # the full run behind them (multidimensional scenarios)
    #: an object that is the same for two projections whose indicator tables have the same rows
    #: (names, draws, years, areas, indicators, in order) and whose targets tables too: the
    #: scorecard's layout (`simlib.workbench.scoring.Scorer.rows`); None: not known
    rows: object = None

    def levels(self, scen) -> Levels:
        """The units behind each year's numbers, for labels (`simlib.report.levels`): from the
        period record of the full run (a run that switches units, crossing_2024_2027, is on the
        communes from 2026), else the level of `scen`'s dataset."""
        return Levels.of(self.run) if self.run is not None else Levels(scen.dataset.level)


def what_if(scen):
    """The scenario run without the legal frame's check (the workbench's state has checked every
    change; a starting scenario's own ignored breaches stay visible in the state's problems)."""
    return replace(scen, raw={**scen.raw, "ignore_legal_rules": ["all"]})


def project(scen, base=None) -> Projection:
    """Indicators and targets of `scen` under the expected engine; `base` (default `scen`) is
    the starting scenario the no-money run is kept on, and for the multidimensional model the
    engine runs (`simlib.workbench.incremental`), when `scen` differs from it by its amounts
    only (else nothing kept is used)."""
    owner = base if base is not None and same_but_amounts(scen, base) else scen
    start = starting(owner)
    scen = what_if(scen) if scen is not owner else start
    options = RunOptions(engine=ENGINE).for_scenario(scen)
    if switched(start):  # the runs of a scenario switching units kept on `start`, its no-money runs too
        shown, r = run_switched(scen, start, options, shown_of(start))
        return Projection(shown, r.targets, r, scorer(start).rows)
    fast = scen.poverty_model == "multidim" and incremental(start)  # the engine runs kept on `start`
    model, target = run_models(scen, start) if fast else compile_run_model(scen)
    spend = model.spend
    without = memoised(owner, "wb_without", lambda: simulate(target, np.zeros_like(spend), options))
    if scen.poverty_model == "multidim":
        if fast:
            shown, r = run_multidim(scen, start, options, without, shown_of(start), (model, target))
            return Projection(shown, r.targets, r, scorer(start).rows)
        r = run(scen, options, without=without)
        return Projection(r.indicators, r.targets, r)
    out = simulate(target, spend, options, label=scen.name)
    extra = programme_effect_indicators(model, spend, out, without)
    ind = indicators_table(out, model, spend, scen.baseline_year, extra, names=shown_indicators(scen))
    ind.insert(0, "engine", out.engine)
    ind.insert(0, "scenario", scen.name)
    poor_units = [u for u, p in zip(model.unit_ids, model.poor_district) if p]
    if scen.dated:  # each year judged against the targets in force in it, as `simlib.runner.run` does
        levels = units_levels(scen, scen.years)
        return Projection(ind, judged(ind, scen.params["targets"], poor_units, scen.years, no_rebasing(), levels))
    return Projection(ind, evaluate_targets(ind, scen.params["targets"], poor_units))


def starting(base):
    """The what-if scenario of the starting scenario `base`, made once: what is kept for its
    allocations (the multidimensional engine runs, its previous-standard twin) is kept on it."""
    return memoised(base, "wb_what_if", lambda: what_if(base))


def shown_of(start) -> set[str]:
    """`shown_indicators` of the starting (what-if) scenario `start`, made once: the same set for
    every allocation differing from it by its amounts (its targets and years are the same; a
    dated scenario's reads and validates each year's target files, about 4 ms a change)."""
    return memoised(start, "wb_shown", lambda: frozenset(shown_indicators(start)))


def shown_indicators(scen) -> set[str]:
    """The indicators the view reads: `SHOWN` and those the scenario's targets read (their own
    and companions; `evaluate_targets` selects by indicator, so the targets are the same); a
    dated scenario's are those of the targets in force in each projected year
    (`simlib.period_targets.targets_for_year`)."""
    if scen.dated:
        names = {s["indicator"] for y in scen.years for s in targets_for_year(y).specs}
    else:
        names = {s["indicator"] for s in target_specs(scen.params["targets"])}
    return names | {COMPANION[n] for n in names if n in COMPANION} | set(SHOWN)
