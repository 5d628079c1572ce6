"""Baseline datasets: geographic units with their flags, and household counts per cell and state.

A dataset is a folder (`data/<name>/`) with `dataset.yaml` (name, year, version, sources),
`units.csv` (one row per district or commune: `unit_id, name_vi, name_en, poor_district,
communes, ...`) and `baseline_<year>.csv` (`unit_id, ethnic_group, area, state, households`).
Geography is data: another province, or communes instead of districts, is another folder.
`import_review` turns a province's own annual-review counts (CSV or XLSX) into such a folder.
"""

from __future__ import annotations

import datetime as _dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from simlib import i18n
from simlib.atomic import atomic_dir
from simlib.errors import InputError, raise_if_any
from simlib.parameters import sha256_file
from simlib.paths import data_dir, display_path
from simlib.schema import load_yaml, validate
from simlib.states import STATES

GROUPS = ("ethnic_minority", "kinh")
AREAS = ("rural", "urban")
COUNT_COLUMNS = ("unit_id", "ethnic_group", "area", "state", "households")
UNIT_COLUMNS = ("unit_id", "name_vi", "name_en", "poor_district", "communes")


@dataclass(frozen=True)
class Dataset:
    """A validated baseline: units (D rows) and counts (D x 2 x 2 x 6 households)."""

    name: str
    path: Path
    meta: dict
    units: pd.DataFrame
    counts: np.ndarray  # (D, groups, areas, states) households
    file_hashes: dict

    @property
    def unit_ids(self) -> tuple[str, ...]:
        return tuple(self.units["unit_id"])

    @property
    def poor_district(self) -> np.ndarray:
        return self.units["poor_district"].to_numpy(bool)

    @property
    def baseline_year(self) -> int:
        return int(self.meta["baseline_year"])

    @property
    def version(self) -> str:
        return str(self.meta.get("version", ""))

    def unit_name(self, unit_id: str, lang: str = "vi") -> str:
        row = self.units.loc[self.units["unit_id"] == unit_id].iloc[0]
        return str(row[i18n.column("name", lang)])

    def counts_frame(self) -> pd.DataFrame:
        """Counts as a tidy table (unit_id, ethnic_group, area, state, households)."""
        d, g, a, s = np.indices(self.counts.shape)
        return pd.DataFrame(
            {
                "unit_id": np.array(self.unit_ids)[d.ravel()],
                "ethnic_group": np.array(GROUPS)[g.ravel()],
                "area": np.array(AREAS)[a.ravel()],
                "state": np.array(STATES)[s.ravel()],
                "households": self.counts.ravel(),
            }
        )


def resolve_dataset_path(ref: str, relative_to: Path | None = None) -> Path:
    """A dataset reference: a bare name (`caobang`) is a folder under `data/`; anything with a
    slash is a path relative to `relative_to` (the scenario file's folder)."""
    if "/" not in ref and "\\" not in ref:
        return data_dir() / ref
    p = Path(ref)
    if not p.is_absolute() and relative_to is not None:
        p = relative_to / p
    return p.resolve()


def _read_table(path: Path) -> pd.DataFrame:
    shown = display_path(path)
    if not path.is_file():
        raise InputError("file_missing", file=shown)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            df = pd.read_excel(path, dtype=str)
        else:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except Exception as exc:  # pandas raises many types for unreadable files
        raise InputError("csv_read", file=shown, detail=str(exc).splitlines()[0][:200]) from None
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _rows(mask: np.ndarray, limit: int = 10) -> str:
    # +2: header line and 1-based numbering, so numbers match what a spreadsheet shows
    idx = np.flatnonzero(mask) + 2
    text = ", ".join(str(i) for i in idx[:limit])
    return text + (", …" if len(idx) > limit else "")


