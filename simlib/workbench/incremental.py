"""The explorer's multidimensional run, re-running only what a change of amounts can affect
(issue 18: a change to the updated view in ≲ 300 ms).

The engine reads a scenario's amounts only through the money acting in each projected year
(`simlib.engines.reach.acting_money`: each line's money after its lag, plus the other programmes'
money): its years before the first year whose acting money changed read exactly the inputs of the
previous run, so they give exactly its arrays and its state at that review. `EngineRuns` keeps the
last run's acting money and engine outputs and the engine's state at two reviews, and continues
the run from the latest kept state at or before the first changed year
(`run_multidim_expected(..., start=, stop=, state=)`, as the runner's twin does): the arrays are
those of a run from the baseline, bit for bit (tests/test_workbench_incremental.py).

The previous-standard twin of a run crossing a change of standard (`simlib.runner.run_and_twin`) is read at one
review only: `simlib.runner.dated_changes` of a run that is not dated compares the two runs at the review of the
change year (`simlib.period_changes`: `changed`). So the twin runs the one year to that review, from the plan's state
before it (its baseline when the change is in the first projected year), and only when the money acting up to that
year changed; its later reviews are the plan's (read by nothing; the tables are the full run's, tested). The twin's
year is made with the plan's piece from that review (`simlib.runner.simulate_with_twin`: the engine makes the year's
lines and own changes once and classifies the households under both standards, about one engine year less; the twin
reads the plan's state, no copy, and keeps only its counts and of its review's records its households by state (what
it is read by), no cells: nothing continues from it; `simlib.engines.multidim_counts`). The twin's states table and
the re-basing of change targets are made once per twin output (the re-basing reads the run's households at the twin's
review, which change exactly when the twin is made again), the periods record and the geography once per starting
scenario (they read no amounts).

For every change, only what the view shows is made at once: the indicators it reads
(`simlib.workbench.project.shown_indicators`, the rows of the full table) and the target scorecard; the run's other
tables, its period changes and its manifest when first read (`simlib.workbench.lazy`), with the same values. A run
from a kept state writes a copy of it, in arrays reused from states nothing continues from (`simlib.workbench.pool`):
no fresh 183 MB mapped for every change; its kernels' tables too (`EngineRuns.tables`).

An `EngineRuns` may also start from a handed-over state at a later review (`first`): segment 2 of a run that switches
units, from the state moved to the new units (`simlib.workbench.switched`).

Everything is kept per starting scenario and used only for a scenario that differs from it by its amounts alone
(`same_but_amounts`: the same parameter, dataset, catalogue and legal objects, the same file contents); any other
scenario takes the runner's full run. Memory: three engine states, the baseline's (it reads no money: a run from the
baseline copies it, with its review's records, instead of synthesising the households and recording them again), the
plan's at the review before the change of standard (the twin's start) and at the first changed year of the last
change (a planner changes the same year again); each about 183 MB for multidim_2030 (10 districts), more for the
communes: the baseline's and the last one are not kept beyond `KEEP_BYTES`. A run continued from a kept state writes
the records of its first review from the state instead of recording them again (`simlib.engines.multidim_review`).
Between changes the pool holds up to two more (the next copies' arrays, the second within `KEEP_BYTES // 2`); during
a change no more states are alive at once than with fresh copies (`StatePool`). A run that starts from a kept state
this change lets go (a change later than the last one) takes its arrays instead of a copy. The run's pieces and the
twin's year are joined in one pass (`joined`)."""

from __future__ import annotations

import copy
from dataclasses import fields, replace
from functools import partial

import numpy as np
import pandas as pd

