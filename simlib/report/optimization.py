"""The optimiser report's tables as report tables: numbers in the report's language (1.424,0;
«–» where there is no value, never NaN), headers and places in words, no row numbers — the same
`ReportTable` pages of the scenario reports use (`simlib.report.table`).

Each function takes a table `simlib.allocate.output.read_optimization` returns and gives a
`ReportTable`; `show` puts tables in the notebook. The translated frames come from
`simlib.allocate.plots` (one place for the wording); here they are only laid out and formatted.

The targets: `targets` compares the allocations in the years the optimiser allocates (a target
judged for each unit with a row counting the units that meet it under each allocation, its units
below); the years whose money every allocation keeps from the scenario (a dated plan's earlier
years, a crossing's district years) have the same verdicts under every allocation and are shown
once by `kept_targets`, each target's units summarised in one row (how many meet it, those
furthest short). targets.csv keeps every row.
"""

from __future__ import annotations

import pandas as pd

from simlib import i18n
from simlib.allocate import plots
from simlib.i18n import fmt
from simlib.period_record import periods_record
from simlib.report import html
from simlib.report.levels import Levels, manifest_levels
from simlib.report.scorecard import former_districts_note
from simlib.report.table import ReportTable, to_html
from simlib.scenario import Scenario
from simlib.targets import margin
from simlib.unit_switch import unit_switch

#: the targets' geography types whose `geo` is a unit id (named by the run's dataset)
UNIT_GEO_TYPES = ("district", "commune", "unit")
#: a unit of each level in a row counting units («từng xã»)
UNIT_WORDS = {"commune": "alloc.targets.unit_commune", "district": "alloc.targets.unit_district"}
#: the units furthest short of a target named in a summarised row (`kept_targets`); the others counted
WORST = 5
#: unit columns of one part of the table by line and unit (`in_parts`): with the line names it
#: fits the text column of an A4 page
UNITS_PER_PART = 5


def show(*tables: ReportTable | None, lang: str | None = None) -> None:
    """Display `tables` in the notebook (None or an empty table: «Không có.», or the empty
    table's note when it has one: why there is nothing to show, e.g. not computed in this run)."""
    # local import: IPython only in a notebook session
    from IPython.display import HTML, display

    lang = i18n.get_lang(lang)
    parts = [
        to_html(t, lang, caption=False)
        if t is not None and not t.frame.empty
        else html.para(t.note if t is not None and t.note else i18n.t("alloc.report.none", lang))
        for t in tables
    ]
    display(HTML("\n".join(parts)))


def framed(key: str, df: pd.DataFrame, first: str, formats: dict, default: str = "num2") -> ReportTable:
    """A `ReportTable` of a translated frame whose index labels the rows (column `first`); each
    other column's format from `formats`, else `default`."""
    frame = df.reset_index(drop=False)
    frame.columns = [first, *[str(c) for c in df.columns]]
    return ReportTable(key, "", frame, {first: "text"} | {c: formats.get(c, default) for c in frame.columns[1:]})


def comparison(table: pd.DataFrame, lang: str) -> ReportTable:
    """The allocations compared: money (1 decimal), households (whole numbers); when the table
    has both counts of households lifted, a note says what each is against."""
    df = plots.comparison_table(table, lang)
    money = i18n.t("alloc.col.total_bn", lang)
    formats = {c: ("num1" if c == money else "int") for c in df.columns}
    if "targets_met" in table:
        col = i18n.t("alloc.col.targets_met", lang)
        df[col] = [i18n.t("alloc.yes" if bool(v) else "alloc.no", lang) for v in df[col]]
        formats[col] = "text"
    out = framed("comparison", df, i18n.t("alloc.col.allocation", lang), formats)
    out.note = i18n.t("alloc.report.lifted_note", lang) if "households_lifted_allocated" in table else ""
    return out


def lines(table: pd.DataFrame, lang: str, unmeasured=frozenset()) -> ReportTable:
    """Money per year of each line under each allocation (1 decimal) and its marginal value; the
    items whose effect on households the model does not measure (`unmeasured`) marked, and said
    so under the table (`unmeasured_note`)."""
    df = plots.lines_table(table, lang, unmeasured)
    marginal = i18n.t("alloc.col.marginal", lang)
    formats = {c: ("num2" if c == marginal else "num1") for c in df.columns}
    out = framed("lines", df, i18n.t("alloc.col.line", lang), formats)
    out.note = unmeasured_note(table["line"], lang, unmeasured)
    return out


