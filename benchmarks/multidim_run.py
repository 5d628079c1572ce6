"""`python -m benchmarks --only plan_2027_run`: the whole run of `plan_2027` (the multidimensional
engine on 56 communes, dated 2024-2027: the plan, its no-money counterfactual and the twin run
under the previous standard, then the tables and targets; nothing written to disk), in a fresh
process after one untimed run that loads the compiled kernels. With `SIMLIB_BENCH_BEFORE` set to
another source tree (e.g. a worktree of an earlier commit) the same run of that tree is timed in
the same session, as the "before" figure; `engine_before` times that tree's multidimensional
expected engine on `multidim_2030` the same way for `--only multidim`, and `engine_side_by_side`
times both trees' engines alternating, on `multidim_2030` and `plan_2027` (paired figures).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "params" / "scenarios" / "plan_2027.yaml"

_TIMED = """
import json, sys, time
from simlib.runner import run
from simlib.scenario import load_scenario
run(load_scenario(sys.argv[1]))
c, w = time.process_time(), time.perf_counter()
run(load_scenario(sys.argv[1]))
print(json.dumps({"cpu": time.process_time() - c, "wall": time.perf_counter() - w}))
"""


_ENGINE = """
import json, sys, time
import numpy as np
from simlib.engines.multidim_expected import run_multidim_expected
from simlib.runner import compile_run_model
from simlib.scenario import load_scenario
_, mm = compile_run_model(load_scenario(sys.argv[1]))
spend, Y = mm.base.spend, len(mm.base.years)
run_multidim_expected(mm, spend)
cpu, wall = [], []
for _ in range(int(sys.argv[2])):
    c, w = time.process_time(), time.perf_counter()
    run_multidim_expected(mm, spend)
    cpu.append(time.process_time() - c)
    wall.append(time.perf_counter() - w)
print(json.dumps({"cpu": float(np.median(cpu)) / Y * 1e3, "wall": float(np.median(wall)) / Y * 1e3}))
"""


def engine_before(res: dict, repeats: int) -> None:
    """With `SIMLIB_BENCH_BEFORE` naming another source tree: the median CPU and wall ms per
    scenario-year of that tree's multidimensional expected engine on `multidim_2030` (one
    scenario, in a fresh process after one untimed run), as the "before" figures."""
    before = os.environ.get("SIMLIB_BENCH_BEFORE")
    if not before:
        return
    tree = Path(before)
    scen = ROOT / "params" / "scenarios" / "multidim_2030.yaml"
    env = dict(os.environ, PYTHONPATH=str(tree))
    cmd = [sys.executable, "-c", _ENGINE, str(scen), str(repeats)]
    done = subprocess.run(cmd, env=env, cwd=tree, capture_output=True, text=True, check=True)
    got = json.loads(done.stdout.strip().splitlines()[-1])
    res["multidim_expected_before_ms_per_scenario_year_cpu"] = got["cpu"]
    res["multidim_expected_before_ms_per_scenario_year"] = got["wall"]
    res["multidim_expected_before_commit"] = _commit(tree)


def _engine(tree: Path, scenario: str, repeats: int) -> dict:
    """Median CPU and wall ms per scenario-year of `tree`'s multidimensional expected engine on
    `scenario` (a file of params/scenarios), in a fresh process after one untimed run."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    cmd = [sys.executable, "-c", _ENGINE, str(tree / "params" / "scenarios" / scenario), str(repeats)]
    done = subprocess.run(cmd, env=env, cwd=tree, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def engine_side_by_side(res: dict, repeats: int, rounds: int = 2) -> None:
    """With `SIMLIB_BENCH_BEFORE`: the engine of that tree and of this one on `multidim_2030` and
    `plan_2027`, alternating (before, after, after, before, ...) in fresh processes, `rounds`
    each; the medians of the rounds' CPU and wall ms per scenario-year under
    `multidim_expected_side_by_side`, with the load average at the start and the end."""
    before = os.environ.get("SIMLIB_BENCH_BEFORE")
    if not before:
        return
    trees = {"before": Path(before), "after": ROOT}
    out: dict = {"before_commit": _commit(Path(before)), "after_commit": _commit(ROOT), "load_start": os.getloadavg()}
    for scen in ("multidim_2030.yaml", "plan_2027.yaml"):
        got: dict = {"before": [], "after": []}
        for r in range(rounds):
            for name in ("before", "after") if r % 2 == 0 else ("after", "before"):
                got[name].append(_engine(trees[name], scen, repeats))
        row = {}
        for name, v in got.items():
            row[f"{name}_cpu_ms"] = float(np.median([x["cpu"] for x in v]))
            row[f"{name}_wall_ms"] = float(np.median([x["wall"] for x in v]))
        row["speedup_cpu"] = row["before_cpu_ms"] / row["after_cpu_ms"]
        out[scen.removesuffix(".yaml")] = row
    out["load_end"] = os.getloadavg()
    res["multidim_expected_side_by_side"] = out


def _time_run(tree: Path) -> dict:
    """CPU and wall seconds of one `simlib.runner.run` of plan_2027 with the code of `tree`."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run(
        [sys.executable, "-c", _TIMED, str(SCENARIO)], env=env, cwd=tree, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _commit(tree: Path) -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tree, capture_output=True, text=True)
    return done.stdout.strip()


def bench_plan_2027_run(res: dict, quick: bool) -> None:
    """plan_2027 whole run: CPU seconds (all threads) and wall seconds, with the load average
    before and after; the "before" tree's figures too when `SIMLIB_BENCH_BEFORE` names one."""
    res["plan_2027_run_load_average_before"] = list(os.getloadavg())
    after = _time_run(ROOT)
    res["plan_2027_whole_run_s_cpu"], res["plan_2027_whole_run_s"] = after["cpu"], after["wall"]
    before = os.environ.get("SIMLIB_BENCH_BEFORE")
    if before:
        was = _time_run(Path(before))
        res["plan_2027_whole_run_before_s_cpu"], res["plan_2027_whole_run_before_s"] = was["cpu"], was["wall"]
        res["plan_2027_whole_run_before_commit"] = _commit(Path(before))
    res["plan_2027_run_load_average_after"] = list(os.getloadavg())
