"""Run parameter draws through an engine, in chunks, through the executor seam.

A *sample* is one (parameter draw, microsim replication) pair; the expected engine has one
replication per draw. Every draw of the microsimulation runs the same replications, seeded as a
plain run (`simlib.runner.simulate` with the same options): common random numbers, so differences
between draws — and between allocations compared on the same draws — come from the parameters,
not from the luck of the draw, and zero-width ranges reproduce the deterministic run exactly.

A dated multidimensional scenario whose reviews change the poverty standard also runs each draw
keeping the previous standard (`simlib.runner.previous_standard_scenario`): its change targets are
judged re-based, as the point run judges them (`simlib.period_changes.reclassification_points` of
that draw; `simlib.targets.rebase_indicators`), that twin run only up to the change of standard
(`until_year`).

A scenario whose engine changes units within the run (`units_switch`, the crossing) runs each
draw in the same two segments as its central run (`simlib.uncertainty.switched`): districts up to
the switch year, the state moved to the communes, communes from it; its layout's geographies are
both segments' (the districts' cells end the year before the switch, the communes' begin in it).

`evaluate_chunk` is the worker (module-level and picklable, for local processes and Dask);
`map_draws` submits chunks with at most a few in flight per worker, so memory stays bounded
however many draws there are, and hands each finished chunk to a `consume` callback.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, fields, replace
from itertools import repeat

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from simlib.engines.common import EngineOutput
from simlib.engines.expected import run_expected
from simlib.engines.registry import select
from simlib.executors import default_jobs, make_executor
from simlib.geography import load_geography
from simlib.model import Model
from simlib.multidim import MultidimModel, core_of
from simlib.multidim.tables import multidim_indicators
from simlib.options import RunOptions
from simlib.period_changes import REBASE_COLUMNS, rebase_points
from simlib.period_targets import evaluate_period_targets, targets_for_year
from simlib.results import indicator_arrays, programme_effect_indicators, states_table
from simlib.runner import compile_run_model, previous_standard_scenario, simulate
from simlib.scenario import Scenario
from simlib.tabulate import geographies
from simlib.targets import evaluate_targets
from simlib.uncertainty.apply import DrawCompiler, target_for_values
from simlib.uncertainty.switched import SwitchDraws, central_outputs, second_scenario, switched_run
from simlib.unit_switch import units_levels


@dataclass(frozen=True)
class Layout:
    """Where each number of a sample lives: indicators (names) x years x geographies."""

    indicators: tuple[str, ...]
    years: tuple[int, ...]  # baseline year first
    geos: tuple[tuple[str, str], ...]
    target_cells: pd.DataFrame  # target_id, geo_type, geo, year (+ indicator, comparison, threshold, labels)

    @property
    def shape(self) -> tuple[int, int, int]:
        return len(self.indicators), len(self.years), len(self.geos)

    @property
    def n_cells(self) -> int:
        i, y, g = self.shape
        return i * y * g

    def cells(self) -> pd.DataFrame:
        """One row per flattened indicator cell: indicator, year, geo_type, geo (C order)."""
        i, y, g = np.indices(self.shape).reshape(3, -1)
        return pd.DataFrame(
            {
                "indicator": np.array(self.indicators)[i],
                "year": np.array(self.years)[y],
                "geo_type": np.array([x[0] for x in self.geos])[g],
                "geo": np.array([x[1] for x in self.geos])[g],
            }
        )

    def index(self, indicator: str, year: int, geo: str, geo_type: str | None = None) -> int:
        """Flat column of one indicator cell."""
        gi = next(k for k, (t, n) in enumerate(self.geos) if n == geo and (geo_type is None or t == geo_type))
        return (self.indicators.index(indicator) * len(self.years) + self.years.index(year)) * len(self.geos) + gi


@dataclass
class ChunkResult:
    """What a worker sends back for a chunk of draws."""

    draws: np.ndarray  # (m,) draw numbers
    samples: np.ndarray  # (m * R,) sample numbers (draw * R + replication)
    indicators: np.ndarray  # (m * R, n_cells) flattened indicator values
    target_values: np.ndarray  # (m * R, n_target_cells)
    target_met: np.ndarray  # (m * R, n_target_cells) bool


def run_model(
    model: Model | MultidimModel,
    options: RunOptions,
    counterfactual: bool,
    spend: np.ndarray | None = None,
    twin: tuple | None = None,
    out=None,
) -> dict[str, np.ndarray]:
    """Indicator arrays (R, Y+1, Ngeo) of one model (the core, or the multidimensional model on
    top of it) with its own money (or `spend`, VND spent by year, line and unit), with the
    counterfactual ones if asked — exactly as `simlib.runner.run` computes them. With `twin`
    (`Rebasing.twin`), the key `"rebase"` holds the run's re-basing table (`draw` = replication).
    `out`: the engine's output with that money when it is already computed (not simulated again)."""
    base = core_of(model)
    spend = base.spend if spend is None else spend
    without = None
    if out is None:
        out, without = simulate_draw(model, spend, options, without=counterfactual)
    _, ind = indicator_arrays(out, base, spend)
    if counterfactual:
        without = simulate_draw(model, np.zeros_like(spend), options)[0] if without is None else without
        ind.update(programme_effect_indicators(base, spend, out, without))
    if isinstance(model, MultidimModel):
        ind.update(multidim_indicators(out, model))
    if twin is not None:
        ind["rebase"] = draw_rebase(twin, base, out, spend, options)
    return ind


