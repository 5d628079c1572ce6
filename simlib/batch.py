"""Run a folder (or list) of scenarios and build their reports.

1. Every scenario is validated first; all problems are reported together (`validate_all`).
2. Each valid scenario runs `notebooks/scenario_report.ipynb`, in parallel through the executor
   seam (`simlib.executors.make_executor`: local processes, or Dask). Each worker runs the
   notebooks in its own IPython shell (`simlib.report.inprocess`: no kernel start per page;
   the report notebooks only call library functions), so simlib is imported once per worker.
   The executed notebook, its HTML rendering (code hidden, charts embedded), the tables
   (CSV + XLSX) and `manifest.json` go to `OUT/<scenario>/`, replaced atomically: a failed
   run leaves the previous report in place, and its partly executed notebook is kept as
   `OUT/<scenario>.failed.ipynb` for debugging.
   With `uncertainty` = N > 0, each report also runs N parameter draws (fan charts and the
   probability of meeting each target; the draws run serially inside each worker, since the
   batch already runs its scenarios in parallel) and keeps them (`uncertainty_draws.npy`), and
   `notebooks/uncertainty.ipynb` is rendered over them into `OUT/<scenario>/uncertainty.html`
   (when targets are missed, what we most need to measure better).
3. `notebooks/compare_scenarios.ipynb` compares the successful runs (`OUT/compare.html`): groups
   of like scenarios, and the allocations compared on the draws their reports already ran —
   robustness computed once for the batch, no run repeated (`simlib.report.decision`).
4. `OUT/index.html` opens with the decision brief (which allocation to choose, how sure), then
   every report with its verdict, headline numbers and status; failed scenarios with their error.

One scenario's failure never stops the others; the caller turns failures into a non-zero exit.
With `reports=False` only the tables are written (no notebooks), as `simlib run` would.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from simlib.compliance import enforce
from simlib.dataset import NAME_PATTERN
from simlib.errors import InputError, InputErrors, SimlibError, raise_if_any
from simlib.i18n import LocalText
from simlib.options import RunOptions
from simlib.paths import display_path
from simlib.scenario_files import collect_scenarios  # noqa: F401 - the CLI's import

REPORT_NOTEBOOK = "scenario_report.ipynb"
COMPARE_NOTEBOOK = "compare_scenarios.ipynb"
UNCERTAINTY_NOTEBOOK = "uncertainty.ipynb"
#: the uncertainty page's sensitivity designs (see notebooks/uncertainty.ipynb): small, so that a
#: batch stays quick — 32 Sobol base points, about 640 runs per scenario (64 before: 1 280 runs, half
#: of a batch's CPU). Convergence, checked against 128 base points on plan_2024 and
#: livelihoods_first (benchmarks/reports_sensitivity.json): the same three leading kinds of
#: parameter in the same order, total shares within 0.13 of the 128-point ones and 18 of 19 within
#: their 95 % intervals; groups whose interval is still wider than ±10 points are marked and drawn
#: as intervals. No Morris screening (a check for analysts, `simlib sensitivity`); no robustness
#: runs — the allocations are compared once for the batch, on the draws the reports ran (compare.html)
UNCERTAINTY_OPTIONS = {"sensitivity_points": 32, "morris_trajectories": 0, "robustness": None}


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


def headline(result) -> dict:
    """A few numbers for the index (see `simlib.report.data.headline`)."""
    from simlib.report.data import headline as _headline

    return _headline(result.indicators, result.targets)


def run_one(
    path: str,
    out_dir: str,
    engine: str,
    draws: int,
    seed: int | None,
    set_items: list,
    uncertainty: int = 0,
    sampler: str = "lhs",
) -> dict:
    """Worker (tables only): run one scenario file and write its folder (with `uncertainty` > 0,
    also the tables of that many parameter draws, run serially, as `simlib run --uncertainty`).
    Returns a plain dict."""
    from simlib.runner import run, write_outputs
    from simlib.scenario import load_scenario

    try:
        scen = load_scenario(path, set_items)
        res = run(scen, engine=engine, draws=draws, seed=seed)
        target = Path(out_dir) / scen.name
        if uncertainty:
            from simlib.uncertainty.run import write_uncertainty

            write_uncertainty(
                res,
                target,
                int(uncertainty),
                method=sampler,
                engine=engine,
                draws=draws,
                seed=seed,
                executor="serial",
            )
        else:
            write_outputs(res, target)
        return {"ok": True, "name": scen.name, "out_dir": str(target), "headline": headline(res), "error": ""}
    except SimlibError as exc:
        return {"ok": False, "name": Path(path).stem, "error": exc.message(None), "out_dir": None, "headline": {}}


def _set_strings(set_items: list | None) -> list[str]:
    """`--set` items as `key=value` strings (the form a notebook parameter can carry)."""
    import yaml

    out = []
    for item in set_items or []:
        if isinstance(item, str):
            out.append(item)
        else:
            key, value = item
            text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True).strip()
            out.append(f"{key}={text.removesuffix('...').strip()}")
    return out


def report_one(
    path: str,
    name: str,
    title: str,
    out_dir: str,
    engine: str,
    draws: int,
    seed: int | None,
    lang: str,
    set_items: list,
    uncertainty: int = 0,
    sampler: str = "lhs",
    compare: list | tuple = (),
) -> dict:
    """Worker: execute the scenario report notebook for one scenario and render it.

    With `uncertainty` = N > 0 the report runs N parameter draws (serially: the batch already
    runs scenarios in parallel) and `notebooks/uncertainty.ipynb` is then rendered over them
    (`uncertainty.html`), comparing the scenario with the `compare` scenario files on the same
    draws. A failing uncertainty notebook does not fail the scenario report: its error is
    returned (`uncertainty_error`) and its partly executed notebook kept beside the report.

    Everything is staged in a temporary folder beside `OUT/<name>` and moved into place only
    when the notebook ran, its HTML was written and its tables read back. Returns a plain dict
    (picklable for process and Dask executors)."""
    import nbformat

    from simlib.atomic import atomic_dir, write_text
    from simlib.report import render
    from simlib.report.data import RunTables
    from simlib.report.data import headline as _headline

    out = Path(out_dir).resolve()
    target = out / name
    failed_nb = out / f"{name}.failed.ipynb"
    try:
        with atomic_dir(target) as tmp:
            # every parameter the template declares, so that no default in it (edited or not) is used
            params = {
                "scenario": str(Path(path).resolve()),
                "engine": engine,
                "draws": int(draws),
                "seed": seed,
                "lang": lang,
                "set_items": list(set_items),
                "uncertainty": int(uncertainty),
                "sampler": sampler,
                "batch_options": {
                    "output_dir": str(tmp),
                    "uncertainty_executor": "serial",
                    "uncertainty_jobs": None,
                    "uncertainty_link": "uncertainty.html" if uncertainty else None,
                    "index_link": "../index.html",
                    "compare_link": "../compare.html",
                },
            }
            try:
                nb = render.execute(
                    render.notebook_path(REPORT_NOTEBOOK), tmp / "report.ipynb", params, in_process=True
                )
            except render.NotebookFailed as exc:
                if exc.notebook is not None:
                    write_text(failed_nb, nbformat.writes(exc.notebook))
                raise
            manifest = json.loads((tmp / "manifest.json").read_text(encoding="utf-8"))
            render.record_manifest(nb, manifest)
            render.moved(nb, tmp, target)  # the notebook names the report's folder, not the staging one
            write_text(tmp / "report.ipynb", nbformat.writes(nb))
            write_text(tmp / "report.html", render.to_html(nb, title, lang))
            tabs = RunTables.from_folder(tmp)
            head = _headline(tabs.indicators, tabs.targets)
            unc_error, unc_report = "", None
            if uncertainty and manifest.get("model", "states") == "states":  # draws need the states model
                from simlib.uncertainty.summaries import all_targets_probability

                p_all = all_targets_probability(tabs.uncertainty["outcomes"]).get(head["year_end"])
                head["all_targets_probability"] = None if p_all is None else float(p_all)
                unc_error = uncertainty_report(
                    path, tmp, target, title, lang, set_items, compare, seed, int(uncertainty), sampler, manifest
                )
                unc_report = None if unc_error else str(target / "uncertainty.html")
        failed_nb.unlink(missing_ok=True)
        return {
            "ok": True,
            "name": name,
            "out_dir": str(target),
            "headline": head,
            "error": "",
            "failed_notebook": None,
            "uncertainty_error": unc_error,
            "uncertainty_report": unc_report,
        }
    except render.NotebookFailed as exc:
        return {
            "ok": False,
            "name": name,
            "out_dir": None,
            "headline": {},
            "error": str(exc),
            "failed_notebook": str(failed_nb) if failed_nb.is_file() else None,
        }


def uncertainty_report(
    path: str,
    folder: Path,
    target: Path,
    title: str,
    lang: str,
    set_items: list,
    compare,
    seed: int | None,
    n: int,
    sampler: str,
    manifest: dict,
) -> str:
    """Execute `notebooks/uncertainty.ipynb` over a report folder being built (`folder`, which
    becomes `target`) that holds the scenario's parameter draws, and write `uncertainty.ipynb`
    and `uncertainty.html` into it. Returns '' or the notebook's error (its partly executed
    copy is then kept as `uncertainty.failed.ipynb`)."""
    import nbformat

    from simlib import i18n
    from simlib.atomic import write_text
    from simlib.report import render

    params = {
        "scenario": str(Path(path).resolve()),
        "compare": [str(Path(c).resolve()) for c in compare],
        "results": str(folder),
        "draws": n,
        "sampler": sampler,
        "seed": seed,
        "set_items": list(set_items),
        "robustness_draws": n,
        "executor": "serial",
        "jobs": None,
        "lang": lang,
        "links": {"report": "report.html", "index": "../index.html", "compare": "../compare.html"},
        **UNCERTAINTY_OPTIONS,
    }
    out = folder / "uncertainty.ipynb"
    try:
        nb = render.execute(render.notebook_path(UNCERTAINTY_NOTEBOOK), out, params, in_process=True)
    except render.NotebookFailed as exc:
        out.unlink(missing_ok=True)
        if exc.notebook is not None:
            write_text(folder / "uncertainty.failed.ipynb", nbformat.writes(exc.notebook))
        return str(exc)
    render.record_manifest(nb, manifest)
    render.moved(nb, folder, target)
    write_text(out, nbformat.writes(nb))
    write_text(folder / "uncertainty.html", render.to_html(nb, f"{i18n.t('unc.nb.title', lang)} — {title}", lang))
    return ""


def compare_reports(folders: list[Path], out_dir: str | Path, lang: str) -> None:
    """Execute the comparison notebook over result folders and write `compare.html`,
    `compare.ipynb` and the comparison tables into `out_dir`, each file moved into place only
    when all of them are ready (and recorded in the folder's marker as simlib's)."""
    import nbformat

    from simlib import i18n
    from simlib.atomic import mark_collection, read_marker, write_text
    from simlib.report import render

    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".compare.partial-{os.getpid()}-", dir=out) as tmp:
        tmp = Path(tmp)
        params = {
            "results": [str(Path(f).resolve()) for f in folders],
            "scenarios": [],  # read only when `results` is empty
            "lang": lang,
            "output_dir": str(tmp),
        }
        try:
            nb = render.execute(render.notebook_path(COMPARE_NOTEBOOK), tmp / "compare.ipynb", params, in_process=True)
        except render.NotebookFailed as exc:
            if exc.notebook is not None:
                write_text(out / "compare.failed.ipynb", nbformat.writes(exc.notebook))
            raise
        (out / "compare.failed.ipynb").unlink(missing_ok=True)
        render.record_manifest(nb, {"compared": [Path(f).name for f in folders]})
        render.moved(nb, tmp, out)
        (tmp / "compare.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")
        (tmp / "compare.html").write_text(render.to_html(nb, i18n.t("compare.title", lang), lang), encoding="utf-8")
        files = sorted(f for f in tmp.iterdir() if f.is_file())
        listed = (read_marker(out) or {"files": {}})["files"]
        foreign = [f.name for f in files if (out / f.name).exists() and f.name not in listed]
        if foreign:
            raise InputError("output_not_simlib", file=display_path(out), field="out", files=", ".join(foreign))
        mark_collection(out, "batch", [f.name for f in files])
        for f in files:
            os.replace(f, out / f.name)
        written = {f.name for f in files}
        for name in sorted(set(COMPARE_FILES) - written - {"compare.failed.ipynb"}):
            old = out / name  # an earlier comparison's table this one no longer has, unchanged since
            if old.is_file() and listed.get(name) == old.stat().st_size:
                old.unlink()


def validate_all(paths: list[Path], set_items: list | None = None) -> dict[Path, BaseException]:
    """Every scenario's problems, checked before anything runs: {path: error} for invalid ones
    (an error that is not a user error is a crash of simlib on that file, kept apart so that the
    other files are still checked)."""
    return {p: v for p, v in check_all(paths, set_items).items() if isinstance(v, BaseException)}


def check_all(paths: list[Path], set_items: list | None = None) -> dict:
    """{path: Scenario or the error that makes it invalid (an input problem, or a breach of the legal
    frame, `simlib.compliance.enforce`)}; two files with the same scenario name are an error too
    (their reports would overwrite each other). A crash on one file is recorded for that file and
    does not stop the others."""
    from simlib.scenario import load_scenario

    out: dict = {}
    seen: dict[str, Path] = {}
    for p in paths:
        try:
            scen = load_scenario(p, set_items)
            enforce(scen)  # the legal frame: a breach the scenario does not ask to ignore is an error
        except Exception as exc:  # noqa: BLE001 - one file's problem never hides the others'
            out[p] = exc
            continue
        if scen.name in seen:
            out[p] = InputError(
                "duplicate_scenario",
                file=display_path(p),
                field="name",
                value=scen.name,
                other=display_path(seen[scen.name]),
            )
            continue
        seen[scen.name] = p
        out[p] = scen
    return out


def load_all(paths: list[Path], set_items: list | None = None) -> list:
    """Every scenario of `paths` (validated), or every problem of every file at once."""
    checked = check_all(paths, set_items)
    errors: list[InputError] = []
    for p, v in checked.items():
        if isinstance(v, InputErrors):
            errors.extend(e.with_file(display_path(p)) for e in v.errors)
        elif isinstance(v, InputError):
            errors.append(v.with_file(display_path(p)))
        elif isinstance(v, BaseException):
            raise v
    raise_if_any(errors)
    return [checked[p] for p in paths]


def _names_of_invalid(path: Path, default: str) -> tuple[str, LocalText]:
    """Name and titles of an invalid scenario as far as its file can be read (for the index)."""
    from simlib.schema import load_yaml

    try:
        raw = load_yaml(path)
        name = raw.get("name")
        name = name if isinstance(name, str) and NAME_PATTERN.match(name) else default
        return name, LocalText.from_fields(raw, "title")
    except Exception:  # noqa: BLE001 - unreadable: the validation error says why
        return default, LocalText()


#: files a batch writes beside the scenario folders (the comparison and the index; the last
#: three are earlier versions' names, removed when unchanged since)
COMPARE_FILES = (
    "compare.html",
    "compare.ipynb",
    "compare.failed.ipynb",
    "compare.xlsx",
    "compare_verdicts.csv",
    "compare_robustness.csv",
    "compare_regret.csv",
    "compare_table_ranking.csv",
    "compare_ranking.csv",
    "compare_scorecard.csv",
    "compare_probabilities.csv",
)


def batch_names(names: list[str], reports: bool) -> list[str]:
    """Every file a batch of scenarios `names` may write at the top of its output folder."""
    if not reports:
        return []
    return ["index.html", *COMPARE_FILES, *(f"{n}.failed.ipynb" for n in names)]


def check_batch_output(out_dir: Path, scenarios: dict, reports: bool) -> None:
    """Before any work: the batch's folder may hold other files, but nothing the batch writes
    may replace a file simlib did not write (`simlib.atomic`); each scenario's folder must be new,
    empty or an earlier simlib run or report, and must not contain the scenario's own inputs."""
    from simlib.atomic import collection_problems, environment_problems, inputs_inside, ownership_problems

    errors = collection_problems(out_dir, "batch", batch_names(list(scenarios), reports))
    if not errors:
        for name, scen in scenarios.items():
            errors += ownership_problems(out_dir / name, "run")
            errors += inputs_inside(out_dir / name, scen.input_paths())
    if not errors:
        errors += environment_problems(out_dir)
    raise_if_any(errors)


