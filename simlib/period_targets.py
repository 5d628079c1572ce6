"""Targets by period: which targets are in force in a year, as the target specs `simlib.targets`
evaluates.

The period register (`params/catalogues/periods.yaml`, section `targets`) gives up to 2025 the
province plan's targets (`params/targets.yaml`, Kế hoạch 415/KH-UBND, judged every projected
year) and from 2026 the merged programme's phase-I targets (`params/targets/2026_2030.yaml`: press
reports of Nghị quyết 257/2025/QH15 and of the Government's proposal; national or regional
figures, not Cao Bằng's, whose own targets were not found). `targets_for_year(year)` returns a
`TargetSet` whose `specs` have the keys of `simlib.targets.target_specs` plus the period's own:
`status` (adopted / proposal), `source`, `kind`, `judged_years`, `unit`, `range`, `reading` (a
target set for poor units: for them together, for each, or `ambiguous` when the text does not say —
reports then show both, `simlib.report.verdict`) and `indicator_modelled`
(whether simlib computes the indicator at all; none of the 2026–2030 targets is set for Cao Bằng).

`evaluate_period_targets` judges each projected year against the targets in force in it (a
scenario with `periods: dated`): a 2026–2030 target set for a wider area than the province
(national, the ethnic-minority and mountainous areas, which Cao Bằng lies wholly within) is judged
on the province as a reference (`PROXY`), poor communes on the dataset's poor units; targets whose
indicator simlib does not compute, or not judged in a projected year, are listed as not evaluated
with the reason.

A change target in a year whose review changes the poverty standard is judged on the change from
the previous review re-based under the new standard when the run's re-basing is given (`rebase`:
`simlib.period_changes.reclassification_points`; see `simlib.targets.rebase_indicators`); the
scorecard says so row by row (`REBASE_COLUMNS`) and each target's record gives the points re-based.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from simlib.errors import InputError, raise_if_any
from simlib.paths import display_path
from simlib.programmes import Period, load_periods, period_for_year
from simlib.results import INDICATOR_UNITS
from simlib.schema import load_yaml, validate
from simlib.targets import (
    FLAG_COLUMNS,
    LOWER_IS_BETTER,
    REBASE_COLUMNS,
    TARGET_COLUMNS,
    evaluate_specs,
    rebase_indicators,
    target_specs,
)

#: where simlib judges a 2026–2030 target's geography: (geo_type, geo, what the judgement stands for)
PROXY = {
    "national": ("province", "province", "national target judged on the province, for reference only"),
    "ethnic_minority_and_mountainous_areas": (
        "province",
        "province",
        "regional target judged on the province (Cao Bằng lies wholly within the ethnic-minority and "
        "mountainous areas), for reference",
    ),
    "poor_communes": ("poor_districts", "poor_districts", "poor communes: the dataset's poor units (derived flag)"),
}
#: the geographies of `PROXY` whose judgement on the province is for reference only (a target set
#: for a wider area than Cao Bằng): their rows carry the area in `reference_area` (`FLAG_COLUMNS`)
REFERENCE_AREAS = ("national", "ethnic_minority_and_mountainous_areas")


@dataclass(frozen=True)
class TargetSet:
    """The targets of one period: `specs` as `simlib.targets.target_specs` gives them, extended."""

    period: Period
    specs: tuple[dict, ...]

    def judged_in(self, year: int) -> tuple[dict, ...]:
        """The targets judged in `year` (every year for changes, the target year for levels)."""
        return tuple(s for s in self.specs if year in s["judged_years"])


def plan_specs(doc: dict, period: Period, source: str) -> tuple[dict, ...]:
    """The province plan's targets (params/targets.yaml), judged every year of the period."""
    years = tuple(range(period.first, period.last + 1))
    specs = []
    for spec, raw in zip(target_specs(doc), doc["targets"], strict=True):
        extra = {"status": "adopted", "source": raw["threshold"].get("source", source), "kind": "plan"}
        extra |= {"judged_years": years, "unit": raw["threshold"]["unit"], "range": None, "indicator_modelled": True}
        specs.append(spec | extra)
    return tuple(specs)


