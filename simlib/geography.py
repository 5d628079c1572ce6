"""Dated geography: which administrative units are in force on a date, and how counts move between
arrangements.

A province's geography is a folder `data/geography/<province>/` with `geography.yaml` (periods of
unit arrangements with their validity dates, and the transition between them with its legal
source) and the CSV tables `data/geography/build_geography.py` writes. For Cao Bằng: the 10
district-level units up to 30 June 2025, the 56 commune-level units from 1 July 2025 (Nghị quyết
1657/NQ-UBTVQH15). `units_on(date)` and `geography_for_year(year)` give the unit table in force;
`move_to_communes` carries district counts to the new units by population weights, conserving
every district's counts exactly (largest-remainder apportionment). `match_units` reads unit names
as people write them (code, full or short name, with or without diacritics).
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simlib.errors import InputError, closest_names, excel_code, excel_code_error, missing_file, raise_if_any
from simlib.paths import data_dir, display_path
from simlib.schema import load_yaml, validate
from simlib.table_files import row_numbers

#: English words for the unit kinds of the tables
KIND_EN = {"huyện": "district", "thành phố": "city", "thị xã": "town", "xã": "commune", "phường": "ward"}
KIND_EN["thị trấn"] = "township"
#: kind words a name may start with, folded (longest first, so `thanh pho` wins over nothing shorter)
KIND_PREFIXES = ("thanh pho", "thi tran", "thi xa", "phuong", "huyen", "tp", "xa")


@dataclass(frozen=True)
class Period:
    """One arrangement of units: `units` has one row per unit (`unit_id`, `code`, `name_vi`,
    `name_en`, `kind`, `communes`, and for commune units their area, coordinates, population and
    flags); `valid_from` / `valid_to` are None where open."""

    id: str
    level: str
    valid_from: _dt.date | None
    valid_to: _dt.date | None
    units: pd.DataFrame
    source_file: Path

    def in_force(self, day: _dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    @property
    def unit_ids(self) -> tuple[str, ...]:
        return tuple(self.units["unit_id"])


@dataclass(frozen=True)
class Geography:
    """A province's periods (oldest first) and its district → commune transition."""

    province: str
    path: Path
    meta: dict
    periods: tuple[Period, ...]
    weights: pd.DataFrame  # district_id, new_code, population_part, share (exact fractions), method
    mapping: pd.DataFrame  # old_code, old_name, old_district_id, new_code, new_name, share_of_old, basis

    @property
    def transition(self) -> dict:
        return self.meta["transition"]

    def period(self, period_id: str) -> Period:
        return next(p for p in self.periods if p.id == period_id)


def geography_dir(province: str = "caobang") -> Path:
    return data_dir() / "geography" / province


def to_date(text: str | None) -> _dt.date | None:
    return None if text is None else _dt.date.fromisoformat(str(text))


def load_geography(province: str | Path = "caobang") -> Geography:
    """Read and check a province's dated geography (every problem of `geography.yaml` at once)."""
    path = province if isinstance(province, Path) else geography_dir(province)
    meta_file = path / "geography.yaml"
    meta = load_yaml(meta_file)
    raise_if_any(validate(meta, "geography", meta_file, quantities=False))
    raise_if_any(period_problems(meta, meta_file))
    periods = tuple(read_period(p, path) for p in meta["periods"])
    weights = read_csv(path / meta["transition"]["weights_file"], {"population_part": float})
    part_sum = weights.groupby("district_id")["population_part"].transform("sum")
    weights["share"] = weights["population_part"] / part_sum
    mapping = read_csv(path / meta["transition"]["mapping_file"])
    return Geography(str(meta["province"]), path, meta, periods, weights, mapping)


def period_problems(meta: dict, meta_file: Path) -> list[InputError]:
    """Periods must follow each other without gap or overlap; the transition names two of them."""
    shown, errors = display_path(meta_file), []
    periods = meta.get("periods") or []
    for i, (a, b) in enumerate(zip(periods, periods[1:], strict=False)):
        end, start = to_date(a.get("valid_to")), to_date(b.get("valid_from"))
        if end is None or start is None or start != end + _dt.timedelta(days=1):
            errors.append(
                InputError("geo_period_gap", file=shown, field=f"periods.{i + 1}.valid_from", value=str(start))
            )
    ids = [p.get("id") for p in periods]
    for key in ("from_period", "to_period"):
        value = (meta.get("transition") or {}).get(key)
        if value not in ids:
            errors.append(InputError("enum", file=shown, field=f"transition.{key}", value=value, allowed=ids))
    return errors