def simulate_draw(
    model: Model | MultidimModel, spend: np.ndarray, options: RunOptions, without: bool = False
) -> tuple[EngineOutput, EngineOutput | None]:
    """`simulate(model, spend, options)` for the model of one draw, and with `without` the run
    with no money too (else None). The expected engine on the states model runs both in one call
    of the vectorised engine (the money as a batch of two), and is given the model's own rates as
    a sweep's rates (`run_expected(rates=...)`): the same numbers as the registry's runs, bit for
    bit (tested), but each group reads its own row of the rates' table, so the engine does not
    sort the groups' rows into a table of the distinct ones — which it builds once per model for
    the model's later runs, and which costs more than the run itself (about 4 ms against 0.3 ms
    for plan_2024); a draw's model runs once."""
    engine = select(options.engine, model.poverty_model, chunked=options.chunk is not None)
    if engine.name == "expected" and model.poverty_model == "states" and options.chunk is None:
        if not without:
            return run_expected(model, spend, rates=model.rates), None
        both = run_expected(model, np.stack([spend, np.zeros_like(spend)]), rates=model.rates)
        return split_output(both, 0), split_output(both, 1)
    out = simulate(model, spend, options)
    return out, (simulate(model, np.zeros_like(spend), options) if without else None)


def split_output(out: EngineOutput, s: int) -> EngineOutput:
    """Scenario `s` of an engine output over a batch (its arrays' leading axis), as the output of
    a run of that scenario alone (S = 1)."""
    arrays = {f.name: getattr(out, f.name) for f in fields(out) if isinstance(getattr(out, f.name), np.ndarray)}
    return replace(out, **{k: v[s : s + 1] for k, v in arrays.items()})


@dataclass(frozen=True)
class Rebasing:
    """What re-bases a scenario's change targets at a change of standard, for every draw: the
    scenario keeping the previous standard (`simlib.runner.previous_standard_scenario`), the year
    of the change, the dataset's unit level, the geography and the poor units."""

    old: Scenario
    year: int
    level: str
    geo: object
    poor_units: tuple[str, ...]

    @classmethod
    def of(cls, scen: Scenario) -> Rebasing | None:
        """None when the scenario's reviews change no standard or its model does not reclassify."""
        old, year = previous_standard_scenario(scen)
        if old is None:
            return None
        poor = tuple(u for u, p in zip(scen.dataset.unit_ids, scen.dataset.poor_district) if p)
        return cls(old, year, scen.dataset.level, load_geography(), poor)

    def twin(self, old_model) -> tuple:
        """(this, the draw's model keeping the previous standard, run up to the change of
        standard only: `until_year`), as `run_model` takes it."""
        return (self, until_year(old_model, self.year))


