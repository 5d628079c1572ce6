"""`python -m benchmarks.report_stages OUT`: where `make reports` spends its CPU, stage by stage.

Runs the batch of every bundled scenario (100 draws, Vietnamese) serially in this one process, with
each stage's function wrapped by a CPU-time counter (`time.process_time`: this process's CPU, all
its threads — the multidimensional engine's included — not the wall clock, so the figures hold on a
shared machine). Stages are inclusive (a page's notebook contains its sections), and a function that
calls itself is counted once. Prints one JSON object: total CPU, then seconds and calls per stage,
largest first; `benchmarks.reports --stages` stores it beside the wall time of the parallel batch.
"""

from __future__ import annotations

import functools
import importlib
import json
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path

DRAWS = 100

#: (module, function, label): what a report page does, in the order it does it
STAGES = [
    ("simlib.batch.run", "check_all", "validate every scenario (parent)"),
    ("simlib.report.context", "load_scenario", "report: load scenario"),
    ("simlib.report.context", "run", "report: engine run (with counterfactual, old-standard twin)"),
    ("simlib.report.context", "run_draws", "report: parameter draws"),
    ("simlib.report.context", "context", "report: verdicts and intervals"),
    ("simlib.report.render", "_execute_in_process", "notebooks executed (all pages)"),
    ("simlib.report.render", "to_html", "HTML export (all pages)"),
    ("simlib.batch.pages", "_write_report", "report: notebook, manifest and HTML written"),
    ("simlib.batch.pages", "_read_back", "report: tables read back"),
    ("simlib.batch.pages", "uncertainty_report", "uncertainty page (all of it)"),
    ("simlib.batch.run", "compare_reports", "comparison page (all of it)"),
    ("simlib.report.index", "write_index", "index page"),
    ("simlib.chart_style", "to_png", "charts drawn to PNG (all pages)"),
    # pyplot figures still open at the end of a cell, drawn again by the notebook's inline backend
    ("matplotlib_inline.backend_inline", "flush_figures", "pyplot figures drawn again after a cell"),
    # full collections asked for explicitly (IPython's shell reset did one before every notebook)
    ("gc", "collect", "full garbage collections asked for"),
]
STAGES += [
    ("simlib.report.scenario_report", s, f"report section: {s}")
    for s in (
        "title headline scorecard trajectories uncertainty deprivations flows money coverage assumptions export"
    ).split()
]
STAGES += [
    ("simlib.report.uncertainty_page", s, f"uncertainty page: {s}")
    for s in ("load fans verdicts rules sensitivity robustness").split()
]
STAGES += [
    ("simlib.report.compare", s, f"comparison: {s}")
    for s in ("load title groups verdicts robustness trajectories money export").split()
]


def wrap(cpu: dict, calls: dict, module: str, name: str, label: str) -> None:
    """Replace `module.name` by a counter of its inclusive CPU seconds (outermost calls only)."""
    mod = importlib.import_module(module)
    fn, depth = getattr(mod, name), [0]

    @functools.wraps(fn)
    def counted(*args, **kwargs):
        depth[0] += 1
        t0 = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                cpu[label] += time.process_time() - t0
                calls[label] += 1

    setattr(mod, name, counted)


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0])
    t0 = time.process_time()
    from simlib.batch import run_batch
    from simlib.paths import scenarios_dir
    from simlib.scenario_files import collect_scenarios

    imports = time.process_time() - t0
    cpu: dict = defaultdict(float)
    calls: dict = defaultdict(int)
    for stage in STAGES:
        wrap(cpu, calls, *stage)
    shutil.rmtree(out, ignore_errors=True)
    paths = collect_scenarios([scenarios_dir()])
    t1 = time.process_time()
    res = run_batch(paths, out, executor="serial", progress=False, lang="vi", uncertainty=DRAWS, uncertainty_multidim=0)
    total = time.process_time() - t1
    stages = {k: {"cpu_s": round(cpu[k], 2), "calls": calls[k]} for k in sorted(cpu, key=lambda k: -cpu[k])}
    report = {"ok": res.ok, "imports_cpu_s": round(imports, 2), "batch_cpu_s": round(total, 2), "stages": stages}
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