def unmeasured_note(codes, lang: str, unmeasured=frozenset()) -> str:
    """The note under a table whose rows (item `codes`) include items whose effect on households
    the model does not measure (`unmeasured`, marked «(*)»): their marginal value is not a
    judgement of their use; "" when there are none."""
    return i18n.t("alloc.note.unmeasured", lang) if set(codes) & set(unmeasured) else ""


def why_notes(explanation: dict, lang: str, lines: pd.DataFrame | None = None) -> list[str]:
    """«Vì sao phân bổ như vậy» as Markdown list items: the line where a billion does most, each
    line without money the model weighs, and — once, with their names below it — the contents
    without money whose effect on households the model does not measure (`measured` false in
    summary.json; an older summary without it: each its own item), named as the table by line
    names them when `lines` (lines.csv) is given («P1.1 – Duy tu …», not «P1.1.maintenance»)."""
    zero = explanation.get("zero_lines", [])
    out = [explanation["best_line"]["text"][lang]] if explanation.get("best_line") else []
    out += [z["text"][lang] for z in zero if z.get("measured", True)]
    known = {} if lines is None else dict(zip(lines["line"], plots.report_labels(lines, lang), strict=True))
    names = [known.get(z.get("line"), z["name"][lang]) for z in zero if not z.get("measured", True)]
    if names:
        out.append(i18n.t("alloc.why.unmeasured", lang, n=len(names)) + "".join(f"\n  - {n}" for n in names))
    return out


def rules(
    binding: pd.DataFrame, lang: str, lines_table: pd.DataFrame | None = None, objective: str = "poor"
) -> ReportTable:
    """The binding rules in words, their basis and what one more billion of room is worth in the
    `objective`'s measure (households for `min_cost`, as `simlib.allocate.explain` words it);
    the contents the model does not measure in one row, named as the table by line (`lines_table`)."""
    measure = "poor" if objective == "min_cost" else objective
    df = plots.rules_table(binding, lang, lines_table, measure)
    if df.empty:
        return ReportTable("binding", "", df)
    return ReportTable("binding", "", df, {c: "text" for c in df.columns})  # values in words already («–»: none)


def districts(
    marginals: pd.DataFrame,
    lang: str,
    names: dict,
    lines_table: pd.DataFrame,
    objective: str = "poor",
    level: str = "district",
    unmeasured=frozenset(),
) -> ReportTable:
    """One more billion's value by line (rows, named as in the table by line) and unit (columns,
    named); «–» where the line does not act in the unit. The note says what a cell counts (the
    `objective`'s measure, per billion spread over the projected years, in a unit of `level`)
    and, when there are such rows, what the items whose effect on households the model does
    not measure (`unmeasured`, marked) mean."""
    df = plots.district_table(marginals, lang, names, lines=lines_table, unmeasured=unmeasured)
    out = framed("districts", df, i18n.t("alloc.col.line", lang), {})
    if (
        df.empty
    ):  # only economy effort computes no marginal value by unit (`simlib.allocate.effort.Effort.unit_marginals`)
        unit = i18n.t("alloc.note.unit_commune" if level == "commune" else "alloc.note.unit_district", lang)
        out.note = i18n.t("alloc.report.units_not_run", lang, unit=unit)
    else:
        measure = i18n.t(f"alloc.measure.{'poor' if objective == 'min_cost' else objective}", lang)
        unit = i18n.t("alloc.note.unit_commune" if level == "commune" else "alloc.note.unit_district", lang)
        extra = unmeasured_note(marginals["line"], lang, unmeasured)
        out.note = " ".join(
            [i18n.t("alloc.note.districts", lang, measure=measure, unit=unit)] + ([extra] if extra else [])
        )
    return out


def in_parts(table: ReportTable, per: int = UNITS_PER_PART) -> list[ReportTable]:
    """`table` (rows labelled by its first column) cut into tables of at most `per` of its other
    columns each, the row labels repeated, the note under the last: a table by line and unit of
    10 districts (or dozens of communes) and long line names fits neither an A4 page nor a
    screen in one piece. A table of at most `per` such columns is returned whole."""
    cols = list(table.frame.columns)
    if len(cols) - 1 <= per:
        return [table]
    chunks = [cols[1 + i : 1 + i + per] for i in range(0, len(cols) - 1, per)]
    return [
        ReportTable(
            table.key,
            table.title,
            table.frame[[cols[0], *chunk]],
            {c: table.fmt_of(c) for c in [cols[0], *chunk]},
            table.note if k == len(chunks) - 1 else "",
        )
        for k, chunk in enumerate(chunks)
    ]


