"""National scale: run a many-unit model (63 provinces, ~27 million households) in chunks of
units through the executor seam (`simlib.executors.make_executor`: local processes, Dask, or
serial), with memory bounded by one unit's households, not by the country.

Why chunks of units are exact: after the budget has been split across units (done once, on the
whole model, by `compile_model`), nothing in a projected year couples two units — beneficiaries,
priority tiers, enabling boosts and transitions are all per unit. So a unit's numbers depend
only on its own slice of the model (`unit_slice`) and on its own random stream.

Random streams are keyed by unit, not by chunk: draw i of unit `u` uses
SeedSequence(seed, spawn_key=(crc32(u), i)) (all draws of `aggregate` use
SeedSequence(seed, spawn_key=(crc32(u),))). Any chunk size, executor or number of workers gives
identical numbers for the same seed.
"""

from __future__ import annotations

import zlib
from dataclasses import replace

import numpy as np

from simlib.engines.common import EngineOutput
from simlib.model import Model

#: per-unit fields of Model and the axis that indexes units (g: groups, d: units)
_GROUP_FIELDS = {
    "g_unit": 0,
    "g_eth": 0,
    "g_area": 0,
    "g_attr": 0,
    "n0": 0,
    "rates": 0,
    "eligible": 1,
    "tier": 1,
    "ps_population": 0,
}
_UNIT_FIELDS = {"poor_district": 0, "capacity_units": 1, "spend": 2, "split": 1}


def unit_slice(model: Model, units: list[int] | np.ndarray) -> Model:
    """The model restricted to `units` (indices into model.unit_ids), groups renumbered."""
    units = np.asarray(units, int)
    groups = np.flatnonzero(np.isin(model.g_unit, units))
    changes = {f: np.take(getattr(model, f), groups, axis=ax) for f, ax in _GROUP_FIELDS.items()}
    changes.update({f: np.take(getattr(model, f), units, axis=ax) for f, ax in _UNIT_FIELDS.items()})
    remap = np.full(len(model.unit_ids), -1)
    remap[units] = np.arange(len(units))
    changes["g_unit"] = remap[changes["g_unit"]]
    changes["unit_ids"] = tuple(model.unit_ids[u] for u in units)
    return replace(model, cache={}, **changes)


def unit_seed(seed: int, unit_id: str, draw: int | None = None) -> np.random.SeedSequence:
    """The random stream of one unit (and draw): keyed by the unit's id, never by its chunk."""
    key = (zlib.crc32(unit_id.encode("utf-8")),) + (() if draw is None else (draw,))
    return np.random.SeedSequence(seed, spawn_key=key)


def run_unit(model: Model, engine: str, draws: int, seed: int) -> EngineOutput:
    """Run a one-unit model with that unit's own random streams."""
    from simlib.engines import run_aggregate, run_expected
    from simlib.engines.kernel import concat_outputs, simulate_fast
    from simlib.engines.microsim import simulate

    (uid,) = model.unit_ids
    if engine == "expected":
        return run_expected(model)
    if engine == "aggregate":
        return run_aggregate(model, draws=draws, seed=unit_seed(seed, uid))
    sim = {"microsim-fast": simulate_fast, "microsim": simulate}[engine]
    return concat_outputs([sim(model, np.random.default_rng(unit_seed(seed, uid, i))) for i in range(draws)], engine)


def run_chunk(model: Model, engine: str, draws: int, seed: int) -> list[EngineOutput]:
    """Worker task: the units of a chunk one after another (only one unit's households are in
    memory at a time); one cell-level output per unit (joined once, in unit order, by the caller,
    so that sums over units are added in the same order whatever the chunking)."""
    return [run_unit(unit_slice(model, [d]), engine, draws, seed) for d in range(len(model.unit_ids))]


def join_units(outs: list[EngineOutput], engine: str) -> EngineOutput:
    """Outputs of consecutive units -> one output (groups are unit-major, so groups concatenate)."""
    cat = {f: np.concatenate([getattr(o, f) for o in outs], axis=2) for f in ("states", "flows", "entries")}
    cat.update({f: np.concatenate([getattr(o, f) for o in outs], axis=3) for f in ("reached", "eligible")})
    cat.update({f: sum(getattr(o, f) for o in outs) for f in ("ps_supported", "ps_wanting")})
    return EngineOutput(engine, **cat)


def chunks(n_units: int, chunk: int) -> list[np.ndarray]:
    """Consecutive unit indices, `chunk` at a time."""
    chunk = max(1, int(chunk))
    return [np.arange(a, min(a + chunk, n_units)) for a in range(0, n_units, chunk)]


def run_chunked(
    model: Model,
    engine: str,
    draws: int = 1,
    seed: int = 0,
    chunk: int = 8,
    executor: str = "local",
    jobs: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
) -> EngineOutput:
    """Run `model` chunk by chunk of units through the executor and join the results."""
    from tqdm.auto import tqdm

    from simlib.executors import make_executor

    if engine == "expected":
        draws = 1
    parts = chunks(len(model.unit_ids), chunk)
    results: list[list[EngineOutput]] = [[] for _ in parts]
    with make_executor(executor, jobs=min(jobs or len(parts), len(parts)), scheduler=scheduler) as ex:
        futs = {ex.submit(run_chunk, unit_slice(model, p), engine, draws, seed): i for i, p in enumerate(parts)}
        from concurrent.futures import as_completed

        for fut in tqdm(as_completed(futs), total=len(futs), desc="chunks", disable=not progress, leave=False):
            results[futs[fut]] = fut.result()
    return join_units([o for chunk_outs in results for o in chunk_outs], engine)
