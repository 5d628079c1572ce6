"""Reading and checking calibration data (CSV or XLSX), with messages that name file and rows.

Three kinds of input:

- **aggregate review counts** — one row per year and district (`unit_id`) or per year and cell
  (`unit_id, ethnic_group, area`): `year, unit_id, [ethnic_group, area,] households, poor`, and
  optionally `near_poor`, `escaped` (newly escaped households, all three cohorts) and flow counts
  of the year that ends at that review (`escapes, poor_to_near_poor, relapses,
  relapses_near_poor, near_poor_to_poor, near_poor_exits, new_poor, new_near_poor`, as in
  simlib's flow indicators). Empty cells = not observed.
- **household review lists** — every household of the covered communes at every review, either
  long (`household_id, year, unit_id, ethnic_group, area, status`, optional `new`,
  `escape_year`) or wide (`household_id, unit_id, ethnic_group, area, status_<year>...`,
  optional `new_year`, `escape_year`). `status`: poor, near_poor, escaped, non_poor (or the
  Vietnamese labels: nghèo, cận nghèo, mới thoát nghèo, không nghèo). A household that was formed
  during the year (split off, moved in) is marked `new` (long) or has `new_year` (wide).
- **published series** — rows of `data/published/poverty_figures.csv` for one area.

Rejected with a message naming the rows: ids repeated within a year, households appearing
without a previous listing and not marked new, households marked new that were listed the
year before, "newly escaped" statuses that contradict the history, escape years after the
review year or more than 36 months back, negative counts, counts that exceed their totals (poor +
near-poor + escaped > households; flows larger than the stock they come from or go to), gaps
between years, wide-format year columns out of order, rows missing for some years.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from simlib.calibrate.aggregate import FLOW_ORIGIN, FLOW_SEL
from simlib.calibrate.household import S_ABSENT, S_ESC, S_NEAR, S_NON, S_POOR, count_transitions, detailed_states
from simlib.calibrate.panel import (
    ESC_OBS,
    FLOW_COLUMNS,
    HH,
    NEAR_OBS,
    POOR_OBS,
    STOCK,
    AggregatePanel,
    Cells,
    TransitionCounts,
    template_cells,
    template_counts,
)
from simlib.dataset import AREAS, GROUPS, MAX_HOUSEHOLDS, Dataset, parse_bool
from simlib.errors import InputError, excel_code, excel_code_error, raise_if_any
from simlib.i18n import LocalText
from simlib.parameters import sha256_file
from simlib.paths import display_path
from simlib.states import ESCAPED, NEAR_POOR, POOR
from simlib.table_files import fullwidth_by_file, number_text, read_table, row_numbers, unguessed_by_file

STATUS_LABELS = {
    "poor": S_POOR,
    "nghèo": S_POOR,
    "hộ nghèo": S_POOR,
    "ngheo": S_POOR,
    "ho ngheo": S_POOR,
    "near_poor": S_NEAR,
    "near-poor": S_NEAR,
    "cận nghèo": S_NEAR,
    "hộ cận nghèo": S_NEAR,
    "can ngheo": S_NEAR,
    "ho can ngheo": S_NEAR,
    "escaped": S_ESC,
    "newly_escaped": S_ESC,
    "mới thoát nghèo": S_ESC,
    "hộ mới thoát nghèo": S_ESC,
    "thoát nghèo": S_ESC,
    "moi thoat ngheo": S_ESC,
    "thoat ngheo": S_ESC,
    "non_poor": S_NON,
    "non-poor": S_NON,
    "không nghèo": S_NON,
    "hộ không nghèo": S_NON,
    "khong ngheo": S_NON,
}
STATUS_ALLOWED = "poor, near_poor, escaped, non_poor (nghèo, cận nghèo, mới thoát nghèo, không nghèo)"
AGG_REQUIRED = ("year", "unit_id", "households", "poor")
HH_LONG = ("household_id", "year", "unit_id", "ethnic_group", "area", "status")
HH_WIDE = ("household_id", "unit_id", "ethnic_group", "area")
_WIDE_STATUS = re.compile(r"^status_(\d{4})$")
ROW_LIMIT = 10


# --- shared helpers ------------------------------------------------------------------------------


def _norm(text) -> str:
    return unicodedata.normalize("NFC", str(text)).strip().lower()


def file_record(path: Path, rows: int) -> dict:
    """Provenance of one input file."""
    return {"file": display_path(path), "sha256": sha256_file(path), "rows": int(rows)}


def load_tables(files, columns: dict | None = None) -> tuple[pd.DataFrame, list[dict]]:
    """All files stacked, with `_file` (as shown to the user) and `_row` (spreadsheet row);
    `columns`, if given, receives each file's column order."""
    frames, records = [], []
    for f in files:
        path = Path(f)
        df = read_table(path)
        if columns is not None:
            columns[display_path(path)] = list(df.columns)
        df["_file"] = display_path(path)
        df["_row"] = row_numbers(df.index)
        frames.append(df)
        records.append(file_record(path, len(df)))
    if not frames:
        raise InputError("cal_no_files", field="FILE")
    return pd.concat(frames, ignore_index=True), records


