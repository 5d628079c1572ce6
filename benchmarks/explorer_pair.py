"""The explorer's change → updated view on `multidim_2030`, two source trees paired (issue 18).

`python -m benchmarks.explorer_pair OTHER_TREE [ROUNDS]` runs this tree and `OTHER_TREE` (e.g. a
`git archive` of main in /tmp) in fresh processes, one each in turn (the order flipped every
round), each process: the view opened through the widget API (`ExplorerView`, debounce 0), then
the changes of `CASES` in order — a cell typed with the year control on one year (or on every
year), to 90 % of its amount (`first`) and back (`back`). Each change's wall and CPU time
(`time.process_time`, every thread of the process), the engine years it ran are not known to the
old tree so they are not asked; the process's peak resident memory (`ru_maxrss`) at the end.
Prints one JSON line per process and, at the end, the medians per tree and case with the load
average before and after. A warm-up process of each tree runs first (numba's cache).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
#: (name, item, source, calendar year or None for every projected year)
CASES = (
    ("every_year_P1.1", "P1.1", "central_investment", None),
    ("2024_P5", "P5", "central_recurrent", 2024),
    ("2027_P5", "P5", "central_recurrent", 2027),
    ("2029_P5", "P5", "central_recurrent", 2029),
    ("2030_P5", "P5", "central_recurrent", 2030),
)


def child(root: Path) -> dict:
    """Open the view in this process (the tree on `sys.path`) and time the changes."""
    from simlib.workbench.grid import EVERY_YEAR
    from simlib.workbench.state import AllocationState
    from simlib.workbench.view import ExplorerView

    w0, c0 = time.perf_counter(), time.process_time()
    view = ExplorerView(AllocationState.load(root / "params/scenarios/multidim_2030.yaml"), "vi", debounce=0)
    res = {"open_s": time.perf_counter() - w0, "open_cpu_s": time.process_time() - c0}
    st = view.state
    for name, item, source, year in CASES:
        view.grid.year_control.value = EVERY_YEAR if year is None else year
        cell = view.grid.cells[(item, source)]
        now = st.amount(item, source, year or st.years[1]) / 1e9
        for step, value in (("first", now * 0.9), ("back", now)):
            before = view.updates
            w, c = time.perf_counter(), time.process_time()
            cell.value = str(round(value))
            res[f"{name}_{step}_ms"] = (time.perf_counter() - w) * 1e3
            res[f"{name}_{step}_cpu_ms"] = (time.process_time() - c) * 1e3
            assert view.updates == before + 1, view.input_problems
    res["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return res


def run_tree(tree: Path) -> dict:
    """`child` in a fresh process running this file, with `simlib` imported from `tree`."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(tree)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True, cwd=tree)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    other, rounds = Path(sys.argv[1]).resolve(), int(sys.argv[2]) if len(sys.argv) > 2 else 3
    trees = {"other": other, "this": HERE}
    for name, tree in trees.items():
        run_tree(tree)  # warm-up: numba's cache of each tree
        print(json.dumps({"warmed": name}), flush=True)
    got: dict[str, list[dict]] = {k: [] for k in trees}
    load0 = os.getloadavg()
    for r in range(rounds):
        order = list(trees) if r % 2 == 0 else list(trees)[::-1]
        for name in order:
            res = run_tree(trees[name])
            res["tree"], res["round"], res["load_1min"] = name, r, os.getloadavg()[0]
            got[name].append(res)
            print(json.dumps(res), flush=True)
    summary = {"load_before": load0, "load_after": os.getloadavg()}
    for name, runs in got.items():
        summary[name] = {k: statistics.median(x[k] for x in runs) for k in runs[0] if k.endswith(("_ms", "_s", "_mb"))}
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child(Path(sys.argv[2]))))
    else:
        main()
