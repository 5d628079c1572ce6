"""The batch itself: which scenarios run, spread over the executor's workers (one page per
scenario, `simlib.batch.pages`), then the comparison and the index page; each scenario's status is
kept in its `BatchItem`, and one scenario's failure never stops the others.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

from tqdm.auto import tqdm

from simlib import i18n
from simlib.atomic import folder_lock
from simlib.batch.checks import batch_names, check_all, check_batch_output, names_of_invalid
from simlib.batch.compiling import compile_watch
from simlib.batch.folder import mark_collection, removed_if_left_bare
from simlib.batch.pages import compare_reports, run_one, warm_up
from simlib.batch.staged import Stages, record, run_reports
from simlib.batch.warmup import kernels_of, warm_kernels, warm_plan
from simlib.errors import InputError, InputErrors, SimlibError, raise_if_any
from simlib.executors import default_jobs, make_executor
from simlib.i18n import LocalText
from simlib.options import RunOptions


@dataclass
class BatchItem:
    """One scenario of a batch: its file, name, titles, status and where its report is."""

    path: Path
    name: str
    ok: bool = False
    error: str = ""
    out_dir: Path | None = None
    headline: dict = field(default_factory=dict)
    titles: LocalText = field(default_factory=LocalText)
    invalid: bool = False
    failed_notebook: Path | None = None
    uncertainty_report: Path | None = None  # OUT/<name>/uncertainty.html when rendered
    uncertainty_error: str = ""  # why the uncertainty report failed (the scenario report stands)
    model: str = "states"  # its poverty model (the batch may draw fewer parameters for "multidim")

    def title(self, lang: str = "vi") -> str:
        return self.titles.get(lang) or self.name


@dataclass
class BatchResult:
    """What a batch produced: its items, the comparison's status and the index page."""

    items: list[BatchItem]
    out_dir: Path
    compare_ok: bool | None = None  # None: not attempted (fewer than one good report)
    compare_error: str = ""
    index: Path | None = None
    uncertainty: int = 0  # parameter draws per scenario (0: none)
    sampler: str = "lhs"

    @property
    def failed(self) -> list[BatchItem]:
        return [it for it in self.items if not it.ok]

    @property
    def ok(self) -> bool:
        return not self.failed and self.compare_ok is not False and not any(it.uncertainty_error for it in self.items)


def _batch_options(
    options: RunOptions | None, option_fields: dict, uncertainty: int, sampler: str, multidim: int | None = None
) -> RunOptions:
    """The batch's run options (default: local processes with a progress bar), checked together
    with the uncertainty options (`multidim`: the draws of multidimensional scenarios, None: the
    same): every problem at once."""
    # local import: the report and uncertainty modules load matplotlib and scipy.stats (about 1.3 s CPU); `simlib validate` imports simlib.batch and needs neither
    from simlib.uncertainty.sampling import METHODS

    errors = []
    if not isinstance(uncertainty, int) or uncertainty < 0:
        errors.append(InputError("uncertainty_draws", field="uncertainty", value=uncertainty))
    if multidim is not None and (not isinstance(multidim, int) or multidim < 0):
        errors.append(InputError("uncertainty_draws", field="uncertainty_multidim", value=multidim))
    if sampler not in METHODS:
        errors.append(InputError("enum", field="sampler", value=sampler, allowed=METHODS))
    try:
        base = options if options is not None else RunOptions(executor="local", progress=True)
        options = RunOptions.of(base, **option_fields)
    except InputErrors as exc:
        errors = exc.errors + errors
    except InputError as exc:
        errors = [exc] + errors
    raise_if_any(errors)
    return options


