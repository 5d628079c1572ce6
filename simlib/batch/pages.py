"""One batch page at a time: a scenario's tables (`run_one`), its report notebook rendered to HTML
(`report_one`, with the uncertainty page over the draws it ran, `uncertainty_report`), and the
comparison of the batch's reports (`compare_reports`). The workers return plain dicts, picklable
for process and Dask executors; every page is staged and moved into place only when whole.
"""

from __future__ import annotations

import atexit
import functools
import gc
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import yaml

from simlib import i18n
from simlib.atomic import atomic_dir, read_marker, write_text
from simlib.batch.checks import COMPARE_FILES
from simlib.batch.folder import mark_collection
from simlib.errors import InputError, SimlibError
from simlib.options import RunOptions
from simlib.paths import display_path
from simlib.report import render
from simlib.runner import run, write_outputs
from simlib.scenario import load_scenario

if TYPE_CHECKING:
    from simlib.report.data import RunTables

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
#: the same page of a multidimensional scenario runs no Sobol design: its hundreds of runs re-run
#: the whole multidimensional model each (seconds of CPU a run, far beyond a batch's budget); the
#: page says so and gives the `simlib sensitivity` command (`uncertainty_page.sensitivity`)
MULTIDIM_UNCERTAINTY_OPTIONS = dict(UNCERTAINTY_OPTIONS, sensitivity_points=0)


@functools.cache
def skip_exit_collections() -> None:
    """At this process's exit, skip Python's final garbage-collection passes: an exit handler
    freezes every object still alive (`gc.freeze`), so the collections of the interpreter's
    shutdown walk none of them. A batch process holds hundreds of thousands of objects (the
    report modules, their caches), and walking them took a worker 1–3 s of its exit, which the
    batch waited for before its comparison page. Nothing else changes: exit handlers registered
    before this one still run after it, every open file is still closed and objects are still
    freed by reference counting; only objects caught in reference cycles are left to the
    operating system (Python never promised to finalise them at exit). Registered once per
    process."""
    atexit.register(gc.freeze)


def warm_up(comparison: bool = False) -> None:
    """What a batch process pays for before its first page, done ahead: a worker does it as it
    starts, while the parent checks the scenarios; the parent (`comparison`: the comparison's and
    index's modules too) while its workers run. The report modules imported (matplotlib,
    scipy.stats, IPython, papermill: about 1.5 s of CPU) and the notebook shell made
    (`simlib.report.inprocess.shell`, made once per process). Nothing is computed: every page is
    the same whether a process warmed up or not. Its exit will skip the final collections
    (`skip_exit_collections`)."""
    skip_exit_collections()
    # local import: the report and uncertainty modules load matplotlib and scipy.stats (about 1.3 s CPU); `simlib validate` imports simlib.batch and needs neither
    from papermill.parameterize import parameterize_notebook  # noqa: F401 - imported for its cost

    # local import: the page modules themselves, for the same reason
    from simlib.report import inprocess, scenario_report, uncertainty_page  # noqa: F401 - imported for their cost

    if comparison:
        # local import: the comparison's and index's modules, only in the parent that renders them
        from simlib.report import compare, index  # noqa: F401 - imported for their cost
    inprocess.shell()


def headline(result) -> dict:
    """A few numbers for the index (see `simlib.report.data.headline`)."""
    # local import: the report and uncertainty modules load matplotlib and scipy.stats (about 1.3 s CPU); `simlib validate` imports simlib.batch and needs neither
    from simlib.report.data import headline as table_headline

    return table_headline(result.indicators, result.targets)


def run_one(
    path: str,
    out_dir: str,
    options: RunOptions | None,
    set_items: list,
    uncertainty: int = 0,
    sampler: str = "lhs",
) -> dict:
    """Worker (tables only): run one scenario file with the engine, draws and seed of `options`
    (a `RunOptions`; None: its defaults) and write its folder (with `uncertainty` > 0, also the
    tables of that many parameter draws, run serially, as `simlib run --uncertainty`).
    Returns a plain dict."""
    options = RunOptions.of(options).in_worker()
    try:
        scen = load_scenario(path, set_items)
        res = run(scen, options)
        target = Path(out_dir) / scen.name
        if uncertainty:
            # local import: the report and uncertainty modules load matplotlib and scipy.stats (about 1.3 s CPU); `simlib validate` imports simlib.batch and needs neither
            from simlib.uncertainty.run import write_uncertainty

            write_uncertainty(res, target, int(uncertainty), options=options, method=sampler)
        else:
            write_outputs(res, target)
        return {"ok": True, "name": scen.name, "out_dir": str(target), "headline": headline(res), "error": ""}
    except SimlibError as exc:
        return {"ok": False, "name": Path(path).stem, "error": exc.message(None), "out_dir": None, "headline": {}}