def threshold_of(value: dict, comparison: str) -> float:
    """The number a target is judged against: its value, or the weaker end of its range (the high
    end where a lower value is better)."""
    if "value" in value:
        return float(value["value"])
    return float(value["high"] if comparison in LOWER_IS_BETTER else value["low"])


def period_spec(raw: dict, first: int, last: int) -> dict:
    """One 2026-on target as a spec of `simlib.targets` plus its period fields."""
    value = raw["value"]
    years = tuple(range(first, last + 1)) if raw["kind"] == "change_per_year" else (raw["year"],)
    each = bool(raw.get("each_unit", False))
    return {
        "target_id": raw["id"],
        "indicator": raw["indicator"],
        "geo_type": raw["geography"],
        "geo": raw["geography"],
        "each_poor_district": False,
        "each_poor_commune": each and raw["geography"] == "poor_communes",
        "comparison": raw["comparison"],
        "threshold": threshold_of(value, raw["comparison"]),
        "label_vi": raw["label_vi"],
        "label_en": raw["label_en"],
        "status": raw["status"],
        "source": raw["source"],
        "kind": raw["kind"],
        "judged_years": years,
        "unit": value["unit"],
        "range": (float(value["low"]), float(value["high"])) if "low" in value else None,
        "indicator_modelled": raw["indicator"] in INDICATOR_UNITS,
        "reading": raw.get("reading", "each_unit" if each else "aggregate"),
    }


def load_period_targets(path: Path, period: Period) -> tuple[dict, ...]:
    """Read and check a period's targets file: schema, then years within the file's period and the
    register's, ids unique (every problem at once)."""
    doc = load_yaml(path)
    raise_if_any(validate(doc, "period_targets", path, quantities=False))
    shown, errors = display_path(path), []
    first, last = doc["meta"]["period"]["first"], doc["meta"]["period"]["last"]
    if (first, last) != (period.first, period.last):
        errors.append(
            InputError(
                "period_year",
                file=shown,
                field="meta.period",
                value=f"{first}–{last}",
                first=period.first,
                last=period.last,
            )
        )
    seen: dict[str, int] = {}
    for i, raw in enumerate(doc["targets"]):
        if raw["id"] in seen:
            errors.append(
                InputError(
                    "duplicate_id",
                    file=shown,
                    field=f"targets.{i}.id",
                    value=raw["id"],
                    other=f"targets.{seen[raw['id']]}",
                )
            )
        seen.setdefault(raw["id"], i)
        if raw["kind"] == "level" and not first <= raw["year"] <= last:
            errors.append(
                InputError(
                    "period_year", file=shown, field=f"targets.{i}.year", value=raw["year"], first=first, last=last
                )
            )
    raise_if_any(errors)
    return tuple(period_spec(raw, first, last) for raw in doc["targets"])


def targets_for_year(year: int, file: Path | None = None) -> TargetSet:
    """The targets in force in `year`: the 2024 plan's up to 2025, the 2026–2030 programme's from
    2026 (see the module docstring)."""
    period = period_for_year(load_periods(file)["targets"], year)
    if period.kind == "plan_targets":
        doc = load_yaml(period.file)
        raise_if_any(validate(doc, "targets", period.file))
        return TargetSet(period, plan_specs(doc, period, period.source))
    return TargetSet(period, load_period_targets(period.file, period))


def judged_spec(spec: dict, level: str | None = None) -> dict:
    """A period spec placed on the geographies of the indicator table (`PROXY`); on units of
    `level` 'commune' a target set for each poor district is judged for the poor units together
    only (`each_unit_judged`)."""
    geo_type, geo, _ = PROXY.get(spec["geo"], (spec["geo_type"], spec["geo"], ""))
    each = {} if each_unit_judged(spec, level) else {"each_poor_district": False}
    return spec | {"geo_type": geo_type, "geo": geo} | each