def parse_bool(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Booleans from text ('true', '1', 'yes', 'có'); returns (values, invalid mask)."""
    s = series.astype(str).str.strip().str.lower()
    true = s.isin(["true", "1", "yes", "y", "có", "co", "x"])
    false = s.isin(["false", "0", "no", "n", "không", "khong", ""])
    return true.to_numpy(), ~(true | false).to_numpy()


def validate_units(df: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[InputError]]:
    errors = []
    missing = [c for c in UNIT_COLUMNS if c not in df.columns]
    if missing:
        return df, [InputError("csv_columns", file=file, missing=", ".join(missing), allowed=", ".join(UNIT_COLUMNS))]
    df = df.copy()
    df["unit_id"] = df["unit_id"].str.strip()
    dup = df["unit_id"].duplicated(keep=False).to_numpy()
    if dup.any():
        errors.append(InputError("csv_duplicate", file=file, field="unit_id", rows=_rows(dup)))
    flags, bad = parse_bool(df["poor_district"])
    if bad.any():
        errors.append(
            InputError("csv_values", file=file, field="poor_district", rows=_rows(bad), allowed="true, false")
        )
    df["poor_district"] = flags
    communes = pd.to_numeric(df["communes"], errors="coerce")
    bad = (communes.isna() | (communes < 0)).to_numpy()
    if bad.any():
        errors.append(InputError("csv_not_number", file=file, field="communes", rows=_rows(bad)))
    df["communes"] = communes.fillna(0).astype(int)
    return df.reset_index(drop=True), errors


def validate_counts(
    df: pd.DataFrame,
    unit_ids: tuple[str, ...],
    file: str,
    escaped_split: np.ndarray | None = None,
) -> tuple[np.ndarray, list[InputError]]:
    """Check an annual-review count table and return counts (D, 2, 2, 6).

    Rows name a cell (unit_id, ethnic_group, area, state) and its households. Cells not listed
    are zero. `state` may be `escaped` (years since escape unknown): it is then split over
    escaped_1..3 by `escaped_split` (shares summing to 1).
    """
    errors: list[InputError] = []
    missing = [c for c in COUNT_COLUMNS if c not in df.columns]
    if missing:
        return np.zeros(0), [
            InputError("csv_columns", file=file, missing=", ".join(missing), allowed=", ".join(COUNT_COLUMNS))
        ]
    df = df.copy()
    for c in ("unit_id", "ethnic_group", "area", "state"):
        df[c] = df[c].astype(str).str.strip()
    checks = {
        "unit_id": (unit_ids, "unknown_unit"),
        "ethnic_group": (GROUPS, "csv_values"),
        "area": (AREAS, "csv_values"),
        "state": (STATES + ("escaped",), "csv_values"),
    }
    bad_any = np.zeros(len(df), bool)
    for col, (allowed, code) in checks.items():
        bad = ~df[col].isin(allowed).to_numpy()
        if bad.any():
            values = sorted(set(df.loc[bad, col]))[:5]
            if code == "unknown_unit":
                errors.append(
                    InputError("unknown_unit", file=file, field=col, value=", ".join(values), allowed=allowed)
                )
            else:
                errors.append(
                    InputError(
                        "csv_values", file=file, field=col, rows=_rows(bad), value=", ".join(values), allowed=allowed
                    )
                )
        bad_any |= bad
    hh = pd.to_numeric(df["households"].astype(str).str.replace(",", "").str.strip(), errors="coerce")
    nan = hh.isna().to_numpy()
    if nan.any():
        errors.append(InputError("csv_not_number", file=file, field="households", rows=_rows(nan)))
    neg = (hh < 0).to_numpy()
    if neg.any():
        errors.append(InputError("csv_negative", file=file, field="households", rows=_rows(neg)))
    dup = df.duplicated(subset=["unit_id", "ethnic_group", "area", "state"], keep=False).to_numpy()
    if dup.any():
        errors.append(InputError("csv_duplicate", file=file, rows=_rows(dup)))
    if errors:
        return np.zeros(0), errors
    counts = np.zeros((len(unit_ids), len(GROUPS), len(AREAS), len(STATES)))
    d = df["unit_id"].map({u: i for i, u in enumerate(unit_ids)}).to_numpy()
    g = df["ethnic_group"].map({x: i for i, x in enumerate(GROUPS)}).to_numpy()
    a = df["area"].map({x: i for i, x in enumerate(AREAS)}).to_numpy()
    vals = hh.to_numpy(float)
    is_esc = (df["state"] == "escaped").to_numpy()
    s = df["state"].map({x: i for i, x in enumerate(STATES)}).to_numpy()
    np.add.at(counts, (d[~is_esc], g[~is_esc], a[~is_esc], s[~is_esc].astype(int)), vals[~is_esc])
    if is_esc.any():
        split = np.asarray(escaped_split if escaped_split is not None else (1 / 3, 1 / 3, 1 / 3))
        for j, share in enumerate(split):
            np.add.at(counts, (d[is_esc], g[is_esc], a[is_esc], np.full(is_esc.sum(), 2 + j)), vals[is_esc] * share)
    return counts, errors


def load_dataset(ref: str | Path, relative_to: Path | None = None) -> Dataset:
    """Load and validate a dataset folder (see module docstring)."""
    path = resolve_dataset_path(str(ref), relative_to) if not isinstance(ref, Path) else ref
    meta_file = path / "dataset.yaml"
    meta = load_yaml(meta_file)
    raise_if_any(validate(meta, "dataset", meta_file, quantities=False))
    units_file = path / "units.csv"
    units, errors = validate_units(_read_table(units_file), display_path(units_file))
    raise_if_any(errors)
    base_file = path / meta.get("baseline_file", f"baseline_{meta['baseline_year']}.csv")
    counts, errors = validate_counts(_read_table(base_file), tuple(units["unit_id"]), display_path(base_file))
    raise_if_any(errors)
    hashes = {display_path(f): sha256_file(f) for f in (meta_file, units_file, base_file)}
    return Dataset(name=str(meta["name"]), path=path, meta=meta, units=units, counts=counts, file_hashes=hashes)


def import_review(
    review_file: str | Path,
    template: str | Path = "caobang",
    out_dir: str | Path | None = None,
    name: str | None = None,
    year: int | None = None,
) -> Path:
    """Build a dataset folder from a province's annual-review counts (CSV or XLSX).

    The review table has columns `unit_id, ethnic_group, area, state, households` (more columns
    are ignored). Units and their flags come from the `template` dataset. Written atomically.
    """
    review_file = Path(review_file)
    tmpl = load_dataset(template) if not isinstance(template, Dataset) else template
    df = _read_table(review_file)
    base = tmpl.counts[..., 2:5].sum(axis=(0, 1, 2))
    split = base / base.sum() if base.sum() > 0 else None
    counts, errors = validate_counts(df, tmpl.unit_ids, display_path(review_file), escaped_split=split)
    raise_if_any(errors)
    year = int(year or tmpl.baseline_year)
    name = name or f"{tmpl.name}_review_{year}"
    out_dir = Path(out_dir) if out_dir else data_dir() / name
    meta = {
        "name": name,
        "province_vi": tmpl.meta.get("province_vi", ""),
        "province_en": tmpl.meta.get("province_en", ""),
        "baseline_year": year,
        "version": f"review-{_dt.date.today().isoformat()}",
        "standard": tmpl.meta.get("standard", ""),
        "baseline_file": f"baseline_{year}.csv",
        "description_en": f"Imported from the annual review file {review_file.name} (sha256 {sha256_file(review_file)[:12]}); units from dataset {tmpl.name}.",
        "description_vi": f"Nhập từ tệp kết quả rà soát {review_file.name}; danh sách địa bàn lấy từ bộ dữ liệu {tmpl.name}.",
        "sources": [
            {
                "id": "review",
                "title": review_file.name,
                "note": "province annual review counts (published=true for every figure)",
            }
        ],
    }
    with atomic_dir(out_dir) as tmp:
        (tmp / "dataset.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
        shutil.copyfile(tmpl.path / "units.csv", tmp / "units.csv")
        frame = Dataset(name, tmp, meta, tmpl.units, counts, {}).counts_frame()
        frame["estimated"] = False
        frame["basis"] = f"annual review ({review_file.name})"
        frame.to_csv(tmp / meta["baseline_file"], index=False)
    return out_dir
