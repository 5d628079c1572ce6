"""Report section: deprivation dimensions — which improve, where, and thanks to which project.

Building blocks for the scenario report (the plan: "kết quả giảm nghèo hằng năm phải phản ánh
được mức độ cải thiện các chiều thiếu hụt"). Every function takes the tidy tables a run produces
(`RunResult.deprivations`, `.deprivation_removals`, `.indicators`, or the same tables read back
with `simlib.runner.read_outputs`), averages over microsimulation draws, and returns a DataFrame,
a matplotlib Figure or text in the requested language (Vietnamese by default).

Comparisons default to the first review and the last review under the same poverty standard, so
that shares are never compared across a reclassification (2026 -> 2027); pass `start` / `end` to
choose other years. Time series (FGT) show every year with the change of standard marked.

- `dimension_changes`      per dimension / indicator: share deprived at the start and the end,
                           change in points, households fewer deprived (which dimensions improve)
- `district_changes`       unit x dimension change in points (where)
- `removals_by_line`       deprivations removed by each project line, by dimension (thanks to which)
- `fgt_table`              income poverty gap (FGT1) and severity (FGT2) by year
- `standard_break_note`    the sentence a report must show when a new poverty standard applies
- `summary_text`           a few sentences for the section's opening
- `plot_dimension_shares`, `plot_district_changes`, `plot_removals_by_line`, `plot_fgt`
- `deprivation_section`    all of the above for one run, as a `Section` (texts, tables, figures)

Example (the tests run the same on the tiny fixture)::

    from simlib.scenario import load_scenario
    from simlib.runner import run
    from simlib.report import deprivation as dep

    res = run(load_scenario("params/scenarios/plan_2024.yaml", ["model=multidim"]))
    sec = dep.deprivation_section(res, lang="vi")
    for line in sec.texts: print(line)
    sec.tables["dimensions"]          # which dimensions improve
    sec.figures["shares"]             # bar chart, start vs end year, by indicator

The tables and sentences are in `simlib.report.deprivation_tables`, the charts in
`simlib.report.deprivation_charts`; both are re-exported here, the section's one entry point.

For a run of the states model the section holds only a note saying that deprivations are not
tracked (and, across 2026 -> 2027, that the new standard was not applied).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
from matplotlib.figure import Figure

from simlib import i18n
from simlib.dataset import load_dataset
from simlib.report import dated_rows
from simlib.report.deprivation_charts import (
    DIMENSION_FILLS,
    plot_dimension_shares,
    plot_district_changes,
    plot_fgt,
    plot_removals_by_line,
)
from simlib.report.deprivation_tables import (
    DIMENSION_ORDER,
    compared_years,
    compared_years_note,
    dimension_changes,
    dimension_label,
    district_changes,
    fgt_table,
    removals_by_line,
    standard_break_note,
    summary_text,
    with_unit,
)

__all__ = [
    "DIMENSION_FILLS",
    "DIMENSION_ORDER",
    "Section",
    "deprivation_section",
    "dimension_changes",
    "display_changes",
    "district_changes",
    "fgt_table",
    "plot_dimension_shares",
    "plot_district_changes",
    "plot_fgt",
    "plot_removals_by_line",
    "removals_by_line",
    "standard_break_note",
    "summary_text",
]


@dataclass
class Section:
    """Texts (paragraphs), tables and figures of the deprivation section, in display order."""

    texts: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Figure] = field(default_factory=dict)
    #: a line under a table (its key in `tables`)
    notes: dict[str, str] = field(default_factory=dict)


def display_changes(tab: pd.DataFrame, start: int, end: int, lang: str | None = None) -> pd.DataFrame:
    """`dimension_changes` output with translated headers, for display (numbers unchanged)."""
    level_dim = (tab["indicator"] == "any").all()
    out = pd.DataFrame(
        {
            i18n.t("dep.col.dimension" if level_dim else "dep.col.indicator", lang): tab["label"],
            i18n.t("dep.col.start", lang, year=start): tab["share_start"],
            i18n.t("dep.col.end", lang, year=end): tab["share_end"],
            i18n.t("dep.col.change", lang): tab["change_pts"],
            i18n.t("dep.col.households_fewer", lang): tab["fewer_deprived"],
        }
    )
    if not level_dim:
        out.insert(0, i18n.t("dep.col.dimension", lang), [dimension_label(d, lang) for d in tab["dimension"]])
    return out


def _tables_of(result) -> tuple[pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame | None, dict]:
    """(deprivations, removals, indicators, manifest) of a RunResult or a read_outputs dict."""
    if isinstance(result, Mapping):
        return (
            result.get("deprivations"),
            result.get("deprivation_removals"),
            result.get("indicators"),
            result.get("manifest") or {},
        )
    return result.deprivations, result.deprivation_removals, result.indicators, result.manifest


def _names(result, lang) -> tuple[dict, dict]:
    """Unit and line display names when the run's scenario is at hand (RunResult)."""
    scen = getattr(result, "scenario", None)
    if scen is None:
        return {}, {}
    units = {u: scen.dataset.unit_name(u, lang) for u in scen.dataset.unit_ids}
    lines = {c: ln.name(lang) for c, ln in scen.catalogue.lines.items()}
    return units, lines


