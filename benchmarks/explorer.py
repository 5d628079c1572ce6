"""The explorer's response time (issue 17): from a widget value change to the updated view,
through the widget API (what a browser's change does in the kernel, without the network and the
drawing in the browser), on the bundled 2024 plan. No debounce here: the figure is the work a
change costs once the debounce has fired. Target: ≤ 300 ms on 2 cores.

Also measured: the parts of a change (legal check, projection, chart, side-by-side table), and
the probability of meeting each target on demand (`compare.DRAWS` parameter draws), and the CPU
time of a change (the kernel is one thread: on an idle core wall time is about its CPU time).

`python -m benchmarks --only explorer` records the figures in `benchmarks/results.json` (git-
ignored, with the other benchmarks); `python -m benchmarks.explorer` also writes the tracked
`benchmarks/explorer_results.json`, with the target, met or not, and the machine's load average
at the start (on a shared machine the figures move with it).
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "explorer_results.json"
TARGET_MS = 300.0


def _median_ms(fn, n: int, clock=time.perf_counter) -> float:
    ts = []
    for i in range(n):
        t0 = clock()
        fn(i)
        ts.append(clock() - t0)
    return float(np.median(ts)) * 1e3


def bench_explorer(res: dict, quick: bool) -> None:
    from simlib.workbench import compare as C
    from simlib.workbench.state import AllocationState
    from simlib.workbench.view import ExplorerView

    view = ExplorerView(AllocationState.load(ROOT / "params" / "scenarios" / "plan_2024.yaml"), "vi", debounce=0)
    cell = view.grid.cells[("P3.1", "central_recurrent")]
    values = ["60", "70"]
    n = 5 if quick else 15

    def change(_):
        before = view.updates
        cell.value = values[before % 2]  # the observer takes the change into the state, checks and redraws
        assert view.updates == before + 1

    res["explorer_change_to_view_ms"] = _median_ms(change, n)
    # the CPU time of the same change: what it takes on a core of its own (a loaded machine
    # stretches the wall-clock figure by the other processes' share of the cores)
    res["explorer_change_to_view_cpu_ms"] = _median_ms(change, n, time.process_time)
    st = view.state
    res["explorer_legal_check_ms"] = _median_ms(lambda i: st.set_amount("P3.1", "central_recurrent", values[i % 2]), n)
    res["explorer_projection_ms"] = _median_ms(lambda i: st.evaluate(), n)
    res["explorer_chart_ms"] = _median_ms(lambda i: (view.chart.update(view.result.indicators), view.chart.svg()), n)
    res["explorer_cards_and_table_ms"] = _median_ms(lambda i: (view.cards_html(), view.compare_html()), n)
    t0, c0 = time.perf_counter(), time.process_time()
    C.probabilities(st.scenario(), C.DRAWS)
    res["explorer_probabilities_s"] = time.perf_counter() - t0
    res["explorer_probabilities_cpu_s"] = time.process_time() - c0
    res["explorer_probability_draws"] = C.DRAWS
    res["explorer_change_to_view_target_met"] = res["explorer_change_to_view_ms"] <= TARGET_MS
    res["explorer_change_to_view_cpu_target_met"] = res["explorer_change_to_view_cpu_ms"] <= TARGET_MS


def main() -> None:
    res = {"machine": platform.platform(), "cpus": os.cpu_count(), "load_average_1min": os.getloadavg()[0]}
    bench_explorer(res, quick=False)
    res["explorer_change_to_view_target_ms"] = TARGET_MS
    RESULTS.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
