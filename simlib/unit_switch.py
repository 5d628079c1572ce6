"""Runs whose engine changes units within the run (issue 19, a scenario's `units_switch`).

On 1 July 2025 Cao Bằng's 10 districts gave way to 56 commune-level units. A scenario with
`units_switch: {dataset: caobang_communes}` runs its engine on the districts of its own dataset
up to the first budget year on or after that date (`simlib.geography.switch_year`: 2026 — the
engines step a whole budget year at a time, and the money of 2025 was planned, split and checked
by district), then hands the engine's household state over to the communes and continues on the
second dataset's model:

1. segment 1: the scenario's model (districts), projected years [0, at);
2. the state at review `at` (end of the year before the switch) moved to the new units by the
   transition's population weights (`state_map`: each district's households in each group of
   kind (ethnic group, area, attribute class, labour capacity, housed) shared among the communes
   its population lies in; households conserved exactly) — `EngineState.remapped`;
3. segment 2: the model of the same scenario on the new dataset (`simlib.scenario.switched_scenario`:
   its split, eligibility, capacities and legal frame), projected years [at, Y).

Each segment's tables are built on its own model and joined by year (`join_tables`): the reviews
and years before the switch year come from segment 1, the others from segment 2. Only an engine
that `hands_over` the poverty model can switch (the expected engine of the multidimensional
model). `simulate` and `compile_run_model` live here, below `simlib.runner`, which re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from simlib.engines.common import EngineOutput, EngineState
from simlib.engines.registry import select
from simlib.errors import InputError
from simlib.geography import CellMap, Geography, cell_map, load_geography, switch_year, unit_map
from simlib.memo import memoised
from simlib.model import Model, Structure, compile_model
from simlib.multidim import MultidimModel, compile_multidim
from simlib.multidim.tables import deprivation_removals_table, deprivations_table, multidim_indicators
from simlib.national import run_chunked
from simlib.options import RunOptions
from simlib.results import Tables, make_tables, programme_effect_indicators, states_only
from simlib.scenario import Scenario, switched_scenario

#: tables joined by year, and the column holding the year
TABLE_NAMES = ("states", "flows", "indicators", "programme", "deprivations", "deprivation_removals", "review_flows")
TABLE_NAMES += ("absorption",)


def simulate(
    model: Model | MultidimModel,
    spend: np.ndarray,
    options: RunOptions,
    label: str = "",
    *,
    start: int = 0,
    stop: int | None = None,
    state=None,
) -> EngineOutput:
    """Run the engine `options` name on a compiled model (of either poverty model) with spending
    `spend` (Y+1, L, D): unit by unit through the executor when `options.chunk` is set
    (`simlib.national`), else in one piece; with `start` / `stop` / `state`, the projected years
    [start, stop) from a handed-over state (`Engine.run`). The one place a run's engine is chosen."""
    engine = select(options.engine, model.poverty_model, chunked=options.chunk is not None)
    if engine.stochastic and options.seed is None:
        raise ValueError("a stochastic run needs a seed: options.for_scenario(scenario) gives the scenario's")
    sliced = {"start": start, "stop": stop, "state": state} if (start or stop is not None or state) else {}
    if options.chunk is not None:
        if sliced:
            raise ValueError("a run continued from a handed-over state cannot be chunked")
        return run_chunked(model, spend, engine, options)
    return engine.run(
        model, spend, draws=options.draws, seed=options.seed or 0, progress=options.progress, label=label, **sliced
    )


def compile_run_model(scen: Scenario) -> tuple[Model, Model | MultidimModel]:
    """The scenario's compiled model, and the model its engine runs (the multidimensional model
    on top of it for `model: multidim`)."""
    model = compile_model(scen)
    return model, (compile_multidim(scen, model) if scen.poverty_model == "multidim" else model)


@dataclass(frozen=True)
class Switch:
    """Where a run changes units: the first `year` on the new units, its index `at` in the
    projected years (= the review whose state is handed over), and the scenario on the new units."""

    year: int
    at: int
    scenario: Scenario
    geography: Geography


def unit_switch(scen: Scenario) -> Switch | None:
    """The switch of units of `scen` (None without `units_switch`); built once per scenario (the
    scenario on the new units is loaded and checked: about 2 CPU seconds, asked by the run and
    again by its report's pages)."""
    if not scen.units_switch:
        return None
    return memoised(scen, "unit_switch", lambda: _switch_of(scen))


def _switch_of(scen: Scenario) -> Switch:
    geo = load_geography()
    year = switch_year(geo)
    return Switch(year, scen.years.index(year), with_amounts(switched_scenario(scen), scen), geo)


def with_amounts(new: Scenario, scen: Scenario) -> Scenario:
    """The scenario on the new units `new` with the amounts of `scen` (VND by year, line and
    source: the money of both segments, split by each one's units) when they are not those of its
    file (`Scenario.replace_budget`: an explorer's or a sweep's allocation; `new` is read from the
    file's mapping, whose amounts a changed allocation does not write — its years on the new units
    ran the file's money)."""
    same = np.array_equal(new.budget.amounts, scen.budget.amounts)
    return new if same else new.replace_budget(scen.budget.amounts)


