"""The batch's reports as tasks of a page each, over report folders the batch stages itself.

A scenario's report (`pages.report_page`: its run, draws and report notebook) and, with parameter
draws, its uncertainty page (`pages.uncertainty_report`: the Sobol sensitivity's few hundred runs
over the report's draws) are two tasks, so that the workers share out smaller pieces: the
uncertainty page, handed out when its report is done, runs on whichever worker is free (in one
task, the worker that drew the last long report ran its uncertainty page too while the other
waited). When every report is done the comparison is rendered in this process while the workers
finish the uncertainty pages: it reads only what the reports wrote.

Each scenario's folder is staged here (`Stages`, over `simlib.atomic.atomic_dir`: a temporary
folder beside OUT/<name> under its lock) and moved into place whole when its pages are done, as
`pages.report_one` does in one process; a failed report's folder is removed (its partly executed
notebook kept as OUT/<name>.failed.ipynb), and a failed uncertainty page leaves the report
standing with the error. Nothing a page computes depends on which worker ran it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from pathlib import Path

from tqdm.auto import tqdm

from simlib import i18n
from simlib.atomic import atomic_dir
from simlib.batch.compiling import compile_watch
from simlib.batch.pages import report_page, set_strings, uncertainty_report, warm_up
from simlib.batch.warmup import warm_kernels
from simlib.errors import SimlibError
from simlib.executors import SerialExecutor


class StageAbandoned(Exception):
    """Thrown into a staged folder's writer to remove the folder (its report failed, or the batch
    stopped before its pages were done)."""


class Stages:
    """The report folders this process is building (`simlib.atomic.atomic_dir`, entered here and
    left when the folder is complete or given up); as a context manager, every folder still being
    built when the block ends is removed (enter it before the executor, so that the workers have
    stopped writing by then)."""

    def __init__(self) -> None:
        self.building: dict[Path, tuple] = {}

    def __enter__(self) -> Stages:
        return self

    def __exit__(self, *exc) -> bool:
        for target in list(self.building):
            self.abandon(target)
        return False

    def stage(self, target: Path) -> Path:
        """A fresh temporary folder for `target` (checked, locked, leftovers of killed writers
        cleaned, as `atomic_dir` does)."""
        writer = atomic_dir(target)
        tmp = writer.__enter__()
        self.building[target] = (writer, tmp)
        return tmp

    def folder(self, target: Path) -> Path:
        """Where `target`'s files are now: its staging folder while it is built, else itself."""
        return self.building[target][1] if target in self.building else target

    def commit(self, target: Path) -> None:
        """Move `target`'s staged folder into place (marked as simlib's output)."""
        writer, _ = self.building.pop(target)
        writer.__exit__(None, None, None)

    def abandon(self, target: Path) -> None:
        """Remove `target`'s staged folder; `target` itself is left as it was."""
        writer, _ = self.building.pop(target)
        writer.__exit__(StageAbandoned, StageAbandoned(), None)


def run_reports(
    ex: Executor, todo: list[Path], items: dict, batch, stages: Stages, compare: Callable[[], None]
) -> None:
    """Every valid scenario's pages through the executor `ex`, results into `items` (`record`
    keeps a report's status), each folder staged in `stages` and moved into place when its pages
    are done; `compare()` is called once, in this process, as soon as every report is done (the
    uncertainty pages still running read nothing it writes). The progress bar counts the
    scenarios done and the comparison, and what a first run compiles meanwhile (`compiling`)."""
    desc = i18n.t("cli.progress_reports", batch.lang)
    bar = tqdm(total=len(todo) + 1, desc=desc, disable=not batch.options.progress, unit="")
    with bar, compile_watch(bar, batch.lang, {items[p].model for p in todo}, needed=batch.needed):
        warm_kernels(ex, batch.warm, batch.set_items, batch.options)  # the year kernels once each, first
        futs: dict[Future, tuple] = {}
        for p in todo:
            fut = _submit_report(ex, p, items[p], batch, stages)
            if fut is None:
                bar.update(1)
            else:
                futs[fut] = (p, "report")
        if futs and not isinstance(ex, SerialExecutor):
            warm_up(comparison=True)  # this process's own pages, while the workers run
        reports, compared = len(futs), False
        while futs or not compared:
            if not reports and not compared:
                compare()
                bar.update(1)
                compared = True
                continue
            done, _ = wait(futs, return_when=FIRST_COMPLETED)
            for fut in done:
                p, kind = futs.pop(fut)
                if kind == "report":
                    reports -= 1
                    nxt = _after_report(ex, fut, p, items[p], batch, stages)
                    if nxt is not None:
                        futs[nxt] = (p, "uncertainty")
                        continue
                else:
                    _after_uncertainty(fut, items[p], stages, _target(batch, items[p]))
                bar.update(1)