from simlib.clock import run_time
from simlib.compliance import absorption_table, absorption_totals, enforce, legal_status, unplaced_money
from simlib.engines import multidim_tables
from simlib.engines.common import ARRAYS, REVIEW_AXIS, EngineOutput, EngineState
from simlib.engines.multidim_span import TablePool
from simlib.engines.reach import acting_money
from simlib.geography import load_geography
from simlib.memo import memoised
from simlib.model import Model, compile_levers, compile_parameters
from simlib.multidim.model import core_of
from simlib.multidim.tables import MULTIDIM_INDICATORS, multidim_indicators
from simlib.period_changes import period_changes, rebase_points
from simlib.period_record import periods_record
from simlib.period_targets import evaluate_period_targets
from simlib.results import (
    EFFECT_READS,
    indicator_arrays,
    indicators_table,
    long_columns,
    programme_effect_indicators,
    states_only,
)
from simlib.runner import (
    RunResult,
    manifest_for,
    poor_unit_ids,
    previous_standard_scenario,
    simulate_pooled,
    simulate_with_twin,
    twin_review,
)
from simlib.unit_switch import compile_run_model, engine_units, run_tables, unit_switch, units_levels
from simlib.workbench import rebasing
from simlib.workbench.frames import ShownFrame
from simlib.workbench.lazy import Later, LazyRun, LazyTables
from simlib.workbench.pool import StatePool
from simlib.workbench.scoring import no_rebasing, scorer

#: bytes of engine states kept besides the twin's start (the state at the last changed year)
KEEP_BYTES = 1 << 30


def same_but_amounts(scen, base) -> bool:
    """Whether `scen` is `base` with other amounts only (`Scenario.replace_budget`): every field
    the same object (the file contents equal), the budget's too except its amounts."""
    for f in fields(scen):
        a, b = getattr(scen, f.name), getattr(base, f.name)
        if f.name == "budget":
            if any(getattr(a, g.name) is not getattr(b, g.name) for g in fields(a) if g.name != "amounts"):
                return False
        elif a is not b and not (f.name == "raw" and a == b):
            return False
    return np.shape(scen.budget.amounts) == np.shape(base.budget.amounts)


def first_change(before: np.ndarray | None, after: np.ndarray) -> int:
    """The first projected year whose acting money (Y, L, D) differs in any bit (Y: none)."""
    years = after.shape[0]
    if before is None or before.shape != after.shape:
        return 0
    return next((y for y in range(years) if before[y].tobytes() != after[y].tobytes()), years)


def state_bytes(state: EngineState) -> int:
    return state.n.nbytes + state.built.nbytes + sum(v.nbytes for v in state.cells.values())


