"""The explorer's run of a scenario that switches units (`units_switch`: crossing_2024_2027, the
districts up to the switch year, the communes from it), re-running only what a change of amounts
can affect (issue 18).

`simlib.runner.run` makes such a run in two segments (`simlib.unit_switch.run_segments`):
segment 1 on the old units up to review `at` (the end of the year before the switch), the state
there moved to the new units (`state_map`), segment 2 on the new units from it; the previous-
standard twin, when the change of standard comes at or after the switch year, continues segment 2
from its state at the review before the change (`twin_states`); the no-money runs are two
segments too; each segment's tables are made on its own model and joined by year (`join_tables`).
Here, per starting scenario (`SwitchedRuns`, kept on it):

- segment 1 is an `EngineRuns` stopped at review `at` (`stop`), run again only when the money
  acting in its years [0, at) changed (`simlib.engines.reach.acting_money`: the engine reads the
  amounts through it alone), from its kept state at or before the first changed year (the
  baseline's for a change of the first year: no synthesis of the households again); its output
  is kept with its state at `at`, moved to the new units once per segment-1 run;
- segment 2 is an `EngineRuns` started from that moved state (`first`): it continues from its
  kept state at or before the first year whose acting money changed, its twin's year made with
  the plan's piece from the twin's review (`simlib.runner.simulate_with_twin`), as for a run on
  one set of units (`simlib.workbench.incremental`); when segment 1 is made again it starts
  again (`EngineRuns.restart`), the moved state written into the cells of the one it replaces
  and its copies into the cells of its stale states (`simlib.workbench.pool`): on the communes
  each state is about 1.2 GB, whose fresh pages cost more than the move itself; the move records
  the review on the new units as it writes each group (`simlib.engines.remap_review`): the first
  run there writes those records instead of reading the moved cells a second time;
- the no-money segments, the state map and the twin's compiled model are made once (they read no
  amounts); the scenario on the new units is the starting scenario's with the allocation's amounts
  (`simlib.unit_switch.with_amounts`, as the runner's switch has it) and its models are compiled
  once (`run_models`).

The view's indicators and the scorecard are made at once from each segment's rows (`shown_table`,
joined by year as `join_tables` joins them); the tables, the period changes and the manifest when
first read (`simlib.workbench.lazy`). Every table, the scorecard, the period changes, the manifest
and both segments' engine arrays equal a run from scratch bit for bit
(tests/test_workbench_crossing_incremental.py).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import pandas as pd

from simlib.clock import run_time
from simlib.compliance import absorption_totals, enforce, legal_status
from simlib.engines import remap_review
from simlib.engines.common import EngineOutput, EngineState
from simlib.engines.multidim_vacancy import Marks, VacantState
from simlib.engines.remap_jit import GroupMove
from simlib.geography import load_geography
from simlib.memo import memoised
from simlib.period_changes import period_changes, rebase_points
from simlib.period_record import periods_record
from simlib.period_targets import evaluate_period_targets
from simlib.runner import RunResult, manifest_for, poor_unit_ids, previous_standard_scenario, twin_review
from simlib.unit_switch import (
    compile_run_model,
    engine_units,
    join_tables,
    run_pieces,
    run_tables,
    state_map,
    unit_switch,
    units_levels,
    with_amounts,
)
from simlib.workbench import rebasing
from simlib.workbench.incremental import EngineRuns, named_states, run_models, shown_table
from simlib.workbench.lazy import Later, LazyRun, LazyTables
from simlib.workbench.scoring import no_rebasing, scorer


def switched(scen) -> bool:
    """Whether `scen`'s run can be made here: the multidimensional model switching units, with a
    previous-standard twin (if any) that the runner continues from segment 2 (a change of
    standard at a projected year on or after the switch year: `simlib.unit_switch.twin_states`)."""
    sw = unit_switch(scen) if scen.poverty_model == "multidim" else None
    if sw is None:
        return False
    at = twin_review(scen)
    return previous_standard_scenario(scen)[0] is None or (at is not None and at >= sw.at)


class SwitchedRuns:
    """The engine outputs of the allocations of one starting scenario that switches units:
    segment 1 continued from its kept states (`EngineRuns` stopped at the switch, from the
    baseline's state), segment 2 too (`EngineRuns` from the moved state, started again, in the
    same reused arrays, when segment 1 is made again). `at`: the twin's review (None: no twin)."""

    def __init__(self, switch_at: int, at: int | None):
        self.switch_at, self.at = switch_at, at
        #: segment 1's runs; its output hands over its state at the switch (as the runner's: the
        #: explorer's probabilities continue each draw's twin from it, `simlib.uncertainty.switched`)
        self.first = EngineRuns(None, stop=switch_at)
        self.second: EngineRuns | None = None
        self.runs: list[tuple[str, int, int]] = []  # (plan|twin, start, stop) of every engine run made
        self.first.runs = self.runs  # one record of the runs of both segments
        #: (weak reference to a segment-1 output, the state it hands over): see `recycle`
        self.handed: list[tuple[weakref.ref, object]] = []

    def outputs(self, targets: tuple, twin_target, spends: tuple, options, mapping) -> tuple:
        """(segment 1's output, segment 2's, segment 2's twin or None) for the spending `spends`
        of each segment, on the compiled `targets`; `mapping`: the state map between them."""
        before = self.first.out
        self.recycle()
        first = self.first.outputs(targets[0], None, spends[0], options)[0]
        if first is not before:
            self.handed.append((weakref.ref(first), first.state))
        if self.second is None:
            self.second = EngineRuns(self.at, (self.switch_at, None))
            self.second.runs, self.second.tables = self.runs, self.first.tables  # one record, one kernel-table pool
        if first is not before:  # segment 1 made again: segment 2 from its moved state
            self.second.restart(partial(moved, first.state, mapping, target=targets[1]))
        out, twin = self.second.outputs(targets[1], twin_target, spends[1], options)
        return first, out, twin

    def recycle(self) -> None:
        """Give segment 1's pool the cells of the states handed over with its earlier outputs
        that nothing holds any more (the view's run of two changes ago, once the probability
        button's draws are done with it): the next run writes its copy into them instead of
        fresh memory (183 MB for the districts). An output still alive keeps its state: a draw
        may read it from another thread (`simlib.uncertainty.switched`)."""
        alive = []
        for ref, state in self.handed:
            if ref() is None:
                self.first.pool.give(state)
            else:
                alive.append((ref, state))
        self.handed = alive


