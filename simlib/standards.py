"""The multidimensional poverty standard: which one is in force in a year, and how it classifies.

A standard (`params/standards/<id>.yaml`, schema `standard.schema.yaml`) gives an income line per
area in VND per person per month and the deprivation-count rule over 12 indicators in 6
dimensions (Decree 07/2021/NĐ-CP for 2022–2025, extended through 2026; new lines of 2.2 / 2.8
million VND from 2027). At a review in year t::

    poor       income <= line(t, area)  and  deprivations >= min_deprivations (3)
    near-poor  income <= line(t, area)  and  deprivations <  min_deprivations
    above      income >  line(t, area)                  (neither; deprivations do not matter)

The boundaries are inclusive exactly as written: an income equal to the line is below it, and
exactly 3 deprivations is poor. Households carry their 12 flags as one `uint16` bitmask, bit j
for `INDICATORS[j]`; `classify` works on whole arrays.

Because the standard in force is chosen by the review year, a projection across 2026 -> 2027
classifies the same households against a higher line in 2027: `standard_changes` lists those
years so that results and reports can flag the break.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from simlib.errors import InputError
from simlib.i18n import LocalText
from simlib.schema import qv

#: the 12 indicators in bit order (bit j of a household's mask is INDICATORS[j])
INDICATORS: tuple[str, ...] = (
    "employment",
    "dependants",  # employment
    "nutrition",
    "health_insurance",  # health
    "adult_education",
    "school_attendance",  # education
    "housing_quality",
    "housing_area",  # housing
    "drinking_water",
    "sanitation",  # water and sanitation
    "telecom_use",
    "information_access",  # information
)
N_INDICATORS = len(INDICATORS)
#: dimension -> its indicators, in the standard's order
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "employment": ("employment", "dependants"),
    "health": ("nutrition", "health_insurance"),
    "education": ("adult_education", "school_attendance"),
    "housing": ("housing_quality", "housing_area"),
    "water_sanitation": ("drinking_water", "sanitation"),
    "information": ("telecom_use", "information_access"),
}
DIMENSION_OF: dict[str, str] = {i: d for d, inds in DIMENSIONS.items() for i in inds}
BIT: dict[str, int] = {name: 1 << j for j, name in enumerate(INDICATORS)}

#: classification codes returned by `classify`
POOR_C, NEAR_POOR_C, ABOVE_C = 0, 1, 2
CLASSES = ("poor", "near_poor", "above")
AREA_NAMES = ("rural", "urban")

# number of set bits of every 12-bit mask
POPCOUNT = np.array([bin(m).count("1") for m in range(1 << N_INDICATORS)], dtype=np.int8)


def mask_of(indicators: Iterable[str]) -> int:
    """The bitmask of a set of indicator names."""
    m = 0
    for name in indicators:
        if name not in BIT:
            raise InputError("enum", field="indicator", value=name, allowed=INDICATORS)
        m |= BIT[name]
    return m


def deprivation_count(mask: np.ndarray) -> np.ndarray:
    """Number of deprivations of each household's bitmask (any integer array)."""
    return POPCOUNT[np.asarray(mask).astype(np.int64) & ((1 << N_INDICATORS) - 1)]


@dataclass(frozen=True)
class Standard:
    """One standard: income lines (VND per person per month) and the deprivation rule."""

    id: str
    name: LocalText  # `standard.name(lang)`
    periods: tuple[tuple[int, int], ...]  # (first, last) review years in force, inclusive
    line_rural: float
    line_urban: float
    min_deprivations: int
    doc: Mapping = field(repr=False, compare=False)

    def in_force(self, year: int) -> bool:
        return any(a <= year <= b for a, b in self.periods)

    @property
    def lines(self) -> np.ndarray:
        """(2,) income lines, rural then urban."""
        return np.array([self.line_rural, self.line_urban])

    def line(self, urban) -> np.ndarray:
        """Income line for each household (urban: bool or 0/1 array)."""
        return np.where(np.asarray(urban).astype(bool), self.line_urban, self.line_rural)


def build_standards(docs: Mapping[str, dict]) -> tuple[Standard, ...]:
    """Typed standards from validated `params/standards/*.yaml` documents, sorted by first year."""
    out = []
    for doc in docs.values():
        out.append(
            Standard(
                id=str(doc["id"]),
                name=LocalText.from_fields(doc, "name"),
                periods=tuple((int(p["first"]), int(p["last"])) for p in doc["in_force"]),
                line_rural=qv(doc["income_line"]["rural"]),
                line_urban=qv(doc["income_line"]["urban"]),
                min_deprivations=int(round(qv(doc["poor_min_deprivations"]))),
                doc=doc,
            )
        )
    return tuple(sorted(out, key=lambda s: min(p[0] for p in s.periods)))


