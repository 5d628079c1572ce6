"""A batch's first run on a machine: the multidimensional engine's two year kernels compiled once
each, in two workers at the same time, before the scenarios start.

numba compiles a kernel at its first call and keeps its machine code in its cache folder
(`cache=True`); a process reads that folder at the first call only. Two local workers that each
start a multidimensional scenario on a cold cache therefore both compile every kernel, one beside
the other: twice the CPU for the same wall. The year kernels (`multidim_jit._year`, and
`_year_both` for a run that continues into its previous-standard twin's year) are most of that
work, and a scenario crossing a change of standard compiles them one after the other.

Here (`warm_kernels`), when the batch needs a year kernel that the cache lacks, each such kernel
is asked of one worker (`compile_year`: the first projected year of a scenario that needs it, run
through the runner's own entry points, so that the kernels are compiled for the very signatures
the scenarios then call them with); the scenarios are handed out once every asked kernel is
written, and every worker then reads them from the cache. With two workers and both kernels
needed, each compiles one. What the workers compute there is thrown away: every report is the
same bytes with or without the warm-up, and a warm cache (or a single worker, or a batch of the
states model) asks nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, wait
from pathlib import Path

from simlib.batch.compiling import YEAR_KERNELS, cache_folder
from simlib.options import RunOptions
from simlib.runner import simulate_with_twin, twin_from
from simlib.scenario import load_scenario
from simlib.unit_switch import compile_run_model, simulate

#: the year of the multidimensional engine (`multidim_jit._year`): every multidimensional run
YEAR = YEAR_KERNELS
#: its year under two standards (`multidim_jit._year_both`): a run continued into its twin's year
YEAR_BOTH = YEAR_KERNELS + "_both"


def kernels_of(scen, options: RunOptions) -> tuple[str, ...]:
    """The year kernels a run of the scenario `scen` calls with `options` (a `RunOptions`): none
    for the states model, `YEAR` for the multidimensional one, and `YEAR_BOTH` too when its
    previous-standard twin continues the run (`runner.twin_from`)."""
    if scen.poverty_model != "multidim":
        return ()
    return (YEAR, YEAR_BOTH) if twin_from(scen, options.for_scenario(scen)) is not None else (YEAR,)


def compiled_already(kernel: str, folder: Path) -> bool:
    """Whether numba's cache `folder` holds machine code of `kernel` (a `*.nbc` file of its
    name): a cheap look at the folder's names, nothing loaded."""
    try:
        return any(n.startswith(kernel + "-") and n.endswith(".nbc") for n in os.listdir(folder))
    except OSError:  # no cache folder yet: nothing compiled
        return False


def warm_plan(needs: Iterable[tuple], workers: int, folder: Path | None = None) -> list[tuple]:
    """What to compile ahead: (kernel, the first scenario needing it) for each year kernel the
    cache `folder` (default `cache_folder()`) lacks, in the order the scenarios need them. `needs`:
    (scenario path, its kernels, `kernels_of`) in the order the scenarios are handed out;
    `workers`: the batch's workers. Nothing when a single worker runs (it would compile each once
    anyway), nor when one worker at most would compile (one kernel needed by one scenario)."""
    needs = list(needs)
    folder = cache_folder() if folder is None else folder
    first: dict[str, str] = {}
    for path, kernels in needs:
        for k in kernels:
            first.setdefault(k, path)
    plan = [(k, p) for k, p in first.items() if not compiled_already(k, folder)]
    users = sum(1 for _, kernels in needs if any(k in kernels for k, _ in plan))
    if workers < 2 or not plan or (len(plan) < 2 and users < 2):
        return []
    return plan


def compile_year(kernel: str, path: str, set_items: list, options: RunOptions) -> str:
    """Worker: compile `kernel` (`YEAR` or `YEAR_BOTH`) by running the first projected year of the
    scenario file `path` (with the batch's `--set` items and run options) through the runner's
    entry points — `simulate`, or `simulate_with_twin` from the baseline with a twin that hands
    nothing over, as `runner.run_and_twin` calls it — so that numba writes the kernel's machine
    code to its cache for the signature the scenarios call. The outputs are dropped. Returns
    `kernel`."""
    scen = load_scenario(path, set_items)
    options = RunOptions.of(options).in_worker().for_scenario(scen)
    model, target = compile_run_model(scen)
    spend = model.spend
    if kernel == YEAR:
        simulate(target, spend, options, stop=1)
        return kernel
    _, old = twin_from(scen, options)
    twin = compile_run_model(old)[1]
    kw = {"start": 0, "stop": 1, "state": None, "twin_state": None, "twin_hands_over": False}
    simulate_with_twin(target, twin, spend, options, **kw)
    return kernel


def warm_kernels(ex: Executor, plan: list[tuple], set_items: list, options: RunOptions) -> None:
    """Hand each kernel of `plan` (`warm_plan`) to the local workers of `ex` (`compile_year`, one
    kernel a worker while workers are free) and wait until all are done; a warm-up that fails is
    passed over (the scenario that needs the kernel then compiles it, and says what went wrong).
    Nothing on another executor (Dask's workers may have caches of their own)."""
    if not plan or not isinstance(ex, ProcessPoolExecutor):
        return
    futs = [ex.submit(compile_year, k, str(p), list(set_items), options.in_worker()) for k, p in plan]
    wait(futs)