def moved(state: EngineState, mapping, blank: EngineState | None = None, target=None) -> EngineState:
    """`state.remapped(mapping)` (segment 1's state at the switch moved to the new units), its
    cells written into `blank.into` when given (`EngineRuns.restart`), knowing which of its
    cell-states are all zero: those zero in every old group moved there (`GroupMove.vacant`, from
    the bits `state` carries, `VacantState`), which the first year on the new units need not scan
    (`simlib.engines.multidim_vacancy`), nor the move write where `blank.into_zero` knows them
    zero already. With `target` (segment 2's compiled model) the move records the review too
    (`simlib.engines.remap_review`: each new group recorded as it is moved, the records handed
    over as a `Review`, which the first run on the new units writes instead of a second pass over
    the cells), and the state knows the cell-states its record found all zero too. The same
    values as `state.remapped(mapping)`."""
    marks = state.vacancy if isinstance(state, VacantState) else None
    bits = getattr(marks, "bits", None)
    into = blank.into if blank is not None else None
    if not isinstance(bits, np.ndarray) and target is None:
        return state.remapped(mapping, into=into)
    G = mapping.groups.shape[1]
    vacant = GroupMove.of_map(mapping).vacant(bits) if isinstance(bits, np.ndarray) else None
    zero = blank.into_zero if blank is not None else None
    skip = None
    if vacant is not None and into is not None and zero is not None and zero.shape == vacant.shape:
        skip = vacant & zero
    if target is not None and remap_review.fits(state, into):
        known = vacant if vacant is not None else np.zeros((state.n.shape[0], G), np.uint8)
        plain, review = remap_review.moved(state, mapping, target, state.t, into, (skip, known))
        return VacantState(*astuple_of(plain), review=review, vacancy=Marks(known))
    plain = state.remapped(mapping, into=into, skip=skip)
    if vacant is None:
        return plain
    return VacantState(*astuple_of(plain), vacancy=Marks(vacant))


