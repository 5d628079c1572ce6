"""Scenario report sections on movement and money: the yearly flows of households (with a year
in which a new poverty standard applies kept apart from real movement), where the money goes and
what it buys, money that reaches no one, and the coverage targets.

Money that reaches no one: the legal frame's absorption table when the run has one
(`absorption.csv`: money a content cannot deliver); otherwise, per line and year, the money
spent beyond what the households (or communes, officers) reached cost at the line's norm
(spent − reached × unit cost) — money the model counts as disbursed but that buys no one.
"""

from __future__ import annotations

import textwrap
from dataclasses import replace

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.i18n import fmt
from simlib.report import bars, charts, data, dated_rows, html
from simlib.report.context import full_name, short_name
from simlib.report.levels import Levels, lower_first
from simlib.report.table import ReportTable, round_to_total, to_html
from simlib.report.trends import standard_breaks

#: money below this (VND, per line and year) is floating-point noise, not money that reaches no
#: one: every amount above it counts, so the page's total is the run record's (manifest
#: `absorption.unallocatable`, the sum of absorption.csv)
UNALLOCATED_TOLERANCE = 1.0
#: a row of the money-reaching-no-one table below this (VND over its years) is not shown alone:
#: such rows are grouped in one row that says how many and their sum (`unallocated_table`)
UNALLOCATED_ROW_SHOWN = 0.5e9


def _up(ctx) -> str:
    return ctx.t("report.toc.up")


def whole_households(values: dict, breaks=()) -> dict:
    """Expected households per year (`values`: year → households) in whole households, as every
    place of the scenario page and its workbook shows them (the flows' chart, table and review
    table): the years without a new standard by largest remainder (`round_to_total`), so that
    they add up to their rounded total (each within one household); a year with a new standard
    (`breaks`: outside the total) rounded alone."""
    regular = [y for y, v in values.items() if y not in set(breaks) and np.isfinite(v)]
    out = {y: fmt.shown(v, 0) for y, v in values.items()}
    if regular:
        out |= dict(zip(regular, round_to_total([values[y] for y in regular], 0)))
    return out


def flows_table(ctx) -> ReportTable:
    """Households by flow and year; a year with a new standard apart (its flows include the
    reclassification of every household), the total only over the other years. In whole
    households that add up (`whole_households`), in the page, the CSV and the sheet alike, with
    a note saying so; the exact expected households stay in `flows.csv` and `indicators.csv`."""
    ind, L = ctx.tables.indicators, ctx.lang
    t = lambda k, **kw: i18n.t(k, L, **kw)  # noqa: E731
    ys = data.years(ind)[1:]
    breaks = set(standard_breaks(ind))
    regular = [y for y in ys if y not in breaks]
    col = {y: (t("report.flows.break_column", year=y) if y in breaks else str(y)) for y in ys}
    total = t("table.total_regular") if breaks else t("table.total")
    rows = []
    for i in data.FLOW_INDICATORS:
        vals = whole_households({y: data.value_at(ind, i, y)[0] for y in ys}, breaks)
        row = {t("table.flow"): i18n.label("flow", data.FLOW_OF_INDICATOR[i], L)}
        row.update({col[y]: vals[y] for y in regular})
        row[total] = sum(vals[y] for y in regular)
        row.update({col[y]: vals[y] for y in sorted(breaks)})
        rows.append(row)
    columns = [t("table.flow")] + [col[y] for y in regular] + [total] + [col[y] for y in sorted(breaks)]
    frame = pd.DataFrame(rows, columns=columns)
    note = t("report.flows.break_note", years=", ".join(str(y) for y in sorted(breaks))) if breaks else ""
    if len(regular) > 1:
        note = " ".join(x for x in (note, t("report.flows.rounding")) if x)
    return ReportTable("flows", t("report.table.flows"), frame, {c: "int" for c in columns[1:]}, note)