def _rows_text(rows) -> str:
    rows = sorted(int(r) for r in rows)
    text = ", ".join(str(r) for r in rows[:ROW_LIMIT])
    return text + (", …" if len(rows) > ROW_LIMIT else "")


def row_errors(code: str, df: pd.DataFrame, mask, shown: pd.Series | None = None, **fields) -> list[InputError]:
    """One error per file listing the rows where `mask` is true (and its first value of `shown`)."""
    mask = np.asarray(mask, bool)
    out = []
    for file, part in df.loc[mask].groupby("_file", sort=False):
        value = {} if shown is None else {"value": str(shown[part.index[0]]) or None}  # None: «empty»
        out.append(InputError(code, file=file, rows=_rows_text(part["_row"]), **value, **fields))
    return out


def missing_columns(df: pd.DataFrame, required, records, columns: dict | None = None) -> list[InputError]:
    """Required columns a file lacks (or leaves empty), and files with no rows at all; `columns`
    (file -> its own header) tells a column a file has from one another file brought in."""
    errors = []
    for rec in records:
        part = df[df["_file"] == rec["file"]]
        if part.empty:
            errors.append(InputError("csv_no_rows", file=rec["file"], columns=", ".join(required)))
            continue
        own = columns.get(rec["file"], part.columns) if columns else part.columns
        missing = [c for c in required if c not in own or part[c].isna().all()]
        if missing:
            errors.append(
                InputError("csv_columns", file=rec["file"], missing=", ".join(missing), allowed=", ".join(required))
            )
    return errors


def text_column(df: pd.DataFrame, col: str) -> pd.Series:
    return df[col].fillna("").astype(str).map(lambda v: unicodedata.normalize("NFC", v).strip())


def numbers(df: pd.DataFrame, col: str, required: bool, errors: list, whole: bool = True) -> np.ndarray:
    """Column as floats (NaN where empty); non-numbers, numbers read only by a guess
    (`simlib.table_files.number_text`; `whole`: counts, else rates) and empties where required
    are errors."""
    if col not in df.columns:
        return np.full(len(df), np.nan)
    raw, dots, commas = number_text(text_column(df, col), whole)
    errors.extend(unguessed_by_file(df, col, dots, commas, _rows_text))
    wide, found = fullwidth_by_file(df, col, raw, _rows_text, whole)
    errors.extend(found)
    guess = dots | commas | wide
    vals = np.where(guess, np.nan, pd.to_numeric(raw, errors="coerce").to_numpy(float))
    empty = (raw == "").to_numpy()
    bad = (np.isnan(vals) & ~empty & ~guess) | (empty & required)
    errors.extend(row_errors("csv_not_number", df, bad, text_column(df, col), field=col))
    huge = ~np.isnan(vals) & ~(np.abs(vals) <= MAX_HOUSEHOLDS)
    errors.extend(row_errors("csv_too_large", df, huge, field=col, allowed=f"0 … {int(MAX_HOUSEHOLDS)}"))
    neg = vals < 0
    errors.extend(row_errors("csv_negative", df, neg, field=col))
    return np.where(huge, np.nan, vals)