def read_csv(file: Path, dtypes: dict | None = None) -> pd.DataFrame:
    """A committed geography table, codes kept as text (leading zeros)."""
    if not file.is_file():
        raise missing_file(file)
    df = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8")
    return df.astype(dtypes or {})


def read_period(spec: dict, folder: Path) -> Period:
    file = folder / spec["units_file"]
    raw = read_csv(file)
    units = district_units(raw) if spec["level"] == "district" else commune_units(raw)
    return Period(spec["id"], spec["level"], to_date(spec["valid_from"]), to_date(spec["valid_to"]), units, file)


def short_name(name: str, kind: str) -> str:
    """`Xã Bảo Lâm` → `Bảo Lâm` (the kind word removed)."""
    return name[len(kind) :].strip() if name.lower().startswith(kind.lower()) else name


def english_name(name: str, kind: str) -> str:
    return f"{fold(short_name(name, kind)).title()} {KIND_EN.get(kind, kind)}"


def district_units(legacy: pd.DataFrame) -> pd.DataFrame:
    """The district-level units of a table of legacy communes (one row per commune)."""
    first = legacy.drop_duplicates("district_id")
    units = pd.DataFrame(
        {
            "unit_id": first["district_id"],
            "code": first["district_code"],
            "name_vi": first["district_name"],
            "name_en": [
                english_name(n, k) for n, k in zip(first["district_name"], first["district_kind"], strict=True)
            ],
            "kind": first["district_kind"],
            "communes": first["district_id"].map(legacy["district_id"].value_counts()).astype(int),
        }
    )
    return units.reset_index(drop=True)


def commune_units(table: pd.DataFrame) -> pd.DataFrame:
    """The commune-level units: unit_id = the statistics office's code; `former_poor_district_area`
    is derived (rule: at least one of the unit's old communes lay in a 2024 poor district)."""
    units = table.rename(columns={"name": "name_vi"}).copy()
    units.insert(0, "unit_id", units["code"])
    units.insert(3, "name_en", [english_name(n, k) for n, k in zip(units["name_vi"], units["kind"], strict=True)])
    units["communes"] = 1
    for col in ("area_km2", "lat", "lon", "population"):
        units[col] = units[col].astype(float)
    poor_old = units["legacy_poor_district_communes"].str.split("/").str[0].astype(int)
    units["former_poor_district_area"] = poor_old > 0
    units["former_poor_district_area_basis"] = (
        "derived: k > 0 of the unit's old communes in a 2024 poor district (legacy_poor_district_communes = k/n)"
    )
    return units


def dataset_units(period: Period) -> pd.DataFrame:
    """A commune period's units as a dataset's `units.csv` (see simlib.dataset): `poor_district`
    is the derived `former_poor_district_area` and says so in `poor_district_basis`. (District
    datasets keep their own flags, data/<province>/units.csv.)"""
    if period.level != "commune":
        raise ValueError(f"dataset_units: {period.id} is not a commune-level period")
    units = period.units.copy()
    units["poor_district"] = units.pop("former_poor_district_area")
    units["poor_district_basis"] = units.pop("former_poor_district_area_basis")
    return units


def units_on(day: _dt.date | str, geography: Geography | None = None) -> Period:
    """The arrangement of units in force on `day`."""
    geo = geography or load_geography()
    day = to_date(day) if isinstance(day, str) else day
    for period in geo.periods:
        if period.in_force(day):
            return period
    raise InputError("geo_no_period", field="date", value=str(day), allowed=[p.id for p in geo.periods])


def geography_for_year(year: int, geography: Geography | None = None) -> Period:
    """The units of the annual review of `year`, held at the end of the year (31 December): the
    districts up to 2024, the communes from 2025."""
    return units_on(_dt.date(int(year), 12, 31), geography)


