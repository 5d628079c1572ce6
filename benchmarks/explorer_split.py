"""Where the CPU of an explorer change goes on `multidim_2030`, two source trees paired (issue 18).

`python benchmarks/explorer_split.py OTHER_TREE [ROUNDS]` runs this tree and `OTHER_TREE` (e.g. a
`git archive` of main in /tmp) in fresh processes, one each in turn (the order flipped every
round), after a warm-up of each (numba's cache). Each process opens the view through the widget
API (`ExplorerView`, debounce 0), then changes P5's central recurrent money in each year of `YEARS`
(the year control on that year), `CHANGES` times, to 90 % and back in turn. Each change's CPU
(`time.process_time`, every thread) is split into "engine year" (`multidim_jit.year`, the
programme step and the shift tables; `multidim_jit.year_both`, the plan's year and its
previous-standard twin's in one pass, too), "record" (`multidim_jit.record` and `start`: the engine's
record of the review it starts from and the baseline's households; since mdlens only where no
kept state carries them, `simlib.engines.multidim_review`), "copy" (`StatePool.copy_of`: the
copies of kept engine states a run writes in place; since lendstate the engine's first year makes
the copy group by group, so it counts in "engine year" and "copy" is about 0), "rebase" (`rebase_points`: the re-basing of
change targets, made again when the twin is), "gc" (the garbage collector's passes, timed through
`gc.callbacks`, with the number of full passes) and the rest. Prints one JSON line per process
and, at the end, the medians per tree and year (the first change of each year left out: it also
runs the years a change of year starts from), with the load average before and after.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
YEARS = (2030, 2029, 2027, 2024)
CHANGES = 3
PARTS = ("total", "engine", "record", "copy", "rebase", "gc", "rest", "wall")


def timed(mod, name: str, acc: dict, key: str) -> None:
    """Wrap `mod.name` so that its CPU time adds to `acc[key]`."""
    f = getattr(mod, name)

    def wrapper(*a, **k):
        c = time.process_time()
        try:
            return f(*a, **k)
        finally:
            acc[key] += time.process_time() - c

    setattr(mod, name, wrapper)


def child(root: Path) -> list[dict]:
    """Open the view (the tree on `sys.path`) and split each change's CPU."""
    from simlib.engines import multidim_expected, multidim_jit, multidim_tables
    from simlib.workbench import incremental, pool
    from simlib.workbench.state import AllocationState
    from simlib.workbench.view import ExplorerView

    acc = {"engine": 0.0, "record": 0.0, "copy": 0.0, "rebase": 0.0, "gc": 0.0, "full": 0}
    for mod, name, key in (
        (multidim_jit, "year", "engine"),
        (multidim_jit, "year_both", "engine"),  # the plan's and its twin's year in one pass
        (multidim_expected, "_programme_step", "engine"),
        (multidim_tables, "shift_tables", "engine"),
        (multidim_jit, "record", "record"),
        (multidim_jit, "start", "record"),
        (pool.StatePool, "copy_of", "copy"),
        (incremental, "rebase_points", "rebase"),
    ):
        timed(mod, name, acc, key)
    began = [0.0]

    def on_gc(phase, info) -> None:
        if phase == "start":
            began[0] = time.process_time()
        else:
            acc["gc"] += time.process_time() - began[0]
            acc["full"] += info["generation"] == 2

    gc.callbacks.append(on_gc)
    view = ExplorerView(AllocationState.load(root / "params/scenarios/multidim_2030.yaml"), "vi", debounce=0)
    st, rows = view.state, []
    for year in YEARS:
        view.grid.year_control.value = year
        cell = view.grid.cells[("P5", "central_recurrent")]
        now = st.amount("P5", "central_recurrent", year) / 1e9
        for i in range(CHANGES):
            acc.update(engine=0.0, record=0.0, copy=0.0, rebase=0.0, gc=0.0, full=0)
            before, w, c = view.updates, time.perf_counter(), time.process_time()
            cell.value = str(round(now * 0.9 if i % 2 == 0 else now))
            total, wall = time.process_time() - c, time.perf_counter() - w
            assert view.updates == before + 1, view.input_problems
            ms = {k: acc[k] * 1e3 for k in ("engine", "record", "copy", "rebase", "gc")}
            rest = total * 1e3 - sum(
                ms[k] for k in ("engine", "record", "copy", "rebase")
            )  # the collector's passes included
            rows.append({"year": year, "i": i, "total": total * 1e3, **ms, "rest": rest, "wall": wall * 1e3})
            rows[-1]["full_gc"] = acc["full"]
    return rows


def run_tree(tree: Path) -> list[dict]:
    """`child` in a fresh process running this file, with `simlib` imported from `tree`."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(tree)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True, cwd=tree)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    other, rounds = Path(sys.argv[1]).resolve(), int(sys.argv[2]) if len(sys.argv) > 2 else 2
    trees = {"other": other, "this": HERE}
    for name, tree in trees.items():
        run_tree(tree)  # warm-up: numba's cache of each tree
        print(json.dumps({"warmed": name}), flush=True)
    got: dict[str, list[dict]] = {k: [] for k in trees}
    load0 = os.getloadavg()
    for r in range(rounds):
        for name in list(trees) if r % 2 == 0 else list(trees)[::-1]:
            rows = run_tree(trees[name])
            got[name] += rows
            print(json.dumps({"tree": name, "round": r, "load_1min": os.getloadavg()[0], "changes": rows}), flush=True)
    summary: dict = {"load_before": load0, "load_after": os.getloadavg()}
    for name, rows in got.items():
        kept = [x for x in rows if x["i"] > 0]
        summary[name] = {
            str(y): {p: round(statistics.median(x[p] for x in kept if x["year"] == y)) for p in PARTS} for y in YEARS
        }
        summary[name]["full_gc_passes"] = sum(x["full_gc"] for x in rows)
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child(Path(sys.argv[2]))))
    else:
        main()