def _years(df: pd.DataFrame, col: str, errors: list) -> np.ndarray:
    raw = text_column(df, col)
    vals = pd.to_numeric(raw, errors="coerce").to_numpy(float)
    bad = np.isnan(vals) | (vals != np.round(vals)) | (vals < 1990) | (vals > 2100)
    errors.extend(row_errors("cal_year_value", df, bad, raw, field=col))
    return np.where(bad, 0, vals).astype(int)


def check_two_years(years, file: str | None) -> list[InputError]:
    """Transitions are counted from one review to the next: the data need two reviews or more."""
    ys = sorted(set(int(y) for y in years if y))
    if len(ys) < 2:
        return [InputError("cal_one_year", file=file, field="year", value=", ".join(map(str, ys)) or "—")]
    return []


def check_consecutive(years, file: str | None) -> list[InputError]:
    """Review years must follow one another without a gap."""
    ys = sorted(set(int(y) for y in years if y))
    missing = sorted(set(range(ys[0], ys[-1] + 1)) - set(ys)) if ys else []
    if missing:
        return [
            InputError(
                "cal_years_gap",
                file=file,
                field="year",
                missing=", ".join(map(str, missing)),
                value=", ".join(map(str, ys)),
            )
        ]
    return []


def _codes(df: pd.DataFrame, col: str, allowed: tuple[str, ...], errors: list) -> np.ndarray:
    vals = text_column(df, col)
    bad = ~vals.isin(allowed).to_numpy()
    for file, part in df.loc[bad].groupby("_file", sort=False):
        shown = ", ".join(sorted(set(vals[part.index]))[:5])
        errors.append(
            InputError("csv_values", file=file, field=col, rows=_rows_text(part["_row"]), value=shown, allowed=allowed)
        )
    return np.array([allowed.index(v) if v in allowed else 0 for v in vals])


def _units(df: pd.DataFrame, template: Dataset, errors: list) -> np.ndarray:
    """Each row's unit; units not in the template go to `errors` per file (`1290.0`: `excel_code_error`)."""
    vals, ids = text_column(df, "unit_id"), template.unit_ids
    bad = ~vals.isin(ids).to_numpy()
    saved = bad & vals.map(lambda v: excel_code(v) is not None).to_numpy(bool)
    for file, part in df.loc[saved].groupby("_file", sort=False):
        errors.append(excel_code_error(sorted(set(vals[part.index])), _rows_text(part["_row"]), ids, file, "unit_id"))
    for file, part in df.loc[bad & ~saved].groupby("_file", sort=False):
        shown, rows = ", ".join(sorted(set(vals[part.index]))[:5]), _rows_text(part["_row"])
        errors.append(InputError("cal_unknown_unit", file=file, field="unit_id", rows=rows, value=shown, allowed=ids))
    pos = {u: i for i, u in enumerate(ids)}
    return np.array([pos.get(v, 0) for v in vals])


# --- aggregate review counts -------------------------------------------------------------------


def _missing_rows(present, years, obs_keys, template: Dataset, cell_level: bool, records) -> list[InputError]:
    """An error listing the (year, observation unit) pairs without a row, if any; `present` (T, O) bool."""
    if present.all():
        return []
    miss = [f"{years[ti]}: {_obs_label(obs_keys[oi], template, cell_level)}" for ti, oi in zip(*np.nonzero(~present))]
    detail = "; ".join(miss[:ROW_LIMIT]) + ("; …" if len(miss) > ROW_LIMIT else "")
    return [InputError("cal_missing_rows", file=", ".join(r["file"] for r in records), detail=detail)]


def _totals_errors(df: pd.DataFrame, vals: dict) -> list[InputError]:
    """The rows whose parts exceed the whole: poor + near_poor + escaped > households."""
    parts = np.nansum(np.stack([vals["poor"], vals["near_poor"], vals["escaped"]]), axis=0)
    return row_errors(
        "cal_totals", df, parts > vals["households"] + 1e-9, detail="poor + near_poor + escaped > households"
    )


