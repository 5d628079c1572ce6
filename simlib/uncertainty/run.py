"""`run_uncertainty`: N parameter draws x R replications of one scenario, summarised on the fly.

What it writes (beside a run's usual tables, see `write_uncertainty`):

- `uncertainty_quantiles.csv` — every indicator, year and geography: mean, sd and the 5, 25, 50,
  75 and 95 % quantiles over all samples;
- `uncertainty_targets.csv` — every target cell: probability of meeting it and quantiles of its
  value;
- `uncertainty_rules.csv` — for targets missed in some draws: when they are missed (PRIM box) in
  plain Vietnamese and English;
- `uncertainty_parameters.csv` — the parameter values of every draw; `uncertainty_space.csv` —
  what was sampled, how, with its basis;
- `uncertainty_outcomes.csv` — every sample's target values and met flags;
- `uncertainty_draws.npy` + `uncertainty_cells.csv` — every sample's indicators (a numpy array,
  one column per row of the cells table), the raw material of the quantiles.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from simlib.options import RunOptions
from simlib.runner import write_outputs
from simlib.scenario import Scenario
from simlib.uncertainty.evaluate import Layout, make_layout, map_draws
from simlib.uncertainty.rules import miss_rules
from simlib.uncertainty.sampling import Sample, sample
from simlib.uncertainty.space import ParameterSpace, scenario_space
from simlib.uncertainty.summaries import DRAWS_FILE, Accumulator, outcomes_frame

FILES = (
    "uncertainty_quantiles.csv",
    "uncertainty_targets.csv",
    "uncertainty_rules.csv",
    "uncertainty_parameters.csv",
    "uncertainty_space.csv",
    "uncertainty_outcomes.csv",
    DRAWS_FILE,
    "uncertainty_cells.csv",
)


@dataclass
class UncertaintyResult:
    """Summaries of an uncertainty run (tidy tables) and where its per-sample arrays are."""

    scenario: str
    engine: str
    quantiles: pd.DataFrame
    targets: pd.DataFrame
    rules: pd.DataFrame
    parameters: pd.DataFrame
    space: pd.DataFrame
    outcomes: pd.DataFrame
    layout: Layout
    info: dict = field(default_factory=dict)
    folder: Path | None = None  # holds uncertainty_draws.npy while it exists

    def write(self, folder: str | Path) -> list[str]:
        """Write the tables (and copy the draws array, when it was kept) into `folder` (not
        atomic by itself: call inside `simlib.atomic.atomic_dir` or use `write_uncertainty`).
        Returns the names of the files written."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.quantiles.to_csv(folder / "uncertainty_quantiles.csv", index=False)
        self.targets.to_csv(folder / "uncertainty_targets.csv", index=False)
        self.rules.to_csv(folder / "uncertainty_rules.csv", index=False)
        self.parameters.to_csv(folder / "uncertainty_parameters.csv", index=False)
        self.space.to_csv(folder / "uncertainty_space.csv", index=False)
        self.outcomes.to_csv(folder / "uncertainty_outcomes.csv", index=False)
        src = self.folder / DRAWS_FILE if self.folder else None
        if src is not None and src.exists() and src.resolve() != (folder / DRAWS_FILE).resolve():
            shutil.copyfile(src, folder / DRAWS_FILE)
        if not (folder / DRAWS_FILE).exists():  # run in a temporary folder: the per-sample array is gone
            return [f for f in FILES if f not in (DRAWS_FILE, "uncertainty_cells.csv")]
        self.layout.cells().to_csv(folder / "uncertainty_cells.csv", index=False)
        return list(FILES)


def _rules(space: ParameterSpace, params_frame: pd.DataFrame, outcomes: pd.DataFrame, layout: Layout) -> pd.DataFrame:
    """PRIM rules for when each target is missed (`simlib.uncertainty.rules.miss_rules`)."""
    return miss_rules(
        params_frame,
        outcomes,
        space.labels("vi"),
        space.labels("en"),
        target_labels=layout.target_cells,
        units={k: f.unit for f in space.factors for k in f.keys},
    )


