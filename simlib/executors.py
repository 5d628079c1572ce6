"""One seam for parallel work: a `concurrent.futures.Executor` that is local processes by
default, or a Dask cluster (`dask.distributed`) when asked — the same calling code either way.

Batches of scenarios, uncertainty draws and national chunks all go through `make_executor`.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor

from simlib.errors import InputError
from simlib.schema import decline_iri_grammar

EXECUTORS = ("local", "dask", "serial")


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


@contextlib.contextmanager
def make_executor(kind: str = "local", jobs: int | None = None, scheduler: str | None = None) -> Iterator[Executor]:
    """An executor for `kind`: 'local' (processes), 'dask' (a scheduler address, or a
    LocalCluster with `jobs` workers when none is given) or 'serial'."""
    jobs = jobs or default_jobs()
    if kind == "serial" or (kind == "local" and jobs == 1):
        yield SerialExecutor()
    elif kind == "local":
        # 'spawn' keeps workers independent of the parent's threads (BLAS, Jupyter kernels); the
        # workers are simlib's own processes: spared jsonschema's iri grammar, as the CLI is
        spawn = mp.get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=spawn, initializer=decline_iri_grammar) as ex:
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
