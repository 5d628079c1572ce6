"""Where the wall time of one explorer change goes, part by part, and what the previous
standard's twin adds to the engine year (issue 18; benchmarks/HISTORY.md `## twinspeed`).

`python -m benchmarks.explorer_parts parts SCENARIO YEAR [CHANGES]` opens the explorer's view on
`params/scenarios/SCENARIO.yaml` through the widget API (`ExplorerView`, debounce 0), types P5's
central recurrent money of YEAR at 90 % (YEAR `every`: the year control on every year, the
smallest year's amount typed, as `benchmarks.explorer.year_changes`), then makes CHANGES changes (8 by default) back and forth,
and prints, for each part of a change, the median wall ms, the view thread's CPU ms
(`time.thread_time`), the process's CPU ms (every thread: the engine runs on two) and the
process's page faults (`getrusage`: a first write to freshly mapped memory costs one per 4 kB
page, the system time of a change that allocates its big arrays anew). The parts
are functions wrapped in place (a wrapper costs about a microsecond: no profiler's overhead); a
part inside another is counted in both (`year_both` in `outputs`, `outputs` in `run_multidim`;
on a scenario that switches units, `EngineRuns.outputs` counts both segments' runs, segment 1
running through it too since benchmarks/HISTORY.md `## crossfast`, and `switched: ...` the
parts of `simlib.workbench.switched`; since `## crossmove` segment 2's `EngineRuns` makes the
moved state when its run needs it, so «state moved to the new units» is inside its «engine
outputs»; since `## crossyear` the move records the review too, «moved with its review (one
pass)», and «state moved to the new units» then moves only the households and lines built; «its
kernel (move_record)» is the compiled pass alone, the rest of the move Python and numpy: since
`## crossfirst` the map's `GroupMove` is made once). A part the tree does not have is not timed
(the same script on an older tree, for paired runs).
Outside the engine the view's thread works alone: its CPU there is wall time on a quiet machine.

`python -m benchmarks.explorer_parts twin SCENARIO [ROUNDS]` times, in one process, the engine's
year from the state at the twin's review (`simlib.runner.twin_review`) alone
(`run_multidim_expected`, `multidim_jit.year`) and with the previous standard's year made with
it (`run_with_twin`, lean as the explorer makes it: `multidim_jit.year_both`), alternating, each
copying the kept state into the same reused arrays, its kernels' tables from one `TablePool` (as
the explorer's engine runs), ROUNDS rounds (6 by default): the difference is the twin's
settling (classification, new households and records under the previous standard). Prints the medians (wall and process CPU ms).

`python -m benchmarks.explorer_parts memory SCENARIO YEAR [CHANGES]` opens the view the same
way, makes CHANGES changes (2 by default) of P5's money of YEAR, and prints the process's peak
and current resident set (`VmHWM`, `VmRSS` of /proc/self/status) after the opening and after the
changes, and the engine arrays the kept runs hold (`EngineRuns`: each kept state, the pool's free
sets, the state handed over with the output; `SwitchedRuns`: segment 1's states handed over),
in MB (benchmarks/HISTORY.md `## crossmove`).

Nothing is written; run with `PYTHONPATH` at the tree and `NUMBA_NUM_THREADS=2`.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

#: (module path, attribute, label) of the parts timed by `parts`: a class's method as "Class.method"
PARTS = (
    ("simlib.workbench.state", "AllocationState.set_amount", "legal check (set_amount)"),
    ("simlib.workbench.grid", "AmountGrid.sync", "grid sync"),
    ("simlib.workbench.project", "run_models", "run_models"),
    ("simlib.workbench.switched", "run_models", "run_models (switched, each segment)"),
    ("simlib.workbench.switched", "fixed", "switched: fixed (memoised)"),
    ("simlib.workbench.switched", "simulate", "switched: segment 1 (old units, from scratch)"),
    ("simlib.engines.multidim_expected", "open_run", "open_run (plan alone)"),
    ("simlib.engines.common", "EngineState.remapped", "switched: state moved to the new units"),
    ("simlib.engines.remap_review", "moved", "switched: moved with its review (one pass)"),
    ("simlib.engines.remap_review", "move_record", "switched: its kernel (move_record)"),
    ("simlib.workbench.switched", "EngineRuns", "switched: segment 2's runs made anew"),
    ("simlib.engines.multidim_twin", "open_run", "open_run (plan, twin)"),
    ("simlib.engines.multidim_twin", "year_programme", "programme step (plan, twin)"),
    ("simlib.engines.multidim_expected", "year_programme", "programme step (later years)"),
    ("simlib.engines.multidim_jit", "year", "engine year (plan alone)"),
    ("simlib.engines.multidim_jit", "year_both", "engine year with the twin's"),
    ("simlib.engines.multidim_twin", "close_run", "close_run (plan, twin)"),
    ("simlib.engines.multidim_expected", "close_run", "close_run (plan alone)"),
    ("simlib.workbench.incremental", "joined", "joined (plan, twin)"),
    ("simlib.workbench.incremental", "EngineRuns.outputs", "engine outputs (EngineRuns: each segment's)"),
    ("simlib.workbench.switched", "SwitchedRuns.outputs", "switched: both segments' outputs"),
    ("simlib.workbench.switched", "Segment.rows", "switched: shown indicators (each segment)"),
    ("simlib.workbench.incremental", "shown_table", "shown indicators"),
    ("simlib.workbench.incremental", "rebase", "re-basing"),
    ("simlib.workbench.scoring", "Scorer.scorecard", "scorecard"),
    ("simlib.workbench.project", "run_multidim", "run_multidim"),
    ("simlib.workbench.project", "run_switched", "run_switched"),
    ("simlib.workbench.charts", "LiveRateChart.update", "chart update"),
    ("simlib.workbench.view", "ExplorerView.cards_html", "cards"),
    ("simlib.workbench.charts", "LiveRateChart.svg", "chart svg"),
    ("simlib.workbench.view", "ExplorerView.compare_html", "side-by-side table"),
)


def faults() -> int:
    """The process's page faults so far (minor: a first touch of fresh memory; and major)."""
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_minflt + use.ru_majflt


