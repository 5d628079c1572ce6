"""`python -m benchmarks.expected_jit_pair BEFORE_TREE [ROUNDS]`: issue 8's two expected-engine
figures of the code in BEFORE_TREE and of this tree, alternating in fresh processes (before,
after, after, before, ...): the compiled engine per plan_2024 scenario (µs, median of 15 × 50
calls) and the sweep of 1000 spending arrays without flows (scenarios/s, median of 7), CPU time
(`time.process_time`) and wall time, with the load average at the start and the end. A lighter
companion of `benchmarks.expected_pair` (which also times the aggregate and household engines);
prints one JSON object.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

WORKER = """
import json, sys, time
import numpy as np
from simlib.engines import run_expected
from simlib.model import compile_model
from simlib.scenario import load_scenario

def timed(fn, repeats, number=1):
    fn()
    cpu, wall = [], []
    for _ in range(repeats):
        c, w = time.process_time(), time.perf_counter()
        for _ in range(number):
            fn()
        cpu.append((time.process_time() - c) / number)
        wall.append((time.perf_counter() - w) / number)
    return float(np.median(cpu)), float(np.median(wall))

m = compile_model(load_scenario(sys.argv[1]))
c, w = timed(lambda: run_expected(m, m.spend), 15, 50)
out = {"expected_us_per_scenario": {"cpu": c * 1e6, "wall": w * 1e6}}
sp = m.spend[None] * np.random.default_rng(0).uniform(0, 2, (1000, 1, m.spend.shape[1], 1))
c, w = timed(lambda: run_expected(m, sp, keep_flows=False), 7)
out["expected_sweep_scenarios_per_s"] = {"cpu": 1000 / c, "wall": 1000 / w}
print(json.dumps(out))
"""


def measure(tree: Path) -> dict:
    """The two figures with the code of `tree`, in a fresh process."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    scen = tree / "params" / "scenarios" / "plan_2024.yaml"
    done = subprocess.run([sys.executable, "-c", WORKER, str(scen)], env=env, cwd=tree, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def commit(tree: Path) -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tree, capture_output=True, text=True)
    return done.stdout.strip()


def paired(before: Path, rounds: int = 3) -> dict:
    """Both trees `rounds` times each, alternating; medians over rounds and each round's figures."""
    trees = {"before": before, "after": ROOT}
    out: dict = {"before_commit": commit(before), "after_commit": commit(ROOT), "load_start": list(os.getloadavg())}
    got: dict = {"before": [], "after": []}
    for r in range(rounds):
        for name in ("before", "after") if r % 2 == 0 else ("after", "before"):
            got[name].append(measure(trees[name]))
    out["load_end"] = list(os.getloadavg())
    for name, runs in got.items():
        out[name] = {k: {t: float(np.median([x[k][t] for x in runs])) for t in ("cpu", "wall")} for k in runs[0]}
    out["rounds"] = got
    return out


if __name__ == "__main__":
    print(json.dumps(paired(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 3), indent=1))
