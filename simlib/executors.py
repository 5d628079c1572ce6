"""One seam for parallel work: a `concurrent.futures.Executor` that is local processes by
default, or a Dask cluster (`dask.distributed`) when asked — the same calling code either way.

Batches of scenarios, uncertainty draws and national chunks all go through `make_executor`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from multiprocessing.context import SpawnContext, SpawnProcess

from simlib.errors import InputError
from simlib.memory_pages import decline_hugepage_advice
from simlib.schema import decline_iri_grammar

EXECUTORS = ("local", "dask", "serial")
#: the kernel report notebooks run on, and its log level: keeps the kernel's start-up warnings
#: («Kernel is running over TCP without encryption») out of the planner's terminal
NOTEBOOK_KERNEL = "python3"
NOTEBOOK_KERNEL_ARGS = ("--IPKernelApp.log_level=CRITICAL",)


class SerialExecutor(Executor):
    """Runs each task immediately in this process (jobs=1; easiest to debug)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - delivered through the future
            fut.set_exception(exc)
        return fut


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


def stop_quietly(signum: int, frame: object) -> None:
    """A local worker's answer to Ctrl-C: gone at once, without a word. The terminal sends the
    interrupt to every process of the command; the main process says it (and removes what was
    half-written), where each worker used to print its own KeyboardInterrupt traceback."""
    os._exit(128 + signum)


@contextlib.contextmanager
def interrupts_ignored() -> Iterator[None]:
    """Ctrl-C ignored in this process while the body runs: a process started meanwhile ignores it
    until it says otherwise (`start_worker`), so that one interrupted while it starts up, before
    its own handler is in place, prints no traceback. Outside the main thread, where signals
    cannot be handled, the body just runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


class QuietProcess(SpawnProcess):
    """A spawned worker started with Ctrl-C ignored (`interrupts_ignored`)."""

    def start(self) -> None:
        with interrupts_ignored():
            super().start()


class QuietSpawnContext(SpawnContext):
    """The 'spawn' start method, its processes started as `QuietProcess`."""

    Process = QuietProcess


def start_worker(warm: Callable[[], None] | None = None) -> None:
    """A local worker's start: Ctrl-C ends it without a traceback (`stop_quietly`); spared
    jsonschema's iri grammar and numpy's huge-page advice (simlib's own process, as the CLI is),
    then `warm()` when given (e.g. the imports its first task would pay for)."""
    signal.signal(signal.SIGINT, stop_quietly)
    decline_iri_grammar()
    decline_hugepage_advice()
    if warm is not None:
        warm()


@contextlib.contextmanager
def make_executor(
    kind: str = "local", jobs: int | None = None, scheduler: str | None = None, warm: Callable[[], None] | None = None
) -> Iterator[Executor]:
    """An executor for `kind`: 'local' (processes), 'dask' (a scheduler address, or a
    LocalCluster with `jobs` workers when none is given) or 'serial'.

    Local processes are at most one per core (`default_jobs`): `--jobs 1000` with 300 parameter
    draws started a process per draw. The numbers do not depend on the workers.

    `warm` (a module-level function, local processes only): every worker is started at once and
    calls it before its first task, so that the caller can do its own work (e.g. check its inputs)
    while the workers start and import; without it workers start on the first submissions."""
    jobs = jobs or default_jobs()
    if kind == "local":  # more processes than cores only adds memory (about 150 MB each), never speed
        jobs = min(jobs, default_jobs())
    if kind == "serial" or (kind == "local" and jobs == 1):
        yield SerialExecutor()
    elif kind == "local":
        # 'spawn' keeps workers independent of the parent's threads (BLAS, Jupyter kernels)
        spawn = QuietSpawnContext()
        start = functools.partial(start_worker, warm)
        with ProcessPoolExecutor(max_workers=jobs, mp_context=spawn, initializer=start) as ex:
            if warm is not None:
                for _ in range(jobs):  # each submission with no idle worker starts one
                    ex.submit(os.getpid)
            yield ex
    elif kind == "dask":
        from distributed import Client, LocalCluster  # local import: dask is heavy and used only here

        if scheduler:
            with Client(scheduler) as client:
                yield client.get_executor()
        else:
            # dashboard on a free port: two local clusters at once (e.g. parallel runs) never clash
            with (
                LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
                Client(cluster) as client,
            ):
                yield client.get_executor()
    else:
        raise InputError("enum", field="executor", value=kind, allowed=EXECUTORS)
