"""Run a scenario through an engine and write its tables with a manifest of what produced them."""

from __future__ import annotations

import datetime as _dt
import json
import platform
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from simlib.atomic import atomic_dir, output_folder
from simlib.engines import ENGINES, EngineOutput, run_expected, run_microsim
from simlib.engines.fast import FAST_ENGINES
from simlib.errors import InputError
from simlib.model import Model, compile_model
from simlib.parameters import sha256_obj
from simlib.paths import display_path
from simlib.results import Tables, indicator_arrays, make_tables
from simlib.scenario import Scenario
from simlib.targets import evaluate_targets

OUTPUT_FILES = ("states.csv", "flows.csv", "indicators.csv", "targets.csv", "programme.csv", "manifest.json")
#: written when the run produced them (multidimensional model)
OPTIONAL_OUTPUT_FILES = ("deprivations.csv", "deprivation_removals.csv")


@dataclass
class RunResult:
    """Everything one run produced: tidy tables, the target scorecard and the manifest."""

    scenario: Scenario
    model: Model
    output: EngineOutput
    tables: Tables
    targets: pd.DataFrame
    manifest: dict = field(default_factory=dict)

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
    def deprivations(self) -> pd.DataFrame | None:
        """Deprivation prevalence by year, geography, population and indicator (multidim only)."""
        return self.tables.deprivations

    @property
    def deprivation_removals(self) -> pd.DataFrame | None:
        """Deprivations removed by each line (multidim only)."""
        return self.tables.deprivation_removals


def _version() -> str:
    from simlib import __version__

    return __version__


def simulate(
    model: Model,
    engine: str,
    draws: int,
    seed: int,
    spend: np.ndarray | None = None,
    progress: bool = False,
    label: str = "",
    chunking: dict | None = None,
    multidim=None,
) -> EngineOutput:
    """Run `engine` on a compiled model (optionally with another spend array).

    With `multidim` (a compiled `simlib.multidim.MultidimModel`), the multidimensional model's
    engines run. With `chunking` ({'chunk': units per task, 'executor', 'jobs', 'scheduler'}),
    units run in chunks through the executor with one random stream per unit (`simlib.national`).
    """
    if multidim is not None:
        if chunking:
            raise InputError("chunk_multidim", field="--chunk")
        if engine not in ("expected", "microsim"):
            raise InputError("engine", field="--engine", value=engine, allowed=("expected", "microsim"))
        from simlib.engines.multidim_expected import run_multidim_expected
        from simlib.engines.multidim_microsim import run_multidim_microsim

        if engine == "expected":
            return run_multidim_expected(multidim, spend=None if spend is None else spend[None])
        return run_multidim_microsim(multidim, draws=draws, seed=seed, progress=progress, label=label, spend=spend)
    if chunking:  # performance and national scale (issue 8)
        from dataclasses import replace

        from simlib.national import run_chunked

        model = model if spend is None else replace(model, spend=spend, cache={})
        return run_chunked(model, engine, draws, seed, progress=progress, **chunking)
    if engine == "expected":
        return run_expected(model, spend=None if spend is None else spend[None])
    if engine in FAST_ENGINES:  # performance and national scale (issue 8)
        return FAST_ENGINES[engine](model, draws, seed, spend)
    if spend is not None:
        from dataclasses import replace

        model = replace(model, spend=spend)
    return run_microsim(model, draws=draws, seed=seed, progress=progress, label=label)


def _counterfactual_indicators(model: Model, out: EngineOutput, cf: EngineOutput) -> dict:
    geos, ind = indicator_arrays(out, model)
    _, ind_cf = indicator_arrays(cf, model, spend=np.zeros_like(model.spend))
    fewer = ind_cf["poor"] - ind["poor"]
    fewer[:, 0] = np.nan
    cost = np.full_like(fewer, np.nan)
    cum_spend = np.nancumsum(ind["spend"][:, :, 0], axis=1) * 1e3  # million VND
    with np.errstate(divide="ignore", invalid="ignore"):
        c = cum_spend / fewer[:, :, 0]
    c[~np.isfinite(c) | (fewer[:, :, 0] <= 0)] = np.nan
    cost[:, :, 0] = c
    cost[:, 0] = np.nan
    return {"poor_fewer_than_without_programme": fewer, "cost_per_household_lifted": cost}


def _standards_record(scen: Scenario) -> dict:
    """The poverty standard in force at each review year, and the years a new one applies."""
    from simlib.standards import build_standards, standard_changes, standard_for_year

    standards = build_standards(scen.params["standards"])
    years = (scen.baseline_year,) + scen.years
    try:
        by_year = {str(y): standard_for_year(standards, y).id for y in years}
        changes = [{"year": y, "from": a.id, "to": b.id} for y, a, b in standard_changes(standards, years)]
    except InputError:
        return {"by_year": {}, "changes": []}
    return {"by_year": by_year, "changes": changes}