def wrap(owner, name: str, label: str, acc: dict) -> None:
    """Wrap `owner.name` so that its (wall, thread CPU, process CPU) add to `acc[label]`."""
    inner = getattr(owner, name)

    def timed(*a, **k):
        w, c, p, f = time.perf_counter(), time.thread_time(), time.process_time(), faults()
        try:
            return inner(*a, **k)
        finally:
            r = acc[label]
            r[0] += time.perf_counter() - w
            r[1] += time.thread_time() - c
            r[2] += time.process_time() - p
            r[3] += (faults() - f) * 1e-3  # thousands of page faults (printed as such: not ms)

    setattr(owner, name, timed)


def wrap_parts(acc: dict) -> None:
    """Wrap every part of `PARTS`."""
    import importlib

    for module, path, label in PARTS:
        owner = importlib.import_module(module)
        *classes, name = path.split(".")
        for c in classes:
            owner = getattr(owner, c)
        if hasattr(owner, name):  # a part another version of the tree has not: not timed
            wrap(owner, name, label, acc)


def parts(scenario: str, year: int, changes: int = 8) -> dict[str, tuple[float, float, float, float]]:
    """Median (wall, view thread CPU, process CPU) ms and page faults of each part of `changes` changes of P5's
    central recurrent money of `year` (module docstring), and of the whole change ("change")."""
    from simlib.memory_pages import decline_hugepage_advice
    from simlib.workbench.state import AllocationState
    from simlib.workbench.view import ExplorerView

    decline_hugepage_advice()  # as the explorer's kernel does once opened
    view = ExplorerView(AllocationState.load(ROOT / "params" / "scenarios" / f"{scenario}.yaml"), "vi", debounce=0)
    acc: dict = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    wrap_parts(acc)
    from simlib.workbench.grid import EVERY_YEAR

    st, key = view.state, ("P5", "central_recurrent")
    view.grid.year_control.value = year or EVERY_YEAR  # 0: every year (the smallest amount typed)
    cell = view.grid.cells[key]
    now = min(st.amount(*key, y) for y in ([year] if year else st.years[1:])) / 1e9
    values = [str(round(now * 0.9)), str(round(now))]
    cell.value = values[0]  # the first change of this year (untimed)
    rows = []
    for i in range(changes):
        acc.clear()
        before = view.updates
        w, c, p, f = time.perf_counter(), time.thread_time(), time.process_time(), faults()
        cell.value = values[(i + 1) % 2]
        acc["change"] = [
            time.perf_counter() - w,
            time.thread_time() - c,
            time.process_time() - p,
            (faults() - f) * 1e-3,
        ]
        assert view.updates == before + 1, view.input_problems
        rows.append({k: tuple(v) for k, v in acc.items()})
    labels = [label for _, _, label in PARTS if any(label in r for r in rows)] + ["change"]
    return {
        label: tuple(float(np.median([r.get(label, (0.0,) * 4)[j] for r in rows]) * 1e3) for j in range(4))
        for label in labels
    }


def resident() -> str:
    """The process's peak and current resident set, MB (/proc/self/status)."""
    got = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmHWM", "VmRSS")):
                got[line.split(":")[0]] = int(line.split()[1]) / 1024
    return f"peak {got.get('VmHWM', 0):,.0f} MB, now {got.get('VmRSS', 0):,.0f} MB"


def held(runs) -> list[str]:
    """What one `EngineRuns` holds, MB: its kept states, its pool's free sets, the handed state."""
    mb = lambda cells: sum(v.nbytes for v in cells.values()) / 1e6  # noqa: E731
    rows = [f"state at review {t}: {mb(s.cells):,.0f}" for t, s in sorted(runs.states.items())]
    rows += [f"pool's free set: {mb(c):,.0f}" for c in runs.pool.free]
    if runs.out is not None and runs.out.state is not None:
        rows.append(f"state handed over with the output: {mb(runs.out.state.cells):,.0f}")
    return rows


