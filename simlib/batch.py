"""Run a folder (or list) of scenarios: validate all first, then run each in parallel through the
executor seam, writing `OUT/<scenario>/` atomically. One scenario's failure never stops the
others; it is reported and makes the batch's status non-zero.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from simlib.errors import InputError, SimlibError
from simlib.paths import display_path


@dataclass
class BatchItem:
    path: Path
    name: str
    ok: bool = False
    error: str = ""
    out_dir: Path | None = None
    headline: dict = field(default_factory=dict)


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
    """A few numbers for the index: poor rate at baseline and at the horizon, targets met."""
    ind = result.indicators
    prov = ind[(ind["geo"] == "province") & (ind["indicator"] == "poor_rate")]
    by_year = prov.groupby("year")["value"].mean()
    t = result.targets
    return {
        "poor_rate_start": float(by_year.iloc[0]),
        "poor_rate_end": float(by_year.iloc[-1]),
        "targets_met": int(t.groupby(["target_id", "geo", "year"])["met"].mean().ge(0.5).sum()),
        "targets_total": int(t.groupby(["target_id", "geo", "year"]).ngroups),
    }


def run_one(path: str, out_dir: str, engine: str, draws: int, seed: int | None, set_items: list) -> dict:
    """Worker: run one scenario file and write its folder. Returns a plain dict (picklable)."""
    from simlib.runner import run, write_outputs
    from simlib.scenario import load_scenario

    try:
        scen = load_scenario(path, set_items)
        res = run(scen, engine=engine, draws=draws, seed=seed)
        target = Path(out_dir) / scen.name
        write_outputs(res, target)
        return {"ok": True, "name": scen.name, "out_dir": str(target), "headline": headline(res), "error": ""}
    except SimlibError as exc:
        return {"ok": False, "name": Path(path).stem, "error": exc.message(None), "out_dir": None, "headline": {}}


def validate_all(paths: list[Path], set_items: list | None = None) -> dict[Path, SimlibError]:
    """Every scenario's problems, checked before anything runs: {path: error} for invalid ones."""
    from simlib.scenario import load_scenario

    bad = {}
    for p in paths:
        try:
            load_scenario(p, set_items)
        except SimlibError as exc:
            bad[p] = exc
    return bad


def run_batch(paths: list[Path], out_dir: str | Path, *, engine: str = "expected", draws: int = 1,
              seed: int | None = None, jobs: int | None = None, executor: str = "local",
              scheduler: str | None = None, set_items: list | None = None, progress: bool = True,
              lang: str | None = None) -> list[BatchItem]:
    """Validate all scenarios, then run the valid ones in parallel. Invalid or failing scenarios
    are returned with their error; they do not stop the others."""
    from concurrent.futures import as_completed

    from tqdm.auto import tqdm

    from simlib import i18n
    from simlib.executors import make_executor

    out_dir = Path(out_dir)
    bad = validate_all(paths, set_items)
    items = {p: BatchItem(path=p, name=p.stem) for p in paths}
    for p, exc in bad.items():
        items[p].error = exc.message(lang)
    todo = [p for p in paths if p not in bad]
    if todo:
        with make_executor(executor, jobs=min(jobs or len(todo), len(todo)), scheduler=scheduler) as ex:
            futs = {ex.submit(run_one, str(p), str(out_dir), engine, draws, seed, list(set_items or [])): p for p in todo}
            bar = tqdm(total=len(futs), desc=i18n.t("cli.progress_scenarios", lang), disable=not progress, unit="")
            for fut in as_completed(futs):
                p = futs[fut]
                try:
                    r = fut.result()
                except Exception as exc:  # noqa: BLE001 - a crash in one scenario must not stop the batch
                    r = {"ok": False, "name": p.stem, "error": f"{type(exc).__name__}: {exc}", "out_dir": None, "headline": {}}
                it = items[p]
                it.ok, it.name, it.error, it.headline = r["ok"], r["name"], r["error"], r["headline"]
                it.out_dir = Path(r["out_dir"]) if r["out_dir"] else None
                bar.update(1)
            bar.close()
    return [items[p] for p in paths]
