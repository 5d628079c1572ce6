"""Each engine year an explorer change runs, with its units and review, timed call by call (issue 18;
benchmarks/HISTORY.md `## speed65`).

`python -m benchmarks.explorer_years SCENARIO YEAR [CHANGES]` opens the explorer's view on
`params/scenarios/SCENARIO.yaml` through the widget API (`ExplorerView`, debounce 0), types P5's
central recurrent money of YEAR (`every`: the year control on every year, as
`benchmarks.explorer.year_changes`) at 90 %, then back, untimed, then makes CHANGES changes (4 by
default) back and forth and prints, for each change, the load average before it, its wall and
process CPU ms (every thread), and each call of `multidim_jit.year` / `year_both` it made: the
function, the groups of the model it ran on (2,232 on the communes of Cao Bằng, fewer on its
districts), the review it ran to, wall and process CPU ms. `benchmarks.explorer_parts` sums the
calls of a change; this splits them (a change of 2024 on `crossing_2024_2027` runs two district
years and two commune years). Nothing is written; run with `PYTHONPATH` at the tree and
`NUMBA_NUM_THREADS=2`.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def hooked(calls: list, name: str, inner):
    """`inner` (`multidim_jit.year` or `year_both`) recording (name, groups, review, wall ms, CPU
    ms) of each call into `calls`."""

    def call(mm, *args, **kw):
        c, w = time.process_time(), time.perf_counter()
        done = inner(mm, *args, **kw)
        review = args[0] if name == "year" else args[1]
        wall, cpu = (time.perf_counter() - w) * 1e3, (time.process_time() - c) * 1e3
        calls.append((name, len(mm.base.g_unit), review, round(wall, 1), round(cpu, 1)))
        return done

    return call


def main(argv: list[str]) -> None:
    from simlib.engines import multidim_jit
    from simlib.memory_pages import decline_hugepage_advice
    from simlib.workbench.grid import EVERY_YEAR
    from simlib.workbench.state import AllocationState
    from simlib.workbench.view import ExplorerView

    decline_hugepage_advice()  # as the explorer's kernel does once opened
    scenario, year = argv[0], None if argv[1] == "every" else int(argv[1])
    changes = int(argv[2]) if len(argv) > 2 else 4
    calls: list = []
    multidim_jit.year = hooked(calls, "year", multidim_jit.year)
    multidim_jit.year_both = hooked(calls, "year_both", multidim_jit.year_both)
    view = ExplorerView(AllocationState.load(ROOT / "params" / "scenarios" / f"{scenario}.yaml"), "vi", debounce=0)
    st, key = view.state, ("P5", "central_recurrent")
    view.grid.year_control.value = EVERY_YEAR if year is None else year
    cell = view.grid.cells[key]
    now = min(st.amount(*key, y) for y in ([year] if year else st.years[1:])) / 1e9
    values = [str(round(now * 0.9)), str(round(now))]
    cell.value, cell.value = values[0], values[1]  # untimed: the first change of the year and back
    for i in range(changes):
        calls.clear()
        load = os.getloadavg()[0]
        c, w = time.process_time(), time.perf_counter()
        cell.value = values[i % 2]
        wall, cpu = (time.perf_counter() - w) * 1e3, (time.process_time() - c) * 1e3
        print(f"{scenario} {argv[1]} change {i}: load {load:.1f}, wall {wall:.0f} ms, CPU {cpu:.0f} ms", flush=True)
        for name, groups, review, y_wall, y_cpu in calls:
            print(f"  {name:9s} groups {groups:5d} to review {review}: wall {y_wall:7.1f} ms, CPU {y_cpu:7.1f} ms")


if __name__ == "__main__":
    main(sys.argv[1:])
