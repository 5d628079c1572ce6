"""`python -m benchmarks.report_stages_subset OUT NAME...`: `benchmarks.report_stages` on a few
bundled scenarios (`params/scenarios/NAME.yaml`), for paired before/after measurements that do not
run the whole batch on a shared machine.

The same serial batch (100 draws, Vietnamese), the same CPU counters per stage (this process's
CPU, `time.process_time`); prints one JSON line: the batch's CPU and the rendering stages (charts
to PNG, HTML export, report written, the report's export section, all notebooks), with the number
of charts. Run it from two checkouts in turn (each with its own `PYTHONPATH`), alternating.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.report_stages import DRAWS, STAGES, wrap
from simlib.batch import run_batch
from simlib.paths import scenarios_dir

#: the stages printed (labels of `benchmarks.report_stages.STAGES`)
SHOWN = (
    "charts drawn to PNG (all pages)",
    "HTML export (all pages)",
    "report: notebook, manifest and HTML written",
    "report section: export",
    "notebooks executed (all pages)",
)


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out, names = Path(args[0]), args[1:]
    cpu: dict = defaultdict(float)
    calls: dict = defaultdict(int)
    for stage in STAGES:
        wrap(cpu, calls, *stage)
    shutil.rmtree(out, ignore_errors=True)
    paths = [scenarios_dir() / f"{n}.yaml" for n in names]
    t0 = time.process_time()
    res = run_batch(paths, out, executor="serial", progress=False, lang="vi", uncertainty=DRAWS, uncertainty_multidim=0)
    total = time.process_time() - t0
    row = {"ok": res.ok, "scenarios": names, "batch_cpu_s": round(total, 2)}
    row.update({k: round(cpu[k], 2) for k in SHOWN})
    row["charts"] = calls[SHOWN[0]]
    print(json.dumps(row, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