def unallocatable(table: pd.DataFrame, lang: str, lines: pd.DataFrame | None = None) -> ReportTable:
    """Money reaching no one by line (or content) and allocation, billion VND; a line's rows
    named by its code and name from `lines` (lines.csv) when given, not by its code alone."""
    df = plots.unallocatable_summary(table, lang, plots.names_by_line(lines, lang) if lines is not None else None)
    first = i18n.t("alloc.col.line_or_content" if "content" in table else "alloc.col.line", lang)
    return framed("unallocatable", df, first, {})


def frontier(table: pd.DataFrame, lang: str) -> ReportTable:
    """Each point of the frontier: the envelopes' scale, the money, poor households at the
    horizon and households lifted by the money of the years allocated (against no money in those
    years; an older frontier.csv: its `households_lifted`); whether the optimum was found."""
    if table.empty:  # not asked for (--frontier ''), or economy effort
        return ReportTable("frontier", "", table, note=i18n.t("alloc.report.frontier_not_run", lang))
    t = i18n.t
    lifted = "households_lifted_allocated" if "households_lifted_allocated" in table else "households_lifted"
    frame = pd.DataFrame(
        {
            t("alloc.col.scale", lang): table["scale"].astype(float),
            t("alloc.col.total_bn", lang): table["total_bn"].astype(float),
            t("alloc.col.poor", lang): table["poor"].astype(float),
            t(f"alloc.col.{lifted}", lang): table[lifted].astype(float),
            t("alloc.col.feasible", lang): [t("alloc.yes" if bool(v) else "alloc.no", lang) for v in table["feasible"]],
        }
    )
    formats = dict(zip(frame.columns, ("num2", "num1", "int", "int", "text"), strict=True))
    return ReportTable("frontier", "", frame, formats)


def levels_of(scen: Scenario) -> Levels:
    """The level of the units of each year of `scen` (a crossing: districts, then communes) from
    its period record, as `simlib run` records it (the optimiser's manifest has none)."""
    sw = unit_switch(scen)
    return manifest_levels({"periods": periods_record(scen, (sw.year, sw.scenario) if sw else None)})


def place_names(scen: Scenario, lang: str) -> dict:
    """Unit id → name of every unit the targets of `scen` are judged on: its own units and, for a
    crossing, the new units of the years after the switch."""
    sw = unit_switch(scen)
    sets = [scen.dataset] + ([sw.scenario.dataset] if sw is not None else [])
    return {u: ds.unit_name(u, lang) for ds in sets for u in ds.unit_ids}


def kept_rows(table: pd.DataFrame, allocated) -> pd.Series:
    """Rows of `table` (targets.csv) the optimiser did not decide: of a year it does not allocate
    (not in `allocated`; None: it allocates every year) whose value and verdict are the same under
    every allocation — every allocation keeps the scenario's money there (`spec.plan_years`; a
    crossing also runs the years before its first allocated year once,
    `simlib.allocate.continued.allocated_from`). A row of such a year that differs stays a row
    of its own."""
    if allocated is None or table.empty:
        return pd.Series(False, index=table.index)
    key = ["target_id", "geo", "year"]
    same = table.groupby(key)[["value", "met"]].transform("nunique", dropna=False).eq(1).all(axis=1)
    return same & ~table["year"].isin([int(y) for y in allocated])


def targets(
    table: pd.DataFrame,
    lang: str,
    names: dict,
    allocated=None,
    levels: Levels | None = None,
    units: pd.DataFrame | None = None,
) -> ReportTable:
    """Each target, place and year with its projected value and verdict (✓ / ✗) under each
    allocation; places by name (`names`: unit id → name; the poor units by the level of each
    year's units, `levels`). With `allocated` (the years the optimiser allocates) the rows it did
    not decide (`kept_rows`) are left to `kept_targets`, and the note says so; `units`: the
    units table of the scenario's dataset, for the note of a target worded for poor districts
    judged on communes (`unit_notes`)."""
    if table.empty:
        return ReportTable("targets", "", table)
    kept = kept_rows(table, allocated)
    shown = table[~kept]
    notes = unit_notes(shown, lang, levels or Levels(), units)
    if kept.any():
        years = ", ".join(str(y) for y in sorted(table.loc[kept, "year"].unique()))
        notes.insert(0, i18n.t("alloc.targets.kept_below", lang, years=years))
    if shown.empty:
        return ReportTable("targets", "", shown, note=" ".join(notes))
    note = " ".join([*notes, units_note(shown, lang)]).strip()
    wide = plots.targets_table(shown, lang).reset_index()
    places = shown.drop_duplicates(["geo"]).set_index("geo")["geo_type"]
    place = [place_name(g, places.get(g), y, lang, names, levels) for g, y in zip(wide["geo"], wide["year"])]
    first = i18n.t("table.target", lang)
    frame = pd.concat(
        [
            pd.DataFrame(
                {first: wide.iloc[:, 0], i18n.t("table.area", lang): place, i18n.t("table.year", lang): wide["year"]}
            ),
            wide.iloc[:, 3:],
        ],
        axis=1,
    )
    units = pd.Series([places.get(g) in UNIT_GEO_TYPES for g in wide["geo"]], index=frame.index)
    frame, detail = with_unit_counts(frame, units, shown, lang, levels or Levels())
    year = i18n.t("table.year", lang)
    return ReportTable("targets", "", frame, {year: "year"}, note, detail)