def _info(draws: Sample, space: ParameterSpace, options: RunOptions, counterfactual: bool) -> dict:
    """What the draws were: sizes, sampler, seed, engine, the space's dimensions."""
    return {
        "draws": int(draws.n),
        "replications": options.replications,
        "samples": int(draws.n * options.replications),
        "sampler": draws.method,
        "seed": options.seed,
        "engine": options.engine,
        "parameters": len(space.keys),
        "factors": len(space.factors),
        "dimensions": space.dims,
        "repaired_draws": int(draws.repaired.sum()),
        "counterfactual": counterfactual,
        "quantiles": [0.05, 0.25, 0.5, 0.75, 0.95],
    }


def _result(scen, acc: Accumulator, draws: Sample, space, layout: Layout, options, counterfactual, rules, folder):
    """The summaries of the evaluated draws in `acc`, as an `UncertaintyResult`."""
    name, engine = scen.name, options.engine
    outcomes = outcomes_frame(layout, acc.tvalues, acc.tmet, options.replications)
    params_frame = draws.frame()
    rule_table = _rules(space, params_frame, outcomes, layout) if rules else pd.DataFrame()
    return UncertaintyResult(
        name,
        engine,
        acc.quantile_table(name, engine),
        acc.target_table(name, engine),
        rule_table,
        params_frame,
        space.table(),
        outcomes,
        layout,
        _info(draws, space, options, counterfactual),
        folder,
    )


def run_uncertainty(
    scen: Scenario,
    n: int,
    options: RunOptions | None = None,
    *,
    method: str = "lhs",
    chunk_size: int | None = None,
    counterfactual: bool = True,
    folder: str | Path | None = None,
    space: ParameterSpace | None = None,
    sample_points: Sample | None = None,
    rules: bool = True,
    reuse_structure: bool = True,
    central=None,
    on_chunk=None,
    **option_fields,
) -> UncertaintyResult:
    """Run `n` parameter draws (`method` lhs | sobol | random) x the replications of `options`
    (a `RunOptions`, or its fields as keywords: engine, draws — microsim replications per
    parameter draw —, seed — default the scenario's, also seeding the sampler —, executor, jobs,
    scheduler, progress) and summarise them.

    Per-sample indicators stream into `folder` (a temporary folder if None, removed afterwards
    unless `folder` is given) so memory stays bounded; quantiles are exact. `reuse_structure`
    (default) compiles the scenario's structure once per chunk of draws and only what parameter
    values set for each draw (`simlib.uncertainty.apply.DrawCompiler`); False compiles every draw
    from scratch (the same numbers, slower). `central`: the scenario's run already computed (a
    report's, `simlib.runner.RunResult`): the draws' layout reuses it (`make_layout`).
    `on_chunk(draws_done)` is told after each chunk of draws is stored (`chunk_size` sets how
    many a chunk holds); an exception it raises stops the run there (the explorer's stop button).
    """
    options = RunOptions.of(options, **option_fields).for_scenario(scen)
    space = space or scenario_space(scen)
    draws = sample_points or sample(space, scen.params, n, method, options.seed)

    def evaluate(layout: Layout, consume) -> None:
        map_draws(
            scen,
            draws.keys,
            draws.values,
            layout,
            consume if on_chunk is None else telling(consume, on_chunk),
            options,
            counterfactual=counterfactual,
            chunk_size=chunk_size,
            label=scen.name,
            reuse_structure=reuse_structure,
        )

    return summarise(
        scen,
        draws,
        space,
        options,
        evaluate,
        counterfactual=counterfactual,
        rules=rules,
        folder=folder,
        central=central,
    )


