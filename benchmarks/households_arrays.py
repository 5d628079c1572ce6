"""Every output array of the household engines, dumped from one source tree and compared with
another's (issue 18: a faster deprivation household engine must give the same numbers, with the
same random numbers in the same order).

    PYTHONPATH=TREE python -m benchmarks.households_arrays dump OUT.npz
    python -m benchmarks.households_arrays compare BEFORE.npz AFTER.npz

`dump` saves, on `multidim_2030` scaled to 2·10⁴ and 10⁵ households:

- one deprivation step (`multidim_microsim.step`) for (year, seed) = (0, 6), (2, 8) with a
  standing stock and (1, 21): the next records, flows, removals, reached, eligible, production
  support, and the generator's next four raw outputs after the step;
- whole `simulate_multidim` runs (seed 7 at 2·10⁴, 11 at 10⁵) and one at 2·10⁴ with a Philox
  generator (the path without the pass's own normals), in the types their readers get
  (`deprivation_tables.reader_types`, from depout on: the run holds its tables narrower);

and the targeted microsimulation (`microsim.simulate`, `plan_2024`) at 2·10⁴ and 10⁵, seed 4.
About a minute. `compare` is `benchmarks.multidim_arrays`' (exit status 1 when any array
differs).
"""

from __future__ import annotations

import sys
from dataclasses import replace

import numpy as np

from benchmarks.households import _load, scaled
from benchmarks.multidim_arrays import compare, walk
from simlib.engines.microsim import simulate
from simlib.engines.multidim_microsim import simulate_multidim, step, synthesise_population
from simlib.engines.reach import acting_spend

SIZES = (2e4, 1e5)
STEPS = ((0, 6, False), (2, 8, True), (1, 21, False))


def _records(hh, name: str, out: dict) -> None:
    for f in ("group", "state", "income", "mask"):
        out[f"{name}.{f}"] = np.ascontiguousarray(getattr(hh, f))


def _steps(mm, tag: str, out: dict) -> None:
    """One step per (year, seed) of `STEPS` from the same synthesised records."""
    hh = synthesise_population(mm, np.random.default_rng(5))
    _records(hh, f"dep.{tag}.population", out)
    acting = acting_spend(mm.base, mm.base.spend)
    stock = None
    for y, seed, with_stock in STEPS:
        rng = np.random.default_rng(seed)
        res = step(mm, hh, y, acting[y], rng, stock if with_stock else None)
        name = f"dep.{tag}.step{y}_{seed}"
        _records(res.pop("households"), f"{name}.households", out)
        for k, v in res.items():
            out[f"{name}.{k}"] = np.ascontiguousarray(np.asarray(v))
        out[f"{name}.next_raw"] = rng.bit_generator.random_raw(4)
        stock = np.asarray(res["reached"]) * 2.5  # a standing stock for the next (year, seed) that takes one


def _as_read(out):
    """A run's output in the types its readers get (`deprivation_tables.reader_types`; a tree
    before depout returned them so)."""
    try:
        from simlib.engines.deprivation_tables import reader_types
    except ImportError:
        return out
    return reader_types(out)


def dump(path: str) -> None:
    """Run the engines (module docstring) and save every array."""
    res: dict = {}
    _, mm0 = _load("multidim_2030")
    for N, seed in zip(SIZES, (7, 11)):
        mm = replace(mm0, base=scaled(mm0.base, N))
        tag = f"{int(N)}"
        _steps(mm, tag, res)
        walk(_as_read(simulate_multidim(mm, mm.base.spend, np.random.default_rng(seed))), f"dep.{tag}.run", res)
        if N == SIZES[0]:
            philox = np.random.Generator(np.random.Philox(7))
            walk(_as_read(simulate_multidim(mm, mm.base.spend, philox)), f"dep.{tag}.philox", res)
            res[f"dep.{tag}.philox.next_raw"] = philox.bit_generator.random_raw(4)
    base, _ = _load("plan_2024")
    for N in SIZES:
        m = scaled(base, N)
        walk(simulate(m, m.spend, np.random.default_rng(4)), f"targeted.{int(N)}", res)
    np.savez(path, **res)
    print(len(res), "arrays ->", path)


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("dump", "compare"):
        sys.exit(__doc__)
    sys.exit(dump(sys.argv[2]) if sys.argv[1] == "dump" else compare(*sys.argv[2:4]))