def _batch_options(options: RunOptions | None, option_fields: dict, uncertainty: int, sampler: str) -> RunOptions:
    """The batch's run options (default: local processes with a progress bar), checked together
    with the uncertainty options: every problem at once."""
    from simlib.uncertainty.sampling import METHODS

    errors = []
    if not isinstance(uncertainty, int) or uncertainty < 0:
        errors.append(InputError("uncertainty_draws", field="uncertainty", value=uncertainty))
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
    uncertainty: int = 0,
    sampler: str = "lhs",
    **option_fields,
) -> BatchResult:
    """Validate all scenarios (calling `on_invalid({path: error})` at once if some are
    invalid), check the output folder, then run the valid ones in parallel — as reports
    (default) or tables only — then, for reports, the comparison and the index page. Invalid,
    crashing or failing scenarios are returned with their error; they never stop the others.
    `options` (a `RunOptions`, or its fields as keywords; default: local processes with a
    progress bar) give each scenario's engine, draws and seed and spread the scenarios over
    workers. With `uncertainty` = N > 0, every scenario also runs N parameter draws (`sampler`
    lhs | sobol | random) and, for reports, gets its uncertainty report."""
    from simlib import i18n
    from simlib.atomic import folder_lock, mark_collection

    lang = i18n.get_lang(lang)
    options = _batch_options(options, option_fields, uncertainty, sampler)
    engine, draws, seed = options.engine, options.draws, options.seed
    jobs, executor, scheduler, progress = options.jobs, options.executor, options.scheduler, options.progress
    out_dir = Path(out_dir)
    checked = check_all(paths, set_items)
    items = _batch_items(paths, checked, lang, on_invalid)
    todo = [p for p in paths if not isinstance(checked[p], BaseException)]
    check_batch_output(out_dir, {items[p].name: checked[p] for p in todo}, reports)
    result = BatchResult([items[p] for p in paths], out_dir, uncertainty=uncertainty, sampler=sampler)
    out_dir.mkdir(parents=True, exist_ok=True)
    with folder_lock(out_dir):
        reserved = batch_names([items[p].name for p in todo], reports)
        mark_collection(out_dir, "batch", reserved)
        opts = dict(engine=engine, draws=draws, seed=seed, uncertainty=uncertainty, sampler=sampler)
        if todo:
            _run_all(
                todo, items, out_dir, opts, list(set_items or []), reports, lang, progress, executor, jobs, scheduler
            )
        if reports:
            _compare_all(result, out_dir, lang)
            from simlib.report.index import write_index

            result.index = write_index(result, out_dir, lang, engine=engine, draws=draws)
        mark_collection(out_dir, "batch", [n for n in reserved if (out_dir / n).is_file()])
    return result