def telling(consume, on_chunk):
    """`consume` (of each `ChunkResult`), then `on_chunk(draws stored so far)`."""
    done = [0]

    def told(chunk) -> None:
        consume(chunk)
        done[0] += len(chunk.draws)
        on_chunk(done[0])

    return told


def summarise(
    scen: Scenario,
    draws: Sample,
    space: ParameterSpace,
    options: RunOptions,
    evaluate,
    *,
    counterfactual: bool = True,
    rules: bool = True,
    folder: str | Path | None = None,
    central=None,
) -> UncertaintyResult:
    """The `UncertaintyResult` of `draws` of `scen`: `evaluate(layout, consume)` runs every draw
    and hands each `ChunkResult` to `consume` (`map_draws`, or `simlib.uncertainty.drawset`);
    per-sample arrays stream into `folder` (a temporary one, removed afterwards, if None);
    `central`: the scenario's run already computed, reused by the layout (`make_layout`)."""
    layout = make_layout(scen, options.engine, counterfactual, central)
    own_tmp = folder is None
    folder = Path(tempfile.mkdtemp(prefix="simlib-unc-")) if own_tmp else Path(folder)
    try:
        acc = Accumulator(folder, layout, draws.n * options.replications)
        evaluate(layout, acc.add)
        acc.close()
        if not acc.filled.all():  # pragma: no cover - a lost chunk is a bug
            raise RuntimeError("some draws were not evaluated")
        result = _result(scen, acc, draws, space, layout, options, counterfactual, rules, None if own_tmp else folder)
        del acc
        return result
    finally:
        if own_tmp:
            shutil.rmtree(folder, ignore_errors=True)


def write_uncertainty(result, out_dir: str | Path, n: int, extra=None, **kw) -> Path:
    """Write a run's usual outputs (`simlib.runner.write_outputs`) and, in the same atomic step,
    the uncertainty tables of `n` draws (keyword arguments as `run_uncertainty`, run options
    included; the draws' layout reuses `result`, `central`). The draws stream
    into the output folder being built, so nothing is held in memory and nothing half-written is
    left behind. `extra(folder) -> dict` writes more files in the same step (as in `write_outputs`)."""

    def both(tmp: Path) -> dict:
        unc = run_uncertainty(result.scenario, n, folder=tmp, **{"central": result, **kw})
        files = unc.write(tmp)
        for f in ("uncertainty_target_values.npy", "uncertainty_target_met.npy"):
            (tmp / f).unlink(missing_ok=True)
        out = {"outputs": files, "uncertainty": unc.info}
        if extra is not None:
            more = dict(extra(tmp))
            out["outputs"] = list(files) + list(more.pop("outputs", []))
            out.update(more)
        return out

    return write_outputs(result, out_dir, extra=both)


def read_uncertainty(folder: str | Path) -> dict:
    """The uncertainty tables of a run folder: {'quantiles', 'targets', 'rules', 'parameters',
    'space', 'outcomes', 'manifest'} (missing files are left out)."""
    folder = Path(folder)
    out: dict = {}
    for f in FILES:
        p = folder / f
        if p.suffix == ".csv" and p.exists():
            try:
                out[f.removeprefix("uncertainty_").removesuffix(".csv")] = pd.read_csv(p)
            except pd.errors.EmptyDataError:
                out[f.removeprefix("uncertainty_").removesuffix(".csv")] = pd.DataFrame()
    m = folder / "manifest.json"
    if m.exists():
        out["manifest"] = json.loads(m.read_text(encoding="utf-8"))
    return out


def load_draws(folder: str | Path, mmap: bool = True) -> tuple[np.ndarray, pd.DataFrame]:
    """Per-sample indicators of a run folder: (samples x cells array, cells table)."""
    folder = Path(folder)
    arr = np.load(folder / DRAWS_FILE, mmap_mode="r" if mmap else None)
    return arr, pd.read_csv(folder / "uncertainty_cells.csv")
