"""Run a folder (or list) of scenarios and build their reports.

1. Every scenario is validated first; all problems are reported together (`validate_all`).
2. Each valid scenario runs `notebooks/scenario_report.ipynb` through papermill, in parallel
   through the executor seam (`simlib.executors.make_executor`: local processes, or Dask).
   The executed notebook, its HTML rendering (code hidden, charts embedded), the tables
   (CSV + XLSX) and `manifest.json` go to `OUT/<scenario>/`, replaced atomically: a failed
   run leaves the previous report in place, and its partly executed notebook is kept as
   `OUT/<scenario>.failed.ipynb` for debugging.
   With `uncertainty` = N > 0, each report also runs N parameter draws (fan charts and the
   probability of meeting each target; the draws run serially inside each worker, since the
   batch already runs its scenarios in parallel), and `notebooks/uncertainty.ipynb` is
   rendered over them into `OUT/<scenario>/uncertainty.html` (sensitivity, when the plan
   misses, the scenario compared with the batch's other scenarios on the same draws).
3. `notebooks/compare_scenarios.ipynb` compares the successful runs (`OUT/compare.html`).
4. `OUT/index.html` links every report with its headline numbers and status; failed
   scenarios are listed with their error.

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

from simlib.errors import InputError, SimlibError
from simlib.options import RunOptions
from simlib.paths import display_path

REPORT_NOTEBOOK = "scenario_report.ipynb"
COMPARE_NOTEBOOK = "compare_scenarios.ipynb"
UNCERTAINTY_NOTEBOOK = "uncertainty.ipynb"
#: the uncertainty report's sensitivity designs (see notebooks/uncertainty.ipynb): small, so that
#: a batch stays quick; its robustness part shares the report's number of parameter draws
UNCERTAINTY_OPTIONS = {"sensitivity_points": 16, "morris_trajectories": 4}


@dataclass
class BatchItem:
    """One scenario of a batch: its file, name, titles, status and where its report is."""

    path: Path
    name: str
    ok: bool = False
    error: str = ""
    out_dir: Path | None = None
    headline: dict = field(default_factory=dict)
    title_vi: str = ""
    title_en: str = ""
    invalid: bool = False
    failed_notebook: Path | None = None
    uncertainty_report: Path | None = None  # OUT/<name>/uncertainty.html when rendered
    uncertainty_error: str = ""  # why the uncertainty report failed (the scenario report stands)

    def title(self, lang: str = "vi") -> str:
        return (self.title_vi if lang == "vi" else self.title_en) or self.name


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


def collect_scenarios(inputs: list[str | Path]) -> list[Path]:
    """Scenario files from files and folders (folders: every *.yaml, sorted)."""
    paths: list[Path] = []
    errors = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found = sorted(p.glob("*.yaml")) + sorted(p.glob("*.yml"))
            if not found:
                errors.append(InputError("no_scenarios", file=display_path(p)))
            paths.extend(found)
        elif p.is_file():
            paths.append(p)
        else:
            errors.append(InputError("file_missing", file=display_path(p)))
    if errors:
        from simlib.errors import raise_if_any

        raise_if_any(errors)
    return paths


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
                res, target, int(uncertainty), method=sampler, engine=engine, draws=draws, seed=seed, executor="serial"
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
            params = {
                "scenario": str(Path(path).resolve()),
                "engine": engine,
                "draws": int(draws),
                "seed": seed,
                "lang": lang,
                "set_items": list(set_items),
                "output_dir": str(tmp),
            }
            if uncertainty:
                params.update(
                    uncertainty=int(uncertainty),
                    sampler=sampler,
                    uncertainty_executor="serial",
                    uncertainty_link="uncertainty.html",
                )
            try:
                nb = render.execute(render.notebook_path(REPORT_NOTEBOOK), tmp / "report.ipynb", params)
            except render.NotebookFailed as exc:
                if exc.notebook is not None:
                    write_text(failed_nb, nbformat.writes(exc.notebook))
                raise
            manifest = json.loads((tmp / "manifest.json").read_text(encoding="utf-8"))
            render.record_manifest(nb, manifest)
            nb.metadata.get("papermill", {}).get("parameters", {})["output_dir"] = str(target)
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
        "lang": lang,
        **UNCERTAINTY_OPTIONS,
    }
    out = folder / "uncertainty.ipynb"
    try:
        nb = render.execute(render.notebook_path(UNCERTAINTY_NOTEBOOK), out, params)
    except render.NotebookFailed as exc:
        out.unlink(missing_ok=True)
        if exc.notebook is not None:
            write_text(folder / "uncertainty.failed.ipynb", nbformat.writes(exc.notebook))
        return str(exc)
    render.record_manifest(nb, manifest)
    nb.metadata.get("papermill", {}).get("parameters", {})["results"] = str(target)
    write_text(out, nbformat.writes(nb))
    write_text(folder / "uncertainty.html", render.to_html(nb, f"{i18n.t('unc.nb.title', lang)} — {title}", lang))
    return ""


def compare_reports(folders: list[Path], out_dir: str | Path, lang: str) -> None:
    """Execute the comparison notebook over result folders and write `compare.html`,
    `compare.ipynb` and the comparison tables into `out_dir`, each file moved into place only
    when all of them are ready."""
    import nbformat

    from simlib.report import render

    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".compare.partial-", dir=out) as tmp:
        tmp = Path(tmp)
        params = {"results": [str(Path(f).resolve()) for f in folders], "lang": lang, "output_dir": str(tmp)}
        try:
            nb = render.execute(render.notebook_path(COMPARE_NOTEBOOK), tmp / "compare.ipynb", params)
        except render.NotebookFailed as exc:
            if exc.notebook is not None:
                from simlib.atomic import write_text

                write_text(out / "compare.failed.ipynb", nbformat.writes(exc.notebook))
            raise
        (out / "compare.failed.ipynb").unlink(missing_ok=True)
        render.record_manifest(nb, {"compared": [Path(f).name for f in folders]})
        nb.metadata.get("papermill", {}).get("parameters", {})["output_dir"] = str(out)
        from simlib import i18n

        (tmp / "compare.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")
        (tmp / "compare.html").write_text(render.to_html(nb, i18n.t("compare.title", lang), lang), encoding="utf-8")
        for f in sorted(tmp.iterdir()):
            if f.is_file():
                os.replace(f, out / f.name)


def validate_all(paths: list[Path], set_items: list | None = None) -> dict[Path, SimlibError]:
    """Every scenario's problems, checked before anything runs: {path: error} for invalid ones."""
    return {p: v for p, v in check_all(paths, set_items).items() if isinstance(v, SimlibError)}


