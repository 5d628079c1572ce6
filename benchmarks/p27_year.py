"""`python -m benchmarks.p27_year [ROUNDS]`: where an engine year of the dated commune scenario
`plan_2027` goes against `multidim_2030`'s (issue 18).

Two measurements, each in fresh processes (the compiled kernels loaded by an untimed run first):

- **threads**: wall and process CPU of the `multidim_jit.year` calls of a whole run of the
  engine (`run_multidim_expected` on the scenario's own money; the mean of its years), with
  `NUMBA_NUM_THREADS` 2 and 1 alternating, per round; medians over the rounds. On two free cores the two threads
  halve the wall; when another process takes a core the figures show it (wall near CPU).
- **copy**: the first year of a run continued from the state kept at review 3 (the explorer's
  2027 change), copied into new arrays (`EngineState.lent`'s `np.empty_like`: fresh memory the
  kernel maps on first touch), into reused arrays (`EngineState.into`), and run in place (the
  state handed over `once`: no copy). Wall, CPU, system CPU and minor faults per run.

Prints one JSON line per process and the medians; nothing is written.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_THREADS = """
import json, sys, time
from simlib.engines import multidim_jit
from simlib.engines.multidim_expected import run_multidim_expected
from simlib.runner import compile_run_model
from simlib.scenario import load_scenario
_, mm = compile_run_model(load_scenario(sys.argv[1]))
years, inner = [], multidim_jit.year
def timed(*a, **k):
    c, w = time.process_time(), time.perf_counter()
    inner(*a, **k)
    years.append((time.perf_counter() - w, time.process_time() - c))
multidim_jit.year = timed
run_multidim_expected(mm, mm.base.spend)
years.clear()
run_multidim_expected(mm, mm.base.spend)
print(json.dumps({"wall": sum(y[0] for y in years) / len(years), "cpu": sum(y[1] for y in years) / len(years)}))
"""

_COPY = """
import copy, json, resource, sys, time
import numpy as np
from simlib.engines.multidim_expected import run_multidim_expected
from simlib.runner import compile_run_model
from simlib.scenario import load_scenario
_, mm = compile_run_model(load_scenario(sys.argv[1]))
spend, t0 = mm.base.spend, 3
kept = run_multidim_expected(mm, spend, stop=t0).state
run_multidim_expected(mm, spend, start=t0, stop=t0 + 1, state=kept)
def timed(state):
    r0, c, w = resource.getrusage(resource.RUSAGE_SELF), time.process_time(), time.perf_counter()
    run_multidim_expected(mm, spend, start=t0, stop=t0 + 1, state=state)
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    return {"wall": time.perf_counter() - w, "cpu": time.process_time() - c,
            "sys": r1.ru_stime - r0.ru_stime, "faults": r1.ru_minflt - r0.ru_minflt}
got = {"fresh": timed(kept)}
kept.into = {k: np.full_like(v, 1.0) for k, v in kept.cells.items()}
got["reused"] = timed(kept)
own = copy.copy(kept)
own.cells, own.n, own.built, own.into = {k: v.copy() for k, v in kept.cells.items()}, kept.n.copy(), kept.built.copy(), None
got["in_place"] = timed(own.once())
print(json.dumps(got))
"""


def _process(code: str, scenario: str, threads: int) -> dict:
    """The JSON line of `code` run on `scenario` in a fresh process of this tree."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), NUMBA_NUM_THREADS=str(threads))
    path = str(ROOT / "params" / "scenarios" / scenario)
    done = subprocess.run(
        [sys.executable, "-c", code, path], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def threads(rounds: int) -> dict:
    """Median wall and CPU ms of one engine year, by scenario and number of threads."""
    got: dict = {}
    for r in range(rounds):
        for scenario in ("plan_2027.yaml", "multidim_2030.yaml"):
            for n in (2, 1) if r % 2 == 0 else (1, 2):
                one = _process(_THREADS, scenario, n)
                print(r, scenario, n, json.dumps(one), "load", os.getloadavg()[0], flush=True)
                got.setdefault(f"{scenario} threads={n}", []).append(one)
    return {k: {m: round(statistics.median(x[m] for x in v) * 1e3, 1) for m in ("wall", "cpu")} for k, v in got.items()}


def copies(rounds: int) -> dict:
    """Median wall, CPU and system CPU ms and faults of `plan_2027`'s continued first year, by copy."""
    got: dict = {}
    for r in range(rounds):
        one = _process(_COPY, "plan_2027.yaml", 2)
        print(r, json.dumps(one), "load", os.getloadavg()[0], flush=True)
        for k, v in one.items():
            got.setdefault(k, []).append(v)
    return {
        k: {m: round(statistics.median(x[m] for x in v) * (1 if m == "faults" else 1e3), 1) for m in v[0]}
        for k, v in got.items()
    }


def main(argv: list[str]) -> None:
    """Both measurements, `argv[0]` rounds (3 by default); the medians printed as JSON."""
    rounds = int(argv[0]) if argv else 3
    print(json.dumps({"threads": threads(rounds), "copy": copies(rounds)}, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
