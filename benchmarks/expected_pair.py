"""`python -m benchmarks --only expected_pair` with `SIMLIB_BENCH_BEFORE` naming another source
tree: issue 8's figures measured in both trees alternating, in fresh processes (before, after,
after, before, ...), CPU time (`time.process_time`) and wall time, with the load average at the
start and the end — paired figures for a shared machine. Recorded under
`expected_side_by_side_expregress`: the expected engine per plan_2024 scenario, the sweep of 1000
spending arrays without flows, the aggregate path's draws, the state kernel per household-year
at 10^5 and 10^6 households, the naive Python loop of `benchmarks.__main__` (the same rule and
uniforms, 10^5 households) and the fast microsimulation's peak bytes per household at 10^6.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

#: the expected engine's two figures (issue 8): per plan_2024 scenario, and the sweep of 1000
#: spending arrays without flows; a worker prints what it put in `out` as one JSON line
EXPECTED_WORKER = """
import json, sys, time, tracemalloc
from dataclasses import replace
import numpy as np
from simlib.engines import run_aggregate, run_expected
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
out = {}
c, w = timed(lambda: run_expected(m, m.spend), 15, 50)
out["expected_us_per_scenario"] = {"cpu": c * 1e6, "wall": w * 1e6}
sp = m.spend[None] * np.random.default_rng(0).uniform(0, 2, (1000, 1, m.spend.shape[1], 1))
c, w = timed(lambda: run_expected(m, sp, keep_flows=False), 7)
out["expected_sweep_scenarios_per_s"] = {"cpu": 1000 / c, "wall": 1000 / w}
"""
#: the other figures of the module docstring, after `EXPECTED_WORKER`
OTHER_FIGURES = """
from simlib.engines.expected import YearStep
from simlib.engines.kernel import simulate_fast, step_households, synthesise
from simlib.engines.reach import acting_money

def scaled(m, households):
    return replace(m, structure=replace(m.structure, n0=np.round(m.n0 * households / m.n0.sum())))

c, w = timed(lambda: run_aggregate(m, m.spend, draws=500, seed=1), 3)
out["aggregate_draws_per_s"] = {"cpu": 500 / c, "wall": 500 / w}
for N in (1e5, 1e6):
    s = scaled(m, N)
    n_hh = int(s.n0.sum())
    P = YearStep(s, 1, s.effects[None])(s.n0[None].astype(float), acting_money(s, s.spend[None])[:, 0], 0).P[0]
    hh, rng = synthesise(s), np.random.default_rng(1)
    c, w = timed(lambda: step_households(hh, P, rng), 7)
    out[f"microsim_fast_state_step_ns_per_household_year_1e{int(np.log10(N))}"] = {"cpu": c / n_hh * 1e9, "wall": w / n_hh * 1e9}
from benchmarks.__main__ import naive_state_step
from simlib.engines.kernel import DEST, thresholds, uniforms
s5 = scaled(m, 1e5)
P = YearStep(s5, 1, s5.effects[None])(s5.n0[None].astype(float), acting_money(s5, s5.spend[None])[:, 0], 0).P[0]
hh = synthesise(s5)
t1, t2 = thresholds(P)
u = uniforms(np.random.default_rng(0), hh.size).tolist()
group, state = hh.group[: hh.size].tolist(), hh.state[: hh.size].tolist()
c, w = time.process_time(), time.perf_counter()
naive_state_step(group, state, u, t1.tolist(), t2.tolist(), DEST.ravel().tolist(), [0] * (len(t1) * 3))
out["naive_python_ns_per_household_year"] = {"cpu": (time.process_time() - c) / hh.size * 1e9, "wall": (time.perf_counter() - w) / hh.size * 1e9}
simulate_fast(s, s.spend, np.random.default_rng(2))
tracemalloc.start()
simulate_fast(s, s.spend, np.random.default_rng(3))
out["microsim_fast_peak_bytes_per_household_1e6"] = tracemalloc.get_traced_memory()[1] / n_hh
tracemalloc.stop()
"""
PRINT = "\nprint(json.dumps(out))\n"


def measure(tree: Path, worker: str = EXPECTED_WORKER + OTHER_FIGURES) -> dict:
    """The figures `worker` computes with the code of `tree`, in a fresh process."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    scen = tree / "params" / "scenarios" / "plan_2024.yaml"
    done = subprocess.run(
        [sys.executable, "-c", worker + PRINT, str(scen)], env=env, cwd=tree, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def commit(tree: Path) -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tree, capture_output=True, text=True)
    return done.stdout.strip()


def _summary(runs: list[dict]) -> dict:
    """Median over rounds of each figure (CPU and wall, or a single number)."""
    row: dict = {}
    for key, v in runs[0].items():
        if isinstance(v, dict):
            row[key] = {k: float(np.median([r[key][k] for r in runs])) for k in v}
        else:
            row[key] = float(np.median([r[key] for r in runs]))
    return row


def paired(before: Path, rounds: int, worker: str = EXPECTED_WORKER + OTHER_FIGURES) -> dict:
    """The figures of `worker` in the tree `before` and in this one, `rounds` times each,
    alternating (before, after, after, before, ...); medians over rounds and each round's."""
    trees = {"before": before, "after": ROOT}
    out: dict = {"before_commit": commit(before), "after_commit": commit(ROOT), "load_start": list(os.getloadavg())}
    got: dict = {"before": [], "after": []}
    for r in range(rounds):
        for name in ("before", "after") if r % 2 == 0 else ("after", "before"):
            got[name].append(measure(trees[name], worker))
    out["load_end"] = list(os.getloadavg())
    out["before"], out["after"] = _summary(got["before"]), _summary(got["after"])
    out["rounds"] = got
    return out


def bench_expected_pair(res: dict, quick: bool, rounds: int = 4) -> None:
    """See the module docstring; nothing without `SIMLIB_BENCH_BEFORE`."""
    before = os.environ.get("SIMLIB_BENCH_BEFORE")
    if before:
        res["expected_side_by_side_expregress"] = paired(Path(before), 2 if quick else rounds)
