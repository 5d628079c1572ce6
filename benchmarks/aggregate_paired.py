"""Paired CPU timing of the aggregate path (engine `aggregate`) in two checkouts, alternating.

    python benchmarks/aggregate_paired.py BEFORE_DIR AFTER_DIR [--rounds 3] [--draws 500]

Each round runs, in a fresh process per checkout (that checkout's `simlib` imported) and in turn,
`run_aggregate` on the bundled plan_2024 scenario with `--draws` draws and seed 1: one call to warm
up, then `--calls` timed calls, CPU seconds (`time.process_time`) per call. Prints each round, the
medians, draws per CPU second, the ratio, and the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

CHILD = """
import json, sys, time
from pathlib import Path
from simlib.engines import run_aggregate
from simlib.model import compile_model
from simlib.scenario import load_scenario
m = compile_model(load_scenario(Path("params/scenarios/plan_2024.yaml")))
draws, calls = int(sys.argv[1]), int(sys.argv[2])
run_aggregate(m, m.spend, draws=draws, seed=1)
t = time.process_time()
for _ in range(calls):
    run_aggregate(m, m.spend, draws=draws, seed=1)
print(json.dumps((time.process_time() - t) / calls))
"""


def timed(folder: Path, draws: int, calls: int) -> float:
    env = dict(os.environ, PYTHONPATH=str(folder))
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(draws), str(calls)],
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return float(json.loads(done.stdout.strip().splitlines()[-1]))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--draws", type=int, default=500)
    ap.add_argument("--calls", type=int, default=3)
    a = ap.parse_args(argv)
    print(f"load average before: {os.getloadavg()}")
    times: dict[str, list[float]] = {"before": [], "after": []}
    for r in range(a.rounds):
        order = ("before", "after") if r % 2 == 0 else ("after", "before")
        for name in order:
            times[name].append(timed(getattr(a, name).resolve(), a.draws, a.calls))
        print(f"round {r + 1}: before {times['before'][-1]:.3f} s, after {times['after'][-1]:.3f} s CPU per call")
    med = {k: float(np.median(v)) for k, v in times.items()}
    for k, v in med.items():
        print(f"{k}: median {v:.3f} s CPU per {a.draws} draws = {a.draws / v:.0f} draws per CPU second")
    print(f"after / before speed: {med['before'] / med['after']:.2f}x")
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
