"""Words for a run's units and their aggregate that follow the level of the units.

Cao Bằng's units are district-level units up to 30 June 2025 and commune-level units from 1 July
2025 (`simlib.geography`). A dataset says which it holds (`geography.level` of its dataset.yaml;
district without one). The report names a unit, a table of units and the aggregate of the poor
units (the indicator geography `poor_districts`, a machine code kept in every CSV) by that level:

- counts on communes: "Các xã nghèo" / "poor communes" (on the commune datasets the poor flag is
  derived from the 2024 poor districts, data/caobang_communes/README.md, until the 2026–2030 list
  of poor communes is found);
- counts on districts while districts are in force: "Các huyện nghèo" / "poor districts";
- counts on districts at a review when communes are in force in a run that switches units
  (`simlib.unit_switch`: crossing_2024_2027's end-2025 review before its engine switches to the
  communes in 2026): "Các huyện nghèo cũ (địa giới năm 2024)" / "former poor districts (2024
  boundaries)" — what the numbers are, beside the communes of its later years. Such a run is named
  year by year by the units it used (`units_used`).
- a run that never switches units (plan_2024, whose 2025 outlook is counted on the 2024 districts;
  multidim_2030) names its poor units with one name on all its pages — its units' («Các huyện
  nghèo», the plan's own word) — whatever was in force at each review: the scorecard, the charts
  and the tables name one group one way (readers59: the charts said «Các huyện nghèo cũ (địa giới
  năm 2024)» of the group the scorecard called «Các huyện nghèo»). The years counted on districts
  while communes were in force are said once, in words (`Levels.kept_years`).

Which word for which year is decided here only (`Levels`): a row of one year by that year's units
(`Levels.geo`, `Levels.t_at`); a label or text over several years (a chart, a caption, a count of
targets) of a run that switched units names each set of units with its years (`Levels.spans`,
`geo_parts`, `geo_over`, `t_over`): "Các huyện nghèo (2023–2025), các xã nghèo (2026–2027)".

The level in force at each year's review comes from the run's period record (manifest `periods`,
`simlib.period_record`); without one the dataset's level is taken for every year.

A run on communes in years whose targets are worded for poor districts (the 2021–2025 plan's:
plan_2027's 2024–2025, `district_worded_years`) names the poor units of those years "Các xã có
địa bàn huyện nghèo cũ" / "communes holding the former poor districts", and judges no commune as
a poor district (`simlib.report.verdict.without_unit_rows`; the scorecard's note says why).
"""

from __future__ import annotations

from simlib import i18n
from simlib.programmes import load_periods

