"""`simlib optimize` on the bundled 2024 plan (issue 15): wall-clock time of the certified
optimum alone (in process, objective `poor`, no frontier), of the whole command without the
report notebook (default frontier of 7 envelope scales), and with it; plus the certificate's
figures (gap, model error, evaluations). Run: `python -m benchmarks.optimize [--quick]`; the
figures are written to `benchmarks/optimize_results.json` (with the machine's load average at
the start: on a shared machine the figures move with it). The target is seconds to a minute on
2 cores for the command."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "optimize_results.json"
PLAN = ROOT / "params" / "scenarios" / "plan_2024.yaml"


def bench_optimize(res: dict, quick: bool) -> None:
    from simlib.allocate.optimize import optimize
    from simlib.scenario import load_scenario

    plan = load_scenario(PLAN)
    t0 = time.perf_counter()
    out = optimize(plan, objective="poor", frontier=[])
    res["optimize_plan_2024_s"] = time.perf_counter() - t0
    cert = out.certificate
    res["optimize_gap"] = cert.gap
    res["optimize_model_error"] = cert.approx_error
    res["optimize_method"] = cert.method
    res["optimize_engine_evaluations"] = cert.evaluations
    res["optimize_breakpoints"] = cert.breakpoints
    runs = [("cli_optimize_plan_2024_no_report_s", ["--no-report"])]
    if not quick:
        runs.append(("cli_optimize_plan_2024_with_report_s", []))
    for key, extra in runs:
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [sys.executable, "-m", "simlib", "optimize", str(PLAN), "--out", str(Path(tmp) / "o"), *extra]
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            res[key] = time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="skip the run with the report notebook")
    args = ap.parse_args()
    res = {"machine": platform.platform(), "python": platform.python_version(), "load_average_1min": os.getloadavg()[0]}
    bench_optimize(res, args.quick)
    RESULTS.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