def with_unit_counts(
    frame: pd.DataFrame, units: pd.Series, shown: pd.DataFrame, lang: str, levels: Levels
) -> tuple[pd.DataFrame, list[bool]]:
    """The targets table's rows (`units`: a unit's row) with, before the unit rows of each target
    and year, a row counting the units that meet it under each allocation («đạt ở 30/37 ✗»,
    from `shown`, the rows of targets.csv shown); the unit rows are detail rows (indented, the
    target's label said once, on that row)."""
    label, year = frame.columns[0], frame.columns[2]
    codes = [a for a in plots.ALLOCATIONS if a in set(shown["allocation"])]  # the value columns, in order
    lab = i18n.column("label", lang)
    on_units = shown[shown["geo_type"].isin(UNIT_GEO_TYPES)]
    parts, detail = [], []
    for (name, y), g in frame.groupby([label, year], sort=False):
        u = units[g.index]
        parts.append(g[~u])
        detail += [False] * int((~u).sum())
        if u.any():
            rows = on_units[(on_units[lab] == name) & (on_units["year"] == y)]
            cells = [units_met(rows[rows["allocation"] == a], lang) for a in codes]
            area = each_unit(int(y), int(u.sum()), lang, levels)
            parts += [pd.DataFrame([[name, area, y, *cells]], columns=frame.columns), g[u].assign(**{label: ""})]
            detail += [False] + [True] * int(u.sum())
    return pd.concat(parts, ignore_index=True), detail


def place_name(geo: str, geo_type, year: int, lang: str, names: dict, levels: Levels | None = None) -> str:
    """A target's place: a unit by name (`names`), an aggregate in words (the poor units by the
    level of the year's units, `levels`; None: districts)."""
    if geo_type in UNIT_GEO_TYPES:
        return names.get(geo, geo)
    return (levels or Levels()).geo(geo, lang, [year])


def kept_targets(
    table: pd.DataFrame,
    lang: str,
    names: dict,
    allocated,
    levels: Levels | None = None,
    units: pd.DataFrame | None = None,
) -> ReportTable | None:
    """The targets of the rows the optimiser did not decide (`kept_rows`), once (the same under
    every allocation): each aggregate as its row, each target's units in one row — how many
    meet it and those furthest short of it (`WORST`, the rest counted: every row is in
    targets.csv). None when there are none. `levels`, `units`: as `targets`."""
    kept = kept_rows(table, allocated)
    if not kept.any():
        return None
    rows = table[kept]
    rows = rows[rows["allocation"] == rows["allocation"].iloc[0]]  # the same in every allocation
    lab, levels = i18n.column("label", lang), levels or Levels()
    out = []
    for (_tid, year), g in rows.groupby(["target_id", "year"], sort=False):
        unit_rows = g["geo_type"].isin(UNIT_GEO_TYPES)
        for r in g[~unit_rows].itertuples():
            out.append(
                [
                    getattr(r, lab),
                    place_name(r.geo, r.geo_type, year, lang, names, levels),
                    year,
                    verdict_text(r.value, r.met, lang),
                    "–",
                ]
            )
        if unit_rows.any():
            out.append([g[lab].iloc[0], *units_summary(g[unit_rows], lang, names, levels)])
    cols = [
        i18n.t(k, lang)
        for k in ("table.target", "table.area", "table.year", "alloc.targets.result", "alloc.targets.short")
    ]
    years = ", ".join(str(y) for y in sorted(rows["year"].unique()))
    note = " ".join([i18n.t("alloc.targets.kept_note", lang, years=years, worst=WORST),
                     *unit_notes(rows, lang, levels, units), units_note(rows, lang)]).strip()  # fmt: skip
    return ReportTable("targets_kept", "", pd.DataFrame(out, columns=cols), {cols[2]: "year"}, note)


