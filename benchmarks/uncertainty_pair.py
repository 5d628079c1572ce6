"""`python -m benchmarks.uncertainty_pair REF_TREE [--pairs 3] [SCENARIO ...]`: CPU seconds of the
uncertainty side of `make reports` — each scenario's 100 parameter draws (`report.context.run_draws`,
as the scenario report runs them) and its uncertainty page's Sobol design (32 base points, groupings
kind and project, as `uncertainty_page.sensitivity` runs them) — for the code of another worktree
(REF_TREE, e.g. main) and of this one, alternating in the same command, pair after pair.

Each side runs in a fresh process (`--one`) importing its own tree's simlib (`PYTHONPATH`); CPU is
that process's `time.process_time` around each stage only (not imports, loading or the central run).
Default scenarios: the states-model ones whose reports have draws and a Sobol design. Prints one
JSON object: the load average at the start and end, and per pair and side the seconds per stage.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("equal_split", "infrastructure_first", "livelihoods_first", "no_programme", "plan_2024")
SCENARIOS += ("plan_2024_estimated",)
DRAWS, POINTS = 100, 32


def one(names) -> dict:
    """CPU seconds of the draws and the Sobol design of each scenario, in this process."""
    from simlib.options import RunOptions
    from simlib.paths import scenarios_dir
    from simlib.report.context import run_draws
    from simlib.runner import run
    from simlib.scenario import load_scenario
    from simlib.uncertainty.sensitivity import sensitivity_analysis

    out = {}
    for name in names:
        scen = load_scenario(scenarios_dir() / f"{name}.yaml")
        options = RunOptions(engine="expected", draws=1, executor="serial")
        res = run(scen, options.in_worker())
        t0 = time.process_time()
        run_draws(res, DRAWS, sampler="lhs", options=options)
        t1 = time.process_time()
        sensitivity_analysis(scen, n=POINTS, groupings=("kind", "project"), options=RunOptions(executor="serial"))
        t2 = time.process_time()
        out[name] = {"draws": round(t1 - t0, 3), "sobol": round(t2 - t1, 3)}
    return out


def side(tree: Path, names) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree), SIMLIB_HOME=str(tree), PYTHONWARNINGS="ignore")
    cmd = [sys.executable, str(Path(__file__).resolve()), "--one", *names]
    res = subprocess.run(cmd, env=env, cwd=tree, capture_output=True, text=True, check=True)
    per = json.loads(res.stdout.strip().splitlines()[-1])
    total = {k: round(sum(v[k] for v in per.values()), 2) for k in ("draws", "sobol")}
    return {"total": total, "scenarios": per}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("ref", nargs="?")
    ap.add_argument("scenarios", nargs="*")
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--one", action="store_true", help="measure this process's tree (internal)")
    a = ap.parse_args(argv)
    if a.one:
        names = [n for n in (a.ref, *a.scenarios) if n]
        print(json.dumps(one(names or SCENARIOS)))
        return 0
    names = list(a.scenarios) or list(SCENARIOS)
    report = {"load_start": os.getloadavg(), "ref": str(a.ref), "new": str(ROOT), "pairs": []}
    for _ in range(a.pairs):
        report["pairs"].append({"ref": side(Path(a.ref), names), "new": side(ROOT, names)})
        print(json.dumps(report["pairs"][-1]["ref"]["total"]), json.dumps(report["pairs"][-1]["new"]["total"]))
    report["load_end"] = os.getloadavg()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
