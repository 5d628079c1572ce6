"""The true engine behind the optimiser: batches of allocations and of one-direction changes.

The optimiser evaluates the model the scenario names (`model: states` or `model: multidim`):
`engine_model` is the one place that compiles the model the engine runs (the core `Model`, or
the `MultidimModel` on top of it), and `engine` the one place that chooses the engine, the
expected engine from the registry (`simlib.engines`), which evaluates both poverty models over a
leading axis of spending arrays. Batches are cut into chunks so that memory stays bounded (an
engine output holds the year's flows per scenario).

Each function that calls the engine takes the caller's `on_runs(runs)` (None: nobody is told),
told the runs of each engine call in runs of the whole model (a unit's model counts its share of
the groups): the optimiser carries it on its `Problem` (`Problem.on_runs`), the CLI's progress
meter is one. There is no module-level registry: two optimisations in one process never see each
other's runs.

`perturbed` evaluates many changes along single spending directions around one reference
allocation. A direction that spends in one unit only changes that unit's households (units do
not interact within a projected year), so such changes run on the model of that unit alone
(`unit_model`, with that unit's spending) and update the full run's sums: exact, and about D
times cheaper.
"""

from __future__ import annotations

import numpy as np

from simlib.allocate.continued import core_model, engine_run, engine_runs
from simlib.engines.common import EngineOutput
from simlib.engines.registry import select
from simlib.model import Model
from simlib.multidim import MultidimModel, compile_multidim
from simlib.scenario import Scenario

#: spending arrays per engine call: bounds the memory of an engine output
CHUNK = 256
#: the same for the multidimensional model, whose cost grows in proportion to the arrays (seconds
#: each on a plan of communes): small calls cost nothing more and let progress be told often
CHUNK_MULTIDIM = 4


def chunk_of(target) -> int:
    """Spending arrays per engine call for the model `target`."""
    return CHUNK_MULTIDIM if getattr(target, "poverty_model", "states") == "multidim" else CHUNK


def told(on_runs, runs: float) -> None:
    """Tell `on_runs` (a callable or None) of `runs` engine runs of the whole model (none: not told)."""
    if on_runs is not None and runs > 0:
        on_runs(runs)


def engine_model(scen: Scenario, model: Model) -> Model | MultidimModel:
    """The compiled model the scenario's engine runs, on top of its core `model`: the
    multidimensional model for `model: multidim`, the core model itself for `model: states`."""
    return compile_multidim(scen, model) if scen.poverty_model == "multidim" else model


def engine(poverty_model: str = "states"):
    """The expected engine (the optimiser's) for `poverty_model`, from the registry; it sweeps
    spending arrays of both poverty models."""
    eng = select("expected", poverty_model)
    if poverty_model not in eng.sweeps:  # pragma: no cover - a registry change
        raise RuntimeError(f"the expected engine no longer evaluates batches of spending ({poverty_model})")
    return eng


def run_batch(target: Model | MultidimModel, spend: np.ndarray, on_runs=None) -> EngineOutput:
    """The expected engine on spending (S, Y+1, L, D) VND, in chunks; one stacked output.
    `target`: the model the engine runs (`engine_model`); `on_runs(runs)` is told each call's
    runs (module docstring)."""
    spend = np.asarray(spend, float)
    if spend.ndim == 3:
        spend = spend[None]
    eng = engine(target.poverty_model)
    chunk = chunk_of(target)
    if len(spend) <= chunk:
        out = engine_run(eng, target, spend)
        told(on_runs, engine_runs(target, len(spend)))
        return out
    outs = []
    for i in range(0, len(spend), chunk):
        outs.append(engine_run(eng, target, spend[i : i + chunk]))
        told(on_runs, engine_runs(target, min(chunk, len(spend) - i)))
    return EngineOutput.stack(outs)


def unit_model(target: Model | MultidimModel, d: int) -> tuple[Model | MultidimModel, np.ndarray]:
    """The engine's model of unit d alone (units renumbered: it takes spending (..., L, 1), the
    unit's column) and the indices of the unit's groups in the full model."""
    sub = target.take_units(np.array([d]))
    return sub, np.flatnonzero(core_model(target).g_unit == d)


def aggregates(problem, spend: np.ndarray, target=None, groups: np.ndarray | None = None) -> dict:
    """The problem's additive sums (`Problem.aggregate`) for spending (S, Y+1, L, D), chunk by
    chunk (so only the sums are kept); `target`/`groups` for a unit's model (`unit_model`)."""
    target = problem.target if target is None else target
    eng = engine(target.poverty_model)
    share = 1.0 if groups is None else len(groups) / max(len(core_model(problem.target).g_unit), 1)
    parts = []
    chunk = chunk_of(target)
    for i in range(0, len(spend), chunk):
        out = engine_run(eng, target, spend[i : i + chunk])
        told(problem.on_runs, share * engine_runs(target, len(spend[i : i + chunk])))
        parts.append(problem.aggregate(out, groups=groups))
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _batch(sp: np.ndarray, dirs: np.ndarray, ks: np.ndarray, deltas: np.ndarray) -> np.ndarray:
    """Spending (N, Y+1, L, D): `sp` with deltas[i] billion more spending along direction ks[i]."""
    batch = np.broadcast_to(sp, (len(ks),) + sp.shape).copy()
    batch[:, 1:] += deltas[:, None, None, None] * dirs[ks]
    return np.maximum(batch, 0.0, out=batch)


def direction_units(problem) -> np.ndarray:
    """(K,) the unit a direction spends in, -1 when it spans the scenario's district split."""
    K = problem.dirs.shape[0]
    unit = np.full(K, -1)
    unit[problem.var_dir] = problem.var_unit
    return unit


def perturbed(problem, x: np.ndarray, ks: np.ndarray, deltas: np.ndarray) -> tuple[dict, dict]:
    """The problem's sums at allocation x (each (1, ...)) and with deltas[i] billion VND more
    spending along direction ks[i] (each (N, ...)), N = len(ks). Changes of zero are the
    reference itself and are not run again."""
    ks, deltas = np.asarray(ks, int), np.asarray(deltas, float)
    moved = np.flatnonzero(np.abs(deltas) > 1e-12)
    base, changed = _perturbed(problem, x, ks[moved], deltas[moved])
    out = {k: np.repeat(v, len(ks), axis=0) for k, v in base.items()}
    for k, v in changed.items():
        out[k][moved] = v
    return base, out


def _perturbed(problem, x: np.ndarray, ks: np.ndarray, deltas: np.ndarray) -> tuple[dict, dict]:
    sp = problem.spend(x[None])[0]
    unit = direction_units(problem)[ks] if len(ks) else np.zeros(0, int)
    glob = np.flatnonzero(unit < 0)
    full = aggregates(problem, np.concatenate([sp[None], _batch(sp, problem.dirs, ks[glob], deltas[glob])]))
    base = {k: v[:1] for k, v in full.items()}
    out = {k: np.repeat(v, len(ks), axis=0) for k, v in base.items()}
    for k, v in full.items():
        out[k][glob] = v[1:]
    for d in np.unique(unit[unit >= 0]):
        idx = np.flatnonzero(unit == d)
        sub, g = problem.district_model(int(d))
        batch = np.concatenate([sp[None], _batch(sp, problem.dirs, ks[idx], deltas[idx])])[..., [d]]
        agg = aggregates(problem, batch, target=sub, groups=g)
        for k, v in agg.items():
            out[k][idx] = base[k] + (v[1:] - v[:1])
    problem.n_evals += 1 + len(glob) + len(ks) - len(glob)
    return base, out