def set_strings(set_items: list | None) -> list[str]:
    """`--set` items as `key=value` strings (the form a notebook parameter can carry)."""
    out = []
    for item in set_items or []:
        if isinstance(item, str):
            out.append(item)
        else:
            key, value = item
            text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True).strip()
            out.append(f"{key}={text.removesuffix('...').strip()}")
    return out


def _report_params(
    path: str,
    options: RunOptions,
    lang: str,
    set_items: list,
    uncertainty: int,
    sampler: str,
    tmp: Path,
    asked: int = 0,
) -> dict:
    """Every parameter the report template declares, so that no default in it (edited or not) is
    used; `asked`: the batch's draws per scenario, when this one runs fewer (its report says why)."""
    return {
        "scenario": str(Path(path).resolve()),
        "engine": options.engine,
        "draws": int(options.draws),
        "seed": options.seed,
        "lang": lang,
        "set_items": list(set_items),
        "uncertainty": int(uncertainty),
        "sampler": sampler,
        "batch_options": {
            "output_dir": str(tmp),
            "uncertainty_executor": "serial",
            "uncertainty_jobs": None,
            "uncertainty_asked": int(max(asked, uncertainty)),
            "uncertainty_link": "uncertainty.html" if uncertainty else None,
            "index_link": "../index.html",
            "compare_link": "../compare.html",
        },
    }


def _execute_report(params: dict, tmp: Path, failed_nb: Path):
    """Run the report notebook into the staging folder; a failing one is kept as `failed_nb`."""
    try:
        return render.execute(render.notebook_path(REPORT_NOTEBOOK), tmp / "report.ipynb", params, in_process=True)
    except render.NotebookFailed as exc:
        if exc.notebook is not None:
            write_text(failed_nb, nbformat.writes(exc.notebook))
        raise


def _write_report(nb, tmp: Path, target: Path, title: str, lang: str) -> dict:
    """Record the run's manifest in the notebook, point it at the report's folder (not the
    staging one), write it and its HTML; the manifest."""
    manifest = json.loads((tmp / "manifest.json").read_text(encoding="utf-8"))
    render.record_manifest(nb, manifest)
    render.moved(nb, tmp, target)
    write_text(tmp / "report.ipynb", nbformat.writes(nb))
    write_text(tmp / "report.html", render.to_html(nb, title, lang))
    return manifest


def _read_back(folder: Path) -> tuple:
    """The tables a report wrote, read back (a report is only kept when they read), and its headline."""
    # local import: the report and uncertainty modules load matplotlib and scipy.stats (about 1.3 s CPU); `simlib validate` imports simlib.batch and needs neither
    from simlib.report.data import RunTables
    from simlib.report.data import headline as table_headline

    tabs = RunTables.from_folder(folder)
    return tabs, table_headline(tabs.indicators, tabs.targets)


def _add_probabilities(head: dict, tabs: RunTables) -> None:
    """With draws (either poverty model): the probability of meeting every target in the headline."""
    # local import: the report and uncertainty modules load matplotlib and scipy.stats (about 1.3 s CPU); `simlib validate` imports simlib.batch and needs neither
    from simlib.uncertainty.summaries import all_targets_probability

    for key, reading in (("all_targets_probability", "each_unit"), ("all_targets_probability_together", "aggregate")):
        p = all_targets_probability(tabs.uncertainty["outcomes"], reading).get(head["year_end"])
        head[key] = None if p is None else float(p)


def _report_into(path: str, tmp: Path, target: Path, title: str, options: RunOptions, page: tuple) -> tuple:
    """The report notebook executed into `tmp` (a folder being built that becomes `target`), its
    notebook, HTML and manifest written and its tables read back: (headline, manifest). Raises
    `render.NotebookFailed`, the partly executed notebook kept as OUT/<name>.failed.ipynb.
    `page`: (lang, set_items, uncertainty, sampler, asked), as `report_one` takes them."""
    lang, set_items, uncertainty, sampler, asked = page
    params = _report_params(path, options, lang, set_items, uncertainty, sampler, tmp, asked)
    nb = _execute_report(params, tmp, target.parent / f"{target.name}.failed.ipynb")
    manifest = _write_report(nb, tmp, target, title, lang)
    tabs, head = _read_back(tmp)
    if uncertainty:
        _add_probabilities(head, tabs)
    return head, manifest


def _report_failed(name: str, exc: render.NotebookFailed, failed_nb: Path) -> dict:
    return {
        "ok": False,
        "name": name,
        "out_dir": None,
        "headline": {},
        "error": str(exc),
        "failed_notebook": str(failed_nb) if failed_nb.is_file() else None,
    }


