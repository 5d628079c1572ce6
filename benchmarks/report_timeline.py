"""`python -m benchmarks.report_timeline OUT [--jobs 2]`: what each worker of `make reports` does, when.

Runs the batch of every bundled scenario (100 draws, Vietnamese, no draws of multidimensional
scenarios: the settings of `make reports`) on local processes, with each worker's main stages
wrapped by a recorder of wall-clock start and end (`time.time`) and CPU seconds
(`time.process_time`). The workers are started by this module's own initializer (the executor of
`simlib.executors` with spawned processes, as the batch uses); the parent's own stages (checks,
comparison, index) are recorded too. Prints one JSON object: the batch's wall seconds, per worker
its scenarios in order with their stages (start and end in seconds from the batch's start) and its
idle seconds at the end (waiting for the other worker), and the parent's stages after the workers.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import json
import multiprocessing as mp
import os
import shutil
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from simlib.memory_pages import decline_hugepage_advice
from simlib.schema import decline_iri_grammar

DRAWS = 100

#: (module, function, label): a scenario's stages in a worker, in the order they run
WORKER_STAGES = [
    ("simlib.batch.pages", "report_one", "scenario"),
    ("simlib.batch.pages", "report_page", "scenario"),  # a report without its uncertainty page (reports60d)
    ("simlib.report.context", "run", "engine run"),
    ("simlib.report.context", "run_draws", "parameter draws"),
    ("simlib.batch.pages", "_execute_report", "report notebook"),
    ("simlib.batch.pages", "uncertainty_report", "uncertainty page"),
    ("simlib.report.uncertainty_page", "sensitivity", "Sobol sensitivity"),
]
#: what a worker is handed: a scenario's report (with its uncertainty page before reports60d), or
#: its uncertainty page alone when that is a task of its own
TASKS = ("scenario", "uncertainty page")
#: the parent's stages
PARENT_STAGES = [
    ("simlib.batch.run", "check_all", "validate"),
    ("simlib.batch.run", "_run_all", "workers"),
    ("simlib.batch.run", "warm_up", "warm-up while the workers run"),
    ("simlib.batch.staged", "warm_up", "warm-up while the workers run"),  # reports60d
    ("simlib.batch.run", "compare_reports", "comparison page"),
    ("simlib.report.index", "write_index", "index page"),
]


def record(events: list, module: str, name: str, label: str) -> None:
    """Replace `module.name` by a recorder of its (outermost) calls' wall start, end and CPU
    (nothing when the module has no such function: an older commit)."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError:  # an older commit
        return
    fn, depth = getattr(mod, name, None), [0]
    if fn is None:
        return

    @functools.wraps(fn)
    def recorded(*args, **kwargs):
        depth[0] += 1
        t0, c0 = time.time(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                scen = args[1] if label == "scenario" else Path(args[2]).name if label == "uncertainty page" else None
                events.append(
                    {"label": label, "scenario": scen, "t0": t0, "t1": time.time(), "cpu": time.process_time() - c0}
                )
                if label in TASKS:
                    write_events(events)

    setattr(mod, name, recorded)


_EVENTS: list = []
_DIR: list = []


def write_events(events: list) -> None:
    """This worker's events so far, to its own file in the events folder."""
    Path(_DIR[0], f"{os.getpid()}.json").write_text(json.dumps(events), encoding="utf-8")


def worker_init(events_dir: str, warm=None) -> None:
    """A batch worker's initializer: as simlib's (`simlib.executors.start_worker`, with the warm-up
    recorded), and every stage recorded."""
    t0, c0 = time.time(), time.process_time()
    decline_iri_grammar()
    decline_hugepage_advice()
    _DIR.append(events_dir)
    for stage in WORKER_STAGES:
        record(_EVENTS, *stage)
    if warm is not None:
        warm()
    _EVENTS.append({"label": "start", "scenario": None, "t0": t0, "t1": time.time(), "cpu": time.process_time() - c0})
    write_events(_EVENTS)


def recording_executor(events_dir: str):
    """`simlib.executors.make_executor` for local processes (of this commit or an older one,
    without `warm`), with `worker_init` as initializer."""

    @contextlib.contextmanager
    def make(kind="local", jobs=None, scheduler=None, warm=None):
        spawn = mp.get_context("spawn")
        warm = getattr(warm, "__wrapped__", warm)  # the parent's warm-up is recorded: pickle the function
        with ProcessPoolExecutor(jobs, mp_context=spawn, initializer=worker_init, initargs=(events_dir, warm)) as ex:
            if warm is not None:
                for _ in range(jobs):  # as simlib.executors: every worker started at once
                    ex.submit(os.getpid)
            yield ex

    return make


def timeline(events_dir: Path, parent: list, start: float, end: float) -> dict:
    """Per worker its scenarios with their stages (seconds from `start`), busy and idle seconds."""
    workers = {}
    for i, f in enumerate(sorted(events_dir.glob("*.json"))):
        events = json.loads(f.read_text(encoding="utf-8"))
        top = [e for e in events if e["label"] == "scenario"]
        top += [
            e
            for e in events
            if e["label"] == "uncertainty page" and not any(s["t0"] <= e["t0"] and e["t1"] <= s["t1"] for s in top)
        ]
        scen = sorted(top, key=lambda e: e["t0"])
        rows = []
        for s in scen:
            inner = [e for e in events if e is not s and s["t0"] <= e["t0"] and e["t1"] <= s["t1"]]
            stages = defaultdict(float)
            for e in inner:
                stages[e["label"]] += e["t1"] - e["t0"]
            rows.append(
                {
                    "scenario": s["scenario"] + (" (uncertainty page)" if s["label"] != "scenario" else ""),
                    "start_s": round(s["t0"] - start, 1),
                    "end_s": round(s["t1"] - start, 1),
                    "wall_s": round(s["t1"] - s["t0"], 1),
                    "cpu_s": round(s["cpu"], 1),
                    "stages_wall_s": {k: round(v, 1) for k, v in stages.items()},
                }
            )
        busy = sum(r["wall_s"] for r in rows)
        start_ev = [e for e in events if e["label"] == "start"]
        started = {"start_s": round(start_ev[0]["t0"] - start, 1), "ready_s": round(start_ev[0]["t1"] - start, 1)}
        workers[f"worker {i + 1}"] = {
            "process": started if start_ev else None,
            "scenarios": rows,
            "busy_s": round(busy, 1),
        }
    done = max((r["end_s"] for w in workers.values() for r in w["scenarios"]), default=0.0)
    for w in workers.values():
        w["idle_at_end_s"] = round(done - w["scenarios"][-1]["end_s"], 1) if w["scenarios"] else None
    after = [
        {"stage": e["label"], "start_s": round(e["t0"] - start, 1), "wall_s": round(e["t1"] - e["t0"], 1)}
        for e in parent
    ]
    return {"wall_s": round(end - start, 1), "workers": workers, "parent": after}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    from simlib.batch import run as batch_run
    from simlib.paths import scenarios_dir
    from simlib.scenario_files import collect_scenarios

    events_dir = args.out.with_name(args.out.name + ".events")
    shutil.rmtree(args.out, ignore_errors=True)
    shutil.rmtree(events_dir, ignore_errors=True)
    events_dir.mkdir(parents=True)
    batch_run.make_executor = recording_executor(str(events_dir))
    parent: list = []
    for stage in PARENT_STAGES:
        record(parent, *stage)
    load = [round(x, 2) for x in os.getloadavg()]
    paths = collect_scenarios([scenarios_dir()])
    t0 = time.time()
    res = batch_run.run_batch(
        paths,
        args.out,
        executor="local",
        jobs=args.jobs,
        progress=False,
        lang="vi",
        uncertainty=DRAWS,
        uncertainty_multidim=0,
    )
    t1 = time.time()
    report = {"ok": res.ok, "jobs": args.jobs, "load_average_start": load, **timeline(events_dir, parent, t0, t1)}
    report["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