def review_flows_table(ctx) -> ReportTable | None:
    """Flows in the annual review's own categories (`review_flows`, when the run has that table:
    columns year, category, households; optional draw and geo), or None."""
    rf = getattr(ctx.result, "review_flows", None)
    if not isinstance(rf, pd.DataFrame) or not {"year", "category", "households"} <= set(rf.columns):
        return None
    L = ctx.lang
    t = lambda k, **kw: i18n.t(k, L, **kw)  # noqa: E731
    if "geo" in rf.columns:
        rf = rf[rf["geo"] == "province"]
    rows = [c for c in ("list", "category") if c in rf.columns]  # a category is named within its list
    per = rf.groupby([c for c in ("draw", *rows, "year") if c in rf.columns], sort=False)["households"].sum()
    mean = per.groupby([*rows, "year"], sort=False).mean().unstack("year")
    frame = mean.reset_index()
    if "list" in frame.columns:
        names = [
            f"{i18n.label('state', a, L)} — {t(f'review.{a}.{c}')}" for a, c in zip(frame["list"], frame["category"])
        ]
        frame = frame.drop(columns="list").assign(category=names)
    else:
        frame["category"] = [i18n.label("review_flow", c, L, default=c.replace("_", " ")) for c in frame["category"]]
    breaks = standard_breaks(ctx.tables.indicators)
    years = [int(y) for y in mean.columns]
    whole = [whole_households(dict(zip(years, r)), breaks) for r in frame[years].to_numpy(float)]
    frame[years] = [[w[y] for y in years] for w in whole]  # as the flows' table and chart show them
    frame.columns = [t("table.flow")] + [str(y) for y in years]
    return ReportTable("review_flows", t("report.table.review_flows"), frame, {c: "int" for c in frame.columns[1:]})


def flows(ctx) -> list:
    """Households escaping, moving to near-poor, relapsing and newly poor, per projected year."""
    ind, L = ctx.tables.indicators, ctx.lang
    breaks = set(standard_breaks(ind))
    ys = [y for y in data.years(ind)[1:] if y not in breaks]
    cats = [i18n.label("flow", data.FLOW_OF_INDICATOR[i], L) for i in data.FLOW_INDICATORS]
    groups, errors = [], []
    whole = [whole_households({y: data.value_at(ind, i, y)[0] for y in ys}) for i in data.FLOW_INDICATORS]
    for y in ys:  # the bars and their labels: the table's whole households
        vals = [data.value_at(ind, i, y) for i in data.FLOW_INDICATORS]
        groups.append((str(y), [w[y] for w in whole]))
        errors.append(([v[1] for v in vals], [v[2] for v in vals]))
    fig = bars.grouped_bars(
        cats,
        groups,
        ylabel=ctx.t("axis.households"),
        lang=L,
        value_fmt=lambda v: fmt.number(v, L),
        errors=errors if ctx.spread_shown else None,
    )
    blocks = [
        html.heading(ctx.t("report.section.flows"), anchor="flows", up=_up(ctx)),
        html.para(ctx.t("report.flows.intro")),
        html.Chart(fig, ctx.t("report.fig.flows") + (" " + ctx.t("report.fig.flows_break") if breaks else "")),
        to_html(flows_table(ctx), L),
    ]
    review = review_flows_table(ctx)
    if review is not None:
        blocks += [html.para(ctx.t("report.flows.review_intro")), to_html(review, L)]
    return blocks


def unallocated(ctx) -> pd.DataFrame:
    """Money that reaches no one, per line and year (see the module docstring): columns line,
    year, spent_vnd, unallocated_vnd; only rows above `UNALLOCATED_TOLERANCE`."""
    absorption = getattr(ctx.result, "absorption", None)
    if isinstance(absorption, pd.DataFrame) and {"line", "year", "unallocatable_vnd"} <= set(absorption.columns):
        a = absorption_unallocated(absorption).rename("unallocated_vnd")
        spent = data.reach_by_line(ctx.tables.programme).set_index(["line", "year"])["spend_vnd"].rename("spent_vnd")
        out = pd.concat([spent, a], axis=1).fillna(0.0).reset_index()
    else:
        r = data.reach_by_line(ctx.tables.programme)
        cost = {c: ln.unit_cost for c, ln in ctx.scenario.catalogue.lines.items()}
        r["unallocated_vnd"] = r["spend_vnd"] - r["reached"] * r["line"].map(cost)
        out = r.rename(columns={"spend_vnd": "spent_vnd"})[["line", "year", "spent_vnd", "unallocated_vnd"]]
    return out[out["unallocated_vnd"] > UNALLOCATED_TOLERANCE].reset_index(drop=True)