def memory(scenario: str, year: int, changes: int = 2) -> list[str]:
    """The resident set after opening the view and after `changes` changes, and what the kept
    runs hold (module docstring)."""
    import gc

    from simlib.memory_pages import decline_hugepage_advice
    from simlib.workbench.incremental import EngineRuns
    from simlib.workbench.state import AllocationState
    from simlib.workbench.switched import SwitchedRuns
    from simlib.workbench.view import ExplorerView

    decline_hugepage_advice()
    view = ExplorerView(AllocationState.load(ROOT / "params" / "scenarios" / f"{scenario}.yaml"), "vi", debounce=0)
    lines = [f"opened: {resident()}"]
    key = ("P5", "central_recurrent")
    view.grid.year_control.value = year
    now = view.state.amount(*key, year) / 1e9
    for i in range(changes):
        view.grid.cells[key].value = str(round(now * (0.9 if i % 2 == 0 else 1.0)))
    lines.append(f"after {changes} changes of {year}: {resident()}")
    for o in gc.get_objects():
        if isinstance(o, EngineRuns):
            lines += [f"EngineRuns (from review {o.first}, stop {o.stop})"] + [f"  {r}" for r in held(o)]
        elif isinstance(o, SwitchedRuns):
            alive = sum(r() is not None for r, _ in o.handed)
            lines.append(f"SwitchedRuns: {len(o.handed)} segment-1 states handed over ({alive} outputs alive)")
    return lines


def twin(scenario: str, rounds: int = 6) -> dict[str, tuple[float, float]]:
    """Median (wall, process CPU) ms of the engine's year from the state at the twin's review,
    alone and with the twin's (module docstring)."""
    from simlib.engines.multidim_expected import run_multidim_expected
    from simlib.engines.multidim_span import TablePool
    from simlib.engines.multidim_twin import run_with_twin
    from simlib.memory_pages import decline_hugepage_advice
    from simlib.runner import compile_run_model, previous_standard_scenario, twin_review
    from simlib.scenario import load_scenario

    decline_hugepage_advice()
    scen = load_scenario(ROOT / "params" / "scenarios" / f"{scenario}.yaml")
    _, mm = compile_run_model(scen)
    _, old = compile_run_model(previous_standard_scenario(scen)[0])
    t0, spend = twin_review(scen), mm.base.spend
    kept = run_multidim_expected(mm, spend, stop=t0).state
    reused = {k: np.full_like(v, 1.0) for k, v in kept.cells.items()}  # mapped once, as the pool's
    tables = TablePool()  # the kernels' tables kept between runs, as the explorer's engine runs keep them

    def alone() -> None:
        kept.into = reused
        run_multidim_expected(mm, spend, start=t0, stop=t0 + 1, state=kept, pool=tables)

    def both() -> None:
        kept.into = reused
        run_with_twin(
            mm, old, spend, start=t0, stop=t0 + 1, state=kept, twin_state=kept, twin_hands_over=False, pool=tables
        )

    got: dict = {"alone": [], "with the twin's": []}
    runs = (("alone", alone), ("with the twin's", both))
    alone(), both()  # compiled kernels loaded, arrays touched
    for r in range(rounds):
        for name, fn in runs if r % 2 == 0 else runs[::-1]:
            w, p = time.perf_counter(), time.process_time()
            fn()
            got[name].append((time.perf_counter() - w, time.process_time() - p))
    return {k: tuple(statistics.median(x[j] for x in v) * 1e3 for j in range(2)) for k, v in got.items()}


def year_of(text: str) -> int:
    """A calendar year, or 0 for `every` (every year's money: the whole budget)."""
    return 0 if text == "every" else int(text)


def main(argv: list[str]) -> None:
    """`parts SCENARIO YEAR [CHANGES]`, `memory SCENARIO YEAR [CHANGES]` or `twin SCENARIO [ROUNDS]`
    (module docstring)."""
    if len(argv) < 2 or argv[0] not in ("parts", "twin", "memory"):
        raise SystemExit(__doc__)
    load = os.getloadavg()[0]
    if argv[0] == "memory":
        print("\n".join(memory(argv[1], int(argv[2]), *(int(a) for a in argv[3:4]))))
    elif argv[0] == "parts":
        got = parts(argv[1], year_of(argv[2]), *(int(a) for a in argv[3:4]))
        print(f"{argv[1]}, {argv[2]} change; load {load:.1f} -> {os.getloadavg()[0]:.1f}")
        print(f"{'part':42s} {'wall':>8s} {'view CPU':>9s} {'all CPU':>8s} {'faults':>8s}")
        for label, (w, c, p, f) in got.items():
            print(f"{label:42s} {w:8.1f} {c:9.1f} {p:8.1f} {f:8.0f}")
    else:
        got = twin(argv[1], *(int(a) for a in argv[2:3]))
        print(f"{argv[1]}, the year from the twin's review; load {load:.1f} -> {os.getloadavg()[0]:.1f}")
        for label, (w, p) in got.items():
            print(f"{label:20s} wall {w:8.1f}  CPU {p:8.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
