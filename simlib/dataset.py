"""Baseline datasets: geographic units with their flags, and household counts per cell and state.

A dataset is a folder (`data/<name>/`) with `dataset.yaml` (name, year, version, sources),
`units.csv` (one row per district or commune: `unit_id, name_vi, name_en, poor_district,
communes, ...`) and `baseline_<year>.csv` (`unit_id, ethnic_group, area, state, households`).
Geography is data: another province, or communes instead of districts, is another folder.
`simlib.review_import` turns a province's own annual-review counts (CSV or XLSX) into such a folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.errors import (
    EXCEL_NUMBER,
    InputError,
    closest_names,
    excel_code,
    excel_code_error,
    folded,
    mended_folders,
    raise_if_any,
)
from simlib.parameters import sha256_file
from simlib.paths import as_on_disk, data_dir, display_path, written_path
from simlib.schema import load_yaml, validate
from simlib.states import STATES
from simlib.table_files import (
    example,
    fullwidth,
    fullwidth_column_error,
    missing_columns_error,
    number_text,
    read_table,
    row_numbers,
    unguessed,
)

GROUPS = ("ethnic_minority", "kinh")
AREAS = ("rural", "urban")
COUNT_COLUMNS = ("unit_id", "ethnic_group", "area", "state", "households")
UNIT_COLUMNS = ("unit_id", "name_vi", "name_en", "poor_district", "communes")
#: optional true/false columns of units.csv naming eligibility lists (a missing column: no unit is
#: on the list); `poor_district` is required. Each has a `<flag>_basis` column with its source.
FLAG_COLUMNS = ("poor_district", "exit_scheme_district")
#: flag words (case and blanks ignored); lenient `parse_bool` also takes y / n / x / co / khong, empty = no
FLAG_TRUE, FLAG_FALSE = ("true", "1", "yes", "có"), ("false", "0", "no", "không")
#: the most households one row may hold: a plausibility bound, not a model figure (no country
#: has a billion households; Vietnam has about 28 million), which keeps every sum finite
MAX_HOUSEHOLDS = 1e9
MAX_COMMUNES = 100_000  # communes of one unit: a plausibility bound, far above any real unit


@dataclass(frozen=True)
class Dataset:
    """A validated baseline: units (D rows) and counts (D x 2 x 2 x 6 households)."""

    name: str
    path: Path
    meta: dict
    units: pd.DataFrame
    counts: np.ndarray  # (D, groups, areas, states) households
    file_hashes: dict
    #: each unit's line in units.csv (`row_numbers`: the header's line 1); empty when not read
    #: from a file, and then rows are counted from 2
    unit_lines: tuple[int, ...] = ()

    @property
    def level(self) -> str:
        """'commune' or 'district': the level of the units the counts are on (`geography.level` of
        dataset.yaml; district without one)."""
        return str((self.meta.get("geography") or {}).get("level", "district"))

    @property
    def unit_ids(self) -> tuple[str, ...]:
        return tuple(self.units["unit_id"])

    @property
    def poor_district(self) -> np.ndarray:
        return self.units["poor_district"].to_numpy(bool)

    def unit_flag(self, name: str) -> np.ndarray:
        """(D,) bool: a true/false column of units.csv, read strictly (`parse_bool`: `unknown` or an
        empty cell is an input error naming file, column and rows); all False without the column."""
        if name not in self.units.columns:
            return np.zeros(len(self.units), bool)
        col = self.units[name]
        values, bad = (col.to_numpy(bool), np.zeros(len(col), bool)) if col.dtype == bool else parse_bool(col, True)
        if bad.any():
            index = np.asarray(self.unit_lines) - 2 if len(self.unit_lines) == len(col) else None
            where = {"file": display_path(self.path / "units.csv"), "field": name, "rows": _rows(bad, index=index)}
            raise InputError("csv_values", **where, value=sorted(set(col[bad])), allowed=FLAG_TRUE + FLAG_FALSE)
        return values

    @property
    def baseline_year(self) -> int:
        return int(self.meta["baseline_year"])

    @property
    def version(self) -> str:
        return str(self.meta.get("version", ""))

    @property
    def files(self) -> tuple[Path, ...]:
        """The files this dataset was read from."""
        base = self.meta.get("baseline_file", f"baseline_{self.meta['baseline_year']}.csv")
        return (self.path / "dataset.yaml", self.path / "units.csv", self.path / base)

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
        return Path(as_on_disk(str(data_dir() / ref)))
    return written_path(relative_to if relative_to is not None else Path.cwd(), ref)


def _rows(mask: np.ndarray, limit: int = 10, index: pd.Index | None = None) -> str:
    # the rows' numbers in the file (`row_numbers`: its lines, the header's counted) by `index`, the
    # table's (`read_table`'s, perhaps without rows taken out: total rows); by position without
    idx = row_numbers(np.arange(len(mask)) if index is None else np.asarray(index))[np.asarray(mask, bool)]
    text = ", ".join(str(i) for i in idx[:limit])
    return text + (", …" if len(idx) > limit else "")


def parse_bool(series: pd.Series, strict: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Booleans from text ('true', '1', 'yes', 'có'); returns (values, invalid mask). `strict`
    (`Dataset.unit_flag`): only `FLAG_TRUE` / `FLAG_FALSE`, an empty cell is invalid."""
    s = series.astype(str).str.normalize("NFC").str.strip().str.lower()
    more_true, more_false = ((), ()) if strict else (("y", "co", "x"), ("n", "khong", ""))
    true, false = s.isin(FLAG_TRUE + more_true), s.isin(FLAG_FALSE + more_false)
    return true.to_numpy(), ~(true | false).to_numpy()