def absorption_unallocated(absorption: pd.DataFrame) -> pd.Series:
    """VND reaching no one per (line, year) of an absorption table (`absorption.csv`), the rows
    above `UNALLOCATED_TOLERANCE` (noise) only: summed, the run record's total (manifest
    `absorption.unallocatable`) — what the report's table and sentence show, and what the
    comparison and the index read back from a run folder (`simlib.report.decision`)."""
    a = absorption.groupby(["line", "year"], sort=False)["unallocatable_vnd"].sum()
    return a[a > UNALLOCATED_TOLERANCE]


def unallocated_table(ctx) -> ReportTable | None:
    """Money that reaches no one by line (billion VND over the projected years), or None; a dated
    scenario's by the rows of `dated_money_table` (a line's years, a content's years). Rows under
    `UNALLOCATED_ROW_SHOWN` are grouped in one row (how many, their sum), and a last row gives the
    total against all the money disbursed — the figures of the page's sentence. The money column is
    rounded to 0.1 by largest remainder (`round_to_total`) so that its rows add up to the total."""
    u = unallocated(ctx)
    if u.empty:
        return None
    L, cat = ctx.lang, ctx.scenario.catalogue
    t = lambda k, **kw: i18n.t(k, L, **kw)  # noqa: E731
    reach = data.reach_by_line(ctx.tables.programme).set_index(["line", "year"])
    totals = data.budget_by_line(ctx.scenario).groupby(["line", "year"])["vnd"].sum().to_dict()
    specs = dated_rows.dated_rows(ctx.scenario, L, totals, reach, lambda c: (full_name(c, cat, L),) * 2)
    if specs:  # a dated scenario: by the row each (line, year) is in (a line's or a content's)
        row_of = {cell: i for i, spec in enumerate(specs) for cell in spec.cells}
        u = u.assign(line=[row_of[(c, int(y))] for c, y in zip(u["line"], u["year"])]).sort_values("line")
    g = u.groupby("line", sort=False)[["spent_vnd", "unallocated_vnd"]].sum() / 1e9
    label = (lambda i: specs[i].label) if specs else (lambda c: full_name(c, cat, L))
    shown, small = (
        g[g["unallocated_vnd"] >= UNALLOCATED_ROW_SHOWN / 1e9],
        g[g["unallocated_vnd"] < UNALLOCATED_ROW_SHOWN / 1e9],
    )
    labels = [label(c) for c in shown.index]
    spent = pd.concat([shown["spent_vnd"], small[["spent_vnd"]].sum()]) if len(small) else shown["spent_vnd"]
    if len(small):
        labels.append(
            t("report.unallocated.small_rows", n=len(small), under=fmt.number(UNALLOCATED_ROW_SHOWN / 1e9, L, 1))
        )
    money = list(shown["unallocated_vnd"]) + ([small["unallocated_vnd"].sum()] if len(small) else [])
    total_spent = data.reach_by_line(ctx.tables.programme)["spend_vnd"].sum() / 1e9
    exact = np.array(money + [sum(money)])
    rows = round_to_total(exact[:-1], 1)
    rounded = np.append(rows, fmt.shown(rows.sum(), 1))
    frame = pd.DataFrame(
        {
            (t("table.line_or_content") if specs else t("table.line")): labels + [t("report.unallocated.total_row")],
            t("table.spent"): np.append(np.asarray(spent, float), total_spent),
            t("table.unallocated"): rounded,
            t("table.unallocated_share"): 100 * exact / np.append(np.asarray(spent, float), total_spent),
        }
    )
    formats = {t("table.spent"): "num1", t("table.unallocated"): "num1", t("table.unallocated_share"): "pct1"}
    note = t("report.unallocated.note") + " " + t("report.unallocated.rounding")
    return ReportTable("unallocated", t("report.table.unallocated"), frame, formats, note)


