"""Run a scenario through an engine and write its tables with a manifest of what produced them."""

from __future__ import annotations

import json
import platform
import sys
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from simlib import __version__
from simlib.atomic import atomic_dir, output_folder
from simlib.budget_bounds import scenario_warnings
from simlib.clock import run_time
from simlib.compliance import absorption_totals, enforce, legal_status
from simlib.engines.common import EngineOutput
from simlib.engines.multidim_expected import run_multidim_expected
from simlib.engines.multidim_span import TablePool
from simlib.engines.multidim_twin import run_with_twin
from simlib.engines.registry import ENGINES, select
from simlib.errors import InputError
from simlib.geography import load_geography
from simlib.i18n import LANGS
from simlib.memo import memoised
from simlib.model import Model
from simlib.options import RunOptions
from simlib.parameters import sha256_obj
from simlib.paths import display_path
from simlib.period_changes import period_changes, rebase_points
from simlib.period_record import periods_record
from simlib.period_targets import evaluate_period_targets
from simlib.results import Tables, states_only
from simlib.scenario import Scenario
from simlib.schema import qv
from simlib.standards import build_standards, standard_changes, standard_for_year
from simlib.targets import evaluate_targets
from simlib.unit_switch import (
    Segments,
    check_switch_options,
    compile_run_model,
    engine_units,
    run_segments,
    run_tables,
    simulate,
    twin_states,
    unit_switch,
    units_levels,
)

__all__ = [
    "ENGINES",
    "RunOptions",
    "RunResult",
    "compile_run_model",
    "read_outputs",
    "run",
    "simulate",
    "write_outputs",
]

OUTPUT_FILES = ("states.csv", "flows.csv", "indicators.csv", "targets.csv", "programme.csv", "manifest.json")
#: written when the run produced them (review flows: every run made by `run`; deprivations: the
#: multidimensional model; absorption: money that reaches no one, simlib.compliance.absorption)
OPTIONAL_OUTPUT_FILES = ("review_flows.csv", "deprivations.csv", "deprivation_removals.csv", "absorption.csv")
#: written by a run with `periods: dated`, or a multidimensional run whose reviews cross a change
#: of standard (simlib.period_changes: re-mapping and reclassification apart from real movement)
PERIOD_CHANGES_FILE = "period_changes.csv"


@dataclass
class RunResult:
    """Everything one run produced: tidy tables, the target scorecard and the manifest.

    Its engine outputs hand no state over (`EngineOutput.released`: for the communes about 1.2 GB
    per engine run, which nothing reads once the run and its twin are done; issue 18), except a
    switching run's segment 1, whose state on the old units a draw's twin may continue from
    (`simlib.uncertainty.switched.switched_rebase`)."""

    scenario: Scenario
    model: Model
    output: EngineOutput
    tables: Tables
    targets: pd.DataFrame
    manifest: dict = field(default_factory=dict)
    period_changes: pd.DataFrame | None = None  # dated runs and runs crossing a standard (simlib.period_changes)
    #: the engine outputs of each segment of a run that switches units (`simlib.unit_switch`):
    #: `output` and `model` are the first segment's; the tables join both
    segment_outputs: tuple[EngineOutput, ...] = ()

    @property
    def states(self) -> pd.DataFrame:
        return self.tables.states

    @property
    def flows(self) -> pd.DataFrame:
        return self.tables.flows

    @property
    def indicators(self) -> pd.DataFrame:
        return self.tables.indicators

    @property
    def programme(self) -> pd.DataFrame:
        return self.tables.programme

    @property
    def review_flows(self) -> pd.DataFrame | None:
        """The flows in the annual review's own categories (`simlib.results.review_flows_table`)."""
        return self.tables.review_flows

    @property
    def absorption(self) -> pd.DataFrame | None:
        """Money acting each year by item and unit: capacity, usable, unallocatable, no household effect."""
        return self.tables.absorption

    @property
    def legal(self) -> dict:
        """What the run records about the legal frame (`simlib.compliance.legal_status`): frame,
        illustrative envelope, years not covered, ignored rules and the breaches let through, notes."""
        return self.manifest.get("legal", {})

    @property
    def deprivations(self) -> pd.DataFrame | None:
        """Deprivation prevalence by year, geography, population and indicator (multidim only)."""
        return self.tables.deprivations

    @property
    def deprivation_removals(self) -> pd.DataFrame | None:
        """Deprivations removed by each line (multidim only)."""
        return self.tables.deprivation_removals