def units_levels(scen: Scenario, years, sw: Switch | None = None) -> dict[int, str]:
    """{year: level ('district' or 'commune') of the units a run of `scen` counts on in that year}:
    its dataset's, or from the switch year on the new dataset's (`units_switch`; `sw` its
    `Switch` when the caller holds it, else `unit_switch(scen)`) — the rule of the period record's
    `units_used`, which `simlib.report.levels` reads back for the report's words."""
    sw = sw or unit_switch(scen)
    return {int(y): sw.scenario.dataset.level if sw and int(y) >= sw.year else scen.dataset.level for y in years}


def group_kinds(structure: Structure) -> np.ndarray:
    """(G, 5) what a group is within its unit: ethnic group, area, attribute class, labour
    capacity, housed (last: a housed twin falls back to its base group, `cell_map`)."""
    s = structure
    return np.stack([s.g_eth, s.g_area, s.g_attr, s.g_labour, s.g_housed.astype(int)], axis=1)


def state_map(old: Model, new: Model, geo: Geography) -> CellMap:
    """The weights moving the state of a run on `old`'s units to `new`'s (population weights of
    the transition, `simlib.geography.unit_map` and `cell_map`)."""
    units = unit_map(geo, old.unit_ids, new.unit_ids)
    groups = cell_map(units, old.g_unit, group_kinds(old.structure), new.g_unit, group_kinds(new.structure))
    return CellMap(units, groups, old.unit_ids, new.unit_ids)


def run_tables(
    scen: Scenario, model: Model, target, out: EngineOutput, without: EngineOutput | None, spend=None
) -> Tables:
    """The tidy tables of one run (or segment) on `model` (`target` the model its engine ran),
    with the programme's effect against the run `without` money when given."""
    spend = model.spend if spend is None else spend
    extra = {}
    if without is not None:
        extra.update(programme_effect_indicators(model, spend, out, without))
    if isinstance(target, MultidimModel):
        extra.update(multidim_indicators(out, target))
    tables = make_tables(out, model, spend, scen.baseline_year, scen.name, extra or None)
    if isinstance(target, MultidimModel):
        tables.deprivations = deprivations_table(out, target, scen.name)
        tables.deprivation_removals = deprivation_removals_table(out, target, scen.name)
    return tables


def join_tables(first: Tables, second: Tables, year: int) -> Tables:
    """Rows of `first` for the years before `year`, of `second` from `year` on (each table's `year`)."""
    parts = {}
    for name in TABLE_NAMES:
        a, b = getattr(first, name), getattr(second, name)
        if a is None or b is None:
            parts[name] = a if b is None else b
            continue
        parts[name] = pd.concat([a[a["year"] < year], b[b["year"] >= year]], ignore_index=True)
    return Tables(**parts)


@dataclass
class Segments:
    """A run in two segments: models (districts, then communes), the engine runs of each (with
    and without the programme), the state map and the joined tables."""

    scenario: Scenario
    switch: Switch
    models: tuple
    targets: tuple
    outputs: tuple[EngineOutput, EngineOutput]
    without: tuple[EngineOutput | None, EngineOutput | None]
    mapping: CellMap
    tables: Tables
    #: (review, state) of the run from which its previous-standard twin continues (`twin_states`):
    #: the review before the change of standard when the change comes at or after the switch year
    twin_start: tuple[int, EngineState] | None = None


def run_pieces(targets: tuple, spends: tuple, options: RunOptions, sw: Switch, mapping: CellMap, first=None, label=""):
    """The two segments of an engine run on `targets` with `spends`: segment 1 up to review
    `sw.at` (or the given `first` output, e.g. of a run equal up to there), the state moved by
    `mapping`, segment 2 from there. Returns (segment 1's output, segment 2's output); segment 1
    keeps its state at the switch (on the old units: another run may continue from it, e.g. the
    twin of `simlib.uncertainty.switched.switched_rebase`), segment 2 hands none over."""
    if first is None:
        first = simulate(targets[0], spends[0], options, label, stop=sw.at)
    state = first.state.remapped(mapping).once()  # a new state, for segment 2 only: no copy of it
    return first, simulate(targets[1], spends[1], options, label, start=sw.at, state=state).released()


def run_pieces_keeping(
    targets: tuple, spends: tuple, options: RunOptions, sw: Switch, mapping: CellMap, keep: int, label=""
):
    """`run_pieces` that also returns the state of segment 2 at review `keep` (>= `sw.at`), from
    which another run continues (the previous-standard twin, `twin_states`): segment 2 is then run
    in two pieces split there, which gives the numbers of one piece (the engine's pieces:
    tests/test_engine_state.py). Returns (segment 1's output, segment 2's output, the state)."""
    first = simulate(targets[0], spends[0], options, label, stop=sw.at)
    state = first.state.remapped(mapping)
    if keep == sw.at:
        return first, simulate(targets[1], spends[1], options, label, start=sw.at, state=state).released(), state
    part = simulate(targets[1], spends[1], options, label, start=sw.at, stop=keep, state=state.once())
    later = simulate(targets[1], spends[1], options, label, start=keep, state=part.state).released()
    return first, part.joined(later, keep), part.state