def unallocated_sentence(table: ReportTable, lang: str) -> str:
    """The sentence above the money-reaching-no-one table: its last row's total, of all the money
    disbursed and its share of it — the same figures as the row."""
    last = table.frame.iloc[-1]
    lost, spent, share = (float(last.iloc[i]) for i in (2, 1, 3))
    return i18n.t(
        "report.unallocated.sentence",
        lang,
        money=fmt.number(lost, lang, 1),
        spent=fmt.number(spent, lang, 1),
        share=fmt.percent(share, lang, 1),
    )


def money_table(ctx) -> ReportTable:
    """Money, beneficiaries reached and cost per beneficiary by line; a dated scenario's money of
    the years under the 2026–2035 programme in rows of its contents (`dated_money_table`)."""
    dated = dated_money_table(ctx)
    if dated is not None:
        return dated
    scen, L = ctx.scenario, ctx.lang
    t = lambda k, **kw: i18n.t(k, L, **kw)  # noqa: E731
    cat, bud = scen.catalogue, data.budget_by_line(scen)
    reach = data.reach_by_line(ctx.tables.programme)
    y0, y1 = scen.years[0], scen.years[-1]
    planned_col, spent_col = t("table.planned_period", y0=y0, y1=y1), t("table.spent_period")
    reached_cols = [t("table.reached_year", year=y) for y in scen.years]
    rows = []
    for c in cat.codes:
        r = reach[reach["line"] == c].set_index("year")
        spent = float(r["spend_vnd"].sum()) / 1e9 if len(r) else 0.0
        reached = [float(r["reached"].get(y, 0.0)) if len(r) else 0.0 for y in scen.years]
        row = {t("table.line"): full_name(c, cat, L), planned_col: bud.loc[bud["line"] == c, "vnd"].sum() / 1e9}
        row[spent_col] = spent
        row.update(dict(zip(reached_cols, reached)))
        row[t("table.beneficiary_unit")] = cat.lines[c].unit(L)
        row[t("table.cost_per_beneficiary")] = spent * 1e3 / sum(reached) if sum(reached) > 0 else np.nan
        rows.append(row)
    frame = pd.DataFrame(rows)
    formats = {planned_col: "num1", spent_col: "num1", t("table.cost_per_beneficiary"): "num1"}
    formats.update({c: "int" for c in reached_cols})
    return ReportTable("money", t("report.table.money"), frame, formats)


def unfunded_in_note(table: ReportTable, lang: str) -> ReportTable:
    """The money table as the page shows it: rows with no money planned or spent and no
    beneficiaries in any year (ten or so 0,0 rows of contents the scenario gives nothing) leave
    the table for one note under it, «Không bố trí vốn: …» with their whole names, before the
    table's own note. The exported table (CSV, Excel) keeps every row."""
    frame = table.frame
    numbers = [c for c, code in table.formats.items() if code in ("num1", "int") and c in frame]
    amounts = frame[numbers].fillna(0.0).abs()  # money, beneficiaries; cost is empty without both
    empty = (amounts == 0.0).all(axis=1)
    if not empty.any():
        return table
    names = "; ".join(str(x) for x in frame.loc[empty, frame.columns[0]])
    note = i18n.t("report.money.unfunded", lang, names=names)
    note = f"{note} {table.note}" if table.note else note
    return replace(table, frame=frame[~empty].reset_index(drop=True), note=note)