def until_year(target: Model | MultidimModel, year: int) -> Model | MultidimModel:
    """The same model with its projected years cut after `year` (itself when none are): the
    engines run one year after another on the money they are given, so its years up to `year`
    are those of the whole run, bit for bit (tested), without the later years. The twin keeping
    the previous standard is read at the change of standard only (`rebase_points`): a
    multidim_2030 draw runs 4 of its 7 years under the old standard instead of all 7."""
    base = core_of(target)
    years = tuple(y for y in base.years if y <= year)
    if len(years) == len(base.years):
        return target
    cut = replace(base, structure=replace(base.structure, years=years))
    return replace(target, base=cut) if isinstance(target, MultidimModel) else cut


def draw_rebase(twin: tuple, base: Model, out, spend: np.ndarray, options: RunOptions) -> pd.DataFrame:
    """`rebase_points` of one draw: its run and the same draw keeping the previous standard,
    decomposed by `simlib.period_changes` exactly as the point run's are (the twin's years end at
    the change of standard: `until_year`)."""
    rb, old_model = twin
    old_out = simulate(old_model, spend, options)
    year0 = rb.old.baseline_year
    states = states_table(out, base, year0)
    old_states = states_table(old_out, old_model.base, year0)
    return rebase_points(states, rb.level, rb.geo, old_states, (rb.year,), rb.poor_units)


def _indicator_frame(
    layout: Layout, arr: np.ndarray, samples: np.ndarray, names: Sequence[str], scenario: str, engine: str
) -> pd.DataFrame:
    """Tidy rows (as `results.indicators_table`) of the indicators `names` of flattened samples."""
    I, Y, G = layout.shape  # noqa: E741 - O/I: the shape letters of the docstrings
    cube = arr.reshape(-1, I, Y, G)
    frames = []
    for name in names:
        v = cube[:, layout.indicators.index(name)]  # (m, Y, G)
        s, y, g = np.indices(v.shape).reshape(3, -1)
        df = pd.DataFrame(
            {
                "draw": samples[s],
                "year": np.array(layout.years)[y],
                "geo_type": np.array([x[0] for x in layout.geos])[g],
                "geo": np.array([x[1] for x in layout.geos])[g],
                "indicator": name,
                "value": v.ravel(),
            }
        )
        frames.append(df[df["value"].notna()])
    df = pd.concat(frames, ignore_index=True)
    df.insert(0, "engine", engine)
    df.insert(0, "scenario", scenario)
    return df


def scenario_targets(frame: pd.DataFrame, scen: Scenario, poor_units: list[str], rebase=None) -> pd.DataFrame:
    """The scorecard rows of `frame` as the scenario's run judges them (`simlib.runner.run`): each
    year's targets in force for `periods: dated` (change targets re-based by `rebase`, the
    samples' `reclassification_points`), else the plan's targets every year (change targets
    re-based by `rebase` too when the reviews cross a change of standard)."""
    if scen.dated:
        rebase = pd.DataFrame(columns=REBASE_COLUMNS) if rebase is None else rebase
        levels = units_levels(scen, scen.years)
        return evaluate_period_targets(frame, scen.years, poor_units, rebase=rebase, levels=levels)[0]
    return evaluate_targets(frame, scen.params["targets"], poor_units, rebase=rebase)


def target_indicators(scen: Scenario) -> set[str]:
    """The indicators the scenario's targets read."""
    names = {t["indicator"] for t in scen.params["targets"]["targets"]}
    if scen.dated:
        names |= {s["indicator"] for y in scen.years for s in targets_for_year(y).specs if s["indicator_modelled"]}
    return names


