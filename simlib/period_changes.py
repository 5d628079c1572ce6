"""Changes of rules apart from real movement, for a run that crosses the 2025 → 2026 changes.

Between two reviews the count of poor (near-poor, …) households in a unit changes because

- **re-mapping**: the units changed (1 July 2025: 10 districts → 56 communes). The previous
  review's counts are moved onto the current units by the transition's population weights
  (`simlib.geography.weight_matrix`); re-mapping = moved − previous on each unit, 0 for the
  province (households are conserved);
- **reclassification**: the poverty standard changed at this review. With the multidimensional
  model it is the current count minus the count the same households have under the previous
  standard (a second run keeping the previous standard, identical up to the review before;
  `simlib.runner`); the states model does not reclassify (its transitions were estimated under
  one standard), so it is 0 there and the row says so;
- **movement**: what is left — households escaping, relapsing, falling into poverty, forming.

`period_changes` returns, per draw, year, geography and measure: `previous` (the previous review
on its own units; NaN for a unit that did not exist then), `start` (the previous review on the
current units), `remapping = start − previous` (0 for the province; NaN for a new unit),
`reclassification`, `movement` and `current`, with `start + reclassification + movement = current`,
and `standard_changed` (this review applies a new standard). A run on district units shows the years whose review
falls after 1 July 2025 on the communes (`on_review_units`): the engine itself keeps the districts
(its money split and eligibility are by district), the counts are moved by the same weights as
the baseline move.

`reclassification_points` (`rebase_points` on the run's own units) turns the reclassification into points of each rate, the amount by
which a rate-change target's base is re-based at a change of standard (the practice when the
standard changed at the end-2021 review, the first under Nghị định 07/2021/NĐ-CP: the 2022 changes
were measured from the end-2021 rates under the new standard; practice as reported to the
project, not verified in a legal text); `simlib.targets.rebase_indicators` reads it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simlib.geography import Geography, geography_for_year, weight_matrix

#: the measures decomposed: states counted in each
MEASURES = {
    "poor": ("poor",),
    "near_poor": ("near_poor",),
    "poor_near_poor": ("poor", "near_poor"),
    "households": None,
}
KEYS = ["draw", "year", "district"]
COLUMNS = [
    "draw",
    "year",
    "geo_type",
    "geo",
    "units",
    "measure",
    "previous",
    "remapping",
    "start",
    "remapped",
    "reclassification",
    "movement",
    "current",
    "reclassification_modelled",
    "standard_changed",
]
#: rate-change indicators (simlib.results) and the measure whose reclassification re-bases them
REBASED_INDICATORS = {
    "poor_rate_change": "poor",
    "near_poor_rate_change": "near_poor",
    "poor_near_poor_rate_change": "poor_near_poor",
}
REBASE_COLUMNS = ["draw", "year", "geo_type", "geo", "indicator", "rebase"]


def unit_counts(states: pd.DataFrame) -> pd.DataFrame:
    """Households by draw, year, unit and measure (wide: one column per measure)."""
    out = {}
    for name, members in MEASURES.items():
        rows = states if members is None else states[states["state"].isin(members)]
        out[name] = rows.groupby(KEYS)["households"].sum()
    return pd.DataFrame(out).reindex(states.groupby(KEYS).size().index, fill_value=0.0)


def moved(table: pd.DataFrame, geo: Geography) -> pd.DataFrame:
    """District rows (index draw, year, district) → the same on the units of the commune period
    (in its order) by population weights (each district's counts shared, conserved)."""
    out = []
    for (draw, year), part in table.groupby(level=["draw", "year"]):
        part = part.droplevel(["draw", "year"])
        w, to_units = weight_matrix(geo, tuple(part.index))
        values = w.T @ part.to_numpy(float)
        idx = pd.MultiIndex.from_product([[draw], [year], list(to_units)], names=KEYS)
        out.append(pd.DataFrame(values, index=idx, columns=part.columns))
    return pd.concat(out)


def run_levels(counts: pd.DataFrame, level: str, geo: Geography) -> dict[int, str]:
    """The level of the units each year's counts are on: `level` (the run's dataset), except the
    years of a run on districts whose engine switched to the new units (`simlib.unit_switch`),
    whose counts are on the transition's commune-level units."""
    years = counts.index.get_level_values("year")
    out = {int(y): level for y in years.unique()}
    if level != "district":
        return out
    districts = set(geo.weights["district_id"])
    for y in out:
        units = set(counts[years == y].index.get_level_values("district"))
        if not units <= districts:
            out[y] = geo.period(geo.transition["to_period"]).level
    return out


def on_review_units(
    counts: pd.DataFrame, level: str, geo: Geography, run_units: bool = False
) -> tuple[pd.DataFrame, dict[int, str]]:
    """Counts of a run on `level` units with each year on the units in force at its review
    (district counts moved to communes for reviews after the transition; with `run_units`, left
    on the run's units); the level of each year. Years a switching run already counts on the new
    units stay as they are."""
    run = run_levels(counts, level, geo)
    if level != "district" or run_units:
        return counts, run
    levels = {y: geography_for_year(y, geo).level for y in run}
    late = [y for y, lv in levels.items() if lv == "commune" and run[y] == "district"]
    if not late:
        return counts, levels
    years = counts.index.get_level_values("year")
    parts = [counts[~years.isin(late)], moved(counts[years.isin(late)], geo)]
    return pd.concat(parts), levels


def period_changes(
    states: pd.DataFrame,
    level: str,
    geo: Geography,
    old_standard_states: pd.DataFrame | None = None,
    changed: tuple[int, ...] | None = None,
    run_units: bool = False,
) -> pd.DataFrame:
    """The decomposition (see the module docstring) of a run's `states` table on `level` units.

    `old_standard_states`: the states table of the same run keeping the previous standard (the
    multidimensional model; None: no reclassification is modelled). `changed`: the review years
    that apply a new standard — the only ones with a reclassification (None: every year compared
    with the old-standard run). After the change both reviews are under the new standard: the gap
    to the old-standard run is then not a reclassification of that year. `run_units`: keep the
    run's own units every year (no move to the review's units; the units of its indicator table,
    which `rebase_points` re-bases)."""
    counts, levels = on_review_units(unit_counts(states), level, geo, run_units)
    old = None
    if old_standard_states is not None:
        old = on_review_units(unit_counts(old_standard_states), level, geo, run_units)[0]
    rows = []
    for (draw, year), cur in counts.groupby(level=["draw", "year"]):
        if year - 1 not in levels:
            continue
        cur = cur.droplevel(["draw", "year"])
        prev = counts.xs((draw, year - 1), level=["draw", "year"])
        start = prev
        if levels[year - 1] != levels[year]:  # the units changed between the two reviews
            src = counts.xs((draw, year - 1), level=["draw", "year"], drop_level=False)
            start = moved(src, geo).droplevel(["draw", "year"]).reindex(cur.index)
        now = old is not None and (changed is None or year in changed)
        old_cur = old.xs((draw, year), level=["draw", "year"]) if now else cur
        rows += unit_rows(draw, year, levels[year], cur, prev, start, old_cur, (old is not None, now))
    return pd.DataFrame(rows, columns=COLUMNS)


def unit_rows(draw, year, level, cur, prev, start, old_cur, flags) -> list[dict]:
    """Rows for the province and every unit of one draw and year (frames indexed by unit, one
    column per measure; `start` = the previous review on the current units; `old_cur` the same
    households under the previous standard, `cur` itself when nothing is reclassified; `flags` =
    (reclassification modelled, this review changes the standard))."""
    reclass = cur - old_cur.reindex(cur.index)
    remapped = not start.index.equals(prev.index)
    geos = [("province", "province")] + [("unit", u) for u in cur.index]
    out = []
    for geo_type, geo_id in geos:
        if geo_type == "province":
            c, s0, rc, p0 = cur.sum(), start.sum(), reclass.sum(), prev.sum()
        else:
            c, s0, rc = cur.loc[geo_id], start.loc[geo_id], reclass.loc[geo_id]
            p0 = prev.loc[geo_id] if geo_id in prev.index else pd.Series(np.nan, index=cur.columns)
        for m in cur.columns:
            out.append(
                {
                    "draw": draw,
                    "year": year,
                    "geo_type": geo_type,
                    "geo": geo_id,
                    "units": level,
                    "measure": m,
                    "previous": p0[m],
                    "remapping": s0[m] - p0[m],
                    "start": s0[m],
                    "remapped": remapped,
                    "reclassification": rc[m],
                    "movement": c[m] - s0[m] - rc[m],
                    "current": c[m],
                    "reclassification_modelled": flags[0],
                    "standard_changed": flags[1],
                }
            )
    return out


def reclassification_points(changes: pd.DataFrame, poor_units=()) -> pd.DataFrame:
    """The re-basing of each rate-change indicator at a review changing the standard, in points.

    Per draw, year, geography (as in the indicator table: province, each unit as `district`, and
    `poor_districts` summing `poor_units`) and indicator of `REBASED_INDICATORS`: `rebase` =
    100 × reclassified households / households at this review (the reclassification's share of
    the rate, as the report's sentence on a change of standard computes it). The previous review's
    rate re-based under the new standard is its rate + `rebase`; the re-based change, the raw change
    − `rebase`, is real movement only. Rows only for reviews that change the standard (empty
    without a modelled reclassification); columns `REBASE_COLUMNS`."""
    rows = changes[changes["standard_changed"].astype(bool) & changes["reclassification_modelled"].astype(bool)]
    rows = rows[rows["measure"].isin(list(REBASED_INDICATORS.values()) + ["households"])]
    if rows.empty:
        return pd.DataFrame(columns=REBASE_COLUMNS)
    wide = rows.pivot_table(
        index=["draw", "year", "geo_type", "geo"], columns="measure", values=["reclassification", "current"]
    )
    units = wide.xs("unit", level="geo_type", drop_level=False)
    poor = units[units.index.get_level_values("geo").isin(list(poor_units))]
    if not poor.empty:
        agg = poor.groupby(level=["draw", "year"]).sum()
        agg.index = pd.MultiIndex.from_tuples(
            [(d, y, "poor_districts", "poor_districts") for d, y in agg.index], names=wide.index.names
        )
        wide = pd.concat([wide, agg])
    out = []
    for indicator, measure in REBASED_INDICATORS.items():
        pts = 100 * wide[("reclassification", measure)] / wide[("current", "households")]
        out.append(pts.rename("rebase").reset_index().assign(indicator=indicator))
    table = pd.concat(out, ignore_index=True)
    table["geo_type"] = table["geo_type"].replace({"unit": "district"})
    return table[REBASE_COLUMNS]


def rebase_points(states, level, geo, old_standard_states, changed, poor_units=()) -> pd.DataFrame:
    """`reclassification_points` of a run on its own units (those of its indicator table):
    `period_changes` with `run_units`, plus the same points for each ethnic group
    (`group_points`). Empty without an old-standard run."""
    if old_standard_states is None:
        return pd.DataFrame(columns=REBASE_COLUMNS)
    changes = period_changes(states, level, geo, old_standard_states, changed, run_units=True)
    units = reclassification_points(changes, poor_units)
    groups = group_points(states, old_standard_states, changed)
    return units if units.empty or groups.empty else pd.concat([units, groups], ignore_index=True)


def group_points(states: pd.DataFrame, old_standard_states: pd.DataFrame, changed) -> pd.DataFrame:
    """The re-basing of each ethnic group's rates (indicator geography `ethnic_group`) at the
    reviews in `changed`: 100 × (the group's count under the new standard − the same households
    under the previous one) / the group's households, per draw and year — the share
    `reclassification_points` computes for a unit, over the group's households in every unit.
    Columns `REBASE_COLUMNS`; empty for a states table without groups."""
    years = list(changed or ())
    if "ethnic_group" not in states.columns:
        return pd.DataFrame(columns=REBASE_COLUMNS)

    def by_state(st: pd.DataFrame) -> pd.DataFrame:
        part = st[st["year"].isin(years)]
        return part.pivot_table(
            index=["draw", "year", "ethnic_group"], columns="state", values="households", aggfunc="sum", fill_value=0.0
        )

    new = by_state(states)
    if new.empty:
        return pd.DataFrame(columns=REBASE_COLUMNS)
    old = by_state(old_standard_states).reindex(index=new.index, fill_value=0.0)
    households = new.sum(axis=1)
    out = []
    for indicator, measure in REBASED_INDICATORS.items():
        cols = list(MEASURES[measure])
        diff = new.reindex(columns=cols, fill_value=0.0).sum(axis=1) - old.reindex(columns=cols, fill_value=0.0).sum(
            axis=1
        )
        pts = (100 * diff / households).rename("rebase").reset_index().rename(columns={"ethnic_group": "geo"})
        out.append(pts.assign(geo_type="ethnic_group", indicator=indicator))
    return pd.concat(out, ignore_index=True)[REBASE_COLUMNS]