def each_unit_judged(spec: dict, level: str | None) -> bool:
    """Whether `spec`'s units are judged one by one on units of `level`: not a target set for each
    poor district (the 2021–2025 plan's) on communes — a commune is not a district, so its change
    is no reading of that target (plan_2027's 2024–2025, run on the communes of 2025); its poor
    units together (the communes holding the former poor districts) still are."""
    return not (spec.get("each_poor_district") and level == "commune")


#: the record's note of a target for each poor district judged on communes (`each_unit_judged`)
EACH_UNIT_NOTE = "set for each poor district, the run's units are communes: judged for the poor units together only"


def each_unit_note(spec: dict, placed: dict) -> str:
    """`EACH_UNIT_NOTE` when `placed` no longer judges the units `spec` names one by one."""
    return EACH_UNIT_NOTE if spec.get("each_poor_district") and not placed.get("each_poor_district") else ""


def with_flags(part: pd.DataFrame, spec: dict) -> pd.DataFrame:
    """`part` (scorecard rows of `spec`) with `FLAG_COLUMNS`: the target's own area when it is
    judged on the province for reference only (`REFERENCE_AREAS`, else ""), and whether it is only
    proposed (`status` proposal). No value, threshold or verdict changes."""
    reference = spec["geo"] if spec["geo"] in REFERENCE_AREAS else ""
    return part.assign(reference_area=reference, proposed=spec["status"] == "proposal")


def target_record(spec: dict, year: int, period: Period, evaluated: bool, reason: str, part=None) -> dict:
    """What the manifest says about one target in one year (with `part`, its scorecard rows:
    whether its base was re-based for a change of standard, by how many points on average)."""
    rebased = part is not None and "rebased" in part and bool(part["rebased"].any())
    extra = {"rebased": rebased} if part is not None and "rebased" in part else {}
    if rebased:
        extra["rebase_points_mean"] = float(part.loc[part["rebased"], "rebase"].mean())
    return extra | {
        "year": year,
        "target_id": spec["target_id"],
        "period": period.id,
        "status": spec["status"],
        "source": spec["source"],
        "evaluated": evaluated,
        "note": reason,
    }


def evaluate_period_targets(
    indicators, years, poor_units: list[str], file: Path | None = None, rebase=None, levels: dict | None = None
):
    """Each projected year judged against the targets in force in it (`targets_for_year`);
    `levels`: {year: level of the units counted on} (`simlib.unit_switch.units_levels`; None:
    districts), for `each_unit_judged`.

    Returns the scorecard rows (the columns of `simlib.targets.evaluate_targets`, with
    `REBASE_COLUMNS` when `rebase` is given: `simlib.period_changes.reclassification_points` of
    the same run, then `FLAG_COLUMNS`: reference-only area, proposed) and one record per target
    and year: evaluated or not, with the reason or the proxy used, and whether its base was
    re-based."""
    if rebase is not None:
        indicators = rebase_indicators(indicators, rebase)
    parts, records = [], []
    for year in years:
        tset = targets_for_year(year, file)
        in_year = indicators[indicators["year"] == year]
        for spec in tset.specs:
            if year not in spec["judged_years"]:
                continue
            if not spec["indicator_modelled"]:
                records.append(target_record(spec, year, tset.period, False, "indicator not modelled by simlib"))
                continue
            placed = judged_spec(spec, (levels or {}).get(year))
            part = with_flags(evaluate_specs(in_year, [placed], poor_units), spec)
            note = PROXY.get(spec["geo"], ("", "", ""))[2] or each_unit_note(spec, placed)
            reason = note if not part.empty else "no indicator rows"
            records.append(target_record(spec, year, tset.period, not part.empty, reason, part))
            parts.append(part)
    parts = [p for p in parts if not p.empty]
    columns = TARGET_COLUMNS + (REBASE_COLUMNS if rebase is not None else []) + FLAG_COLUMNS
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    return table, records
