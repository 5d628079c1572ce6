"""Importing a province's annual-review counts (CSV or XLSX) as a dataset folder
(`simlib import-review`): the table read on the template's districts or the communes of the
dated geography, the dataset's name, year and folder checked, the folder written whole or, when
asked, an earlier import replaced in place, keeping every file it did not write."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from simlib.atomic import (
    atomic_dir,
    atomic_file,
    environment_problems,
    folder_lock,
    inputs_inside,
    os_problem,
    read_marker,
    write_marker,
    write_text,
)
from simlib.clock import run_time
from simlib.dataset import (
    DATASET_FILES,
    NAME_ALLOWED,
    NAME_PATTERN,
    Dataset,
    load_dataset,
    validate_counts,
    without_total_rows,
)
from simlib.errors import InputError, raise_if_any
from simlib.geography import Period, dataset_units, load_geography, match_units
from simlib.parameters import sha256_file
from simlib.paths import data_dir, display_path
from simlib.schema import load_yaml
from simlib.table_files import read_table


def import_review(
    review_file: str | Path,
    template: str | Path = "caobang",
    out_dir: str | Path | None = None,
    name: str | None = None,
    year: int | None = None,
    replace: bool = False,
    level: str = "district",
) -> Path:
    """Build a dataset folder from a province's annual-review counts (CSV or XLSX).

    The review table has columns `unit_id, ethnic_group, area, state, households` (more columns
    are ignored). With `level="district"` units and their flags come from the `template` dataset
    and `unit_id` must be one of its ids; with `level="commune"` the units are the commune-level
    units of the province's dated geography (`simlib.geography`) and `unit_id` may give a unit's
    code or name, with or without diacritics. The template gives the province, standard and the
    split of `escaped` counts. The folder (default `data/<name>`) must be new or empty; an existing
    dataset is replaced only with `replace` and only if `import_review` wrote it (its other files
    are kept), see `replace_dataset`.
    """
    review_file = Path(review_file)
    tmpl = load_dataset(template) if not isinstance(template, Dataset) else template
    period = commune_period() if level == "commune" else None
    units = dataset_units(period) if period is not None else tmpl.units
    counts, errors = review_counts(read_table(review_file), tmpl, period, display_path(review_file))
    inputs = review_inputs(review_file, tmpl, period)
    target, target_errors = review_target(tmpl, period, Target(out_dir, name, year, replace), inputs)
    raise_if_any(errors + target_errors)
    name, year, out_dir = target.name, target.year, target.folder
    meta = _review_meta(review_file, tmpl, name, year, period)
    frame = Dataset(name, out_dir, meta, units, counts, {}).counts_frame()
    frame["estimated"] = False
    frame["basis"] = f"annual review ({review_file.name})"
    units_csv = units.to_csv(index=False).encode("utf-8") if period else (tmpl.path / "units.csv").read_bytes()
    if replace and read_marker(out_dir) is not None:
        replace_dataset(out_dir, meta, units_csv, frame)
        return out_dir
    with atomic_dir(out_dir, "dataset", inputs) as tmp:
        (tmp / "dataset.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
        (tmp / "units.csv").write_bytes(units_csv)
        frame.to_csv(tmp / meta["baseline_file"], index=False)
    return out_dir


def commune_period() -> Period:
    """The commune-level units of the province's dated geography (Cao Bằng from 1 July 2025)."""
    geo = load_geography()
    return geo.period(geo.transition["to_period"])


def review_counts(
    df: pd.DataFrame, tmpl: Dataset, period: Period | None, file: str
) -> tuple[np.ndarray, list[InputError]]:
    """Counts (D, 2, 2, 6) of a review table on the template's units, or on `period`'s commune
    units with `unit_id` read as names (`match_units`); every problem at once."""
    base = tmpl.counts[..., 2:5].sum(axis=(0, 1, 2))
    split = base / base.sum() if base.sum() > 0 else None
    if period is None or "unit_id" not in df.columns:
        unit_ids = tmpl.unit_ids if period is None else period.unit_ids
        return validate_counts(df, unit_ids, file, escaped_split=split)
    df, errors = without_total_rows(df.assign(unit_id=df["unit_id"].astype(str).str.strip()), file)
    ids, unmatched = match_units(df["unit_id"], period.units, file, "unit_id")
    errors += unmatched
    df = df.assign(unit_id=ids.where(ids.notna(), df["unit_id"]))
    counts, cell_errors = validate_counts(df, None if errors else period.unit_ids, file, escaped_split=split)
    return counts, errors + cell_errors