def run_batch(
    paths: list[Path],
    out_dir: str | Path,
    options: RunOptions | None = None,
    *,
    set_items: list | None = None,
    lang: str | None = None,
    reports: bool = True,
    on_invalid=None,
    on_start=None,
    uncertainty: int = 0,
    sampler: str = "lhs",
    uncertainty_multidim: int | None = None,
    **option_fields,
) -> BatchResult:
    """Validate all scenarios (calling `on_invalid({path: error})` at once if some are
    invalid), check the output folder, call `on_start(models)` with the poverty models of the
    scenarios about to run (e.g. to say that a first run compiles the multidimensional engine),
    then run the valid ones in parallel — as reports
    (default) or tables only — then, for reports, the comparison and the index page. Invalid,
    crashing or failing scenarios are returned with their error; they never stop the others.
    `options` (a `RunOptions`, or its fields as keywords; default: local processes with a
    progress bar) give each scenario's engine, draws and seed and spread the scenarios over
    workers. With `uncertainty` = N > 0, every scenario also runs N parameter draws (`sampler`
    lhs | sobol | random) and, for reports, gets its uncertainty report; a multidimensional
    scenario runs `uncertainty_multidim` draws instead when given (each of its draws re-runs the
    whole model: the cost policy of `make reports`, stated on its report)."""
    lang = i18n.get_lang(lang)
    options = _batch_options(options, option_fields, uncertainty, sampler, uncertainty_multidim)
    out_dir = Path(out_dir)
    # the report folders being built are given up (if any is left) after the workers end, and the
    # batch's own folder if it made it and nothing else is in it (an interruption, a crash)
    with removed_if_left_bare(out_dir), Stages() as stages, contextlib.ExitStack() as workers:
        # local processes start (and warm up for their pages) while the scenarios are checked
        early = _start_workers(workers, options, len(paths), reports) if options.executor == "local" else None
        checked = check_all(paths, set_items)
        items = _batch_items(paths, checked, lang, on_invalid)
        todo = [p for p in paths if not isinstance(checked[p], BaseException)]
        check_batch_output(out_dir, {items[p].name: checked[p] for p in todo}, reports)
        result = BatchResult([items[p] for p in paths], out_dir, uncertainty=uncertainty, sampler=sampler)
        out_dir.mkdir(parents=True, exist_ok=True)
        with folder_lock(out_dir):
            reserved = batch_names([items[p].name for p in todo], reports)
            mark_collection(out_dir, "batch", reserved)
            if todo:
                order = longest_first(todo, checked)
                needed, warm = batch_kernels(order, checked, options, len(paths) if early else len(todo))
                batch = Batch(
                    options, out_dir, list(set_items or []), reports, lang, uncertainty, sampler, uncertainty_multidim
                )
                batch = replace(batch, needed=needed, warm=warm)
                if on_start is not None:
                    on_start({items[p].model for p in todo})
                ex = early or _start_workers(workers, options, len(todo), reports)
                _run_all(ex, order, items, batch, (result, stages))
            workers.close()
            _finish(result, options, out_dir, lang, reports)
    return result


def _finish(result: BatchResult, options: RunOptions, out_dir: Path, lang: str, reports: bool) -> None:
    """For reports, the index page (the comparison was made as soon as every report was done,
    `staged.run_reports`); then the folder's record of what simlib wrote."""
    if reports:
        # local import: the report and uncertainty modules load matplotlib and scipy.stats (about 1.3 s CPU); `simlib validate` imports simlib.batch and needs neither
        from simlib.report.index import write_index

        result.index = write_index(result, out_dir, lang, engine=options.engine, draws=options.draws)
    mark_collection(out_dir, "batch", written=True)  # every file simlib wrote there, as it left it


def batch_kernels(order: list[Path], checked: dict, options: RunOptions, n: int) -> tuple:
    """(the year kernels the scenarios `order` call, what the workers compile before them:
    `warmup.warm_plan`); `n`: the scenarios the executor was started for (its workers: one per
    core, at most `n`, `_start_workers`)."""
    needs = [(p, kernels_of(checked[p], options)) for p in order]
    workers = min(options.jobs or default_jobs(), default_jobs(), n) if options.executor == "local" else 1
    return frozenset(k for _, ks in needs for k in ks), tuple(warm_plan(needs, workers))


def _batch_items(paths: list[Path], checked: dict, lang: str, on_invalid) -> dict[Path, BatchItem]:
    """One item per file; invalid files get their message (and `on_invalid` is told at once),
    files simlib crashed on are marked failed with the crash."""
    items = {p: BatchItem(path=p, name=p.stem) for p in paths}
    bad = {}
    for p, v in checked.items():
        it = items[p]
        if isinstance(v, SimlibError):
            it.error, it.invalid = v.message(lang), True
            it.name, it.titles = names_of_invalid(p, it.name)
            bad[p] = v
        elif isinstance(v, BaseException):
            it.error = f"{type(v).__name__}: {v}"
            it.name, it.titles = names_of_invalid(p, it.name)
        else:
            it.name, it.titles, it.model = v.name, v.title, v.poverty_model
    if bad and on_invalid is not None:
        on_invalid(bad)
    return items


def expected_cost(scen) -> tuple:
    """A rough rank of how long a scenario's report takes: the multidimensional model first (each
    of its runs costs about as much as a states scenario's whole report with its draws; a dated run
    adds its old-standard twin), then by geographic units × years."""
    return (scen.poverty_model != "states", scen.dated, len(scen.dataset.units) * len(scen.years))