def validate_units(df: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[InputError]]:
    """units.csv's table (`read_table`'s) checked, its flags read, and its problems; the rows
    keep their index (their lines in the file: `row_numbers`), total rows taken out."""
    errors = []
    missing = [c for c in UNIT_COLUMNS if c not in df.columns]
    if missing:
        return df, [missing_columns_error(list(df.columns), UNIT_COLUMNS, file, df)]
    if df.empty:
        return df, [InputError("csv_no_rows", file=file, columns=", ".join(UNIT_COLUMNS))]
    df = df.copy()
    df["unit_id"] = df["unit_id"].str.strip()
    total = total_rows(df["unit_id"])
    if total.any():  # a sheet's sum of its units: no unit (said here, not as its empty cells)
        value = str(df["unit_id"][total].iloc[0])
        errors.append(
            InputError(
                "csv_total_row_units", file=file, field="unit_id", rows=_rows(total, index=df.index), value=value
            )
        )
        df = df[~total]
    dup = df["unit_id"].duplicated(keep=False).to_numpy()
    if dup.any():
        errors.append(InputError("csv_duplicate", file=file, field="unit_id", rows=_rows(dup, index=df.index)))
    saved = df["unit_id"].str.fullmatch(EXCEL_NUMBER).to_numpy(bool)
    if saved.any():  # the codes themselves saved as numbers: said here, not as every baseline row unknown
        read = sorted(set(df["unit_id"][saved]))
        meant = excel_code(read[0])
        shown = ", ".join(read[:5]) + (", …" if len(read) > 5 else "")
        errors.append(
            InputError(
                "unit_excel_number_units",
                file=file,
                field="unit_id",
                read=shown,
                rows=_rows(saved, index=df.index),
                example=meant,
            )
        )
    for flag in (c for c in FLAG_COLUMNS if c in df.columns):
        flags, bad = parse_bool(df[flag])
        if bad.any():
            errors.append(
                InputError("csv_values", file=file, field=flag, rows=_rows(bad, index=df.index), allowed="true, false")
            )
        df[flag] = flags
    df["communes"] = commune_counts(df["communes"], file, errors)
    return df, errors


def commune_counts(column: pd.Series, file: str, errors: list[InputError]) -> np.ndarray:
    """units.csv's `communes`: whole numbers from 0 to `MAX_COMMUNES` (others are 0 and go to
    `errors`, with the first as written; full-width digits said as such), at the table's rows."""
    wide = fullwidth(column)
    if wide.any():
        errors.append(
            fullwidth_column_error(column, wide, _rows(wide, index=column.index), file=file, field="communes")
        )
    communes = pd.to_numeric(column.astype(str).str.strip(), errors="coerce").to_numpy(float)
    with np.errstate(invalid="ignore"):
        bad = ~((communes >= 0) & (communes <= MAX_COMMUNES) & (communes == np.round(communes))) & ~wide
    if bad.any():
        where = {"file": file, "field": "communes", "rows": _rows(bad, index=column.index)}
        errors.append(InputError("csv_values", **where, value=example(column, bad), allowed=f"0 … {MAX_COMMUNES}"))
    return np.where(bad | wide, 0, communes).astype(int)