def dated_money_table(ctx) -> ReportTable | None:
    """`money_table` of a dated scenario (None for another): a 2021–2025 line's row adds up its
    years under the 2021–2025 lines, a content's row its years under the 2026–2035 programme
    (`simlib.report.dated_rows`); a year a row does not stand for is left empty."""
    scen, L = ctx.scenario, ctx.lang
    t = lambda k, **kw: i18n.t(k, L, **kw)  # noqa: E731
    cat, bud = scen.catalogue, data.budget_by_line(scen)
    totals = bud.groupby(["line", "year"])["vnd"].sum()
    reach = data.reach_by_line(ctx.tables.programme).set_index(["line", "year"])
    specs = dated_rows.dated_rows(scen, L, totals.to_dict(), reach, lambda c: (full_name(c, cat, L),) * 2)
    if not specs:
        return None
    y0, y1 = scen.years[0], scen.years[-1]
    planned_col, spent_col = t("table.planned_period", y0=y0, y1=y1), t("table.spent_period")
    reached_cols = {int(y): t("table.reached_year", year=y) for y in scen.years}
    rows = []
    for spec in specs:
        found = {cell: reach.loc[cell] for cell in spec.cells if cell in reach.index}
        spent = sum((float(r["spend_vnd"]) for r in found.values()), 0.0) / 1e9
        reached = {y: sum((float(r["reached"]) for (_, cy), r in found.items() if cy == y), 0.0) for y in spec.years}
        row = {t("table.line_or_content"): spec.label}
        row[planned_col] = sum((float(totals.get(cell, 0.0)) for cell in spec.cells), 0.0) / 1e9
        row[spent_col] = spent
        row.update({col: reached.get(y, np.nan) for y, col in reached_cols.items()})
        row[t("table.beneficiary_unit")] = cat.lines[spec.unit_item].unit(L)
        n = sum(reached.values())
        row[t("table.cost_per_beneficiary")] = spent * 1e3 / n if n > 0 and not spec.lagged else np.nan
        rows.append(row)
    formats = {planned_col: "num1", spent_col: "num1", t("table.cost_per_beneficiary"): "num1"}
    formats.update({c: "int" for c in reached_cols.values()})
    note = dated_rows.dated_note(scen, L)
    return ReportTable("money", t("report.table.money"), pd.DataFrame(rows), formats, note)


def _budget_chart(ctx) -> html.Chart:
    scen, L = ctx.scenario, ctx.lang
    cat, bud = scen.catalogue, data.budget_by_line(scen)
    projects = list(cat.projects)
    labels = {p: short_name(p, cat, L) for p in projects}
    dated = dated_rows.dated_projects(scen, L)
    if dated is not None:  # money of the 2026–2035 programme's years by its projects (C1…C7)
        keys, dated_labels = dated
        bud = bud.assign(
            project=[keys.get((c, int(y)), p) for c, y, p in zip(bud["line"], bud["year"], bud["project"])]
        )
        projects += list(dated_labels)
        labels.update(dated_labels)
    by = bud.groupby(["project", "source"])["vnd"].sum()
    segments = [
        (i18n.t(f"source.{src}", L), [by.get((p, src), 0.0) / 1e9 for p in projects]) for src in scen.budget.sources
    ]
    fig = bars.stacked_barh(
        [labels[p] for p in projects],
        segments,
        xlabel=ctx.t("axis.billion_vnd_period", y0=scen.years[0], y1=scen.years[-1]),
        lang=L,
        total_fmt=lambda v: fmt.number(v, L, 1),
    )
    totals = {p: sum(by.get((p, s), 0.0) for s in scen.budget.sources) for p in projects}
    top = max(totals, key=totals.get)
    share = 100 * totals[top] / max(1.0, sum(totals.values()))
    full = dated_rows.dated_projects(scen, L, None)[1] if dated is not None else {}  # the title: whole names
    name = full.get(top) or short_name(top, cat, L, 60)
    title = ctx.t("report.finding.budget", project=name, share=fmt.percent(share, L, 0))
    caption = ctx.t("report.fig.budget") + (
        " " + dated_rows.dated_note(scen, L, "report.dated.fig_budget") if dated else ""
    )
    return html.Chart(fig, caption, title=title)


#: the first word of a line's beneficiary unit (Vietnamese) when it counts no household -> its mark
REACH_COUNTED = {"người": "report.reach.in_persons", "nhà": "report.reach.in_houses"}