def review_problems(
    review_file: str | Path, template: str | Path = "caobang", level: str = "district", target: Target | None = None
) -> list[InputError]:
    """Every problem inside a review table (columns, units, groups, states, counts) and, given the
    command's `target`, with its name, year and folder, as `import_review` finds them, without
    writing anything or touching the folder (no write probe): for the command line to say them
    with its arguments' (`simlib.cli.import_review`)."""
    review_file = Path(review_file)
    tmpl = load_dataset(template) if not isinstance(template, Dataset) else template
    period = commune_period() if level == "commune" else None
    errors = review_counts(read_table(review_file), tmpl, period, display_path(review_file))[1]
    if target is not None:
        errors += review_target(tmpl, period, target, review_inputs(review_file, tmpl, period), probe=False)[1]
    return errors


@dataclass(frozen=True)
class Target:
    """Where a review's dataset goes, as asked: the folder (None: `data/<name>`), the dataset's
    name (None: `<template>[_commune]_review_<year>`), its year (None: the template's) and whether
    a dataset `import_review` wrote there may be replaced."""

    folder: str | Path | None = None
    name: str | None = None
    year: int | None = None
    replace: bool = False


@dataclass(frozen=True)
class Placed:
    """A review's dataset's name, year and folder, as they will be written."""

    name: str
    year: int
    folder: Path


def review_target(
    tmpl: Dataset, period: Period | None, target: Target, inputs: list[Path], probe: bool = True
) -> tuple[Placed | None, list[InputError]]:
    """The dataset's name, year and folder for `target`, and every problem with them: a year
    outside 2000–2099, a name that is not one folder name, a folder that is not new, empty or
    (with `replace`) one `import_review` wrote, the inputs inside it, a folder that cannot be
    written (`probe`: by making and removing an empty folder; else by permissions only). None
    when the name cannot be used (the folder is then checked only when given)."""
    errors: list[InputError] = []
    year = int(target.year or tmpl.baseline_year)
    if not 2000 <= year <= 2099:
        errors.append(InputError("option_range", field="year", value=year, allowed="2000 … 2099"))
    name = target.name or f"{tmpl.name}_{'commune_' if period is not None else ''}review_{year}"
    named = bool(NAME_PATTERN.match(name))
    if not named:
        errors.append(InputError("pattern", field="name", value=name, allowed=NAME_ALLOWED))
        if not target.folder:  # the folder would be named after it
            return None, errors
    folder = Path(target.folder) if target.folder else data_dir() / name
    errors += dataset_target_problems(folder, target.replace, probe) + inputs_inside(folder, inputs)
    return (Placed(name, year, folder) if named else None), errors


def review_inputs(review_file: Path, tmpl: Dataset, period: Period | None) -> list[Path]:
    """The files a review's import reads: the table, the template's files, the geography's."""
    return [review_file, *tmpl.files] + ([period.source_file] if period is not None else [])


