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
from concurrent.futures import as_completed
from dataclasses import fields

import numpy as np
from tqdm.auto import tqdm

from simlib.engines.common import ARRAYS, EngineOutput
from simlib.engines.registry import Engine
from simlib.executors import make_executor
from simlib.model import Model
from simlib.multidim.output import MultidimOutput


def unit_slice(model: Model, units: list[int] | np.ndarray) -> Model:
    """The model restricted to `units` (indices into model.unit_ids), groups renumbered."""
    return model.take_units(units)


def unit_seed(seed: int, unit_id: str, draw: int | None = None) -> np.random.SeedSequence:
    """The random stream of one unit (and draw): keyed by the unit's id, never by its chunk."""
    key = (zlib.crc32(unit_id.encode("utf-8")),) + (() if draw is None else (draw,))
    return np.random.SeedSequence(seed, spawn_key=key)


def run_unit(model: Model, spend: np.ndarray, engine: Engine, draws: int, seed: int) -> EngineOutput:
    """Run a one-unit model with that unit's own random streams (draw i: `unit_seed(seed, unit, i)`)."""
    (uid,) = model.unit_ids
    return engine.run(model, spend, draws=draws, seed=unit_seed(seed, uid))


def run_chunk(model: Model, spend: np.ndarray, engine: Engine, draws: int, seed: int) -> list[EngineOutput]:
    """Worker task: the units of a chunk one after another (only one unit's households are in
    memory at a time); one cell-level output per unit (joined once, in unit order, by the caller,
    so that sums over units are added in the same order whatever the chunking)."""
    return [run_unit(unit_slice(model, [d]), spend[..., [d]], engine, draws, seed) for d in range(len(model.unit_ids))]


def join_units(outs: list[EngineOutput], engine: str) -> EngineOutput:
    """Outputs of consecutive units -> one output (groups are unit-major, so groups concatenate)."""
    axis = {"states": 2, "flows": 2, "entries": 2, "reached": 3, "eligible": 3}
    cat = {f: np.concatenate([getattr(o, f) for o in outs], axis=ax) for f, ax in axis.items()}
    cat.update({f: sum(getattr(o, f) for o in outs) for f in ARRAYS if f not in axis})
    out = EngineOutput(engine, **cat)
    if outs[0].multidim is not None:  # groups: axis 2 of the review arrays, 3 of `removed`
        md = [o.multidim for o in outs]
        out.multidim = MultidimOutput(
            **{
                f.name: np.concatenate([getattr(m, f.name) for m in md], axis=3 if f.name == "removed" else 2)
                for f in fields(MultidimOutput)
            }
        )
    return out


def chunks(n_units: int, chunk: int) -> list[np.ndarray]:
    """Consecutive unit indices, `chunk` at a time."""
    chunk = max(1, int(chunk))
    return [np.arange(a, min(a + chunk, n_units)) for a in range(0, n_units, chunk)]


def run_chunked(model: Model, spend: np.ndarray, engine: Engine, options) -> EngineOutput:
    """Run `model` with spending `spend` (Y+1, L, D) chunk by chunk of `options.chunk` units
    through the executor of `options` (a `simlib.options.RunOptions`) and join the results."""
    draws, seed = engine.replications(options.draws), int(options.seed or 0)
    parts = chunks(len(model.unit_ids), options.chunk or 8)
    results: list[list[EngineOutput]] = [[] for _ in parts]
    jobs = min(options.jobs or len(parts), len(parts))
    with make_executor(options.executor, jobs=jobs, scheduler=options.scheduler) as ex:
        futs = {
            ex.submit(run_chunk, unit_slice(model, p), spend[..., p], engine, draws, seed): i
            for i, p in enumerate(parts)
        }
        for fut in tqdm(as_completed(futs), total=len(futs), desc="chunks", disable=not options.progress, leave=False):
            results[futs[fut]] = fut.result()
    return join_units([o for chunk_outs in results for o in chunk_outs], engine.name)