def _panel_cells(template: Dataset, obs_keys: np.ndarray, cell_level: bool) -> tuple[Cells, np.ndarray, np.ndarray]:
    """The template's cells behind the observation units: each holds one cell (cell level) or the
    unit's four cells. Returns the cells, the observation unit of each and their template positions."""
    all_cells = template_cells(template)
    if cell_level:
        cell_pos, member = obs_keys, np.arange(len(obs_keys))
    else:
        cell_pos = (obs_keys[:, None] + np.arange(4)[None, :]).ravel()
        member = np.repeat(np.arange(len(obs_keys)), 4)
    cells = Cells(
        unit_id=all_cells.unit_id[cell_pos],
        eth=all_cells.eth[cell_pos],
        area=all_cells.area[cell_pos],
        poor_district=all_cells.poor_district[cell_pos],
    )
    return cells, member, cell_pos


def read_aggregate(files, template: Dataset) -> AggregatePanel:
    """Aggregate review counts (see module docstring) -> AggregatePanel over the template's cells."""
    df, records = load_tables(files)
    errors = missing_columns(df, AGG_REQUIRED, records)
    raise_if_any(errors)
    cell_level = "ethnic_group" in df.columns and "area" in df.columns
    year = _years(df, "year", errors)
    unit = _units(df, template, errors)
    if cell_level:
        eth = _codes(df, "ethnic_group", GROUPS, errors)
        area = _codes(df, "area", AREAS, errors)
    vals = {c: numbers(df, c, c in AGG_REQUIRED, errors) for c in STOCK[:] + FLOW_COLUMNS}
    raise_if_any(errors)
    key = unit * 4 + (eth * 2 + area if cell_level else 0)
    dup = pd.DataFrame({"y": year, "k": key}).duplicated(keep=False).to_numpy()
    errors.extend(row_errors("csv_duplicate", df, dup))
    errors.extend(check_consecutive(year, ", ".join(r["file"] for r in records)))
    raise_if_any(errors)
    years = tuple(range(int(year.min()), int(year.max()) + 1))
    obs_keys = np.unique(key)
    O, T = len(obs_keys), len(years)  # noqa: E741 - O/I: the shape letters of the docstrings
    o_of = {k: i for i, k in enumerate(obs_keys)}
    o = np.array([o_of[k] for k in key])
    t = year - years[0]
    present = np.zeros((T, O), bool)
    present[t, o] = True
    errors.extend(_missing_rows(present, years, obs_keys, template, cell_level, records))
    stock = np.full((T, O, len(STOCK)), np.nan)
    flows = np.full((T, O, len(FLOW_COLUMNS)), np.nan)
    for j, c in enumerate(STOCK):
        stock[t, o, j] = vals[c]
    for j, c in enumerate(FLOW_COLUMNS):
        flows[t, o, j] = vals[c]
    errors.extend(_totals_errors(df, vals))
    errors.extend(_flow_checks(df, stock, flows, t, o))
    raise_if_any(errors)
    notes = []
    if np.isfinite(flows[0]).any():
        notes.append(LocalText.of("cal.note.flows_ignored", year=years[0]))
        flows[0] = np.nan
    cells, member, cell_pos = _panel_cells(template, obs_keys, cell_level)
    areas = tuple(_obs_label(k, template, cell_level) for k in obs_keys)
    return AggregatePanel(
        years=years,
        areas=areas,
        cells=cells,
        member=member,
        stock=stock,
        flows=flows,
        guess0=template_counts(template)[cell_pos].astype(float),
        sources=tuple(records),
        households_estimated=np.zeros((T, O), bool),
        notes=tuple(notes),
    )