def _reach_chart(ctx) -> html.Chart:
    scen, L = ctx.scenario, ctx.lang
    cat = scen.catalogue
    reach = data.reach_by_line(ctx.tables.programme)
    hh_lines = [c for c in cat.codes if cat.lines[c].population == "households"]
    groups = []
    for y in scen.years:
        r = reach[reach["year"] == y].set_index("line")["reached"]
        groups.append((str(y), [float(r.get(c, 0.0)) for c in hh_lines]))
    if len(groups) > 1 and all(np.allclose(g[1], groups[0][1], rtol=1e-9, atol=1e-9) for g in groups):
        groups = [(ctx.t("report.each_year", y0=scen.years[0], y1=scen.years[-1]), groups[0][1])]
    tags = dated_rows.successor_tags(scen, L)  # a dated scenario: the content each line runs from 2026
    # a line counting persons or houses (P4.1–P4.3, P5) says so: the axis counts households
    counted = {c: REACH_COUNTED.get(cat.lines[c].unit("vi").split(" ")[0]) for c in hh_lines}
    fig = bars.barh(
        [
            short_name(c, cat, L, 40)
            + (f" / {tags[c]}" if c in tags else "")
            + (f" ({ctx.t(counted[c])})" if counted[c] else "")
            for c in hh_lines
        ],
        groups,
        xlabel=ctx.t("axis.households_reached_mixed" if any(counted.values()) else "axis.households_reached"),
        lang=L,
        value_fmt=lambda v: fmt.number(v, L),
    )
    note = " " + dated_rows.dated_note(scen, L, "report.dated.fig_reached") if tags else ""
    return html.Chart(fig, ctx.t("report.fig.reached") + note)


def _with_without_chart(ctx) -> html.Chart:
    ind, L = ctx.tables.indicators, ctx.lang
    with_p = data.series(ind, "poor", "province")
    fewer = data.series(ind, "poor_fewer_than_without_programme", "province").set_index("year")
    without = [m + float(fewer["mean"].get(y, 0.0)) for y, m in zip(with_p["year"], with_p["mean"])]
    years = with_p["year"].tolist()
    s1 = charts.Series(
        ctx.t("report.with_programme"), years, with_p["mean"].tolist(), with_p["lo"].tolist(), with_p["hi"].tolist(), 0
    )
    s2 = charts.Series(ctx.t("report.without_programme"), years, without, style=1)
    fig = charts.line_chart(
        [s1, s2],
        ylabel=ctx.t("axis.poor_households"),
        xlabel=ctx.t("axis.year"),
        lang=L,
        value_fmt=lambda v: fmt.number(v, L),
        ymin=None,
        breaks=[(y - 0.5, ctx.t("report.new_standard")) for y in standard_breaks(ind)],
    )
    title = ctx.t(
        "report.finding.with_without", fewer=fmt.households(ctx.head["poor_fewer_end"], L), y1=ctx.head["year_end"]
    )
    return html.Chart(fig, ctx.t("report.fig.with_without"), title=title)


def money(ctx) -> list:
    """Where the money goes (by project and source, households reached per line, cost per
    beneficiary), money that reaches no one, and what the money buys."""
    scen, L, h = ctx.scenario, ctx.lang, ctx.head
    total = data.budget_by_line(scen)["vnd"].sum() / 1e9
    blocks = [
        html.heading(ctx.t("report.section.money"), anchor="money", up=_up(ctx)),
        html.para(ctx.t("report.money.intro", total=fmt.number(total, L, 1), y0=scen.years[0], y1=scen.years[-1])),
        _budget_chart(ctx),
        _reach_chart(ctx),
        to_html(unfunded_in_note(money_table(ctx), L), L),
    ]
    un = unallocated_table(ctx)
    if un is not None:
        blocks.append(html.heading(ctx.t("report.unallocated.title"), 3, anchor="unallocated"))
        blocks.append(html.note(unallocated_sentence(un, L)))
        blocks.append(to_html(un, L))
    blocks.append(html.heading(ctx.t("report.money.buys"), 3))
    sentence = ctx.t(
        "report.money.cost_sentence",
        fewer=fmt.households(h["poor_fewer_end"], L),
        y1=h["year_end"],
        cost=fmt.million_vnd(h["cost_per_household_lifted_end"], L, 1),
        money=fmt.number(h["spend_total_billion"], L, 1),
    )
    blocks += [html.para(sentence), _with_without_chart(ctx)]
    return blocks