def manifest_for(scen: Scenario, engine: str, draws: int, seed: int) -> dict:
    """What produced a run: scenario, hashes of every input, versions, engine, seed, draws, the
    poverty model and the poverty standard in force each year (and whether the model
    reclassified households at a change of standard)."""
    inputs = scen.input_hashes()
    ident = {
        "scenario": scen.name,
        "scenario_content": scen.raw,
        "parameter_hash": scen.params.hash,
        "inputs": sorted(inputs.values()),  # content only: the same on every machine and folder
        "engine": engine,
        "seed": seed,
        "draws": draws,
        "simlib_version": _version(),
    }
    return {
        "scenario": scen.name,
        "title_vi": scen.title.vi,
        "title_en": scen.title.en,
        "scenario_file": display_path(scen.file) if scen.file else None,
        "engine": engine,
        "draws": draws,
        "seed": seed,
        "model": scen.poverty_model,
        "standards": dict(_standards_record(scen), reclassified=scen.poverty_model == "multidim"),
        "start_year": scen.start_year,
        "horizon": scen.horizon,
        "simlib_version": _version(),
        "parameter_hash": scen.params.hash,
        "dataset": {
            "name": scen.dataset.name,
            "version": scen.dataset.version,
            "baseline_year": scen.dataset.baseline_year,
        },
        "input_files": inputs,
        "overrides": {k: v for k, v in (scen.raw.get("overrides") or {}).items()},
        "set": {k: v for k, v in scen.set_overrides},
        "run_id": sha256_obj(ident)[:16],
        "created_utc": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "platform": platform.platform(terse=True),
    }


def run(
    scen: Scenario,
    engine: str = "expected",
    draws: int = 1,
    seed: int | None = None,
    progress: bool = False,
    counterfactual: bool = True,
    chunking: dict | None = None,
) -> RunResult:
    """Project `scen` with `engine` ('expected' or 'microsim'); microsim uses `draws`
    replications seeded from `seed` (default: the scenario's seed).

    With `counterfactual`, the same engine and seed also run with zero budget, giving the
    households kept out of poverty by the programme and the cost per household lifted out.
    """
    if engine not in ENGINES:
        raise InputError("engine", field="--engine", value=engine, allowed=ENGINES)
    if draws < 1:
        raise InputError("draws", field="--draws", value=draws)
    seed = scen.seed if seed is None else int(seed)
    draws = 1 if engine == "expected" else int(draws)
    model = compile_model(scen)
    mm = None
    if scen.poverty_model == "multidim":
        from simlib.multidim import compile_multidim

        mm = compile_multidim(scen, model)
    out = simulate(model, engine, draws, seed, progress=progress, label=scen.name, chunking=chunking, multidim=mm)
    extra = {}
    if counterfactual:
        cf = simulate(model, engine, draws, seed, spend=np.zeros_like(model.spend), chunking=chunking, multidim=mm)
        extra.update(_counterfactual_indicators(model, out, cf))
    if mm is not None:
        from simlib.multidim.tables import multidim_indicators

        extra.update(multidim_indicators(out, mm))
    tables = make_tables(out, model, scen.baseline_year, scen.name, extra or None)
    if mm is not None:
        from simlib.multidim.tables import deprivation_removals_table, deprivations_table

        tables.deprivations = deprivations_table(out, mm, scen.name)
        tables.deprivation_removals = deprivation_removals_table(out, mm, scen.name)
    poor_units = [u for u, p in zip(model.unit_ids, model.poor_district) if p]
    targets = evaluate_targets(tables.indicators, scen.params["targets"], poor_units)
    manifest = manifest_for(scen, engine, draws, seed)
    if chunking:  # random streams are per unit, so the numbers differ from an unchunked run
        manifest["chunking"] = {"chunk": chunking.get("chunk"), "random_streams": "one per unit (simlib.national)"}
    return RunResult(scen, model, out, tables, targets, manifest)


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
    for f in OPTIONAL_OUTPUT_FILES:
        if (folder / f).is_file():
            out[f[:-4]] = pd.read_csv(folder / f)
    for f in OUTPUT_FILES:
        p = folder / f
        if f.endswith(".csv"):
            out[f[:-4]] = pd.read_csv(p)
        else:
            out["manifest"] = json.loads(p.read_text(encoding="utf-8"))
    return out
