"""`python -m benchmarks.reports [--ref-commit SHA]`: wall time of `make reports` (every bundled
scenario, 100 parameter draws, 2 workers), its CPU seconds and the machine's load average; with
`--ref-commit`, the same batch at that commit (a git worktree in a temporary folder, using this
environment's interpreter with `SIMLIB_HOME` pointing there) timed in the same run, before the
current one. With `--stages`, also the CPU seconds of every stage of the same batch run serially in
one process (`benchmarks.report_stages`).

Issue 18's target: `make reports` within 60 s on 2 cores. CPU seconds / 2 is what the batch needs
on an otherwise idle 2-core machine; on a shared machine the wall time grows with the load, which is
recorded beside it. Writes `benchmarks/reports_results.json` (committed) and merges its figures
into `benchmarks/results.json` (the local record of `make bench`) under `reports_*` keys.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "reports_results.json"
RESULTS = Path(__file__).resolve().parent / "results.json"
TARGET_S = 60.0
DRAWS = 100
JOBS = 2


def timed_batch(home: Path, out: Path) -> dict:
    """Run the batch of `home`'s scenarios into `out`; wall and CPU seconds, load averages."""
    cmd = [sys.executable, "-m", "simlib", "batch", str(home / "params/scenarios"), "--out", str(out)]
    cmd += ["--jobs", str(JOBS), "--lang", "vi", "--uncertainty", str(DRAWS)]
    cmd += ["--uncertainty-multidim", "0"]  # as make reports: no draws of multidimensional scenarios
    env = dict(os.environ, SIMLIB_HOME=str(home), PYTHONPATH=str(home))
    load0 = os.getloadavg()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=home, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return {
        "ok": proc.returncode == 0,
        "error": proc.stderr.strip().splitlines()[-1][:300] if proc.returncode and proc.stderr.strip() else "",
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "idle_2core_estimate_s": round(cpu / JOBS, 1),
        "load_average_start": [round(x, 2) for x in load0],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
    }


def stage_cpu(out: Path) -> dict:
    """CPU seconds per stage of the batch run serially in one process (`benchmarks.report_stages`)."""
    env = dict(os.environ, SIMLIB_HOME=str(ROOT), PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "benchmarks.report_stages", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode:
        return {"ok": False, "error": proc.stderr.strip().splitlines()[-1][:300] if proc.stderr.strip() else ""}
    return json.loads(proc.stdout[proc.stdout.index("{") :])


def at_commit(commit: str, out: Path) -> dict:
    """`timed_batch` of the project at `commit` (a temporary git worktree)."""
    with tempfile.TemporaryDirectory(prefix="simlib-bench-ref-") as tmp:
        wt = Path(tmp) / "ref"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(wt), commit], check=True)
        try:
            return {"commit": commit, **timed_batch(wt, out)}
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(wt)], check=False)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref-commit", help="also time the batch at this commit (the previous configuration)")
    ap.add_argument("--stages", action="store_true", help="also CPU seconds per stage (the batch run serially)")
    args = ap.parse_args(argv)
    res = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}}
    res["settings"] = {"scenarios": "params/scenarios (all)", "draws": DRAWS, "jobs": JOBS, "lang": "vi"}
    with tempfile.TemporaryDirectory(prefix="simlib-bench-reports-") as tmp:
        if args.ref_commit:
            res["previous"] = at_commit(args.ref_commit, Path(tmp) / "ref")
        res["current"] = timed_batch(ROOT, Path(tmp) / "current")
        if args.stages:
            res["stages_serial"] = {"load_average_start": [round(x, 2) for x in os.getloadavg()]}
            res["stages_serial"].update(stage_cpu(Path(tmp) / "stages"))
    cur = res["current"]
    res["target_s"] = TARGET_S
    res["target_met_wall"] = bool(cur["ok"] and cur["wall_s"] <= TARGET_S)
    res["target_met_idle_estimate"] = bool(cur["ok"] and cur["idle_2core_estimate_s"] <= TARGET_S)
    OUT.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    merged = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.is_file() else {}
    merged.update(
        reports_make_reports_wall_s=cur["wall_s"],
        reports_make_reports_cpu_s=cur["cpu_s"],
        reports_make_reports_target_s=TARGET_S,
        reports_make_reports_met=res["target_met_wall"],
        reports_load_average=cur["load_average_start"],
    )
    RESULTS.write_text(json.dumps(merged, indent=2), encoding="utf-8")
    print(json.dumps(res, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