def _obs_label(key: int, template: Dataset, cell_level: bool) -> str:
    u = template.unit_ids[key // 4]
    if not cell_level:
        return u
    return f"{u}/{GROUPS[(key % 4) // 2]}/{AREAS[key % 2]}"


def _flow_checks(
    df: pd.DataFrame, stock: np.ndarray, flows: np.ndarray, t: np.ndarray, o: np.ndarray
) -> list[InputError]:
    """Flows cannot exceed the stock they leave (previous review) or enter (this review)."""
    errors = []
    prev = np.where((t >= 1)[:, None], stock[np.maximum(t - 1, 0), o], np.nan)  # (rows, 4)
    cur = stock[t, o]
    # origin stocks by flow: poor / near-poor / escaped / non-poor (households minus the rest)
    origin_cols = {POOR: POOR_OBS, NEAR_POOR: NEAR_OBS}
    for j, name in enumerate(FLOW_COLUMNS):
        y = flows[t, o, j]
        orig = np.flatnonzero(FLOW_ORIGIN[j])
        if orig[0] in origin_cols:
            cap = prev[:, origin_cols[orig[0]]]
            label = STOCK[origin_cols[orig[0]]]
        elif orig[0] in ESCAPED:
            cap, label = prev[:, ESC_OBS], "escaped"
        else:  # non-poor: households - poor - near_poor - escaped, where all are given
            cap = prev[:, HH] - prev[:, POOR_OBS] - prev[:, NEAR_OBS] - prev[:, ESC_OBS]
            label = "households - poor - near_poor - escaped"
        bad = np.isfinite(y) & np.isfinite(cap) & (y > cap + 1e-9)
        errors.extend(row_errors("cal_flow_exceeds", df, bad, field=name, origin=label))
    # inflows into a state cannot exceed this review's count of it
    for state, col in ((POOR, POOR_OBS), (NEAR_POOR, NEAR_OBS), (ESCAPED[0], ESC_OBS)):
        into = [j for j in range(len(FLOW_COLUMNS)) if FLOW_SEL[j][:, state].any()]
        tot = np.nansum(flows[t, o][:, into], axis=1)
        bad = np.isfinite(cur[:, col]) & (tot > cur[:, col] + 1e-9)
        names = " + ".join(FLOW_COLUMNS[j] for j in into)
        errors.extend(row_errors("cal_totals", df, bad, detail=f"{names} > {STOCK[col]}"))
    return errors


# --- household review lists --------------------------------------------------------------------


def _wide_to_long(df: pd.DataFrame, columns: dict, errors: list) -> pd.DataFrame:
    """Wide lists (status_<year> columns) as long rows, keeping each household's row number.
    Year columns must run in increasing order in every file (a swapped column is a likely
    copy-paste slip, and would silently reorder a household's history)."""
    cols = [c for c in df.columns if _WIDE_STATUS.match(c)]
    years = [int(_WIDE_STATUS.match(c).group(1)) for c in cols]
    for file, order in columns.items():
        ys = [int(_WIDE_STATUS.match(c).group(1)) for c in order if _WIDE_STATUS.match(c)]
        if ys != sorted(ys) or len(set(ys)) != len(ys):
            errors.append(InputError("cal_year_order", file=file, field="status_<year>", value=", ".join(map(str, ys))))
    if errors:
        return df
    long = []
    for c, y in zip(cols, years):
        part = df[df[c].notna() & (text_column(df, c) != "")].copy()
        part["year"] = str(y)
        part["status"] = part[c]
        if "new_year" in df.columns:
            part["new"] = (text_column(part, "new_year") == str(y)).map({True: "true", False: "false"})
        long.append(part)
    out = pd.concat(long, ignore_index=True) if long else df.iloc[:0].assign(year="", status="")
    return out


def _status(df: pd.DataFrame, errors: list) -> np.ndarray:
    """(rows,) each row's status code (`STATUS_LABELS`); unknown labels are errors, by file."""
    status_text = text_column(df, "status").map(_norm)
    bad_status = ~status_text.isin(STATUS_LABELS).to_numpy()
    for file, part in df.loc[bad_status].groupby("_file", sort=False):
        shown = ", ".join(sorted(set(text_column(df, "status")[part.index]))[:5])
        errors.append(
            InputError(
                "csv_values",
                file=file,
                field="status",
                rows=_rows_text(part["_row"]),
                value=shown,
                allowed=STATUS_ALLOWED,
            )
        )
    return status_text.map(STATUS_LABELS).fillna(S_NON).to_numpy(int)


def _new_flags(df: pd.DataFrame, errors: list) -> np.ndarray:
    """(rows,) bool: the optional `new` column (a household formed since the last review)."""
    if "new" not in df.columns:
        return np.zeros(len(df), bool)
    is_new, bad_new = parse_bool(df["new"].fillna(""))
    errors.extend(row_errors("csv_values", df, bad_new, field="new", value="…", allowed="true, false"))
    return is_new


def _history_errors(df: pd.DataFrame, here, grid_new, grid_row, bad_esc) -> list[InputError]:
    """Rows whose household's history is impossible, as (households, years) masks: listed without a
    previous listing and not marked new; marked new but listed the year before; escaped histories
    that do not add up (`bad_esc`)."""
    nowhere = np.zeros(here.shape, bool)
    nowhere[:, 1:] = here[:, 1:] & ~here[:, :-1] & ~grid_new[:, 1:]
    not_new = np.zeros(here.shape, bool)
    not_new[:, 1:] = here[:, 1:] & here[:, :-1] & grid_new[:, 1:]
    errors = []
    for code, mask in (("cal_from_nowhere", nowhere), ("cal_new_existing", not_new), ("cal_escaped_history", bad_esc)):
        rows = np.zeros(len(df), bool)
        rows[grid_row[mask]] = True
        errors.extend(row_errors(code, df, rows))
    return errors


def read_register(files, template: Dataset) -> TransitionCounts:
    """Household review lists (see module docstring) -> transition counts over the template's cells."""
    columns: dict = {}
    df, records = load_tables(files, columns)
    wide = any(_WIDE_STATUS.match(c) for c in df.columns)
    errors: list[InputError] = []
    if wide:
        errors.extend(missing_columns(df, HH_WIDE, records, columns))
        raise_if_any(errors)
        df = _wide_to_long(df, columns, errors)
        raise_if_any(errors)
    else:
        errors.extend(missing_columns(df, HH_LONG, records, columns))
        raise_if_any(errors)
    year = _years(df, "year", errors)
    unit = _units(df, template, errors)
    eth = _codes(df, "ethnic_group", GROUPS, errors)
    area = _codes(df, "area", AREAS, errors)
    status = _status(df, errors)
    ids = text_column(df, "household_id")
    errors.extend(row_errors("cal_empty_id", df, (ids == "").to_numpy(), field="household_id"))
    is_new = _new_flags(df, errors)
    esc_year = numbers(df, "escape_year", False, errors) if "escape_year" in df.columns else np.full(len(df), np.nan)
    raise_if_any(errors)
    dup = pd.DataFrame({"id": ids, "y": year}).duplicated(keep=False).to_numpy()
    errors.extend(row_errors("cal_duplicate_id", df, dup))
    errors.extend(check_consecutive(year, ", ".join(r["file"] for r in records)))
    k = np.where(np.isfinite(esc_year), year - np.nan_to_num(esc_year) + 1, 0).astype(int)
    errors.extend(
        row_errors(
            "cal_escape_year_order", df, (status == S_ESC) & np.isfinite(esc_year) & (k < 1), field="escape_year"
        )
    )
    raise_if_any(errors)

    years = tuple(range(int(year.min()), int(year.max()) + 1))
    T = len(years)
    hid, h = np.unique(ids.to_numpy(), return_inverse=True)
    H = len(hid)
    t = year - years[0]
    grid_status = np.full((H, T), S_ABSENT)
    grid_cell = np.zeros((H, T), int)
    grid_new = np.zeros((H, T), bool)
    grid_k = np.zeros((H, T), int)
    grid_row = np.full((H, T), -1)
    grid_status[h, t] = status
    grid_cell[h, t] = unit * 4 + eth * 2 + area
    grid_new[h, t] = is_new
    grid_k[h, t] = np.where(status == S_ESC, np.maximum(k, 0), 0)
    grid_row[h, t] = np.arange(len(df))
    grid_new[:, 0] = False  # formation before the first review is not observed
    states, bad_esc = detailed_states(grid_status, grid_k, grid_new)
    errors.extend(_history_errors(df, grid_status != S_ABSENT, grid_new, grid_row, bad_esc))
    raise_if_any(errors)
    cells = template_cells(template)
    return count_transitions(states, grid_cell, grid_new, len(cells), years, cells, records)