def astuple_of(state: EngineState) -> tuple:
    """(t, n, built, built_counts, cells) of `state` (its arrays, no copies)."""
    return state.t, state.n, state.built, state.built_counts, state.cells


@dataclass(frozen=True)
class Fixed:
    """What the runs of one starting scenario share (no amount read): the state map, the no-money
    segments, the compiled models of the twin on the new units (None: no twin)."""

    mapping: object
    without: tuple[EngineOutput, EngineOutput]
    twin: tuple | None


def fixed(start, models: tuple, options) -> Fixed:
    """The `Fixed` of the starting scenario `start`, made once (`models`: ((m1, t1), (m2, t2)) of
    an allocation of it: only their structure and parameters are read)."""

    def make() -> Fixed:
        sw = unit_switch(start)
        (m1, t1), (m2, t2) = models
        mapping = state_map(m1, m2, sw.geography)
        zeros = (np.zeros_like(m1.spend), np.zeros_like(m2.spend))
        first, second = run_pieces((t1, t2), zeros, options.but(progress=False), sw, mapping)
        old = previous_standard_scenario(start)[0]
        twin = compile_run_model(replace(sw.scenario, params=old.params)) if old is not None else None
        return Fixed(mapping, (first.released(), second), twin)

    return memoised(start, "wb_switched_fixed", make)


def switched_runs(start) -> SwitchedRuns:
    """The `SwitchedRuns` kept on the (what-if) starting scenario `start`."""
    return memoised(start, "wb_switched_runs", lambda: SwitchedRuns(unit_switch(start).at, twin_review(start)))


@dataclass(frozen=True)
class Segment:
    """One segment of a run: its scenario, compiled model and engine target, outputs."""

    scen: object
    model: object
    target: object
    out: EngineOutput
    without: EngineOutput

    def rows(self, names) -> pd.DataFrame:
        return shown_table(self.scen, self.model, self.target, self.out, self.without, names)

    def tables(self):
        return run_tables(self.scen, self.model, self.target, self.out, self.without)


def by_year(first: pd.DataFrame, second: pd.DataFrame, year: int) -> pd.DataFrame:
    """The rows of `first` before `year` and of `second` from it (`join_tables`' join)."""
    return pd.concat([first[first["year"] < year], second[second["year"] >= year]], ignore_index=True)


def run_switched(scen, start, options, names) -> tuple[pd.DataFrame, RunResult]:
    """The indicators `names` and `simlib.runner.run(scen, options)` of a scenario that differs
    from the starting scenario `start` (both what-if scenarios, `switched`) by its amounts only,
    the engine runs continued from the previous allocation's (`SwitchedRuns`, kept on `start`)."""
    sw = unit_switch(start)
    new = with_amounts(sw.scenario, scen)
    models = (run_models(scen, start), run_models(new, sw.scenario))
    let_through = [
        None if "all" in s.ignored_rules else enforce(s, m.levers.split) for s, (m, _) in zip((scen, new), models)
    ]
    fix = fixed(start, models, options)
    (m1, t1), (m2, t2) = models
    twin_target = fix.twin[1] if fix.twin is not None else None
    out1, out2, twin = switched_runs(start).outputs((t1, t2), twin_target, (m1.spend, m2.spend), options, fix.mapping)
    segs = (Segment(scen, m1, t1, out1, fix.without[0]), Segment(new, m2, t2, out2, fix.without[1]))
    tables = LazyTables(lambda: join_tables(segs[0].tables(), segs[1].tables(), sw.year))
    shown = by_year(segs[0].rows(names), segs[1].rows(names), sw.year)
    poor_units = poor_unit_ids(m1) + poor_unit_ids(m2)
    rebased = rebasing_of(scen, start, segs, tables, twin, fix, poor_units)
    years = scen.years if scen.dated else None
    levels = units_levels(scen, scen.years, sw) if years else None
    targets = scorer(start).scorecard(shown, scen.params["targets"], poor_units, rebased, twin, years, levels)
    changes = None
    if twin is not None or scen.dated:
        changes = Later(lambda: reclassification(start, tables, segs, twin, fix))
    judged = (shown, poor_units, rebased) if scen.dated else None
    made = run_time().isoformat()
    manifest = Later(partial(switched_manifest, scen, sw, options, segs, let_through, (tables, made, judged)))
    return shown, LazyRun(scen, m1, out1, tables, targets, manifest, changes, (out1, out2))