def targets_of(
    layout: Layout,
    arr: np.ndarray,
    samples: np.ndarray,
    scen: Scenario,
    engine: str,
    poor_units: list[str],
    rebase: pd.DataFrame | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(value, met) arrays (m, n_target_cells) from flattened indicator samples, through the core's
    `evaluate_targets` (the one place that says what meeting a target means); `rebase`: the
    samples' re-basing (`draw` = sample number)."""
    cells = layout.target_cells
    m = len(samples)
    if cells.empty:
        return np.empty((m, 0)), np.empty((m, 0), bool)
    names = sorted(set(cells["indicator"]) | {"households"})  # households: keeps the baseline year in view
    frame = _indicator_frame(layout, arr, samples, names, scen.name, engine)
    t = scenario_targets(frame, scen, poor_units, rebase)
    key = ["target_id", "geo_type", "geo", "year"]
    col = pd.Series(np.arange(len(cells)), index=pd.MultiIndex.from_frame(cells[key]))
    row = pd.Series(np.arange(m), index=samples)
    ci = col.reindex(pd.MultiIndex.from_frame(t[key])).to_numpy()
    ri = row.reindex(t["draw"]).to_numpy()
    ok = ~np.isnan(ci)
    values = np.full((m, len(cells)), np.nan)
    met = np.zeros((m, len(cells)), bool)
    values[ri[ok], ci[ok].astype(int)] = t["value"].to_numpy()[ok]
    met[ri[ok], ci[ok].astype(int)] = t["met"].to_numpy(bool)[ok]
    return values, met


def evaluate_chunk(
    scen: Scenario,
    keys: Sequence[str],
    values: np.ndarray,
    draws: np.ndarray,
    layout: Layout,
    options: RunOptions,
    counterfactual: bool = True,
    reuse_structure: bool = True,
) -> ChunkResult:
    """Worker: run every draw of a chunk and flatten its indicators and target scorecard. With
    `reuse_structure` the chunk's models come from one `DrawCompiler` (the same models, the
    structure compiled once), else each draw is compiled from scratch (`target_for_values`)."""
    sd = SwitchDraws.of(scen) if len(values) else None
    models, twins = draw_models(scen, keys, values, reuse_structure, sd)
    return evaluate_models(scen, models, draws, layout, options, counterfactual, twins=twins, switch=sd)


def draw_models(scen: Scenario, keys: Sequence[str], values: np.ndarray, reuse_structure: bool, sd=None):
    """(models, twins): iterables of the model of each draw (for a switching scenario, `sd`: the
    pair of its segments' models) and, when the scenario's reviews change the standard, of the
    twin keeping the previous standard (`Rebasing.twin`, or for `sd` (`Rebasing`, pair) whose
    segment 1 is None when the draw's own stands for it: `simlib.uncertainty.switched`), else None."""

    def compiler(s: Scenario):
        c = DrawCompiler(s, keys) if reuse_structure else None
        return c.target if c is not None else (lambda v: target_for_values(s, keys, v))

    rb = Rebasing.of(scen)
    if sd is None:
        one = compiler(scen)
        models = (one(v) for v in values)
        old = compiler(rb.old) if rb is not None else None
        return models, ((rb.twin(old(v)) for v in values) if rb is not None else None)
    pair = (compiler(scen), compiler(second_scenario(sd)))
    models = ((pair[0](v), pair[1](v)) for v in values)
    if rb is None:
        return models, None
    own_first = rb.year >= sd.switch.year  # the twin's segment 1 is the draw's own
    old = (None if own_first else compiler(rb.old), compiler(second_scenario(sd, rb.old)))
    return models, ((rb, tuple(f(v) if f is not None else None for f in old)) for v in values)


def evaluate_models(
    scen: Scenario,
    models,
    draws: np.ndarray,
    layout: Layout,
    options: RunOptions,
    counterfactual: bool = True,
    spends=None,
    twins=None,
    switch: SwitchDraws | None = None,
) -> ChunkResult:
    """Run the models of some draws (an iterable, one per row of `draws`; with `spends`, an
    iterable of the money each spends instead of its own; with `twins`, one `Rebasing.twin` per
    draw re-basing its change targets) and flatten their indicators and the scenario's target
    scorecard. `switch`: the scenario changes units (`draw_models` gives pairs of models; no
    `spends`), each draw run in two segments (`simlib.uncertainty.switched.switched_run`)."""
    R = options.replications
    rows, rebase = [], []
    pairs = zip(models, spends if spends is not None else repeat(None), twins if twins is not None else repeat(None))
    for draw, (model, spend, twin) in zip(np.asarray(draws), pairs):
        if switch is not None:
            ind = switched_run(switch, model, options, counterfactual, layout.years, twin)
        else:
            ind = run_model(model, options, counterfactual, spend, twin)
        if twin is not None:
            r = ind.pop("rebase")
            rebase.append(r.assign(draw=int(draw) * R + r["draw"].astype(int)))
        nan = np.full((R, len(layout.years), len(layout.geos)), np.nan)
        rows.append(np.stack([ind.get(name, nan) for name in layout.indicators], axis=1).reshape(R, -1))
    arr = np.concatenate(rows) if rows else np.empty((0, layout.n_cells))
    samples = (np.asarray(draws)[:, None] * R + np.arange(R)[None, :]).ravel()
    poor_units = list(switch.poor_units) if switch is not None else own_poor_units(scen)
    rb = pd.concat(rebase, ignore_index=True) if rebase else None
    tv, tm = targets_of(layout, arr, samples, scen, options.engine, poor_units, rb)
    return ChunkResult(draws=np.asarray(draws), samples=samples, indicators=arr, target_values=tv, target_met=tm)


def make_layout(scen: Scenario, engine: str = "expected", counterfactual: bool = True, central=None) -> Layout:
    """The layout of a scenario's samples, from one central expected run (cheap). `central`: a
    `simlib.runner.RunResult` of `scen` already computed (a report's run); when it ran the expected
    engine, its output stands for the layout's run with money (`central_output`). A switching
    scenario's layout covers both segments' geographies (`simlib.uncertainty.switched`)."""
    ind, years, geos, poor_units = central_arrays(scen, counterfactual, central)
    rebase = ind.pop("rebase", None)
    layout = Layout(indicators=tuple(ind), years=years, geos=tuple(geos), target_cells=pd.DataFrame())
    arr = np.stack([ind[n] for n in layout.indicators], axis=1).reshape(1, -1)
    names = sorted(target_indicators(scen) | {"households"})
    frame = _indicator_frame(layout, arr, np.zeros(1, int), names, scen.name, engine)
    t = scenario_targets(frame, scen, poor_units, rebase)
    extra = [c for c in ("rebased", "rebase") if c in t.columns]  # the central run's re-basing
    cells = t[["target_id", "geo_type", "geo", "year", "indicator", "comparison", "threshold", "label_vi", "label_en"]]
    cells = pd.concat([cells, t[extra]], axis=1)
    return Layout(layout.indicators, years, layout.geos, cells.reset_index(drop=True))


def central_arrays(scen: Scenario, counterfactual: bool, central=None) -> tuple[dict, tuple, list, list[str]]:
    """(indicator arrays, years, geographies, poor units) of the central expected run of `scen`
    (with its re-basing under `"rebase"` when its reviews change the standard); a switching
    scenario's in two segments, on both segments' geographies."""
    model, target = compile_run_model(scen)
    years = (scen.baseline_year,) + tuple(model.years)
    rb, sd = Rebasing.of(scen), SwitchDraws.of(scen)
    if sd is None:
        twin = rb.twin(compile_run_model(rb.old)[1]) if rb is not None else None
        ind = run_model(target, RunOptions(seed=0), counterfactual, twin=twin, out=central_output(central, scen))
        return ind, years, list(geographies(model)[0]), own_poor_units(scen)
    targets = (target, compile_run_model(sd.switch.scenario)[1])
    twin = None
    if rb is not None:  # the twin's segment 1 is the run's own when the change comes at or after the switch
        first = None if rb.year >= sd.switch.year else compile_run_model(rb.old)[1]
        twin = (rb, (first, compile_run_model(second_scenario(sd, rb.old))[1]))
    outs = central_outputs(central, scen)
    ind = switched_run(sd, targets, RunOptions(seed=0), counterfactual, years, twin, outs=outs)
    return ind, years, list(sd.geos), list(sd.poor_units)


def own_poor_units(scen: Scenario) -> list[str]:
    """The poor units of the scenario's own dataset."""
    return [u for u, p in zip(scen.dataset.unit_ids, scen.dataset.poor_district) if p]


def central_output(central, scen: Scenario):
    """The engine output of a run `central` of the very scenario `scen` with the expected engine
    (deterministic: the seed does not enter), or None when it is not one."""
    if central is None or central.scenario is not scen:
        return None
    manifest = central.manifest or {}
    if manifest.get("engine") != "expected" or int(manifest.get("draws", 1)) != 1:
        return None
    return central.output


def chunks(n: int, size: int) -> list[np.ndarray]:
    return [np.arange(s, min(n, s + size)) for s in range(0, n, size)]


#: draws per task of a deterministic engine when the draws run in this process (one job): no
#: worker to balance, so few tasks; each pays for compiling the scenario's structure and for one
#: target scorecard of its draws (together about 0.05 s of CPU for plan_2024: a report's 640 Sobol
#: runs in tasks of 64 paid it ten times). Bounded so that a task's tables stay small (its
#: scorecard frame has a row per draw, indicator, year and unit: about 10^5 rows for plan_2024)
SERIAL_CHUNK = 1024


def default_chunk(n: int, jobs: int, options: RunOptions) -> int:
    """Draws per task: a few tasks per worker, smaller for the (slower) stochastic engines; in
    this process (one job), up to `SERIAL_CHUNK` draws of a deterministic engine. The results do
    not depend on it: every draw is run and scored on its own."""
    if options.engine_spec.stochastic:
        cap = 4
    elif jobs <= 1:
        return int(max(1, min(SERIAL_CHUNK, n)))
    else:
        cap = 64
    return int(max(1, min(cap, -(-n // (4 * max(1, jobs))))))


def map_draws(
    scen: Scenario,
    keys: Sequence[str],
    values: np.ndarray,
    layout: Layout,
    consume: Callable[[ChunkResult], None],
    options: RunOptions,
    *,
    counterfactual: bool = True,
    chunk_size: int | None = None,
    label: str = "",
    reuse_structure: bool = True,
) -> None:
    """Evaluate every row of `values` with the engine, replications and seed of `options` (its
    executor, jobs and scheduler spread the chunks) and pass each finished chunk to `consume` (in
    completion order; `ChunkResult.draws` says which). At most 2 chunks per worker are in flight.
    `reuse_structure` as in `evaluate_chunk`."""
    n = values.shape[0]
    jobs = options.jobs or (1 if options.executor == "serial" else default_jobs())
    size = chunk_size or default_chunk(n, jobs, options)
    task = options.for_scenario(scen).in_worker()
    todo = iter(chunks(n, size))
    bar = tqdm(total=n, desc=label or "draws", disable=not options.progress, leave=False)
    with make_executor(options.executor, jobs=jobs, scheduler=options.scheduler) as ex:
        pending: set = set()
        while True:
            while len(pending) < 2 * jobs and (idx := next(todo, None)) is not None:
                args = (scen, list(keys), values[idx], idx, layout, task, counterfactual, reuse_structure)
                pending.add(ex.submit(evaluate_chunk, *args))
            if not pending:
                break
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                res = fut.result()
                consume(res)
                bar.update(len(res.draws))
    bar.close()