def check_standards(docs: Mapping[str, dict], files: Mapping[str, str]) -> list[InputError]:
    """Cross-file checks: the 12 indicators in the canonical order and dimensions, periods ordered
    and never overlapping, one id per file, sensible lines and rule."""
    errors: list[InputError] = []
    seen_ids: dict[str, str] = {}
    years: dict[int, str] = {}
    for key, doc in docs.items():
        f = files.get(key, key)
        sid = str(doc["id"])
        if sid in seen_ids:
            errors.append(InputError("duplicate_id", file=f, field="id", value=sid, other=seen_ids[sid]))
        seen_ids[sid] = f
        found = [(d["id"], i["id"]) for d in doc["dimensions"] for i in d["indicators"]]
        expected = [(DIMENSION_OF[i], i) for i in INDICATORS]
        if found != expected:
            errors.append(
                InputError(
                    "indicator_order", file=f, field="dimensions", value=[i for _, i in found], allowed=list(INDICATORS)
                )
            )
        for pi, p in enumerate(doc["in_force"]):
            if p["first"] > p["last"]:
                errors.append(InputError("range_order", file=f, field=f"in_force.{pi}", value=[p["first"], p["last"]]))
                continue
            for y in range(p["first"], p["last"] + 1):
                if y in years:
                    errors.append(
                        InputError("standard_overlap", file=f, field=f"in_force.{pi}", value=y, year=y, other=years[y])
                    )
                    break
                years[y] = sid
        for area in AREA_NAMES:
            if qv(doc["income_line"][area]) <= 0:
                errors.append(
                    InputError(
                        "exclusive_minimum",
                        file=f,
                        field=f"income_line.{area}.value",
                        value=qv(doc["income_line"][area]),
                        limit=0,
                    )
                )
        k = qv(doc["poor_min_deprivations"])
        if k != int(k) or not 1 <= k <= N_INDICATORS:
            errors.append(
                InputError("whole_number_range", file=f, field="poor_min_deprivations.value", value=k, n=N_INDICATORS)
            )
    return errors


def standard_for_year(standards: Iterable[Standard], year: int) -> Standard:
    """The standard in force at the review of `year`; a clear error if none is."""
    standards = tuple(standards)
    for s in standards:
        if s.in_force(year):
            return s
    covered = sorted(y for s in standards for a, b in s.periods for y in range(a, b + 1))
    span = f"{covered[0]}–{covered[-1]}" if covered else "—"
    raise InputError("no_standard", field="year", value=year, allowed=span)


def check_review_years(
    standards: Iterable[Standard], years: Iterable[int], dataset_standard: str | None, file: str, dataset_file: str
) -> list[InputError]:
    """Problems running the multidimensional model over review `years` (baseline first): a year
    no standard covers, or a dataset classified under another standard than its baseline year's."""
    standards = tuple(standards)
    years = list(years)
    errors: list[InputError] = []
    for y in years:
        try:
            standard_for_year(standards, y)
        except InputError as exc:
            errors.append(InputError("no_standard", file=file, field="horizon", value=y, allowed=exc.allowed))
            break
    if dataset_standard and not errors:
        expected = standard_for_year(standards, years[0]).id
        if dataset_standard != expected:
            errors.append(
                InputError(
                    "standard_mismatch",
                    file=dataset_file,
                    field="standard",
                    value=dataset_standard,
                    declared=dataset_standard,
                    expected=expected,
                    year=years[0],
                )
            )
    return errors


def standard_changes(standards: Iterable[Standard], years: Iterable[int]) -> list[tuple[int, Standard, Standard]]:
    """(year, previous standard, new standard) for every review year whose standard differs from
    the previous review year's. `years` are consecutive review years, the baseline first."""
    years = list(years)
    out = []
    prev = standard_for_year(standards, years[0])
    for y in years[1:]:
        cur = standard_for_year(standards, y)
        if cur.id != prev.id:
            out.append((y, prev, cur))
        prev = cur
    return out


def classify(income, deprivations, urban, standard: Standard, *, counts: bool = False) -> np.ndarray:
    """Classify households under `standard`: POOR_C (0), NEAR_POOR_C (1) or ABOVE_C (2), int8.

    income        per-capita monthly income, VND (any float array)
    deprivations  uint16 bitmasks (bit j = INDICATORS[j]), or deprivation counts with counts=True
    urban         bool / 0-1 array (the urban line applies), broadcast against income
    """
    income = np.asarray(income, dtype=np.float64)
    n = np.asarray(deprivations) if counts else deprivation_count(deprivations)
    below = income <= standard.line(urban)
    out = np.full(np.broadcast_shapes(income.shape, np.shape(n), np.shape(urban)), ABOVE_C, dtype=np.int8)
    out[below & (n >= standard.min_deprivations)] = POOR_C
    out[below & (n < standard.min_deprivations)] = NEAR_POOR_C
    return out