def check_switch_options(scen: Scenario, options: RunOptions) -> None:
    """An `InputError` if a scenario with `units_switch` is asked of an engine that cannot hand
    its state over, or unit by unit (`--chunk`); nothing for other scenarios."""
    if not scen.units_switch:
        return
    select(options.engine, scen.poverty_model).check_hands_over(scen.poverty_model)
    if options.chunk is not None:
        raise InputError("units_switch_chunk", field="chunk", value=options.chunk)


def run_segments(
    scen: Scenario, sw: Switch, options: RunOptions, counterfactual: bool, first=None, second=None, twin_at=None
) -> Segments:
    """`scen` run on its own units up to the switch year and on the new units from it (see the
    module docstring); `first` / `second` = (model, target) of `scen` / `sw.scenario` if compiled.
    `twin_at`: the review before the first change of standard (its year's index), when the run has
    a previous-standard twin; from the switch on, the run's state there is kept for the twin."""
    check_switch_options(scen, options)
    m1, t1 = first or compile_run_model(scen)
    m2, t2 = second or compile_run_model(sw.scenario)
    mapping = state_map(m1, m2, sw.geography)
    targets, spends, twin_start = (t1, t2), (m1.spend, m2.spend), None
    if twin_at is not None and twin_at >= sw.at:
        *outs, state = run_pieces_keeping(targets, spends, options, sw, mapping, twin_at, scen.name)
        twin_start = (twin_at, state)
    else:
        outs = run_pieces(targets, spends, options, sw, mapping, label=scen.name)
    without = (None, None)
    if counterfactual:
        zeros = (np.zeros_like(m1.spend), np.zeros_like(m2.spend))
        without = run_pieces((t1, t2), zeros, options.but(progress=False), sw, mapping)
    tables = join_tables(
        run_tables(scen, m1, t1, outs[0], without[0]), run_tables(sw.scenario, m2, t2, outs[1], without[1]), sw.year
    )
    return Segments(scen, sw, (m1, m2), (t1, t2), tuple(outs), without, mapping, tables, twin_start)


def twin_states(seg: Segments, params, change_year: int, options: RunOptions) -> pd.DataFrame:
    """The states table of the run with other parameters `params` (the previous standard kept,
    `simlib.runner.previous_standard_params`), switched like the run. Up to the review before
    the change of standard the twin is the run itself (same model arrays and money), so when the
    change comes at or after the switch year it starts from the run's own segment 1, and from the
    state of segment 2 the run kept at that review (`Segments.twin_start`; taken: used once)."""
    old = replace(seg.switch.scenario, params=params)
    m2, t2 = compile_run_model(old)
    base = (seg.models[0].spend, m2.spend)
    first, targets = seg.outputs[0], (seg.targets[0], t2)
    if change_year < seg.switch.year:  # the twin differs before the switch: its own segment 1
        first, targets = None, (compile_run_model(replace(seg.scenario, params=params))[1], t2)
    opts = options.but(progress=False)
    if seg.twin_start is not None and change_year >= seg.switch.year:
        (at, state), seg.twin_start = seg.twin_start, None
        later = simulate(t2, base[1], opts, start=at, state=state.once()).released()
        out1, out2 = first, seg.outputs[1].joined(later, at)
    else:
        out1, out2 = run_pieces(targets, base, opts, seg.switch, seg.mapping, first=first)
    name = seg.switch.scenario.name
    a = states_only(out1, seg.models[0], old.baseline_year, name)
    b = states_only(out2, m2, old.baseline_year, name)
    return pd.concat([a[a["year"] < seg.switch.year], b[b["year"] >= seg.switch.year]], ignore_index=True)


def engine_units(scen: Scenario, sw: Switch | None) -> dict:
    """The manifest's `engine_units`: the dataset and level of units the engine ran each year on."""
    own = {"dataset": scen.dataset.name, "level": scen.dataset.level}
    by_year = {}
    for y in (scen.baseline_year,) + scen.years:
        new = sw is not None and y >= sw.year
        ds = sw.scenario.dataset if new else scen.dataset
        by_year[str(y)] = {"dataset": ds.name, "level": ds.level, "units": len(ds.unit_ids)}
    rec = {"switched": sw is not None, "by_year": by_year, "first": own}
    if sw is not None:
        rec["switch"] = {
            "year": sw.year,
            "dataset": sw.scenario.dataset.name,
            "level": sw.scenario.dataset.level,
            "transition_date": str(sw.geography.transition["date"]),
            "method": "population weights of the transition (data/geography), state of the review before",
        }
    return rec