class EngineRuns:
    """The engine outputs of the allocations of one starting scenario, each continued from the
    previous one's state at the first year its acting money changed (module docstring). `at`:
    the review the previous-standard twin starts from (None: no twin). `first`: the review the
    runs start from, with its state (`start`, kept: every change reaches no earlier year) — a run
    continued from a handed-over state (segment 2 of a run that switches units,
    `simlib.workbench.switched`); None: the baseline. `stop`: the review the runs stop at,
    whose state is handed over with the output (segment 1 of a run that switches units, moved
    to the new units from there); None: the last, nothing handed over."""

    def __init__(self, at: int | None, first: tuple[int, EngineState | None] | None = None, stop: int | None = None):
        self.at, self.stop = at, stop
        self.first = first[0] if first is not None else 0
        #: makes the state at `first` (into given arrays) when it is not kept (`restart`)
        self.make = None
        self.shapes: dict = {}  # name -> array of the first state's cells' shape and type (no memory)
        self.acting: np.ndarray | None = None  # (Y, L, D) of the last run
        self.out: EngineOutput | None = None
        self.twin: EngineOutput | None = None
        self.states: dict[int, EngineState] = {}  # review -> plan state, for `acting`'s years before it
        self.runs: list[tuple[str, int, int]] = []  # (plan|twin, start, stop) of every engine run made
        self.pool = StatePool(2, KEEP_BYTES // 2)  # the cells of states nothing continues from, for the next copies
        self.tables = TablePool()  # the kernels' tables of the last runs, for the next runs (`simulate_pooled`)
        self.baseline = first is None  # whether the baseline's state is kept (`_baseline`)
        if first is not None and first[1] is not None:
            self.states[first[0]] = first[1]

    def outputs(self, target, twin_target, spend: np.ndarray, options) -> tuple[EngineOutput, EngineOutput | None]:
        """The plan's engine output for `spend` (Y+1, L, D) and its twin's (None without)."""
        acting = acting_money(core_of(target), spend)[: self.stop]  # the years run
        years = acting.shape[0]
        y0 = first_change(self.acting, acting)
        if y0 == years:
            return self.out, self.twin
        y0 = max(y0, self.first)  # the years before `first` are the caller's (the state given)
        if not any(t <= y0 for t in self.states):
            self._baseline(target, spend, options)
        if self.make is not None and not any(self.first <= t <= y0 for t in self.states):
            self._drop([t for t in self.states if t > y0])  # their arrays: the made state's, the copies'
            self.states[self.first] = self._made()
        start = max((t for t in self.states if t <= y0), default=0)  # the later ones saw other money
        self._drop([t for t in self.states if t not in (self.first, start, self.at) or t > y0])  # the copies'
        state = self.states.get(start)
        if start not in (self.first, self.at, y0) and state is not None:  # `_keep` lets it go after this change
            state = self.states.pop(start).once()  # the run takes its arrays: no copy
        elif start == self.first and self.make is not None and self.out is None:  # made for this run only
            state = self.states.pop(start).once()
        stops = sorted({y0, self.at or 0} & set(range(start + 1, years))) + [years]
        pieces = [(self.out, 0)] if start > self.first else []
        fresh = len(pieces)  # the first piece made now: the join's arrays (`joined`'s `into`)
        remake = self.at is not None and (self.twin is None or y0 <= self.at)  # the twin, with the piece from `at`
        twin = None
        for stop in stops:
            if state is None:  # the engine makes its own arrays from the baseline: keep what the copies need
                self.pool.trim(len(stops) - 1)
            given = state if state is None or state.spare else self.pool.copy_of(state)
            if remake and start == self.at:
                piece, twin = self._with_twin(twin_target, target, spend, options, (start, stop, state, given))
            else:
                piece = simulate_pooled(target, spend, options, self.tables, start=start, stop=stop, state=given)
            self.runs.append(("plan", start, stop))
            pieces.append((piece, start))
            state, piece.state = piece.state, None
            if stop < years:
                self.states[stop] = state
            start = stop
        out = joined(pieces, into=fresh)
        if self.stop is None:
            self.pool.give(state)  # the last review's: nothing continues from it
        else:
            out.state = state  # handed over (its arrays go with the output: never reused here)
        self._keep(y0)
        if twin is not None:  # the twin's year, made with the plan's last piece (`_with_twin`)
            self.runs.append(("twin", self.at, self.at + 1))
            self.twin = joined([(out, 0), (twin, self.at), (out, self.at + 1)], into=1)  # `runner.twin_spliced`
        self.pool.trim()
        self.acting, self.out = acting, out
        return out, self.twin

    def restart(self, make) -> None:
        """Start again from a new state at `first` (every kept state and output is then stale:
        segment 1 made again): the kept states' cells go to the pool, which keeps as many sets
        as a run from `first` writes (the new state, run in place, and a copy per later piece),
        and `make(blank)` gives the new state when a run needs it, its cells written into
        `blank.into`, arrays of the first state's shapes taken from the pool, whose states known
        all zero are `blank.into_zero` (`StatePool.copy_of`; `blank` None: new arrays; e.g.
        `simlib.workbench.switched.moved`): no fresh memory mapped. The next run takes the new
        state's arrays (`once`: no copy of it, nothing kept at `first`: on the communes 1.06 GB
        less held); a later run from `first`
        (a change of the money acting from there only) makes it again and keeps it (`_made`)."""
        self._drop(list(self.states))
        self.pool.trim(1 + (self.at is not None and self.at > self.first))
        self.acting = self.out = self.twin = None
        self.make = make

    def _made(self) -> EngineState:
        """The state at `first` made by `make`, into arrays from the pool (new ones the first time)."""
        blank = EngineState(self.first, None, None, None, dict(self.shapes))
        state = self.make(self.pool.copy_of(blank) if self.shapes else None)
        self.shapes = {k: np.broadcast_to(np.zeros((), v.dtype), v.shape) for k, v in state.cells.items()}
        return state

    def _drop(self, reviews) -> None:
        for t in reviews:
            self.pool.give(self.states.pop(t))

    def _baseline(self, target, spend: np.ndarray, options) -> None:
        """Keep the baseline's state, handed over by a run stopped at review 0 (it reads no money:
        the same for every allocation), with its review's records
        (`simlib.engines.multidim_review`): a run from the baseline copies it instead of
        synthesising the households and recording the review again. Not beyond `KEEP_BYTES`."""
        if not self.baseline:
            return
        state = simulate_pooled(target, spend, options, self.tables, start=0, stop=0).state
        if state is None or state_bytes(state) > KEEP_BYTES:
            self.baseline = False
            return
        self.states[0] = state

    def _keep(self, y0: int) -> None:
        """Keep the baseline, the twin's start and the state at `y0` (within `KEEP_BYTES`),
        nothing else."""
        mark = self.states.get(y0)
        keep = {self.first, self.at} | ({y0} if mark is not None and state_bytes(mark) <= KEEP_BYTES else set())
        self._drop([t for t in self.states if t not in keep])

    def _with_twin(self, twin_target, target, spend: np.ndarray, options, piece: tuple) -> tuple:
        """The plan's piece (start, stop) from `state` (its copy `given`) at the review `at`
        before the change of standard, and the twin's one year to the review of the change from
        the same state, made together (`simlib.runner.simulate_with_twin`: that year's lines and
        own changes once). Nothing continues from the twin: it only reads `state` (no copy of
        its cells) and keeps no cells of its own. Returns (the plan's piece, the twin's year)."""
        start, stop, state, given = piece
        kw = {"start": start, "stop": stop, "state": given, "twin_state": state, "pool": self.tables}
        out, twin = simulate_with_twin(target, twin_target, spend, options, twin_hands_over=False, **kw)
        self.pool.give(twin.state)  # a twin run apart (another engine) hands its copy's cells over
        twin.state = None
        return out, twin


def joined(pieces: list[tuple[EngineOutput, int]], into: int | None = None) -> EngineOutput:
    """`first.joined(p1, t1).joined(p2, t2)...` of pieces [(first, 0), (p1, t1), (p2, t2), ...]
    (t1 < t2 < ...; `EngineOutput.joined`), each array made in one pass: the same values without
    the intermediate outputs (12 MB each for multidim_2030, fresh memory). No state handed over.
    `into`: the index of a piece nothing else reads (a run's output made for this join), whose
    own arrays receive the other pieces' years and are returned: the same values without a fresh
    output (about 60 MB for plan_2027) nor the copy of its own years."""
    if len(pieces) == 1:
        return pieces[0][0].released()
    if into is not None:
        return _joined_into(pieces, into)

    def cat(arrays: list[np.ndarray], review: int) -> np.ndarray:
        cuts = [t + review for _, t in pieces[1:]]
        return np.concatenate([a[:, lo:hi] for a, lo, hi in zip(arrays, [0] + cuts, cuts + [None])], axis=1)

    parts = {name: cat([getattr(p, name) for p, _ in pieces], int(name in REVIEW_AXIS)) for name in ARRAYS}
    md = pieces[0][0].multidim
    if md is not None:
        arrays = {
            f.name: cat([getattr(p.multidim, f.name) for p, _ in pieces], int(f.name != "removed")) for f in fields(md)
        }
        md = type(md)(**arrays)
    return EngineOutput(pieces[-1][0].engine, **parts, multidim=md)


def _joined_into(pieces: list[tuple[EngineOutput, int]], into: int) -> EngineOutput:
    """`joined(pieces)` written into the arrays of piece `into` (its own years kept)."""
    target = pieces[into][0]

    def put(name: str, review: int, of) -> None:
        dst = getattr(of(target), name)
        cuts = [0] + [t + review for _, t in pieces[1:]] + [dst.shape[1]]
        for i, (p, _) in enumerate(pieces):
            if i != into:
                lo, hi = cuts[i], cuts[i + 1]
                dst[:, lo:hi] = getattr(of(p), name)[:, lo:hi]

    for name in ARRAYS:
        put(name, int(name in REVIEW_AXIS), lambda o: o)
    if target.multidim is not None:
        for f in fields(target.multidim):
            put(f.name, int(f.name != "removed"), lambda o: o.multidim)
    target.engine = pieces[-1][0].engine
    return target.released()


def incremental(scen) -> bool:
    """Whether `scen`'s run can be made here: the multidimensional model on its own units (no
    switch of units: `simlib.workbench.switched`), with a twin (if any) that starts at a projected review. A dated run is made
    here too (`periods: dated`, on one set of units: plan_2027): its engine runs are a run's like
    any other (the money acting each year is the translated budget's); its twin is read at the
    review of the change only, as a run that is not dated (`reclassification`, `rebase`: the
    decomposition compares the two runs in the change year only); its targets are each year's in
    force (`simlib.workbench.scoring`) and its manifest records them (`run_manifest`)."""
    if scen.poverty_model != "multidim" or unit_switch(scen) is not None:
        return False
    return previous_standard_scenario(scen)[0] is None or twin_review(scen) is not None


def twin_states(start, twin: EngineOutput) -> pd.DataFrame:
    """The states table of the previous-standard twin `twin` of `start` (that of its
    `make_tables`, alone), made once per twin output (`EngineRuns` hands the same one back while
    the money acting up to the change of standard is the same); it reads the output and the
    structure only (`simlib.results.states_table`)."""
    old = previous_standard_scenario(start)[0]
    return memoised(twin, "wb_states", lambda: named_states(twin, twin_models(start)[0], old))


def named_states(out: EngineOutput, model, scen) -> pd.DataFrame:
    """`make_tables(out, model, ..., scen.baseline_year, scen.name).states` without the other
    tables (`simlib.results.states_only`)."""
    return states_only(out, model, scen.baseline_year, scen.name)


def reclassification(start, tables, twin: EngineOutput | None) -> pd.DataFrame:
    """`simlib.runner.dated_changes(start, ...)[0]` of a run on its own units: the period changes
    (every review of the run), with the geography loaded once; `twin` None: no change of
    standard (a dated run that does not cross one)."""
    year = previous_standard_scenario(start)[1]
    geo = memoised(start, "wb_geography", load_geography)
    changed, level = ((year,) if year else ()), start.dataset.level
    old = twin_states(start, twin) if twin is not None else None
    return period_changes(tables.states, level, geo, old, changed=changed, run_units=not start.dated)


def rebase(start, states, poor_units, twin: EngineOutput, run=None) -> pd.DataFrame:
    """`simlib.runner.dated_changes(start, ...)[1]`, the re-basing of change targets at the
    review changing the standard, made once per twin output: the twin is made again whenever the
    money acting up to it changed (`EngineRuns.outputs`), which is when the run's households at
    that review change. It reads the households of the run and of the twin at that review and
    the one before only (`simlib.period_changes.rebase_points`: each draw and year on its own),
    so only those rows are passed. `states()`: the run's states table; `run`: (its model, its
    engine output), from which `simlib.workbench.rebasing` makes the same table in numpy where
    it can (one draw)."""
    year = previous_standard_scenario(start)[1]
    geo = memoised(start, "wb_geography", load_geography)
    changed, level = ((year,) if year else ()), start.dataset.level

    def make() -> pd.DataFrame:
        reviews = [start.baseline_year] + [int(y) for y in start.years]
        t = reviews.index(year) if year in reviews else 0
        if run is not None and rebasing.fits(run[1].n_draws, t, reviews):
            old_model = twin_models(start)[0]
            return rebasing.points(run[0], old_model, run[1].states, twin.states, t, year, poor_units)
        new, old = states(), twin_states(start, twin)
        if year:
            new, old = (t[t["year"].isin((year - 1, year))] for t in (new, old))
        return rebase_points(new, level, geo, old, changed, poor_units)

    return memoised(twin, "wb_rebase", make)


def twin_models(start) -> tuple:
    """`compile_run_model` of the previous-standard twin of `start` (which has one), made once."""
    return memoised(start, "wb_twin_models", lambda: compile_run_model(previous_standard_scenario(start)[0]))


def run_models(scen, start) -> tuple:
    """`compile_run_model(scen)` of a scenario that differs from the starting scenario `start` by
    its amounts only (`same_but_amounts`): its own parameters and levers (the money) on the
    structure compiled once for `start`, and the multidimensional model on them with the arrays
    compiled once for `start` (`compile_multidim`'s standards, income grid, synthesis and line
    channels read the parameters, the catalogue and the structure, no amount) and the compiled
    engine's tables made once (`multidim_tables.with_tables_of`) — the same values without about
    15 CPU ms per change (tests/test_workbench_incremental.py)."""
    model0, mm0 = memoised(start, "wb_run_models", lambda: compile_run_model(start))
    structure = model0.structure
    model = Model(structure, compile_parameters(scen, structure), compile_levers(scen, structure))
    return model, multidim_tables.with_tables_of(mm0, replace(mm0, base=model))  # a new model: the tables kept


def engine_runs(start) -> EngineRuns:
    """The `EngineRuns` kept on the (what-if) starting scenario `start`."""
    return memoised(start, "wb_engine_runs", lambda: EngineRuns(twin_review(start)))


def run_multidim(scen, start, options, without: EngineOutput, names, models=None) -> tuple[pd.DataFrame, RunResult]:
    """The indicators `names` and `simlib.runner.run(scen, options, without=without)` for a
    scenario that differs from the starting scenario `start` (both what-if scenarios,
    `incremental`) by its amounts only (`same_but_amounts`), with the engine runs continued from
    the previous allocation's (`EngineRuns`, kept on `start`). `start` stands for `scen` where
    only its parameters and structure are read (its twin and the twin's states table:
    `simlib.results.states_table` reads the structure only), so that its previous-standard twin
    is built once. The run's targets are made from the indicators they read (through the layout
    kept on `start`, `simlib.workbench.scoring`); its tables and period changes when first read
    (`simlib.workbench.lazy`): the same values either way.
    `models`: `compile_run_model(scen)` when the caller has it."""
    model, target = models if models is not None else compile_run_model(scen)
    # a what-if scenario ignores every rule: nothing to raise, the list for the manifest made with it
    let_through = None if "all" in scen.ignored_rules else enforce(scen, model.levers.split)
    old = previous_standard_scenario(start)[0]
    twin_target = twin_models(start)[1] if old is not None else None
    out, twin = engine_runs(start).outputs(target, twin_target, model.spend, options)
    without = without.released()
    tables = LazyTables(lambda: run_tables(scen, model, target, out, without))
    shown = shown_table(scen, model, target, out, without, names, memoised(start, "wb_shown_frame", ShownFrame))
    poor_units = poor_unit_ids(model)
    rebased = rebasing_of(scen, start, model, out, tables, twin)
    years = scen.years if scen.dated else None  # a dated run: each year's targets in force
    levels = units_levels(scen, scen.years) if years else None
    targets = scorer(start).scorecard(shown, scen.params["targets"], poor_units, rebased, twin, years, levels)
    changes = Later(lambda: reclassification(start, tables, twin)) if old is not None or scen.dated else None
    judged = (shown, poor_units, rebased) if scen.dated else None  # the manifest's record of them
    made = run_time().isoformat()
    manifest = Later(partial(run_manifest, scen, start, options, model, let_through, out, made, judged))
    return shown, LazyRun(scen, model, out, tables, targets, manifest, changes, (out,))


def rebasing_of(scen, start, model, out: EngineOutput, tables: LazyTables, twin: EngineOutput | None):
    """The re-basing table of the run's change targets, when asked (`rebase`; None: not re-based,
    a run that is not dated crossing no change of standard; a dated run crossing none: the empty
    table, as `simlib.runner.dated_changes` gives it)."""
    if twin is None:
        return no_rebasing if scen.dated else None
    states = lambda: plan_states(scen, model, out, tables)  # noqa: E731
    return lambda: rebase(start, states, poor_unit_ids(model), twin, (model, out))


def shown_table(scen, model, target, out: EngineOutput, without: EngineOutput, names, frames=None) -> pd.DataFrame:
    """The rows of the indicators `names` of the run's indicator table (`run_tables`), in its
    order (index renumbered). The arrays of `out` are made once for the table and the programme's
    effect, only those they read (`indicator_arrays`' `names`), those of `without` (the same on
    every change) once per run without money, and the multidimensional model's own indicators
    only when one is shown: the same table. `frames`: a `ShownFrame` that keeps the last table's
    columns but its values (the starting scenario's: the same rows every change)."""
    arrays = indicator_arrays(out, model, model.spend, set(names) | set(EFFECT_READS))
    cf = memoised(without, "wb_effect_cf", lambda: effect_cf(without, model))
    extra = programme_effect_indicators(model, model.spend, out, without, arrays[1], cf)
    if not set(names).isdisjoint(MULTIDIM_INDICATORS):
        extra |= multidim_indicators(out, target)
    chosen = {k: v for k, v in {**arrays[1], **extra}.items() if k in names}  # `indicators_table`'s
    data = long_columns(chosen, out.n_draws, [scen.baseline_year] + list(model.years), arrays[0]) if frames else None
    if data is not None:
        return frames(data, scen.name, out.engine)
    ind = indicators_table(out, model, model.spend, scen.baseline_year, extra, names=names, arrays=arrays)
    ind.insert(0, "engine", out.engine)
    ind.insert(0, "scenario", scen.name)
    return ind


def effect_cf(without: EngineOutput, model: Model) -> dict[str, np.ndarray]:
    """The arrays of the run without money that `programme_effect_indicators` reads (its poor and
    near-poor households: the run's states summed over the structure's geographies)."""
    ind = indicator_arrays(without, model, np.zeros_like(model.spend), EFFECT_READS)[1]
    return {k: ind[k] for k in ("poor", "near_poor")}


def plan_states(scen, model, out: EngineOutput, tables: LazyTables) -> pd.DataFrame:
    """The run's states table: its tables' when they are made, else the same table alone."""
    return tables.states if tables.made else named_states(out, model, scen)


def run_manifest(scen, start, options, model, let_through, out: EngineOutput, made=None, judged=None) -> dict:
    """The run's manifest (`simlib.runner.run`'s), the period record made once per starting
    scenario (it reads no amounts); `made`: the time of the run (`created_utc`) when the manifest
    is made later (`LazyRun`: nothing on the view reads it); `let_through`: the breaches `enforce`
    let through (None: found now, for a scenario that ignores every rule); `judged`: a dated
    run's (indicator rows, poor units, re-basing table when asked), whose record of each target
    and year the period record carries (`simlib.period_targets.evaluate_period_targets`)."""
    if let_through is None:
        let_through = enforce(scen, model.levers.split)
    manifest = manifest_for(scen, options)
    if made is not None:
        manifest["created_utc"] = made
    manifest["periods"] = copy.deepcopy(memoised(start, "wb_periods", lambda: periods_record(start, None)))
    if judged is not None:
        shown, poor_units, rebased = judged
        levels = units_levels(scen, scen.years)
        scored = evaluate_period_targets(shown, scen.years, poor_units, rebase=rebased(), levels=levels)
        manifest["periods"]["targets"] = scored[1]
    manifest["engine_units"] = engine_units(scen, None)
    manifest["legal"] = legal_status(scen, model.levers.split, let_through)
    absorption = absorption_table(out, model, model.spend, unplaced_money(model))
    if absorption is not None:
        manifest["absorption"] = absorption_totals(absorption)
    return manifest