#: the level of a dataset without a `geography` entry
DEFAULT_LEVEL = "district"
#: the key of each level-dependent text on commune-level units
COMMUNE_KEYS = {
    "geo.poor_districts": "geo.poor_communes",
    "report.verdict.summary_readings": "report.verdict.summary_readings_communes",
    "report.verdict.central_readings": "report.verdict.central_readings_communes",
    "report.verdict.unit_reading": "report.verdict.unit_reading_communes",
    "report.verdict.unit_reading_year": "report.verdict.unit_reading_year_communes",
    "report.card.targets_readings": "report.card.targets_readings_communes",
    "decision.each_unit_reading": "decision.each_unit_reading_communes",
    "decision.each_unit_central": "decision.each_unit_central_communes",
    "decision.targets_together": "decision.targets_together_communes",
    "report.card.all_targets_readings": "report.card.all_targets_readings_communes",
    "compare.all_met_each": "compare.all_met_each_communes",
    "compare.all_met_together": "compare.all_met_together_communes",
    "compare.verdicts.readings": "compare.verdicts.readings_communes",
    "unc.chart.reading_together": "unc.chart.reading_together_communes",
    "unc.chart.reading_each": "unc.chart.reading_each_communes",
    "report.fig.districts": "report.fig.communes",
    "report.table.districts": "report.table.communes",
    "report.fig.dep_districts": "report.fig.dep_communes",
    "report.table.dep_districts": "report.table.dep_communes",
    "report.scorecard.probability_note": "report.scorecard.probability_note_communes",
    "report.caveat.estimated": "report.caveat.estimated_communes",
    "table.district": "table.commune",
    "baseline.fig.district": "baseline.fig.commune",
    "baseline.section.district": "baseline.section.commune",
    "baseline.units": "baseline.units_communes",
    "cli.opt_marginal_district": "cli.opt_marginal_commune",
    "alloc.report.districts": "alloc.report.communes",
}
#: the form of a level-dependent text about years that span a switch of units (`Levels.t_over`):
#: the poor units of each set of years named in `{areas}`
SWITCHED_KEYS = {
    "report.verdict.summary_readings": "report.verdict.summary_readings_switched",
    "report.verdict.central_readings": "report.verdict.central_readings_switched",
    "report.card.targets_readings": "report.card.targets_readings_switched",
    "decision.each_unit_reading": "decision.each_unit_reading_switched",
    "decision.each_unit_central": "decision.each_unit_central_switched",
    "report.scorecard.probability_note": "report.scorecard.probability_note_switched",
}
#: the aggregate of poor units counted on districts at a review when communes are in force
FORMER_DISTRICTS_KEY = "geo.poor_former_districts"
#: the aggregate of poor units counted on communes in a year whose targets are worded for poor
#: districts (the 2021–2025 plan's, `district_worded_years`): the communes holding the former poor
#: districts, not "poor communes" of a programme that had none
DISTRICT_WORDED_KEY = "geo.poor_district_communes"
#: the kind of target period (`params/catalogues/periods.yaml`) whose targets are worded for poor
#: districts (Kế hoạch 415/KH-UBND: «các huyện nghèo»)
DISTRICT_WORDED_KIND = "plan_targets"


def year_levels(manifest: dict | None) -> dict[int, str]:
    """{year: level of the units in force at that year's review} from a run's period record
    (empty when the run recorded none)."""
    record = (manifest or {}).get("periods") or {}
    return {int(r["year"]): r["geography"]["level_in_force"] for r in record.get("years", []) if r.get("geography")}


def used_levels(manifest: dict | None) -> dict[int, str]:
    """{year: level of the units the run's engine used at that year's review} (`units_used` of the
    period record; a run that switches units, `simlib.unit_switch`, changes it within the run)."""
    record = (manifest or {}).get("periods") or {}
    rows = [r for r in record.get("years", []) if (r.get("geography") or {}).get("units_used")]
    return {int(r["year"]): r["geography"]["units_used"] for r in rows}


def district_worded_years(manifest: dict | None) -> list[int]:
    """The years a run judged targets worded for poor districts (the province plan's, kind
    `DISTRICT_WORDED_KIND` in the period register) on communes (`units_used`): plan_2027's 2024 and
    2025. Such a target has no district to be judged "for each poor district" on (the run's units
    are communes), and its poor units together are the communes holding the former poor districts."""
    rows = ((manifest or {}).get("periods") or {}).get("years", [])
    if not any((r.get("geography") or {}).get("units_used") == "commune" for r in rows):
        return []
    kinds = {p.id: p.kind for p in load_periods()["targets"]}
    return [
        int(r["year"])
        for r in rows
        if (r.get("geography") or {}).get("units_used") == "commune"
        and kinds.get((r.get("targets") or {}).get("id")) == DISTRICT_WORDED_KIND
    ]


def manifest_levels(manifest: dict | None) -> Levels:
    """The levels of a run read back from its manifest alone (a report folder without its
    scenario): the units it used (`units_used` of its period record, district without one) and
    the level in force at each review."""
    record = (manifest or {}).get("periods") or {}
    used = [r["geography"].get("units_used") for r in record.get("years", []) if r.get("geography")]
    levels = Levels(next((u for u in used if u), DEFAULT_LEVEL), year_levels(manifest), used_levels(manifest))
    levels.district_worded = set(district_worded_years(manifest))
    return levels


def key(name: str, level: str) -> str:
    """The catalogue key of a level-dependent text (`COMMUNE_KEYS`) on units of `level`."""
    return COMMUNE_KEYS.get(name, name) if level == "commune" else name