#: the coverage indicator counted on the poor units (districts, or communes from 1 July 2025)
INFRASTRUCTURE = "poor_districts_with_infrastructure"


def coverage_label(ctx, indicator: str, short: bool = False) -> str:
    """A coverage indicator's label (`short`: a chart panel's); the poor units' infrastructure by
    the units of the run's years when communes are among them («Tỷ lệ các xã nghèo …», the
    crossing's «… các huyện nghèo (2023–2025), các xã nghèo (2026–2027) …»), not «huyện nghèo»
    for 2026–2027 communes."""
    plain = i18n.t(f"short.indicator.{indicator}", ctx.lang) if short else i18n.label("indicator", indicator, ctx.lang)
    levels = Levels.of(ctx)
    # a run on districts throughout keeps the plain label (its poor units' one name, `Levels.geo`)
    if indicator != INFRASTRUCTURE or (not levels.switches() and levels.used_at() != "commune"):
        return plain
    areas = levels.geo_over("poor_districts", ctx.lang)
    if short:
        return i18n.t("report.coverage.infrastructure_short", ctx.lang, areas=areas)
    return i18n.t("report.coverage.infrastructure", ctx.lang, areas=lower_first(areas))


def coverage_table(ctx) -> ReportTable:
    ind, L = ctx.tables.indicators, ctx.lang
    t = lambda k, **kw: i18n.t(k, L, **kw)  # noqa: E731
    thr = {i: float(v) for i, v in ctx.tables.targets.groupby("indicator")["threshold"].first().items()}
    ys = data.years(ind)[1:]
    rows = []
    for i in data.COVERAGE_INDICATORS:
        s = data.series(ind, i, "province").set_index("year")["mean"]
        row = {t("table.indicator"): coverage_label(ctx, i)}
        row.update({str(y): float(s.get(y, np.nan)) for y in ys})
        row[t("table.threshold")] = thr.get(i, np.nan)
        rows.append(row)
    frame = pd.DataFrame(rows)
    return ReportTable("coverage", t("report.table.coverage"), frame, {c: "pct1" for c in frame.columns[1:]})


def coverage(ctx) -> list:
    """The plan's coverage targets: production support (80 %), officers trained (100 %), poor
    districts with infrastructure investment (100 %)."""
    ind, L = ctx.tables.indicators, ctx.lang
    thr = {i: float(v) for i, v in ctx.tables.targets.groupby("indicator")["threshold"].first().items()}
    ys = data.years(ind)[1:]
    panels = []
    for i in data.COVERAGE_INDICATORS:
        s = data.series(ind, i, "province").set_index("year")
        target = thr.get(i)
        panels.append(
            bars.BarPanel(
                textwrap.fill(coverage_label(ctx, i, short=True), 28),
                [str(y) for y in ys],
                [float(s["mean"].get(y, np.nan)) for y in ys],
                target,
                ctx.t("report.target_value", value=fmt.percent(target, L, 0)) if target is not None else "",
                [float(s["lo"].get(y, np.nan)) for y in ys] if ctx.spread_shown else None,
                [float(s["hi"].get(y, np.nan)) for y in ys] if ctx.spread_shown else None,
            )
        )
    fig = bars.bar_panels(
        panels, ylabel=ctx.t("axis.percent"), lang=L, value_fmt=lambda v: fmt.percent(v, L, 0), ymax=100.0
    )
    return [
        html.heading(ctx.t("report.section.coverage"), anchor="coverage", up=_up(ctx)),
        html.para(ctx.t("report.coverage.intro")),
        html.Chart(fig, ctx.t("report.fig.coverage")),
        to_html(coverage_table(ctx), L),
    ]