def validate_counts(
    df: pd.DataFrame,
    unit_ids: tuple[str, ...] | None,
    file: str,
    escaped_split: np.ndarray | None = None,
) -> tuple[np.ndarray, list[InputError]]:
    """Check an annual-review count table and return counts (D, 2, 2, 6).

    Rows name a cell (unit_id, ethnic_group, area, state) and its households. Cells not listed
    are zero. `state` may be `escaped` (years since escape unknown): it is then split over
    escaped_1..3 by `escaped_split` (shares summing to 1). With `unit_ids` None (the units could
    not be read) unit ids are not checked and no counts are returned.
    """
    missing = [c for c in COUNT_COLUMNS if c not in df.columns]
    if missing:
        return np.zeros(0), [missing_columns_error(list(df.columns), COUNT_COLUMNS, file, df)]
    if df.empty:
        return np.zeros(0), [InputError("csv_no_rows", file=file, columns=", ".join(COUNT_COLUMNS))]
    df = df.copy()
    for c in ("unit_id", "ethnic_group", "area", "state"):
        df[c] = df[c].astype(str).str.strip()
    df, errors = without_total_rows(df, file)
    errors += _cell_errors(df, unit_ids, file)
    hh = household_numbers(df["households"], file, "households", errors)
    dup = df.duplicated(subset=["unit_id", "ethnic_group", "area", "state"], keep=False).to_numpy()
    if dup.any():
        errors.append(InputError("csv_duplicate", file=file, rows=_rows(dup, index=df.index)))
    if not errors and not hh.sum() > 0:
        errors.append(InputError("csv_no_households", file=file, field="households"))
    if errors or unit_ids is None:
        return np.zeros(0), errors
    counts = np.zeros((len(unit_ids), len(GROUPS), len(AREAS), len(STATES)))
    d = df["unit_id"].map({u: i for i, u in enumerate(unit_ids)}).to_numpy()
    g = df["ethnic_group"].map({x: i for i, x in enumerate(GROUPS)}).to_numpy()
    a = df["area"].map({x: i for i, x in enumerate(AREAS)}).to_numpy()
    is_esc = (df["state"] == "escaped").to_numpy()
    s = df["state"].map({x: i for i, x in enumerate(STATES)}).to_numpy()
    np.add.at(counts, (d[~is_esc], g[~is_esc], a[~is_esc], s[~is_esc].astype(int)), hh[~is_esc])
    if is_esc.any():
        split = np.asarray(escaped_split if escaped_split is not None else (1 / 3, 1 / 3, 1 / 3))
        for j, share in enumerate(split):
            np.add.at(counts, (d[is_esc], g[is_esc], a[is_esc], np.full(is_esc.sum(), 2 + j)), hh[is_esc] * share)
    return counts, errors


#: what a province's sheet says in place of a unit on a row summing others, written as
#: `simlib.errors.folded` writes them: words that begin a total row whatever follows (`Tổng cộng
#: toàn tỉnh`, `Total Bao Lac`), and words that are one alone or followed by the kind of unit
#: summed (`Cộng`, `Cộng huyện Bảo Lạc`, `Cong xa`) — as a whole word at the start of the name:
#: `Cộng Hòa`, `Tổng Cọt` are communes
TOTAL_LEADS = ("tong_cong", "tong_so", "toan_tinh", "toan_huyen", "total", "grand_total")
TOTAL_WORDS = ("tong", "cong", "sum")
TOTAL_KINDS = ("huyen", "xa", "phuong", "thi_tran", "thi_xa", "thanh_pho", "tp", "quan", "tinh", "toan")
TOTAL_KINDS_EN = ("district", "districts", "commune", "communes", "ward", "city", "province", "all")
TOTAL_ROW = re.compile(
    rf"(?:{'|'.join(TOTAL_LEADS)})(?![a-z0-9]).*|(?:{'|'.join(TOTAL_WORDS)})[^a-z0-9]*"
    rf"|(?:{'|'.join(TOTAL_WORDS)})[^a-z0-9]+(?:{'|'.join(TOTAL_KINDS + TOTAL_KINDS_EN)})(?![a-z0-9]).*",
    re.DOTALL,
)


def total_rows(values: pd.Series) -> np.ndarray:
    """Where `values` (a table's units as written) name a total row rather than a unit (`TOTAL_ROW`)."""
    return values.astype(str).map(lambda v: TOTAL_ROW.fullmatch(folded(v.strip())) is not None).to_numpy(bool)