def _target(batch, it) -> Path:
    return Path(batch.out_dir).resolve() / it.name


def _submit_report(ex: Executor, p: Path, it, batch, stages: Stages) -> Future | None:
    """Stage the scenario's folder and hand out its report; None (the item failed) when the
    folder cannot be staged."""
    try:
        stage = stages.stage(_target(batch, it))
    except (SimlibError, OSError) as exc:
        it.ok, it.error = False, exc.message(batch.lang) if isinstance(exc, SimlibError) else f"{exc}"
        return None
    o, n = batch.options, batch.draws_for(it.model)
    page = (batch.lang, set_strings(batch.set_items), n, batch.sampler, batch.uncertainty)
    return ex.submit(
        report_page,
        str(p),
        it.name,
        it.title(batch.lang),
        str(stage),
        str(_target(batch, it).parent),
        o.in_worker(),
        page,
    )


def _result(fut: Future, name: str) -> dict:
    try:
        return fut.result()
    except Exception as exc:  # noqa: BLE001 - a crash in one scenario must not stop the batch
        return {"ok": False, "name": name, "error": f"{type(exc).__name__}: {exc}", "out_dir": None}


def _after_report(ex: Executor, fut: Future, p: Path, it, batch, stages: Stages) -> Future | None:
    """A report is done: its status into `it`; its folder given up if it failed, else its
    uncertainty page handed out (returned) or, without draws, the folder moved into place."""
    r = _result(fut, it.name)
    record(it, r)
    manifest = r.get("manifest") or {}
    target = _target(batch, it)
    if not it.ok:
        stages.abandon(target)
        return None
    n = batch.draws_for(it.model)
    if not n:
        _commit(it, stages, target)
        return None
    unc = (batch.options.seed, n, batch.sampler, manifest)
    args = (str(p), stages.folder(target), target, it.title(batch.lang), batch.lang, set_strings(batch.set_items), ())
    try:
        return ex.submit(uncertainty_report, *args, *unc)
    except Exception as exc:  # noqa: BLE001 - e.g. a worker died and the pool is broken: the report stands
        it.uncertainty_error = f"{type(exc).__name__}: {exc}"
        _commit(it, stages, target)
        return None


def _after_uncertainty(fut: Future, it, stages: Stages, target: Path) -> None:
    """An uncertainty page is done (or crashed: then nothing of it is kept); its folder moved into place."""
    try:
        error = fut.result()
    except Exception as exc:  # noqa: BLE001 - a crash of the page must not lose its scenario's report
        error = f"{type(exc).__name__}: {exc}"
        for name in ("uncertainty.html", "uncertainty.ipynb"):
            (stages.folder(target) / name).unlink(missing_ok=True)
    it.uncertainty_error = error
    it.uncertainty_report = None if error else target / "uncertainty.html"
    _commit(it, stages, target)


def _commit(it, stages: Stages, target: Path) -> None:
    try:
        stages.commit(target)
    except (SimlibError, OSError) as exc:  # e.g. the disk filled up: the previous report stays
        it.ok, it.out_dir = False, None
        it.error = exc.message(None) if isinstance(exc, SimlibError) else f"{type(exc).__name__}: {exc}"
        return
    (target.parent / f"{target.name}.failed.ipynb").unlink(missing_ok=True)


def record(it, r: dict) -> None:
    """A worker's result dict into its `BatchItem`."""
    it.ok, it.name, it.error, it.headline = r["ok"], r["name"], r["error"], r.get("headline") or {}
    it.out_dir = Path(r["out_dir"]) if r.get("out_dir") else None
    it.failed_notebook = Path(r["failed_notebook"]) if r.get("failed_notebook") else None
    it.uncertainty_error = r.get("uncertainty_error") or ""
    it.uncertainty_report = Path(r["uncertainty_report"]) if r.get("uncertainty_report") else None
