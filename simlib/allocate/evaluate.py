"""The true engine behind the optimiser: batches of allocations and of one-direction changes.

The optimiser evaluates the expected engine, chosen through the registry (`simlib.engines`),
over a leading axis of spending arrays (the engine declares such sweeps). Batches are cut into
chunks so that memory stays bounded (an engine output holds the year's flows per scenario).

`perturbed` evaluates many changes along single spending directions around one reference
allocation. A direction that spends in one unit only changes that unit's households (units do
not interact within a projected year), so such changes run on the model of that unit's groups
and update the full run's sums: exact, and about D times cheaper.
"""

from __future__ import annotations

import numpy as np

from simlib.engines.common import EngineOutput
from simlib.engines.registry import select

#: spending arrays per engine call: bounds the memory of an engine output
CHUNK = 256


def engine():
    """The expected engine (the optimiser's), from the registry; it sweeps spending arrays."""
    eng = select("expected", "states")
    if "states" not in eng.sweeps:  # pragma: no cover - a registry change
        raise RuntimeError("the expected engine no longer evaluates batches of spending")
    return eng


def run_batch(model, spend: np.ndarray) -> EngineOutput:
    """The expected engine on spending (S, Y+1, L, D) VND, in chunks; one stacked output."""
    spend = np.asarray(spend, float)
    if spend.ndim == 3:
        spend = spend[None]
    eng = engine()
    if len(spend) <= CHUNK:
        return eng.run(model, spend)
    outs = [eng.run(model, spend[i : i + CHUNK]) for i in range(0, len(spend), CHUNK)]
    return EngineOutput.stack(outs)


def aggregates(problem, spend: np.ndarray, model=None, groups: np.ndarray | None = None) -> dict:
    """The problem's additive sums (`Problem.aggregate`) for spending (S, Y+1, L, D), chunk by
    chunk (so only the sums are kept); `model`/`groups` for a unit's sub-model."""
    model = problem.model if model is None else model
    parts = []
    for i in range(0, len(spend), CHUNK):
        out = engine().run(model, spend[i : i + CHUNK])
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
    spending along direction ks[i] (each (N, ...)), N = len(ks)."""
    ks, deltas = np.asarray(ks, int), np.asarray(deltas, float)
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
        batch = np.concatenate([sp[None], _batch(sp, problem.dirs, ks[idx], deltas[idx])])
        agg = aggregates(problem, batch, model=sub, groups=g)
        for k, v in agg.items():
            out[k][idx] = base[k] + (v[1:] - v[:1])
    problem.n_evals += 1 + len(glob) + len(ks) - len(glob)
    return base, out