def without_total_rows(df: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[InputError]]:
    """`df` without its total rows (`Tổng cộng`, `Cộng`, `Cộng huyện Bảo Lạc` as the unit, `total_rows`: a sheet's sum of the rows
    above, which simlib would count twice) and the error naming them (the table is refused: the
    planner removes them): the rows at the end of the table, or rows inside it too (a subtotal
    under each group of rows), said as such rather than as units simlib does not know."""
    total = total_rows(df["unit_id"])
    if not total.any():
        return df, []
    end = len(df)
    while end > 0 and total[end - 1]:
        end -= 1
    where = dict(file=file, field="unit_id", rows=_rows(total, index=df.index), value=str(df["unit_id"][total].iloc[0]))
    if total[:end].any():  # inside the table (with those at its end, if any)
        return df[~total], [InputError("csv_total_row_inside", **where)]
    return df[~total], [InputError("csv_total_row", **where)]


def _cell_errors(df: pd.DataFrame, unit_ids: tuple[str, ...] | None, file: str) -> list[InputError]:
    """Empty cells (merged cells of a workbook keep their value in the first only), unknown units,
    groups, areas and states of a count table."""
    errors = []
    for col in ("unit_id", "ethnic_group", "area", "state"):
        empty = df[col].eq("").to_numpy()
        if empty.any():
            errors.append(InputError("csv_empty_cells", file=file, field=col, rows=_rows(empty, index=df.index)))
    checks = {
        "unit_id": (unit_ids, "unknown_unit"),
        "ethnic_group": (GROUPS, "csv_values"),
        "area": (AREAS, "csv_values"),
        "state": (STATES + ("escaped",), "csv_values"),
    }
    for col, (allowed, code) in checks.items():
        if allowed is None:
            continue
        bad = ~df[col].isin(allowed).to_numpy() & df[col].ne("").to_numpy()  # empty: said above
        if not bad.any():
            continue
        values = ", ".join(sorted(set(df.loc[bad, col]))[:5])
        if code == "unknown_unit":
            errors.extend(unknown_unit_errors(df.loc[bad, col], allowed, file, col, values))
        else:
            errors.append(
                InputError(
                    "csv_values", file=file, field=col, rows=_rows(bad, index=df.index), value=values, allowed=allowed
                )
            )
    return errors


def unknown_unit_errors(values: pd.Series, unit_ids, file: str, field: str, shown: str) -> list[InputError]:
    """The errors for unit ids not in the dataset (`values`, whose index is the table's; `shown`:
    the first few, as written). Codes a spreadsheet saved as numbers (`1290.0` for `01290`, or
    for a district's code in words: `simlib.errors.excel_code_error`) and codes that lost
    their leading zeros (`1273` for `01273`: a spreadsheet read the column as numbers) are said as
    such, with the codes meant, rather than matched by a guess."""
    saved = sorted(v for v in set(values) if excel_code(v))
    at = _rows(values.isin(saved).to_numpy(), index=values.index)  # the table's rows (its index)
    errors = [excel_code_error(saved, at, unit_ids, file, field)] if saved else []
    bare = sorted(set(values) - set(saved))
    if not bare:
        return errors
    shown = ", ".join(bare[:5]) if saved else shown
    width = {len(u) for u in unit_ids if u.isdigit() and u.startswith("0")}
    padded = {v: v.zfill(max(width)) for v in bare if width and v.isdigit() and not v.startswith("0")}
    if padded and len(padded) == len(bare) and set(padded.values()) <= set(unit_ids):
        fix = ", ".join(f"{v} → {c}" for v, c in list(padded.items())[:5])
        return errors + [InputError("unknown_unit_zeros", file=file, field=field, value=shown, fix=fix)]
    return errors + [InputError("unknown_unit", file=file, field=field, value=shown, allowed=unit_ids)]


def household_numbers(column: pd.Series, file: str, field: str, errors: list[InputError]) -> np.ndarray:
    """Household counts of a text column: numbers (thousands grouped by `,` or spaces; none read
    by a guess, `simlib.table_files.number_text`), finite, ≥ 0 and at most `MAX_HOUSEHOLDS`;
    problems go to `errors` (bad values become 0), at the table's rows (the index of `column`)."""
    rows = partial(_rows, index=column.index)
    text, dots, commas = number_text(column)
    errors.extend(unguessed(column, dots, commas, rows, file=file, field=field))
    wide = fullwidth(column)
    if wide.any():
        errors.append(fullwidth_column_error(column, wide, rows(wide), file=file, field=field))
    hh = np.where(dots | commas | wide, np.nan, pd.to_numeric(text, errors="coerce").to_numpy(float))
    nan = np.isnan(hh) & ~(dots | commas | wide)
    if nan.any():
        errors.append(InputError("csv_not_number", file=file, field=field, rows=rows(nan), value=example(column, nan)))
    huge = ~np.isnan(hh) & ~(np.abs(hh) <= MAX_HOUSEHOLDS)
    if huge.any():
        errors.append(
            InputError("csv_too_large", file=file, field=field, rows=rows(huge), allowed=f"0 … {int(MAX_HOUSEHOLDS)}")
        )
    neg = hh < 0
    if neg.any():
        errors.append(InputError("csv_negative", file=file, field=field, rows=rows(neg)))
    return np.where(np.isnan(hh) | huge | neg, 0.0, hh)