def unit_years(manifest: dict, dep: pd.DataFrame, lang: str) -> tuple[int | None, int | None, dict]:
    """(start, end, names) of the unit table and heat map: for a run whose engine switched units
    (`simlib.unit_switch`, the manifest's `engine_units.switch`) its new units, from the switch
    year to the last (its first units' rows end the year before: no unit has both ends of the
    run), with their names; (None, None, {}) for any other run (the section's own years)."""
    switch = (manifest.get("engine_units") or {}).get("switch")
    if not switch:
        return None, None, {}
    ds = load_dataset(switch["dataset"])
    names = {u: ds.unit_name(u, lang) for u in ds.unit_ids}
    return int(switch["year"]), int(dep["year"].max()), names


def deprivation_section(
    result,
    lang: str | None = None,
    population: str = "poor_near_poor",
    unit_names: Mapping[str, str] | None = None,
    line_names: Mapping[str, str] | None = None,
) -> Section:
    """Texts, tables and figures of the deprivation section for one run (RunResult or the dict of
    `read_outputs`), ready to display: translated headers and labels. A run of the states model
    gives only explanatory notes. Unit and line names come from the run's scenario (RunResult) or
    from `unit_names` / `line_names` ({id: name}), else the codes are shown."""
    lang = i18n.get_lang(lang)
    dep, rem, ind, manifest = _tables_of(result)
    sec = Section()
    if dep is None or len(dep) == 0:
        sec.texts.append(i18n.t("dep.note.states_model", lang))
        sec.texts.extend(standard_break_note(ind, manifest, lang))
        return sec
    sec.texts.extend(standard_break_note(ind, manifest, lang))
    units, lines = _names(result, lang)
    units, lines = dict(units, **(unit_names or {})), dict(lines, **(line_names or {}))
    if getattr(result, "scenario", None) is not None:  # a dated run: its 2026+ removals by content
        rem, content_names = dated_rows.removals_by_content(rem, result.scenario, lang)
        lines.update(content_names)
    sec.texts.extend(summary_text(dep, rem, ind, population, lines, lang))
    sec.texts.extend(compared_years_note(dep, lang))  # why the comparison stops before a new standard
    start, end = compared_years(dep, None, None)
    sec.tables["dimensions"] = display_changes(dimension_changes(dep, population, lang=lang), start, end, lang)
    sec.tables["indicators"] = display_changes(
        dimension_changes(dep, population, level="indicator", lang=lang), start, end, lang
    )
    u0, u1, switched = unit_years(manifest, dep, lang)  # a run that switched units: its new units
    units = dict(units, **switched)
    # each dimension's header with its unit and a line with the years: the table alone (page,
    # workbook sheet) said neither, its chart only (read64)
    points = i18n.t("dep.axis.points", lang)
    districts = district_changes(dep, population, u0, u1, unit_names=units, lang=lang)
    sec.tables["districts"] = districts.rename(columns=lambda c: with_unit(c, points))
    u0, u1 = compared_years(dep, u0, u1)
    sec.notes["districts"] = i18n.t("dep.note.districts_table", lang, start=u0, end=u1)
    if rem is not None and len(rem):
        sec.tables["lines"] = removals_by_line(rem, line_names=lines, lang=lang)
    if ind is not None:
        sec.tables["fgt"] = fgt_table(ind, lang=lang)
    sec.figures["shares"] = plot_dimension_shares(dep, population, lang=lang)
    sec.figures["districts"] = plot_district_changes(dep, population, u0, u1, unit_names=units, lang=lang)
    if rem is not None and len(rem):
        sec.figures["lines"] = plot_removals_by_line(rem, lines, lang)
    if ind is not None:
        sec.figures["fgt"] = plot_fgt(ind, lang=lang)
    return sec
