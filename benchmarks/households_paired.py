"""The deprivation household engine of two source trees, measured in turns (issue 18).

    python -m benchmarks.households_paired OLD_TREE NEW_TREE [--rounds 3]

runs, `rounds` times, one process on OLD_TREE then one on NEW_TREE (each imports its own simlib
and benchmarks through PYTHONPATH) and prints, for each figure, the best and the median of the
rounds for both trees, with the load average at the start and the end. A process measures, in CPU
time (`time.process_time`), on multidim_2030 scaled to 10^5 and 10^6 households: one year's step
(`benchmarks.households`' step, its generator made before the timing, and its phases "reach",
"normals" and "pass"), a whole run per household-year, and the peak traced bytes of a whole run
per household (`simulate_multidim`; at 10^5 also one draw of `run_multidim_microsim`, whose
output has the readers' types).

    python -m benchmarks.households_paired --one

is what each process runs (prints one JSON object).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import replace

import numpy as np


def _cpu_median(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        c0 = time.process_time()
        fn()
        times.append(time.process_time() - c0)
    return float(np.median(times))


def measure_one() -> dict:
    """This tree's figures (ns per household-year, CPU; bytes per household)."""
    from benchmarks.households import _load, generators, peak_bytes, profile_deprivation_step, scaled
    from simlib.engines.multidim_microsim import run_multidim_microsim, simulate_multidim, step, synthesise_population
    from simlib.engines.reach import acting_spend

    _, mm0 = _load("multidim_2030")
    res: dict = {}
    for N, tag, reps in ((1e5, "1e5", 7), (1e6, "1e6", 3)):
        mm = replace(mm0, base=scaled(mm0.base, N))
        n, Y = float(mm.base.n0.sum()), len(mm.base.years)
        hh = synthesise_population(mm, np.random.default_rng(5))
        sp0 = acting_spend(mm.base, mm.base.spend)[0]
        rngs = generators(6, reps)  # made before the timing, as `benchmarks.households` does
        t = _cpu_median(lambda: step(mm, hh, 0, sp0, next(rngs)), reps)
        res[f"step_{tag}"] = t / n * 1e9
        parts: dict = {}
        profile_deprivation_step(parts, mm, hh, sp0, tag)
        for phase in ("reach", "normals", "pass"):
            res[f"{phase}_{tag}"] = parts[f"microsim_deprivation_step_{phase}_ns_{tag}_cpu"]
        t = _cpu_median(lambda: simulate_multidim(mm, mm.base.spend, np.random.default_rng(7)), 3 if N < 1e6 else 1)
        res[f"full_{tag}"] = t / (n * Y) * 1e9
        res[f"peak_bytes_{tag}"] = (
            peak_bytes(lambda: simulate_multidim(mm, mm.base.spend, np.random.default_rng(8))) / n
        )
        if N < 1e6:  # the readers' path: one draw through the registry's runner, the readers' types
            res["peak_bytes_runner_1e5"] = peak_bytes(lambda: run_multidim_microsim(mm, mm.base.spend, 1, 8)) / n
    return {k: round(v, 1) for k, v in res.items()}


def _run(tree: str) -> dict:
    env = dict(os.environ, PYTHONPATH=tree)
    out = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--one"],  # this file, the tree's own simlib
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def side_by_side(old: str, new: str, rounds: int) -> dict:
    """Old then new, `rounds` times; best (lowest) and median of each figure, [old, new]."""
    load0 = [round(v, 2) for v in os.getloadavg()]
    start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    runs = {"old": [], "new": []}
    for _ in range(rounds):
        runs["old"].append(_run(old))
        runs["new"].append(_run(new))
    keys = list(runs["old"][0])
    best = {k: [min(r[k] for r in runs[w]) for w in ("old", "new")] for k in keys}
    median = {k: [round(float(np.median([r[k] for r in runs[w]])), 1) for w in ("old", "new")] for k in keys}
    return {
        "start": start,
        "end": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load_average_start": load0,
        "load_average_end": [round(v, 2) for v in os.getloadavg()],
        "rounds": rounds,
        "best": best,
        "median": median,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trees", nargs="*", help="OLD_TREE NEW_TREE")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--one", action="store_true", help="measure this tree once (JSON)")
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(measure_one()))
        return 0
    if len(args.trees) != 2:
        ap.error("give OLD_TREE and NEW_TREE")
    print(json.dumps(side_by_side(args.trees[0], args.trees[1], args.rounds), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