def _batch_items(paths: list[Path], checked: dict, lang: str, on_invalid) -> dict[Path, BatchItem]:
    """One item per file; invalid files get their message (and `on_invalid` is told at once),
    files simlib crashed on are marked failed with the crash."""
    items = {p: BatchItem(path=p, name=p.stem) for p in paths}
    bad = {}
    for p, v in checked.items():
        it = items[p]
        if isinstance(v, SimlibError):
            it.error, it.invalid = v.message(lang), True
            it.name, it.titles = _names_of_invalid(p, it.name)
            bad[p] = v
        elif isinstance(v, BaseException):
            it.error = f"{type(v).__name__}: {v}"
            it.name, it.titles = _names_of_invalid(p, it.name)
        else:
            it.name, it.titles = v.name, v.title
    if bad and on_invalid is not None:
        on_invalid(bad)
    return items


def _run_all(todo, items, out_dir, opts, set_list, reports, lang, progress, executor, jobs, scheduler) -> None:
    """Run every valid scenario through the executor; results go into `items`."""
    from concurrent.futures import as_completed

    from tqdm.auto import tqdm

    from simlib import i18n
    from simlib.executors import default_jobs, make_executor

    n_jobs = min(jobs or default_jobs(), len(todo))  # default: one worker per core
    desc = i18n.t("cli.progress_reports" if reports else "cli.progress_scenarios", lang)
    with (
        tqdm(total=len(todo) + (1 if reports else 0), desc=desc, disable=not progress, unit="") as bar,
        contextlib.ExitStack() as stack,
    ):
        try:
            ex = stack.enter_context(make_executor(executor, jobs=n_jobs, scheduler=scheduler))
        except (OSError, TimeoutError) as exc:  # e.g. no Dask scheduler at that address
            raise InputError(
                "executor_start",
                field="scheduler" if scheduler else "executor",
                value=scheduler or executor,
                detail=str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__,
            ) from None
        futs = {_submit(ex, p, items[p], todo, out_dir, opts, set_list, reports, lang): p for p in todo}
        for fut in as_completed(futs):
            p = futs[fut]
            try:
                r = fut.result()
            except Exception as exc:  # noqa: BLE001 - a crash in one scenario must not stop the batch
                r = {"ok": False, "name": items[p].name, "error": f"{type(exc).__name__}: {exc}", "out_dir": None}
            _record(items[p], r)
            bar.update(1)