def longest_first(todo: list[Path], checked: dict) -> list[Path]:
    """The scenarios in the order they are handed to the workers: the longest first, so that no
    worker starts a long report when the others have nothing left to do (in file order the
    slowest, plan_2027, came last and ran alone). Ties keep the file order. The order changes
    nothing in any report: each scenario's run and draws are seeded by the scenario alone."""
    return sorted(todo, key=lambda p: expected_cost(checked[p]), reverse=True)


@dataclass(frozen=True)
class Batch:
    """What every scenario of one batch shares: the run options (engine, draws, seed, executor,
    workers, progress), the output folder, the `--set` items, reports or tables only, the
    language, and the parameter draws per scenario with their sampler (`uncertainty_multidim`: per
    multidimensional scenario, None: the same)."""

    options: RunOptions
    out_dir: Path
    set_items: list
    reports: bool
    lang: str
    uncertainty: int
    sampler: str
    uncertainty_multidim: int | None = None
    #: the year kernels of the multidimensional engine the scenarios call (`warmup.kernels_of`)
    needed: frozenset | None = None
    #: (kernel, scenario) compiled by the workers before the scenarios start (`warmup.warm_plan`)
    warm: tuple = ()

    def draws_for(self, model: str) -> int:
        """The parameter draws a scenario of poverty model `model` runs."""
        multidim = model != "states" and self.uncertainty_multidim is not None
        return min(self.uncertainty, self.uncertainty_multidim) if multidim else self.uncertainty


def _start_workers(stack: contextlib.ExitStack, o: RunOptions, n: int, reports: bool) -> Executor:
    """The batch's executor for `n` scenarios (one worker per core by default, never more than
    scenarios), entered on `stack`; for reports each local worker warms up as it starts
    (`pages.warm_up`). A Dask scheduler that cannot be reached is a clear input error."""
    n_jobs = min(o.jobs or default_jobs(), n)
    try:
        ex = make_executor(o.executor, jobs=n_jobs, scheduler=o.scheduler, warm=warm_up if reports else None)
        return stack.enter_context(ex)
    except (OSError, TimeoutError) as exc:  # e.g. no Dask scheduler at that address
        raise InputError(
            "executor_start",
            field="scheduler" if o.scheduler else "executor",
            value=o.scheduler or o.executor,
            detail=str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__,
        ) from None


def _run_all(ex: Executor, todo: list[Path], items: dict[Path, BatchItem], batch: Batch, into: tuple) -> None:
    """Run every valid scenario through the executor `ex`; results go into `items`. Reports go
    page by page (`staged.run_reports`, which makes the comparison as soon as every report is
    done); tables only, one task per scenario; on either, what a first run compiles meanwhile
    (`compiling`). `into`: the batch's result and the report folders
    being built (`staged.Stages`)."""
    if batch.reports:
        result, stages = into
        run_reports(ex, todo, items, batch, stages, lambda: _compare_all(result, stages, batch.lang))
        return
    o = batch.options
    desc = i18n.t("cli.progress_scenarios", batch.lang)
    bar = tqdm(total=len(todo), desc=desc, disable=not o.progress, unit="")
    with bar, compile_watch(bar, batch.lang, {items[p].model for p in todo}, needed=batch.needed):
        warm_kernels(ex, batch.warm, batch.set_items, o)
        futs = {_submit(ex, p, items[p], batch): p for p in todo}
        for fut in as_completed(futs):
            p = futs[fut]
            try:
                r = fut.result()
            except Exception as exc:  # noqa: BLE001 - a crash in one scenario must not stop the batch
                r = {"ok": False, "name": items[p].name, "error": f"{type(exc).__name__}: {exc}", "out_dir": None}
            record(items[p], r)
            bar.update(1)


def _submit(ex, p: Path, it: BatchItem, batch: Batch):
    """One scenario's tables on the executor, with plain arguments (picklable for process and
    Dask executors)."""
    o, n = batch.options, batch.draws_for(it.model)
    return ex.submit(run_one, str(p), str(batch.out_dir), o.in_worker(), batch.set_items, n, batch.sampler)


def _compare_all(result: BatchResult, stages: Stages, lang: str) -> None:
    """The comparison of the good reports (read where they are: some may still be staged while
    their uncertainty pages run), its status into `result`."""
    good = [it for it in result.items if it.ok and it.out_dir is not None]
    if not good:
        return
    try:
        compare_reports(
            [stages.folder(it.out_dir) for it in good], result.out_dir, lang, [it.out_dir.name for it in good]
        )
        result.compare_ok = True
    except Exception as exc:  # noqa: BLE001 - reported in the index and the exit status
        result.compare_ok, result.compare_error = (
            False,
            str(exc).splitlines()[0][:500] if str(exc) else type(exc).__name__,
        )