def missing_dataset(
    name: str, field: str | None, path: Path | None = None, relative_to: Path | None = None
) -> InputError:
    """The error for a dataset `name` (or folder; at `path`, else where the name points) that is
    not there, with the datasets under data/ closest to a bare name (`dataset: CaoBang` →
    `caobang`), or the folder a path means when written with Windows' backslashes or blanks
    around it (`.\\caobang` → `./caobang`: where it is, from `relative_to`), or with a name a
    little off (`near_folders`: `./data/caobangg` → `./data/caobang`)."""
    bare = "/" not in name and "\\" not in name
    try:
        names = [p.name for p in data_dir().iterdir() if p.is_dir()]
    except OSError:  # data/ gone or not readable: no suggestion
        names = []
    shown = display_path(path if path is not None else resolve_dataset_path(name))
    mended = name.strip().replace("\\", "/")
    found = not bare and mended != name and resolve_dataset_path(mended, relative_to).is_dir()
    near = [mended] if found else closest_names(name, names) if bare else near_folders(mended, relative_to, names)
    return InputError("dataset_missing", field=field, value=name, path=shown, suggest=near)


def near_folders(written: str, relative_to: Path | None, names: list[str]) -> list[str]:
    """The existing folders a dataset path `written` that is not there may mean, written as it
    was (from `relative_to`, the scenario's folder): each of its names not there replaced by the
    closest folder name beside it (`errors.mended_folders`: `./data/caobangg` → `./data/caobang`);
    else the dataset under data/ of the closest name among `names` (`./caobangg` → `caobang`)."""
    rel = Path(written)
    base = rel if rel.is_absolute() or relative_to is None else relative_to / rel
    prefix = "./" if written.startswith("./") else ""
    parts = len(rel.parts)
    found = [str(f) if rel.is_absolute() else prefix + "/".join(f.parts[-parts:]) for f in mended_folders(base)]
    return found or closest_names(rel.name, names)


def load_dataset(ref: str | Path, relative_to: Path | None = None) -> Dataset:
    """Load and validate a dataset folder (see module docstring); every problem of its three
    files is reported at once."""
    path = resolve_dataset_path(str(ref), relative_to) if not isinstance(ref, Path) else ref
    meta_file = path / "dataset.yaml"
    if not path.is_dir():
        raise missing_dataset(str(ref), "dataset", path, relative_to)
    errors: list[InputError] = []
    meta = _dataset_meta(meta_file, errors)
    units_file = path / "units.csv"
    units = None
    try:
        units, uerr = validate_units(read_table(units_file), display_path(units_file))
        errors.extend(uerr)
    except InputError as exc:
        errors.append(exc)
    counts, base_file = None, None
    if meta is not None:
        base_file = path / meta.get("baseline_file", f"baseline_{meta['baseline_year']}.csv")
        unit_ids = tuple(units["unit_id"]) if units is not None and not errors else None
        try:
            counts, cerr = validate_counts(read_table(base_file), unit_ids, display_path(base_file))
            errors.extend(cerr)
        except InputError as exc:
            errors.append(exc)
    raise_if_any(errors)
    hashes = {display_path(f): sha256_file(f) for f in (meta_file, units_file, base_file)}
    lines = tuple(int(r) for r in row_numbers(units.index))  # before the index is 0, 1, … again
    units = units.reset_index(drop=True)
    return Dataset(str(meta["name"]), path, meta, units, counts, hashes, unit_lines=lines)


def _dataset_meta(meta_file: Path, errors: list[InputError]) -> dict | None:
    """dataset.yaml, validated (problems go to `errors`; None if it cannot be used)."""
    try:
        meta = load_yaml(meta_file)
    except InputError as exc:
        errors.append(exc)
        return None
    problems = validate(meta, "dataset", meta_file, quantities=False)
    if meta.get("import_in_progress"):
        problems.append(InputError("dataset_incomplete", file=display_path(meta_file), field="import_in_progress"))
    errors.extend(problems)
    return None if problems else meta


#: a dataset name: a single folder under data/ (no separators, no `..`)
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
NAME_ALLOWED = "A–Z, a–z, 0–9, _ -"
DATASET_FILES = ("dataset.yaml", "units.csv")  # + the baseline file