def poor_units_label(lang: str, used: str = DEFAULT_LEVEL, in_force: str | None = None) -> str:
    """The name of the aggregate of poor units counted on `used` units at a review when
    `in_force` units were in force (None: the same)."""
    if used == "district" and (in_force or used) == "commune":
        return i18n.t(FORMER_DISTRICTS_KEY, lang)
    return i18n.t(key("geo.poor_districts", used), lang)


def geo_label(geo: str, lang: str, used: str = DEFAULT_LEVEL, in_force: str | None = None) -> str:
    """`i18n.label("geo", geo)` with the aggregate of poor units named by level."""
    if geo == "poor_districts":
        return poor_units_label(lang, used, in_force)
    return i18n.label("geo", geo, lang)


def year_span(years) -> str:
    """'2026' or '2023–2025': the first and last of `years`."""
    ys = sorted(int(y) for y in years)
    return f"{ys[0]}" if ys[0] == ys[-1] else f"{ys[0]}–{ys[-1]}"


def lower_first(text: str) -> str:
    """`text` with its first letter in lower case: a label ("Các xã nghèo") inside a sentence
    ("của các xã nghèo")."""
    return text[:1].lower() + text[1:]


class Levels:
    """The level of a run's units and of the units in force at each review, for labels."""

    def __init__(
        self,
        used: str = DEFAULT_LEVEL,
        in_force: dict[int, str] | None = None,
        used_by_year: dict[int, str] | None = None,
    ):
        self.used = used
        self.in_force = dict(in_force or {})
        self.used_by_year = dict(used_by_year or {})  # a run switching units: the level each year
        self.district_worded: set[int] = set()  # years of targets worded for districts judged on communes

    @classmethod
    def of(cls, ctx) -> Levels:
        """The levels of a report context, a page context or a run result: its scenario's dataset
        and the period record of the run's manifest (of its run, itself or its tables)."""
        holders = (getattr(ctx, "result", None), ctx, getattr(ctx, "tables", None))
        manifest = next((m for m in (getattr(h, "manifest", None) for h in holders) if isinstance(m, dict)), None)
        levels = cls(ctx.scenario.dataset.level, year_levels(manifest), used_levels(manifest))
        levels.district_worded = set(district_worded_years(manifest))
        return levels

    def at(self, years=()) -> str | None:
        """The level in force at the first of `years` that the record knows (None: unknown)."""
        known = [self.in_force[int(y)] for y in sorted(years) if int(y) in self.in_force]
        return known[0] if known else None

    def over_run(self, years=None) -> str | None:
        """'commune' when communes are in force at any recorded review (of `years`; None: every
        year) — for a label spanning them: a chart — else the first recorded level."""
        levels = [lv for y, lv in sorted(self.in_force.items()) if years is None or y in {int(x) for x in years}]
        return "commune" if "commune" in levels else (levels[0] if levels else None)

    def geo(self, geo: str, lang: str, years=None) -> str:
        """The label of an indicator geography for rows of `years` (None: the whole run); the
        poor units of a year in `district_worded` are the communes holding the former poor districts."""
        first = sorted(int(y) for y in years)[:1] if years is not None else []
        if geo == "poor_districts" and first and first[0] in self.district_worded:
            return i18n.t(DISTRICT_WORDED_KEY, lang)
        if not self.switches():  # one set of units throughout: one name on every page of the run
            return geo_label(geo, lang, self.used_at(years))
        in_force = self.over_run() if years is None else self.at(years)
        return geo_label(geo, lang, self.used_at(years), in_force)

    def used_at(self, years=None) -> str:
        """The level of the units the run used at the first of `years` it records (the last
        recorded year for the whole run), else the dataset's."""
        known = sorted(self.used_by_year) if years is None else [int(y) for y in sorted(years)]
        levels = [self.used_by_year[y] for y in known if y in self.used_by_year]
        return (levels[-1] if years is None else levels[0]) if levels else self.used

    def switches(self) -> bool:
        """Whether the run changed units within its years (`simlib.unit_switch`)."""
        return len(set(self.used_by_year.values())) > 1

    def kept_years(self, years=None) -> list[int]:
        """The years of `years` (None: every recorded review) that a run never switching units
        counted on districts while communes were in force (plan_2024's 2025): its poor units keep
        their one name (`geo`), and a caption says these years' boundaries in words; empty for a
        run that switches (its labels say it: «Các huyện nghèo cũ (địa giới năm 2024)»)."""
        if self.switches():
            return []
        known = sorted(self.in_force) if years is None else sorted(int(y) for y in years)
        return [y for y in known if self.in_force.get(y) == "commune" and self.used_at([y]) == "district"]

    def spans(self, years=None) -> list[list[int]]:
        """`years` (None: every year the record knows) cut where the units the run used change
        (`used_at` of each year): one list for a run on one set of units, two for a run that
        switches (crossing_2024_2027: [2023, 2024, 2025], [2026, 2027]). The one place that
        decides which years a label spans."""
        known = sorted(set(self.used_by_year) | set(self.in_force)) if years is None else sorted(map(int, years))
        out: list[list[int]] = []
        for y in known:
            if out and self.used_at([y]) == self.used_at([out[-1][-1]]):
                out[-1].append(y)
            else:
                out.append([y])
        return out

    def geo_parts(self, geo: str, lang: str, years=None) -> list[str]:
        """The label of an indicator geography over `years` (a chart, a caption; None: the whole
        run) in parts: for a run on one set of units one part, as `geo` over those years; for a
        run that switched units (`switches`) the poor units one part per set of units (`spans`)
        named at its first year, with its years — ["Các huyện nghèo (2023–2025)", "các xã nghèo
        (2026–2027)"], or ["Các xã nghèo (2026–2027)"] (all but the first in lower case); years
        all in `district_worded`: as `geo` over them."""
        if years is not None and len(years) and {int(y) for y in years} <= self.district_worded:
            return [self.geo(geo, lang, years)]  # the communes holding the former poor districts
        if geo != "poor_districts" or not self.switches():
            return [geo_label(geo, lang, self.used_at(years))]
        spans = self.spans(years)
        parts = [i18n.t("geo.span", lang, area=self.geo(geo, lang, s), years=year_span(s)) for s in spans]
        return parts[:1] + [lower_first(p) for p in parts[1:]]

    def geo_over(self, geo: str, lang: str, years=None) -> str:
        """`geo_parts` in one label: "Các huyện nghèo (2023–2025), các xã nghèo (2026–2027)"."""
        return i18n.t("geo.spans_sep", lang).join(self.geo_parts(geo, lang, years))

    def t_at(self, name: str, lang: str, when: int, **kw) -> str:
        """A level-dependent text (`COMMUNE_KEYS`) for the units the run used in the year `when`."""
        return i18n.t(key(name, self.used_at([int(when)])), lang, **kw)

    def t_over(self, name: str, lang: str, span, **kw) -> str:
        """A level-dependent text (`COMMUNE_KEYS`) about the years `span`: for the units the run
        used in them, or — when they cross a switch of units (`spans`) — its `_switched` form
        (`SWITCHED_KEYS`), naming the poor units of each set of years in `{areas}`."""
        years = sorted(int(y) for y in span)
        if len(self.spans(years)) <= 1:
            return i18n.t(key(name, self.used_at(years) if years else self.used), lang, **kw)
        areas = lower_first(self.geo_over("poor_districts", lang, years))
        return i18n.t(SWITCHED_KEYS[name], lang, areas=areas, **kw)

    def t(self, name: str, lang: str, **kw) -> str:
        """A level-dependent text (`COMMUNE_KEYS`) for this run's units."""
        return i18n.t(key(name, self.used), lang, **kw)

    def t_last(self, name: str, lang: str, **kw) -> str:
        """A level-dependent text for the units the run used last (a run that switched units:
        its new units; `used_at`)."""
        return i18n.t(key(name, self.used_at()), lang, **kw)