def _review_meta(review_file: Path, tmpl: Dataset, name: str, year: int, period: Period | None = None) -> dict:
    source = f"geography {period.id} ({display_path(period.source_file)})" if period else f"dataset {tmpl.name}"
    source_vi = f"các đơn vị hành chính cấp xã {period.id} ({display_path(period.source_file)})" if period else ""
    meta = {
        "name": name,
        "province_vi": tmpl.meta.get("province_vi", ""),
        "province_en": tmpl.meta.get("province_en", ""),
        "baseline_year": year,
        "version": f"review-{run_time().date().isoformat()}",
        "standard": tmpl.meta.get("standard", ""),
        "baseline_file": f"baseline_{year}.csv",
        "description_en": f"Imported from the annual review file {review_file.name} (sha256 {sha256_file(review_file)[:12]}); units from {source}.",
        "description_vi": f"Nhập từ tệp kết quả rà soát {review_file.name}; danh sách địa bàn lấy từ "
        + (source_vi or f"bộ dữ liệu {tmpl.name}")
        + ".",
        "sources": [
            {
                "id": "review",
                "title": review_file.name,
                "note": "province annual review counts (published=true for every figure)",
            }
        ],
    }
    if period is not None:
        meta["geography"] = {"period": period.id, "level": period.level, "units_file": display_path(period.source_file)}
    return meta


def dataset_target_problems(out_dir: Path, replace: bool, probe: bool = True) -> list[InputError]:
    """Why `import_review` may not write `out_dir`: it must be new or empty, or — with `replace`
    — a dataset `import_review` wrote whose own files are unchanged (other files may be there);
    `probe`: see `simlib.atomic.environment_problems`."""
    shown = display_path(out_dir)
    try:
        exists = out_dir.exists()
    except OSError as exc:
        return [os_problem(exc, out_dir, "--out")]
    if not exists or (out_dir.is_dir() and not any(out_dir.iterdir())):
        return environment_problems(out_dir, probe=probe)
    if not out_dir.is_dir():
        return [InputError("output_exists", file=shown, field="out")]
    marker = read_marker(out_dir)
    if marker is None:
        return [InputError("dataset_not_imported", file=shown, field="out")]
    if marker["kind"] != "dataset":
        return [InputError("output_other_kind", file=shown, field="out", other=marker["kind"], kind="dataset")]
    if not replace:
        return [InputError("dataset_exists", file=shown, field="out")]
    if read_yaml_quietly(out_dir / "dataset.yaml").get("import_in_progress"):
        return []  # simlib's own replacement, interrupted: its files are half new, half old
    changed = []
    for rel, size in marker["files"].items():
        p = out_dir / rel
        if size >= 0 and p.is_file() and p.stat().st_size != size:
            changed.append(rel)
    if changed:
        return [InputError("output_changed", file=shown, field="out", files=", ".join(sorted(changed)))]
    return []


def replace_dataset(folder: Path, meta: dict, units_csv: bytes, frame: pd.DataFrame) -> None:
    """Replace a dataset `import_review` wrote, in place, keeping every file it did not write.

    `dataset.yaml` is first rewritten with `import_in_progress: true` (a dataset in that state
    refuses to load), then the units and baseline files are replaced one by one, then
    `dataset.yaml` is written in full: a reader never takes a half-replaced dataset for a whole
    one, and an interrupted import is repeated by running it again."""
    with folder_lock(folder):
        marker = read_marker(folder) or {"files": {}}
        old = read_yaml_quietly(folder / "dataset.yaml")
        write_text(
            folder / "dataset.yaml",
            yaml.safe_dump({**old, "import_in_progress": True}, allow_unicode=True, sort_keys=False),
        )
        with atomic_file(folder / "units.csv", "wb") as fh:
            fh.write(units_csv)
        with atomic_file(folder / meta["baseline_file"], "w", encoding="utf-8", newline="") as fh:
            frame.to_csv(fh, index=False)
        write_text(folder / "dataset.yaml", yaml.safe_dump(meta, allow_unicode=True, sort_keys=False))
        mine = set(DATASET_FILES) | {meta["baseline_file"]}
        for rel in set(marker["files"]) - mine:  # an earlier import's baseline of another year
            p = folder / rel
            if p.is_file() and p.stat().st_size == marker["files"][rel]:
                p.unlink()
        write_marker(folder, "dataset", {rel: (folder / rel).stat().st_size for rel in sorted(mine)})


def read_yaml_quietly(path: Path) -> dict:
    """A YAML mapping, or {} if it cannot be read (used only to carry fields over)."""
    try:
        return load_yaml(path)
    except InputError:
        return {}