def twin_states(start, segs: tuple, twin: EngineOutput, fix: Fixed) -> pd.DataFrame:
    """The states table of the previous-standard twin (`simlib.unit_switch.twin_states`): the
    plan's segment 1 before the switch year, the twin's segment 2 from it; once per twin output."""
    sw = unit_switch(start)

    def make() -> pd.DataFrame:
        first = named_states(segs[0].out, segs[0].model, sw.scenario)
        return by_year(first, named_states(twin, fix.twin[0], sw.scenario), sw.year)

    return memoised(twin, "wb_switched_states", make)


def plan_states(segs: tuple, tables: LazyTables, year: int) -> pd.DataFrame:
    """The run's states table: its tables' when made, else the same table from each segment."""
    if tables.made:
        return tables.states
    return by_year(*(named_states(s.out, s.model, s.scen) for s in segs), year)


def rebasing_of(scen, start, segs, tables, twin, fix, poor_units):
    """The re-basing table of the change targets when asked (`simlib.runner.dated_changes`'
    `rebase_points`; None: not re-based; a dated run crossing no change of standard: the empty
    table), made once per twin output (`simlib.workbench.incremental.rebase`): in numpy from
    segment 2's households when the change's review and the one before are both on the new units
    (`simlib.workbench.rebasing`: it reads segment 2's units, the poor ones among them)."""
    if twin is None:
        return no_rebasing if scen.dated else None
    year = previous_standard_scenario(start)[1]
    geo = memoised(start, "wb_geography", load_geography)
    sw = unit_switch(start)
    reviews = [start.baseline_year] + [int(y) for y in start.years]
    t = reviews.index(year) if year in reviews else 0

    def make() -> pd.DataFrame:
        if rebasing.fits(segs[1].out.n_draws, t, reviews) and reviews[t - 1] >= sw.year:
            return rebasing.points(segs[1].model, fix.twin[0], segs[1].out.states, twin.states, t, year, poor_units)
        both = (plan_states(segs, tables, sw.year), twin_states(start, segs, twin, fix))
        new, old = (s[s["year"].isin((year - 1, year))] for s in both)  # the rows it reads (`incremental.rebase`)
        return rebase_points(new, start.dataset.level, geo, old, (year,), poor_units)

    return lambda: memoised(twin, "wb_switched_rebase", make)


def reclassification(start, tables, segs, twin, fix) -> pd.DataFrame:
    """`simlib.runner.dated_changes(start, ...)[0]`: the period changes of the run."""
    year = previous_standard_scenario(start)[1]
    geo = memoised(start, "wb_geography", load_geography)
    old = twin_states(start, segs, twin, fix) if twin is not None else None
    changed = (year,) if year else ()
    return period_changes(tables.states, start.dataset.level, geo, old, changed=changed, run_units=not start.dated)


def switched_manifest(scen, sw, options, segs, let_through, later) -> dict:
    """The run's manifest (`simlib.runner.run`'s for a run that switches units at `sw`), made
    when first read; `let_through`: the breaches each segment's frame let through (None: found
    now); `later`: (the run's tables, the time of the run, a dated run's (indicator rows, poor
    units, re-basing table when asked))."""
    tables, made, judged = later
    manifest = manifest_for(scen, options)
    manifest["created_utc"] = made
    manifest["periods"] = periods_record(scen, (sw.year, segs[1].scen))
    manifest["engine_units"] = engine_units(scen, sw)
    if judged is not None:
        shown, poor_units, rebased = judged
        levels = units_levels(scen, scen.years, sw)
        scored = evaluate_period_targets(shown, scen.years, poor_units, rebase=rebased(), levels=levels)
        manifest["periods"]["targets"] = scored[1]
    for key, seg, let in zip(("legal", "legal_after_switch"), segs, let_through):
        split = seg.model.levers.split
        manifest[key] = legal_status(seg.scen, split, enforce(seg.scen, split) if let is None else let)
    if tables.absorption is not None:
        manifest["absorption"] = absorption_totals(tables.absorption)
    return manifest
