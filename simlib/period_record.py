"""What a run records about the rules of each year: the programme catalogue the budget ran under,
the poverty standard of the review, the geography of the counts, and the targets in force.

`periods_record(scen)` is the manifest's `periods` entry (`simlib.runner`): one row per year (the
baseline review, then every projected year) with the id, status and source of each, and a note
where the run departs from what was in force (counts on units other than those in force, a
2021–2025 catalogue applied after 2025 by a scenario without `periods: dated`).
"""

from __future__ import annotations

from simlib.geography import geography_for_year, load_geography
from simlib.programmes import catalogue_for_year, load_periods, period_for_year
from simlib.scenario import Scenario
from simlib.standards import build_standards, standard_for_year


def catalogue_entry(scen: Scenario, year: int, notes: list[str]) -> dict:
    """The catalogue the year's budget ran under (the 2021–2025 lines for a fixed scenario)."""
    in_force = catalogue_for_year(year)
    record = next((r for r in scen.budget_periods if r.year == year), None)
    if record is not None:
        return {"id": record.catalogue, "status": record.status, "source": record.source, "given": record.given}
    periods = load_periods()["catalogues"]
    used = next(p for p in periods if p.kind == "program")
    if in_force.id != used.id:
        notes.append(f"{year}: budget read by the {used.id} lines while {in_force.id} is in force (periods: fixed)")
    return {"id": used.id, "status": used.status, "source": used.source, "given": "lines"}


#: why the states model records the standard without applying it
STATES_NOTE = (
    "recorded, not applied: the states model moves households with transition probabilities "
    "estimated under the 2022–2025 standard; `model: multidim` reclassifies households by the "
    "standard in force at each review"
)


def standard_entry(standards, year: int, model: str) -> dict:
    """The standard of the year's review, its legal basis, and whether the run applied it."""
    standard = standard_for_year(standards, year)
    doc = standard.doc
    entry = {"id": standard.id, "name_en": standard.name.en, "source": doc.get("legal_basis") or doc.get("source")}
    flagged = [
        p["assumption"] for p in doc.get("in_force", []) if p["first"] <= year <= p["last"] and "assumption" in p
    ]
    if flagged:  # the years in force are an assumption (e.g. which review first applies it)
        entry["assumption"] = flagged[0]
    entry["applied"] = model == "multidim"
    if model != "multidim":
        entry["note"] = STATES_NOTE
    return entry


def geography_entry(scen: Scenario, geo, year: int, notes: list[str]) -> dict:
    """The units of the year's review in force (`geography_for_year`) and those the counts are on."""
    period = geography_for_year(year, geo)
    meta = scen.dataset.meta.get("geography") or {}
    level = scen.dataset.level
    source = geo.transition["source"]
    entry = {
        "in_force": period.id,
        "level_in_force": period.level,
        "units_used": level,
        "dataset": scen.dataset.name,
        "source": f"{source['title_vi']} ({source['url']})" if period.level == "commune" else "data/caobang/units.csv",
    }
    if level != period.level:
        shown = " (shown on them in period_changes.csv by population weights)" if scen.dated else ""
        notes.append(f"{year}: counts computed on {level} units while {period.level} units were in force{shown}")
    if meta.get("estimated"):
        entry["estimated"] = f"counts moved from {meta.get('moved_from', 'districts')} by population weights"
    return entry


def periods_record(scen: Scenario, switched: tuple[int, Scenario] | None = None) -> dict:
    """The manifest's `periods` entry (see the module docstring); `switched` = (first year, the
    scenario on the new units) of a run whose engine changes units (`simlib.unit_switch`): the
    geography of those years records the units the engine used then."""
    standards = build_standards(scen.params["standards"])
    geo = load_geography()
    target_periods = load_periods()["targets"]
    rows, notes = [], []
    for year in (scen.baseline_year,) + scen.years:
        row = {"year": year, "review": f"end-{year} review"}
        row["catalogue"] = catalogue_entry(scen, year, notes) if year in scen.years else None
        row["standard"] = standard_entry(standards, year, scen.poverty_model)
        on = switched[1] if switched is not None and year >= switched[0] else scen
        row["geography"] = geography_entry(on, geo, year, notes)
        tp = period_for_year(target_periods, year) if scen.dated else target_periods[0]
        row["targets"] = {"id": tp.id, "status": tp.status, "source": tp.source}
        rows.append(row)
    return {"dated": scen.dated, "years": rows, "notes": notes}