def _submit(ex, p, it, todo, out_dir, opts, set_list, reports, lang):
    o = opts
    if reports:
        return ex.submit(
            report_one,
            str(p),
            it.name,
            it.title(lang),
            str(out_dir),
            o["engine"],
            o["draws"],
            o["seed"],
            lang,
            _set_strings(set_list),
            o["uncertainty"],
            o["sampler"],
        )
    return ex.submit(
        run_one, str(p), str(out_dir), o["engine"], o["draws"], o["seed"], set_list, o["uncertainty"], o["sampler"]
    )


def _record(it: BatchItem, r: dict) -> None:
    it.ok, it.name, it.error, it.headline = r["ok"], r["name"], r["error"], r.get("headline") or {}
    it.out_dir = Path(r["out_dir"]) if r.get("out_dir") else None
    it.failed_notebook = Path(r["failed_notebook"]) if r.get("failed_notebook") else None
    it.uncertainty_error = r.get("uncertainty_error") or ""
    it.uncertainty_report = Path(r["uncertainty_report"]) if r.get("uncertainty_report") else None


def _compare_all(result: BatchResult, out_dir: Path, lang: str) -> None:
    good = [it.out_dir for it in result.items if it.ok and it.out_dir is not None]
    if not good:
        return
    try:
        compare_reports(good, out_dir, lang)
        result.compare_ok = True
    except Exception as exc:  # noqa: BLE001 - reported in the index and the exit status
        result.compare_ok, result.compare_error = (
            False,
            str(exc).splitlines()[0][:500] if str(exc) else type(exc).__name__,
        )