def switch_year(geo: Geography) -> int:
    """The first budget (calendar) year on or after the date of the transition: the first year an
    engine stepping a year at a time can run on the new units (2026 for 1 July 2025)."""
    day = to_date(geo.transition["date"])
    return day.year + (day > _dt.date(day.year, 1, 1))


def weight_matrix(geo: Geography, district_ids: tuple[str, ...]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Shares (D, C) of each district's population in each new unit (rows sum to 1) and the C
    unit codes, in the order of the commune period's table. Raises if `district_ids` are not the
    transition's districts."""
    to_units = geo.period(geo.transition["to_period"]).unit_ids
    known = tuple(dict.fromkeys(geo.weights["district_id"]))
    if sorted(district_ids) != sorted(known):
        raise InputError(
            "geo_districts_mismatch", field="unit_id", value=", ".join(district_ids), allowed=", ".join(known)
        )
    w = np.zeros((len(district_ids), len(to_units)))
    d = geo.weights["district_id"].map({u: i for i, u in enumerate(district_ids)}).to_numpy()
    c = geo.weights["new_code"].map({u: i for i, u in enumerate(to_units)}).to_numpy()
    np.add.at(w, (d, c), geo.weights["share"].to_numpy(float))
    return w, to_units


def apportion(totals: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Split each total among parts by largest remainder: (K,) totals, (C,) shares summing to 1 →
    (K, C) whose rows sum to the totals exactly.

    Each part gets the whole part of its quota `total × share`; the units left over go one each to
    the parts with the largest fractional remainders (ties: the earlier part). Whole-number totals
    give whole-number parts; a fractional total leaves its fraction with the next part in line."""
    totals = np.asarray(totals, float)
    quota = totals[:, None] * np.asarray(shares, float)[None, :]
    parts = np.floor(quota)
    left = totals - parts.sum(axis=1)
    whole = np.round(left)
    left = np.where(np.abs(left - whole) < 1e-9, whole, left)
    order = np.argsort(-(quota - parts), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(order.shape[1])[None, :].repeat(len(order), axis=0), axis=1)
    n_whole = np.floor(left)[:, None]
    parts += rank < n_whole
    parts += np.where(rank == n_whole, (left - np.floor(left))[:, None], 0.0)
    return parts


def split_by_district(counts: np.ndarray, district_ids: tuple[str, ...], geo: Geography) -> np.ndarray:
    """District counts (D, ...) → their pieces in the new units (D, C, ...).

    Every district's count in every cell is apportioned among the units its population lies in
    (`apportion` with the transition's population weights): summed over units, each district's
    count in each cell is unchanged; whole-number counts give whole-number pieces."""
    w, to_units = weight_matrix(geo, district_ids)
    cells = counts.reshape(len(district_ids), -1)
    pieces = np.zeros((len(district_ids), len(to_units), cells.shape[1]))
    for d in range(len(district_ids)):
        inside = np.flatnonzero(w[d] > 0)
        pieces[d, inside] = apportion(cells[d], w[d, inside] / w[d, inside].sum()).T
    return pieces.reshape((len(district_ids), len(to_units)) + counts.shape[1:])


def move_to_communes(counts: np.ndarray, district_ids: tuple[str, ...], geo: Geography) -> np.ndarray:
    """District counts (D, ...) → commune counts (C, ...), in the order of the commune period's
    units: the pieces of `split_by_district` added up (8 Cao Bằng units take pieces of two
    districts). An estimate (population weights), flagged as such by the transition."""
    return split_by_district(counts, district_ids, geo).sum(axis=0)


@dataclass(frozen=True)
class CommuneBaseline:
    """District counts moved to communes, with the flag and method that travel with them.

    `counts` (C, ...) follow `units` (the commune period's table); `estimated` stays True until the
    counts come from commune-level review data (`simlib import-review --level commune`)."""

    units: pd.DataFrame
    counts: np.ndarray
    estimated: bool
    method_en: str
    method_vi: str
    period: str


def commune_baseline(counts: np.ndarray, district_ids: tuple[str, ...], geo: Geography) -> CommuneBaseline:
    """`move_to_communes` with its provenance: the commune units, the counts, and the transition's
    method and `estimated` flag (population weights: an estimate)."""
    to_period = geo.period(geo.transition["to_period"])
    weights = geo.transition["weights"]
    return CommuneBaseline(
        units=to_period.units,
        counts=move_to_communes(counts, district_ids, geo),
        estimated=bool(weights["estimated"]),
        method_en=" ".join(weights["method_en"].split()),
        method_vi=" ".join(weights["method_vi"].split()),
        period=to_period.id,
    )


def fold(text: str) -> str:
    """Lower case without diacritics (`đ` → `d`), separators as single spaces."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()
    return " ".join(text.replace("_", " ").replace("-", " ").replace(".", " ").split())


def name_keys(name: str) -> tuple[str, str]:
    """(with diacritics, without) forms of a name with any leading kind word removed."""
    spaced = str(name).replace("_", " ").replace("-", " ").replace(".", " ")
    exact = " ".join(unicodedata.normalize("NFC", spaced).lower().split())
    folded = fold(name)
    for prefix in KIND_PREFIXES:
        if folded.startswith(prefix + " "):
            words = len(prefix.split())
            return " ".join(exact.split()[words:]), folded[len(prefix) + 1 :]
    return exact, folded


def unit_lookup(units: pd.DataFrame) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Keys (code, code without leading zeros, full and short name, each with and without
    diacritics) → the unit ids they may mean."""
    exact: dict[str, set[str]] = {}
    folded: dict[str, set[str]] = {}
    for uid, code, name, kind in zip(units["unit_id"], units["code"], units["name_vi"], units["kind"], strict=True):
        for key in {code, code.lstrip("0")}:
            exact.setdefault(key, set()).add(uid)
        for form in (name, short_name(name, kind)):
            e, f = name_keys(form)
            exact.setdefault(e, set()).add(uid)
            folded.setdefault(f, set()).add(uid)
    return exact, folded


def match_units(values: pd.Series, units: pd.DataFrame, file: str, field: str) -> tuple[pd.Series, list[InputError]]:
    """Unit ids for names as written: a unit's code, or its name with or without the kind word
    (`Xã Bảo Lâm`, `Bảo Lâm`), with or without diacritics (`bao lam`). A name without diacritics
    that could mean several units must be written with them. Returns the ids (None where not
    matched) and one problem per unmatched value, naming its rows (the file's lines, by the index
    of `values`: `simlib.table_files.row_numbers`, total rows taken out or not), a close name and
    every name."""
    exact, folded = unit_lookup(units)
    ids, problems = [], {}
    for row, value in zip(row_numbers(values.index), values.astype(str), strict=True):  # the table's rows
        e, f = name_keys(value.strip())
        found = exact.get(e) or exact.get(value.strip()) or folded.get(f) or set()
        ids.append(next(iter(found)) if len(found) == 1 else None)
        if len(found) != 1:
            problems.setdefault((value, tuple(sorted(found))), []).append(row)
    names = [short_name(n, k) for n, k in zip(units["name_vi"], units["kind"], strict=True)]
    errors = [unmatched(value, found, rows, names, units, file, field) for (value, found), rows in problems.items()]
    return pd.Series(ids, index=values.index, dtype=object), errors


def unmatched(value: str, found: tuple, rows: list[int], names: list[str], units, file: str, field: str) -> InputError:
    """The problem of one unmatched unit name: ambiguous, a code saved as a number by a
    spreadsheet (`1290.0`), close to a name, or unknown."""
    shown_rows = ", ".join(str(r) for r in rows[:10]) + (", …" if len(rows) > 10 else "")
    allowed = ", ".join(sorted(names, key=fold))
    if found:
        by_id = dict(zip(units["unit_id"], units["name_vi"], strict=True))
        matches = ", ".join(sorted(by_id[u] for u in found))
        return InputError("unit_ambiguous", file=file, field=field, value=value, rows=shown_rows, matches=matches)
    if excel_code(value) is not None:  # `1290.0`: a code a spreadsheet saved as a number
        return excel_code_error([value], shown_rows, tuple(units["unit_id"]), file, field)
    close = closest_names(name_keys(value)[1], [fold(n) for n in names])[:1]  # as for file names and keys
    if close:
        suggestion = names[[fold(n) for n in names].index(close[0])]
        return InputError(
            "unit_unknown_close",
            file=file,
            field=field,
            value=value,
            rows=shown_rows,
            close=suggestion,
            allowed=allowed,
        )
    return InputError("unit_unknown_named", file=file, field=field, value=value, rows=shown_rows, allowed=allowed)


# --- moving an engine's household state to new units ---------------------------------------------


@dataclass(frozen=True)
class CellMap:
    """Weights moving a run's households from one arrangement of units to another: `units`
    (D, D') each old unit's share in each new unit, `groups` (G, G') each old group's share in
    each new group (the group of the same kind in the new unit). Rows sum to 1."""

    units: np.ndarray
    groups: np.ndarray
    from_units: tuple[str, ...]
    to_units: tuple[str, ...]


def unit_map(geo: Geography, from_units: tuple[str, ...], to_units: tuple[str, ...]) -> np.ndarray:
    """(D, C) population weights of the transition (`weight_matrix`) from the districts
    `from_units` to the new units `to_units` (in that order; every new unit of the transition)."""
    w, order = weight_matrix(geo, from_units)
    if sorted(order) != sorted(to_units):
        raise InputError(
            "geo_units_mismatch", field="unit_id", value=", ".join(to_units[:5]) + ", …", allowed=", ".join(order[:5])
        )
    index = {u: i for i, u in enumerate(order)}
    return w[:, [index[u] for u in to_units]]


def cell_map(
    units: np.ndarray, from_unit: np.ndarray, from_kind: np.ndarray, to_unit: np.ndarray, to_kind: np.ndarray
) -> np.ndarray:
    """(G, G') weights moving each old group (unit `from_unit`, kind `from_kind` (G, k): the
    columns that define a group within its unit, e.g. ethnic group, area, attribute class,
    labour capacity, housed) to the group of the same kind in each new unit, by the unit
    weights `units` (D, D'). A kind the new unit lacks falls back to the kind with its last
    column 0 (a housed twin the new unit's groups do not have: its households join the base
    group); a kind without that either is an error. Rows sum to the old unit's row of `units`."""
    lookup = {(int(u),) + tuple(int(x) for x in k): h for h, (u, k) in enumerate(zip(to_unit, to_kind, strict=True))}
    out = np.zeros((len(from_unit), len(to_unit)))
    for g, (d, kind) in enumerate(zip(from_unit, from_kind, strict=True)):
        kind = tuple(int(x) for x in kind)
        for c in np.flatnonzero(units[d] > 0):
            h = lookup.get((int(c),) + kind, lookup.get((int(c),) + kind[:-1] + (0,)))
            if h is None:
                raise ValueError(f"cell_map: new unit {c} has no group of kind {kind}")
            out[g, h] += units[d, c]
    return out


def remap_groups(values: np.ndarray, groups: np.ndarray, axis: int = 1) -> np.ndarray:
    """`values` with its group axis `axis` (G) moved to new groups by `groups` (G, G'): each new
    group gets the weighted sum of the old ones (households conserved when rows sum to 1)."""
    old = np.moveaxis(np.asarray(values, float), axis, 0)
    out = np.zeros((groups.shape[1],) + old.shape[1:])
    # one buffer for every product: a temporary per pair of groups cost a fresh allocation and its
    # page faults each time (a multidimensional state has 2,448 pairs of slabs of 0.2-0.35 MB), the
    # same products and sums in the same order otherwise, so the same bits
    product = np.empty(old.shape[1:])
    for g, h in zip(*np.nonzero(groups), strict=True):  # sparse: a group reaches a few new units
        np.multiply(groups[g, h], old[g], out=product)
        out[h] += product
    return np.moveaxis(out, 0, axis)


def remap_units(values: np.ndarray, units: np.ndarray, axis: int) -> np.ndarray:
    """`values` with its unit axis `axis` (D) moved to new units by `units` (D, D')."""
    return remap_groups(values, units, axis)