def units_note(rows: pd.DataFrame, lang: str) -> str:
    """What the values of target `rows` (targets.csv) are in: percentage points for a target on
    a change of a rate (`indicator` «…_change»), % otherwise (as `simlib.allocate.explain`
    words a target's value), and what ✓ / ✗ mean; "" without an `indicator` column."""
    if "indicator" not in rows or rows.empty:
        return ""
    change = rows["indicator"].astype(str).str.endswith("change")
    parts = (["alloc.targets.units_points"] if change.any() else []) + (
        ["alloc.targets.units_percent"] if (~change).any() else []
    )
    return i18n.t("alloc.targets.units", lang, units="; ".join(i18n.t(k, lang) for k in parts))


def each_unit(year: int, n: int, lang: str, levels: Levels) -> str:
    """«Các xã nghèo: từng xã (37)»: the `n` units of a target judged for each unit in `year`,
    named by the level of that year's units."""
    unit = i18n.t(UNIT_WORDS[levels.used_at([year])], lang)
    return i18n.t("alloc.targets.each_unit", lang, area=levels.geo("poor_districts", lang, [year]), unit=unit, n=n)


def units_met(rows: pd.DataFrame, lang: str) -> str:
    """«đạt ở 12/37 ✗»: how many of a target's unit rows (one allocation, one year) meet it; ✓
    only when all do."""
    met, n = int(rows["met"].astype(bool).sum()), len(rows)
    return i18n.t("alloc.targets.units_met", lang, met=met, n=n) + (" ✓" if met == n else " ✗")


def unit_notes(rows: pd.DataFrame, lang: str, levels: Levels, units: pd.DataFrame | None = None) -> list[str]:
    """What a table of target `rows` (targets.csv) says of its units on communes: what a poor
    commune is on the commune datasets, where units are judged one by one; and where a target
    worded for poor districts (the 2021–2025 plan's) is judged on communes — for the poor units
    together only (`simlib.period_targets.each_unit_judged`, `levels.district_worded`: plan_2027's
    2024–2025) — the scenario report's note under its row (`scorecard.former_districts_note`, from
    the dataset's `units`)."""
    years = {int(y) for y in rows.loc[rows["geo_type"].isin(UNIT_GEO_TYPES), "year"]}
    on_communes = {y for y in years if levels.used_at([y]) == "commune"}
    out = [i18n.t("alloc.targets.poor_communes_note", lang)] if on_communes else []
    note = former_districts_note(rows, units, lang, levels) if units is not None else ""
    return out + ([note] if note else [])


def verdict_text(value: float, met: bool, lang: str) -> str:
    """«−3,31 ✗»: a target's value and verdict as the targets table shows them."""
    return f"{fmt.number(value, lang, 2)} {'✓' if met else '✗'}"


def units_summary(rows: pd.DataFrame, lang: str, names: dict, levels: Levels) -> list:
    """[place, year, result, short] of one target's unit rows of one year: «Các xã nghèo: từng xã
    (37)», «đạt ở 12/37 ✗», the units furthest short of it by name and value (`WORST`) and how
    many more."""
    year = int(rows["year"].iloc[0])
    area, result = each_unit(year, len(rows), lang, levels), units_met(rows, lang)
    failing = rows[~rows["met"].astype(bool)]
    failing = failing.assign(
        _m=margin(failing["value"].to_numpy(), failing["threshold"].to_numpy(), failing["comparison"].to_numpy())
    )
    worst = failing.sort_values("_m", kind="stable").head(WORST)
    short = "; ".join(f"{names.get(g, g)} {fmt.number(v, lang, 2)}" for g, v in zip(worst["geo"], worst["value"]))
    if len(failing) > WORST:
        short += " " + i18n.t("alloc.targets.more", lang, n=len(failing) - WORST)
    return [area, year, result, short or "–"]


def robust(summary: pd.DataFrame, lang: str) -> ReportTable:
    """Each allocation over the parameter draws (`plots.robust_table`), one decimal."""
    df = plots.robust_table(summary, lang)
    return framed("robust", df, i18n.t("alloc.col.allocation", lang), {c: "num1" for c in df.columns})


def certificate(cert: dict, lang: str) -> ReportTable:
    """How far the optimum can be trusted in the solver's terms (`plots.certificate_table`:
    values in words already): the report's technical annex, not the leader's part (`trust`)."""
    df = plots.certificate_table(cert, lang)
    return framed("certificate", df, i18n.t("alloc.cert.col.item", lang), {}, default="text")