def _standards_record(scen: Scenario) -> dict:
    """The poverty standard in force at each review year, and the years a new one applies."""
    standards = build_standards(scen.params["standards"])
    years = (scen.baseline_year,) + scen.years
    try:
        by_year = {str(y): standard_for_year(standards, y).id for y in years}
        changes = [{"year": y, "from": a.id, "to": b.id} for y, a, b in standard_changes(standards, years)]
    except InputError:
        return {"by_year": {}, "changes": []}
    return {"by_year": by_year, "changes": changes}


def manifest_for(scen: Scenario, options: RunOptions) -> dict:
    """What produced a run: scenario, hashes of every input, versions, engine, seed, draws, the
    poverty model and the poverty standard in force each year (and whether the model
    reclassified households at a change of standard)."""
    options = options.for_scenario(scen)
    engine, draws, seed = options.engine, options.replications, options.seed
    inputs = scen.input_hashes()
    ident = {
        "scenario": scen.name,
        "scenario_content": scen.raw,
        "parameter_hash": scen.params.hash,
        "inputs": sorted(inputs.values()),  # content only: the same on every machine and folder
        "engine": engine,
        "seed": seed,
        "draws": draws,
        "simlib_version": __version__,
    }
    manifest = {
        "scenario": scen.name,
        "title_vi": scen.title.vi,
        "title_en": scen.title.en,
        "scenario_file": display_path(scen.file) if scen.file else None,
        "engine": engine,
        "draws": draws,
        "seed": seed,
        "model": scen.poverty_model,
        # the transitions in force (bundled, or a calibrated file the scenario selects)
        "transitions": display_path(scen.params.files["transitions"]) if "transitions" in scen.params.files else None,
        "standards": dict(_standards_record(scen), reclassified=scen.poverty_model == "multidim"),
        "start_year": scen.start_year,
        "horizon": scen.horizon,
        "simlib_version": __version__,
        "parameter_hash": scen.params.hash,
        "dataset": {
            "name": scen.dataset.name,
            "version": scen.dataset.version,
            "baseline_year": scen.dataset.baseline_year,
        },
        "input_files": inputs,
        "overrides": {k: v for k, v in (scen.raw.get("overrides") or {}).items()},
        "disbursement": {s: qv(v["disbursement"]) for s, v in scen.params["funding"]["sources"].items()},
        "set": {k: v for k, v in scen.set_overrides},
        "run_id": sha256_obj(ident)[:16],
        "created_utc": run_time().isoformat(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "platform": platform.platform(terse=True),
    }
    if scen.money_notes:  # amounts likely meant in thousands: said wherever the run is read
        manifest["money_notes"] = [asdict(n) for n in scen.money_notes]
    if warned := scenario_warnings(scen):  # local money far above central money (simlib.budget_bounds)
        manifest["money_warnings"] = [{lg: w.message(lg) for lg in LANGS} for w in warned]
    if options.chunk is not None:  # random streams are per unit, so the numbers differ from an unchunked run
        manifest["chunking"] = {"chunk": options.chunk, "random_streams": "one per unit (simlib.national)"}
    return manifest


def run(
    scen: Scenario,
    options: RunOptions | None = None,
    *,
    counterfactual: bool = True,
    without: EngineOutput | None = None,
    **option_fields,
) -> RunResult:
    """Project `scen` with the engine, draws and seed of `options` (a `RunOptions`, or its fields
    as keywords: `run(scen, engine="microsim", draws=20)`; seed default: the scenario's).

    With `counterfactual`, the same engine and seed also run with no money, giving the
    households kept out of poverty by the programme and the cost per household lifted out;
    `without`: that run's output when the caller already has it (it depends on the scenario's
    structure and parameters, not on its amounts: the explorer keeps it per starting scenario).
    A scenario with `units_switch` runs on its own units up to the switch year and on the new
    units from it (`simlib.unit_switch`; `RunResult.segment_outputs` holds both engine outputs);
    its no-money runs are always made here (`without` is not used). No engine state is kept
    (`RunResult`); `without`'s is dropped too (`EngineOutput.released`).
    """
    options = RunOptions.of(options, **option_fields).for_scenario(scen)
    select(options.engine, scen.poverty_model, chunked=options.chunk is not None)  # before compiling
    check_switch_options(scen, options)
    model, target = compile_run_model(scen)
    let_through = enforce(scen, model.levers.split)  # breaches of the legal frame are input errors
    sw, seg, twin = unit_switch(scen), None, None
    if sw is None:
        out, twin = run_and_twin(scen, target, model.spend, options)
        if counterfactual and without is None:
            without = simulate(target, np.zeros_like(model.spend), options.but(progress=False))
        without = without.released() if counterfactual else None  # nothing continues from it
        tables = run_tables(scen, model, target, out, without)
    else:
        second = compile_run_model(sw.scenario)
        let_through_new = enforce(sw.scenario, second[0].levers.split)  # the new units' frame
        seg = run_segments(scen, sw, options, counterfactual, (model, target), second, twin_review(scen))
        out, tables = seg.outputs[0], seg.tables
    poor_units = poor_unit_ids(model) + ([u for u in poor_unit_ids(seg.models[1])] if seg else [])
    manifest = manifest_for(scen, options)
    manifest["periods"] = periods_record(scen, (sw.year, sw.scenario) if sw else None)
    manifest["engine_units"] = engine_units(scen, sw)
    crosses = scen.dated or previous_standard_scenario(scen)[0] is not None
    changes, rebase = (
        dated_changes(scen, options, model.spend, tables, poor_units, seg, twin) if crosses else (None, None)
    )
    if scen.dated:  # each year judged against the targets in force in it, change targets re-based
        levels = units_levels(scen, scen.years)
        judged = evaluate_period_targets(tables.indicators, scen.years, poor_units, rebase=rebase, levels=levels)
        targets, manifest["periods"]["targets"] = judged
    else:  # the plan's targets every year; across a change of standard, change targets re-based
        targets = evaluate_targets(tables.indicators, scen.params["targets"], poor_units, rebase=rebase)
    manifest["legal"] = legal_status(scen, model.levers.split, let_through)
    if seg is not None:
        manifest["legal_after_switch"] = legal_status(sw.scenario, seg.models[1].levers.split, let_through_new)
    if tables.absorption is not None:
        manifest["absorption"] = absorption_totals(tables.absorption)
    segments = seg.outputs if seg is not None else (out,)
    return RunResult(scen, model, out, tables, targets, manifest, changes, segments)


def poor_unit_ids(model: Model) -> list[str]:
    """The ids of the model's poor units (poor districts; for communes the derived flag)."""
    return [u for u, p in zip(model.unit_ids, model.poor_district, strict=True) if p]


def previous_standard_params(scen: Scenario):
    """The scenario's parameters with the standard in force before the first change of standard
    in its review years kept over the whole horizon, and the year of that change (None, None when
    no standard changes)."""
    standards = build_standards(scen.params["standards"])
    changes = standard_changes(standards, (scen.baseline_year,) + scen.years)
    if not changes:
        return None, None
    year, old, new = changes[0]
    last = scen.years[-1]
    keep = list(old.doc["in_force"]) + [{"first": year, "last": last, "source": "kept (counterfactual)"}]
    later = [{"first": last + 1, "last": last + 1, "source": "after the horizon (counterfactual)"}]
    params = scen.params.with_overrides(
        [(f"standards.{old.id}.in_force", keep), (f"standards.{new.id}.in_force", later)], origin="period_changes"
    )
    return params, year


def previous_standard_scenario(scen: Scenario) -> tuple[Scenario | None, int | None]:
    """The twin of a multidimensional scenario (dated or not) keeping the previous standard
    (`previous_standard_params`) and the year of the change, whose reclassification it gives and
    by which its change targets are re-based; (None, None) for any other scenario (the states
    model does not reclassify) or when its reviews change no standard. Built once per scenario
    (its parameters are checked again: about a CPU second, asked up to three times per run)."""
    if scen.poverty_model != "multidim":
        return None, None
    return memoised(scen, "previous_standard_scenario", lambda: _previous_standard(scen))


def _previous_standard(scen: Scenario) -> tuple[Scenario | None, int | None]:
    params, year = previous_standard_params(scen)
    return (replace(scen, params=params) if params is not None else None), year


def twin_review(scen: Scenario) -> int | None:
    """The review before the first change of standard of `scen`'s previous-standard twin (the
    index of the change year in its projected years), up to which the twin is the run itself;
    None without a twin or when the change is not a projected year."""
    old, year = previous_standard_scenario(scen)
    return scen.years.index(year) if old is not None and year in scen.years else None


def twin_from(scen: Scenario, options: RunOptions) -> tuple[int, Scenario] | None:
    """Where the previous-standard twin of `scen` (`previous_standard_scenario`) can continue the
    run: the review before the first change of standard, up to which the twin is the run itself
    (same model arrays, money and standard), and the twin; None when the twin is run whole (not
    the multidimensional model, an engine that does not hand its state over, a chunked run, or a
    change at the first projected year)."""
    if scen.poverty_model != "multidim" or options.chunk is not None:
        return None
    if scen.poverty_model not in select(options.engine, scen.poverty_model).hands_over:
        return None
    at = twin_review(scen)
    return (at, previous_standard_scenario(scen)[0]) if at else None


def run_and_twin(scen: Scenario, target, spend: np.ndarray, options: RunOptions) -> tuple:
    """The engine output of a run on its own units, and that of its previous-standard twin when it
    can continue the run (`twin_from`; else None: `dated_changes` runs the twin whole). The run is
    then made in two pieces, stopped at the review before the change of standard, and the twin
    continues from the state handed over there: it runs only the year to the change's review, the
    one `dated_changes` reads (dated or not: the decomposition and the re-basing compare the twin
    at the change only), made with the run's own year (`simulate_with_twin`: no copy of the state);
    the twin's later reviews are then the run's own, as the explorer's incremental runs have them.
    Both give the numbers of runs in one go (the engine's pieces: tests/test_engine_state.py), bit
    for bit for the bundled scenarios (multidim_2030 in tests/test_twin_reuse.py; plan_2027 on three
    communes in tests/test_workbench_dated.py against the explorer's pieces; its own files compared
    by hand, stop 47)."""
    reuse = twin_from(scen, options)
    if reuse is None:
        return simulate(target, spend, options, label=scen.name).released(), None
    at, old = reuse
    first = simulate(target, spend, options, label=scen.name, stop=at)
    twin_target = compile_run_model(old)[1]
    # the twin is read at the change only (`dated_changes`, dated or not): its year made with the run's
    lent = first.state.once()  # its last use: the run takes its arrays (no copy), the twin only reads them
    kw = {"start": at, "state": lent, "twin_state": lent, "twin_hands_over": False}
    rest, later = simulate_with_twin(target, twin_target, spend, options, scen.name, **kw)
    out = first.joined(rest.released(), at)
    return out, twin_spliced(out, later, at)  # its later reviews are the run's own, which nothing reads


def simulate_with_twin(
    target,
    twin_target,
    spend: np.ndarray,
    options: RunOptions,
    label="",
    *,
    start,
    stop=None,
    state,
    twin_state,
    twin_hands_over: bool = True,
    pool: TablePool | None = None,
) -> tuple[EngineOutput, EngineOutput]:
    """`simulate` of the run `target` over the projected years [start, stop) and of its
    previous-standard twin's one year [start, start + 1), from the same households at review
    `start`, `twin_state` holding them for the twin (a copy, or the state's arrays lent `once`),
    both None from the baseline. The expected engine of the
    multidimensional model, in one piece, makes the lines and own changes of that year once
    (`simlib.engines.multidim_twin.run_with_twin`); any other makes the two runs. The same
    outputs either way; returns (the run's, the twin's). `twin_hands_over` False: nothing
    continues from the twin, whose output may then hand no state over, and `twin_state` is only
    read (it may be `state` itself: the run takes its arrays; `run_with_twin`). `pool`: the
    caller's kernel tables for that engine's runs (`simulate_pooled`)."""
    if _compiled_multidim(target, options):
        kw = {"twin_hands_over": twin_hands_over, "pool": pool}
        return run_with_twin(target, twin_target, spend, start, stop, state, twin_state, **kw)
    if not twin_hands_over and twin_state is not None:  # read only: the twin's run copies it
        twin_state = replace(twin_state, spare=False)
    twin = simulate(twin_target, spend, options.but(progress=False), start=start, stop=start + 1, state=twin_state)
    return simulate(target, spend, options, label, start=start, stop=stop, state=state), twin


def simulate_pooled(target, spend: np.ndarray, options: RunOptions, pool: TablePool | None, **sliced) -> EngineOutput:
    """`simulate(target, spend, options, **sliced)` (`start`, `stop`, `state`), the expected engine
    of the multidimensional model in one piece taking its kernels' tables from `pool`, a
    `simlib.engines.multidim_span.TablePool` its caller owns and hands to each of its runs (the
    explorer's engine runs, `simlib.workbench.incremental.EngineRuns`): the same output. `run`
    and the others keep nothing between runs (no pool)."""
    if pool is not None and _compiled_multidim(target, options):
        return run_multidim_expected(target, spend, **sliced, pool=pool)
    return simulate(target, spend, options, **sliced)


def _compiled_multidim(target, options: RunOptions) -> bool:
    """Whether `simulate` runs `target` on the expected engine of the multidimensional model
    in one piece (`run_multidim_expected`)."""
    engine = select(options.engine, target.poverty_model, chunked=options.chunk is not None)
    return options.chunk is None and engine.runners.get("multidim") is run_multidim_expected


def twin_spliced(out: EngineOutput, year: EngineOutput, at: int) -> EngineOutput:
    """The previous-standard twin of a run that is not dated, from the twin's one projected year
    `year` (run from the run's state at review `at`, to the review of the change of standard, the
    one `dated_changes` reads): the run's own output `out` up to review `at`, the twin's year, then
    the run's later reviews (which nothing reads). No state is handed over (`EngineOutput.released`,
    `year`'s too). `run_and_twin` and the explorer's incremental runs
    (`simlib.workbench.incremental`) both make their twin with it."""
    return out.joined(year.released(), at).joined(out, at + 1).released()


def dated_changes(
    scen: Scenario,
    options: RunOptions,
    spend: np.ndarray,
    tables: Tables,
    poor_units=(),
    seg: Segments | None = None,
    twin: EngineOutput | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`simlib.period_changes` of a dated run, or of a multidimensional run whose reviews cross a
    change of standard (on its own units): with the multidimensional model, the same run keeping
    the previous standard gives the reclassification at the (first) change of standard; and the
    re-basing of its change targets on the run's units (`rebase_points`). A run that switches
    units (`seg`) has its twin switched the same way (`simlib.unit_switch.twin_states`); `twin`:
    the twin's engine output when the caller already has it (`run_and_twin`)."""
    old_states = None
    old_scen, year = previous_standard_scenario(scen)
    if old_scen is not None and seg is not None:
        old_states = twin_states(seg, old_scen.params, year, options)
    elif old_scen is not None:
        model, target = compile_run_model(old_scen)
        old_out = twin if twin is not None else simulate(target, spend, options.but(progress=False))
        old_states = states_only(old_out, model, scen.baseline_year, scen.name)
    changed, level, geo = ((year,) if year else ()), scen.dataset.level, load_geography()
    # a run that is not dated keeps its own units in every year (nothing re-mapped)
    changes = period_changes(tables.states, level, geo, old_states, changed=changed, run_units=not scen.dated)
    return changes, rebase_points(tables.states, level, geo, old_states, changed, poor_units)


def write_outputs(result: RunResult, out_dir: str | Path, extra=None) -> Path:
    """Write the tables and manifest.json into `out_dir`, atomically (all or nothing).

    `extra(folder) -> dict`, if given, writes more files into the folder being built (e.g. the
    uncertainty tables) and returns manifest entries; its `outputs` list is added to the manifest's.
    """
    inputs = result.scenario.input_paths()
    out_dir = output_folder(out_dir, inputs=inputs)
    with atomic_dir(out_dir, "run", inputs) as tmp:
        result.states.to_csv(tmp / "states.csv", index=False)
        result.flows.to_csv(tmp / "flows.csv", index=False)
        result.indicators.to_csv(tmp / "indicators.csv", index=False)
        result.targets.to_csv(tmp / "targets.csv", index=False)
        result.programme.to_csv(tmp / "programme.csv", index=False)
        written = list(OUTPUT_FILES)
        for name in OPTIONAL_OUTPUT_FILES:
            table = getattr(result.tables, name[:-4])
            if table is not None:
                table.to_csv(tmp / name, index=False)
                written.append(name)
        if result.period_changes is not None:
            result.period_changes.to_csv(tmp / PERIOD_CHANGES_FILE, index=False)
            written.append(PERIOD_CHANGES_FILE)
        manifest = dict(result.manifest, outputs=written)
        if extra is not None:
            added = dict(extra(tmp))
            manifest["outputs"] += list(added.pop("outputs", []))
            manifest.update(added)
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )
    return out_dir


def read_outputs(folder: str | Path) -> dict:
    """Read a run folder back: {'states': DataFrame, ..., 'manifest': dict}; optional tables
    (deprivations, deprivation_removals) are included when the folder has them."""
    folder = Path(folder)
    out = {}
    for f in OPTIONAL_OUTPUT_FILES + (PERIOD_CHANGES_FILE,):
        if (folder / f).is_file():
            out[f[:-4]] = pd.read_csv(folder / f)
    for f in OUTPUT_FILES:
        p = folder / f
        if f.endswith(".csv"):
            out[f[:-4]] = pd.read_csv(p)
        else:
            out["manifest"] = json.loads(p.read_text(encoding="utf-8"))
    return out