def check_all(paths: list[Path], set_items: list | None = None) -> dict:
    """{path: Scenario or the error that makes it invalid}; two files with the same scenario
    name are an error too (their reports would overwrite each other)."""
    from simlib.scenario import load_scenario

    out: dict = {}
    seen: dict[str, Path] = {}
    for p in paths:
        try:
            scen = load_scenario(p, set_items)
        except SimlibError as exc:
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


def _names_of_invalid(path: Path, default: str) -> tuple[str, str, str]:
    """Name and titles of an invalid scenario as far as its file can be read (for the index)."""
    try:
        import yaml

        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        if isinstance(raw, dict):
            name = raw.get("name")
            name = name if isinstance(name, str) and name.replace("_", "").replace("-", "").isalnum() else default
            return name, str(raw.get("title_vi") or ""), str(raw.get("title_en") or "")
    except Exception:  # noqa: BLE001 - unreadable: the validation error says why
        pass
    return default, "", ""


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
    invalid), then run the valid ones in parallel — as reports (default) or tables only —
    then, for reports, the comparison and the index page. Invalid or failing scenarios are
    returned with their error; they do not stop the others. `options` (a `RunOptions`, or its
    fields as keywords; default: local processes with a progress bar) give each scenario's engine,
    draws and seed and spread the scenarios over workers. With `uncertainty` = N > 0, every
    scenario also runs N parameter draws (`sampler` lhs | sobol | random) and, for reports,
    gets its uncertainty report."""
    from concurrent.futures import as_completed

    from tqdm.auto import tqdm

    from simlib import i18n
    from simlib.atomic import output_folder
    from simlib.executors import make_executor

    lang = i18n.get_lang(lang)
    options = RunOptions.of(
        options if options is not None else RunOptions(executor="local", progress=True), **option_fields
    )
    engine, draws, seed = options.engine, options.draws, options.seed
    jobs, executor, scheduler, progress = options.jobs, options.executor, options.scheduler, options.progress
    from simlib.uncertainty.sampling import METHODS

    if not isinstance(uncertainty, int) or uncertainty < 0:
        raise InputError("uncertainty_draws", field="uncertainty", value=uncertainty)
    if sampler not in METHODS:
        raise InputError("enum", field="sampler", value=sampler, allowed=METHODS)
    out_dir = output_folder(out_dir)
    checked = check_all(paths, set_items)
    items = {p: BatchItem(path=p, name=p.stem) for p in paths}
    bad = {}
    for p, v in checked.items():
        if isinstance(v, SimlibError):
            items[p].error, items[p].invalid = v.message(lang), True
            items[p].name, items[p].title_vi, items[p].title_en = _names_of_invalid(p, items[p].name)
            bad[p] = v
        else:
            items[p].name, items[p].title_vi, items[p].title_en = v.name, v.title_vi, v.title_en
    if bad and on_invalid is not None:
        on_invalid(bad)
    todo = [p for p in paths if p not in bad]
    result = BatchResult([items[p] for p in paths], out_dir, uncertainty=uncertainty, sampler=sampler)
    set_list = list(set_items or [])
    if todo:
        from simlib.executors import default_jobs

        n_jobs = min(jobs or default_jobs(), len(todo))  # default: one worker per core
        desc = i18n.t("cli.progress_reports" if reports else "cli.progress_scenarios", lang)
        bar = tqdm(total=len(todo) + (1 if reports else 0), desc=desc, disable=not progress, unit="")
        with contextlib.ExitStack() as stack:
            try:
                ex = stack.enter_context(make_executor(executor, jobs=n_jobs, scheduler=scheduler))
            except (OSError, TimeoutError) as exc:  # e.g. no Dask scheduler at that address
                bar.close()
                raise InputError(
                    "executor_start",
                    field="scheduler" if scheduler else "executor",
                    value=scheduler or executor,
                    detail=str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__,
                ) from None
            futs = {}
            for p in todo:
                it = items[p]
                if reports:
                    others = [str(q) for q in todo if q != p]
                    fut = ex.submit(
                        report_one,
                        str(p),
                        it.name,
                        it.title(lang),
                        str(out_dir),
                        engine,
                        draws,
                        seed,
                        lang,
                        _set_strings(set_list),
                        uncertainty,
                        sampler,
                        others,
                    )
                else:
                    fut = ex.submit(run_one, str(p), str(out_dir), engine, draws, seed, set_list, uncertainty, sampler)
                futs[fut] = p
            for fut in as_completed(futs):
                p = futs[fut]
                try:
                    r = fut.result()
                except Exception as exc:  # noqa: BLE001 - a crash in one scenario must not stop the batch
                    r = {
                        "ok": False,
                        "name": items[p].name,
                        "error": f"{type(exc).__name__}: {exc}",
                        "out_dir": None,
                        "headline": {},
                    }
                it = items[p]
                it.ok, it.name, it.error, it.headline = r["ok"], r["name"], r["error"], r["headline"]
                it.out_dir = Path(r["out_dir"]) if r["out_dir"] else None
                it.failed_notebook = Path(r["failed_notebook"]) if r.get("failed_notebook") else None
                it.uncertainty_error = r.get("uncertainty_error") or ""
                it.uncertainty_report = Path(r["uncertainty_report"]) if r.get("uncertainty_report") else None
                bar.update(1)
        if reports:
            good = [it.out_dir for it in result.items if it.ok and it.out_dir is not None]
            if good:
                try:
                    compare_reports(good, out_dir, lang)
                    result.compare_ok = True
                except Exception as exc:  # noqa: BLE001 - reported in the index and the exit status
                    result.compare_ok, result.compare_error = (
                        False,
                        str(exc).splitlines()[0][:500] if str(exc) else type(exc).__name__,
                    )
            bar.update(1)
        bar.close()
    if reports:
        from simlib.report.index import write_index

        result.index = write_index(result, out_dir, lang, engine=engine, draws=draws)
    return result