def report_one(
    path: str,
    name: str,
    title: str,
    out_dir: str,
    options: RunOptions | None,
    lang: str,
    set_items: list,
    uncertainty: int = 0,
    sampler: str = "lhs",
    compare: list | tuple = (),
    asked: int = 0,
) -> dict:
    """Worker: execute the scenario report notebook for one scenario and render it, with the
    engine, draws and seed of `options` (a `RunOptions`; None: its defaults).

    With `uncertainty` = N > 0 the report runs N parameter draws (serially: the batch already
    runs scenarios in parallel) and `notebooks/uncertainty.ipynb` is then rendered over them
    (`uncertainty.html`), comparing the scenario with the `compare` scenario files on the same
    draws. A failing uncertainty notebook does not fail the scenario report: its error is
    returned (`uncertainty_error`) and its partly executed notebook kept beside the report.
    `asked`: the batch's draws per scenario, when it gives this one fewer (`uncertainty`; the
    multidimensional model's cost policy): its report says so, with the command for all of them.

    Everything is staged in a temporary folder beside `OUT/<name>` and moved into place only
    when the notebook ran, its HTML was written and its tables read back. Returns a plain dict
    (picklable for process and Dask executors). `simlib batch` runs the same two pages as two
    tasks (`report_page`, then `uncertainty_report`) over a folder it stages itself."""
    options = RunOptions.of(options)
    target = Path(out_dir).resolve() / name
    failed_nb = target.parent / f"{name}.failed.ipynb"
    try:
        with atomic_dir(target) as tmp:
            page = (lang, set_items, uncertainty, sampler, asked)
            head, manifest = _report_into(path, tmp, target, title, options, page)
            unc_error = ""
            if uncertainty:
                unc = (options.seed, int(uncertainty), sampler, manifest)
                unc_error = uncertainty_report(path, tmp, target, title, lang, set_items, compare, *unc)
    except render.NotebookFailed as exc:
        return _report_failed(name, exc, failed_nb)
    failed_nb.unlink(missing_ok=True)
    unc_page = None if unc_error or not uncertainty else str(target / "uncertainty.html")
    return _made(name, target, head, uncertainty_error=unc_error, uncertainty_report=unc_page)


def _made(name: str, target: Path, head, **more) -> dict:
    """A worker's plain-dict result for a scenario whose report was made into `target`."""
    return {
        "ok": True,
        "name": name,
        "out_dir": str(target),
        "headline": head,
        "error": "",
        "failed_notebook": None,
        **more,
    }


def report_page(
    path: str,
    name: str,
    title: str,
    stage: str,
    out_dir: str,
    options: RunOptions | None,
    page: tuple,
) -> dict:
    """Worker (`simlib batch`): the scenario report of `report_one` without its uncertainty page,
    executed into `stage`, a folder the batch staged for OUT/<name> (`simlib.batch.staged`) and
    moves into place itself once the scenario's pages are done. `page`: (lang, set_items,
    uncertainty, sampler, asked). Returns a plain dict, with the run's `manifest` for the
    uncertainty page."""
    target = Path(out_dir).resolve() / name
    try:
        head, manifest = _report_into(path, Path(stage), target, title, RunOptions.of(options), page)
    except render.NotebookFailed as exc:
        return _report_failed(name, exc, target.parent / f"{name}.failed.ipynb")
    return _made(name, target, head, manifest=manifest)


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
        **(UNCERTAINTY_OPTIONS if manifest.get("model", "states") == "states" else MULTIDIM_UNCERTAINTY_OPTIONS),
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


def compare_reports(folders: list[Path], out_dir: str | Path, lang: str, names: list[str] | None = None) -> None:
    """Execute the comparison notebook over result folders and write `compare.html`,
    `compare.ipynb` and the comparison tables into `out_dir`, each file moved into place only
    when all of them are ready (and recorded in the folder's marker as simlib's). `names`: the
    folders' names in `out_dir` when some are still being built elsewhere (a staging folder
    becomes `out_dir/<name>`: links and the recorded parameters say that), by default their own."""
    out = Path(out_dir).resolve()
    names = list(names) if names is not None else [Path(f).name for f in folders]
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".compare.partial-{os.getpid()}-", dir=out) as tmp:
        tmp = Path(tmp)
        results = [str(Path(f).resolve()) for f in folders]
        params = {
            "results": results,
            "links": [f"{n}/report.html" for n in names],
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
        render.record_manifest(nb, {"compared": names})
        for folder, name in zip(results, names, strict=True):
            render.moved(nb, folder, out / name)
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
