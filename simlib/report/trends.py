"""The poor rate over the years in a scenario report: the published history before the
projection, the projection, and each yearly target drawn as the plan defines it — a change on
the previous year's rate, so each year's step starts from the year before (not a path from the
baseline that would let a year's miss hide behind an earlier year's gain).

A change of poverty standard inside the projection (2027) is marked on the charts, and no target
step is drawn across it: the rates on either side count households under different lines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import matplotlib
import numpy as np
import pandas as pd

from simlib import i18n
from simlib.i18n import fmt
from simlib.paths import data_dir
from simlib.report import charts, communes, data, html, uncertainty
from simlib.report.levels import Levels, lower_first, year_span
from simlib.report.real_change import standard_breaks, unit_change
from simlib.report.table import ReportTable, to_html

PUBLISHED = "published/poverty_figures.csv"
_START = re.compile(r"\bstart of (\d{4})")
_STANDARD = re.compile(r"(\d{4})-(\d{4}) standard")


def published_history(province_en: str, folder=None, first_year: int = 2015) -> pd.DataFrame:
    """The published poor rates of a province (`data/published/poverty_figures.csv`, rows of
    `<province_en> (province)` with a year and a rate) from `first_year` on: year (end of year; a
    figure for the start of a year counts for the end of the one before), rate (%), standard
    (e.g. 2016-2020, from the notes; a row that does not say takes the stated standard whose
    years cover it; '' if none) and source address. Later rows of the same year and standard
    replace earlier ones."""
    path = (folder or data_dir()) / PUBLISHED
    if not path.is_file() or not province_en:
        return pd.DataFrame(columns=["year", "rate", "standard", "url"])
    df = pd.read_csv(path, dtype=str)
    df = df[df["area"].str.strip() == f"{province_en} (province)"]
    rows = []
    for r in df.itertuples(index=False):
        rate = pd.to_numeric(r.poor_rate_pct, errors="coerce")
        notes = str(r.notes or "")
        if not str(r.year).isdigit() or not np.isfinite(rate):
            continue
        year = int(r.year)
        start = _START.search(notes)
        if start:
            year = int(start.group(1)) - 1
        std = _STANDARD.search(notes)
        rows.append(
            {"year": year, "rate": float(rate), "standard": std.group(0)[:9] if std else "", "url": r.source_url}
        )
    out = pd.DataFrame(rows, columns=["year", "rate", "standard", "url"])
    spans = [tuple(int(x) for x in st.split("-")) for st in set(out["standard"]) if st]
    for i, r in out[out["standard"] == ""].iterrows():
        cover = [f"{a}-{b}" for a, b in spans if a <= r["year"] <= b]
        out.loc[i, "standard"] = cover[0] if cover else ""
    out = out[out["year"] >= first_year]
    return out.drop_duplicates(["year", "standard"], keep="last").sort_values("year").reset_index(drop=True)


def target_steps(
    years: Sequence[int], values: Sequence[float], per_year: float | Mapping[int, float], skip: Sequence[int] = ()
) -> list:
    """The plan's yearly change targets as steps: for each year y after the first, from last
    year's projected value to that value plus the year's threshold — `per_year`, one number or
    {year: points} (a run crossing 2025→2026 has 5 points a year, then 3; no step into a year
    without one) — none into a year in `skip`. Returns [(x0, y0, x1, y1)]."""
    out = []
    for (y0, v0), y1 in zip(zip(years[:-1], values[:-1]), years[1:]):
        thr = per_year.get(int(y1)) if isinstance(per_year, Mapping) else per_year
        if y1 not in skip and thr is not None and np.isfinite(v0):
            out.append((y0, v0, y1, v0 + thr))
    return out


def rate_change_targets(targets, geo_types=("province", "poor_districts", "ethnic_group")) -> dict:
    """{geo: {year: threshold in points}} of the poor-rate change targets in a target table (a
    year's own threshold: the 2021–2025 and 2026–2030 targets differ)."""
    sel = targets[(targets["indicator"] == "poor_rate_change") & targets["geo_type"].isin(geo_types)]
    out: dict[str, dict[int, float]] = {}
    for (geo, year), v in sel.groupby(["geo", "year"], sort=False)["threshold"].first().items():
        out.setdefault(geo, {})[int(year)] = float(v)
    return out


def rule_text(per_year: Mapping[int, float], lang: str, years: Sequence[int] | None = None) -> str:
    """The threshold of a rate-change target for a caption: one number when every year (of
    `years`, default all) has the same, else each with its years ("−5,0 điểm % (2024–2025);
    −3,0 điểm % (2026–2027)")."""
    items = sorted((y, v) for y, v in per_year.items() if years is None or y in set(years))
    if not items:
        return "–"
    if len({v for _y, v in items}) == 1:
        return fmt.points(items[0][1], lang, 0)
    spans: list[list] = []
    for y, v in items:
        if spans and spans[-1][2] == v and spans[-1][1] == y - 1:
            spans[-1][1] = y
        else:
            spans.append([y, y, v])
    return "; ".join(
        f"{fmt.points(v, lang, 0)} ({a}–{b})" if a != b else f"{fmt.points(v, lang, 0)} ({a})" for a, b, v in spans
    )


def _steps(xs, ys, per_year, skip, label: str) -> list[charts.Target]:
    steps = target_steps(list(xs), list(ys), per_year, skip)
    return [charts.Target(label if i == 0 else "", [a, c], [b, d]) for i, (a, b, c, d) in enumerate(steps)]


def _history_series(hist: pd.DataFrame, lang: str) -> list[charts.Series]:
    """One dotted line per standard (a gap between standards), no end labels."""
    out = []
    for std, g in hist.groupby("standard", sort=False):
        label = i18n.t("report.history", lang, standard=std) if std else i18n.t("report.history_plain", lang)
        out.append(charts.Series(label, g["year"].tolist(), g["rate"].tolist(), style=3, end_label=False))
    return out


def rate_finding(verdicts: pd.DataFrame, geo: str, lang: str, levels: Levels | None = None) -> str:
    """What the chart shows: the change each year against its target, one sentence per target
    (a run crossing 2025→2026 has the 2021–2025 target, then the 2026–2030 one, with other
    thresholds); the area named by the units of the target's years (`simlib.report.levels`)."""
    v = verdicts[(verdicts["geo"] == geo) & (verdicts["indicator"] == "poor_rate_change")]
    sentences = []
    for _, rows in v.groupby((v["target_id"] != v["target_id"].shift()).cumsum(), sort=False):
        parts = [
            i18n.t(
                "report.finding.year",
                lang,
                year=int(r.year),
                change=fmt.number(abs(r.value), lang, 2),
                direction=i18n.t("report.finding.fall" if r.value < 0 else "report.finding.rise", lang),
                status=i18n.t(f"target.{r.status}", lang).lower(),
            )
            for r in rows.itertuples()
        ]
        thr = fmt.number(abs(float(rows["threshold"].iloc[0])), lang, 0)
        area = (levels or Levels()).geo_over(geo, lang, rows["year"].unique())
        sentences.append(i18n.t("report.finding.rates", lang, area=area, years="; ".join(parts), target=thr))
    return " ".join(sentences)


def province_chart(ctx) -> html.Chart:
    """The province's poor rate: published history, projection (with its 90 % band from the
    parameter draws when there are any) and the yearly target steps."""
    ind, L = ctx.tables.indicators, ctx.lang
    t = lambda k, **kw: i18n.t(k, L, **kw)  # noqa: E731
    s = data.series(ind, "poor_rate", "province", "province")
    lo, hi = _band(ctx, "province")
    proj = charts.Series(
        t("report.projected"), s["year"].tolist(), s["mean"].tolist(), lo or s["lo"].tolist(), hi or s["hi"].tolist(), 0
    )
    hist = published_history(ctx.scenario.dataset.meta.get("province_en", ""))
    breaks = standard_breaks(ind)
    thr = _thresholds(ctx).get("province")
    targets = _steps(s["year"], s["mean"], thr, breaks, t("report.target_step")) if thr is not None else []
    fig = charts.line_chart(
        _history_series(hist, L) + [proj],
        ylabel=t("axis.poor_rate"),
        xlabel=t("axis.year"),
        lang=L,
        targets=targets,
        value_fmt=lambda v: fmt.percent(v, L),
        ymin=0.0,
        height=3.8,
        breaks=[(y - 0.5, t("report.new_standard")) for y in breaks],
    )
    note = t("report.fig.province_history") if len(hist) else ""
    return html.Chart(
        fig, " ".join(x for x in (t("report.fig.province"), note) if x), title=rate_finding(ctx.verdicts, "province", L)
    )


def _band(ctx, geo: str) -> tuple[list | None, list | None]:
    """The 90 % band of the poor rate over the parameter draws, by year (None without draws)."""
    u = ctx.tables.uncertainty
    if not u or "quantiles" not in u:
        return None, None
    q = u["quantiles"]
    q = q[(q["indicator"] == "poor_rate") & (q["geo"] == geo)].sort_values("year")
    return (q["q05"].tolist(), q["q95"].tolist()) if len(q) else (None, None)


def _thresholds(ctx) -> dict[str, float]:
    return rate_change_targets(ctx.tables.targets)


def rate_panel(ctx, geo: str, geo_type: str, title: str, threshold: float | None, breaks, band=None) -> charts.Panel:
    """One small multiple: the projected poor rate of `geo` with its band — `band` (lo, hi) by
    year, or the run's own spread (`lo`, `hi` of its series) when None — and the target steps of
    `threshold` points a year (none when `threshold` is None)."""
    s = data.series(ctx.tables.indicators, "poor_rate", geo, geo_type)
    lo, hi = band if band is not None else (s["lo"].tolist(), s["hi"].tolist())
    line = charts.Series(ctx.t("report.projected"), s["year"].tolist(), s["mean"].tolist(), lo, hi, 0)
    steps = [] if threshold is None else _steps(s["year"], s["mean"], threshold, breaks, ctx.t("report.target_step"))
    return charts.Panel(title, [line], steps)


def rate_panels_figure(ctx, panels: list, ncols: int, panel_height: float, ylabel: str, break_label: str):
    """The small multiples of `rate_panel`s, with the legend and the standard change marked."""
    L = ctx.lang
    return charts.line_panels(
        panels,
        ylabel=ctx.t(ylabel),
        xlabel=ctx.t("axis.year"),
        lang=L,
        ncols=ncols,
        value_fmt=lambda v: fmt.percent(v, L),
        legend=[(ctx.t("report.projected"), 0), (ctx.t("report.target_step"), "target")],
        panel_height=panel_height,
        breaks=[(y - 0.5, break_label) for y in standard_breaks(ctx.tables.indicators)],
    )


def group_panels(ctx) -> html.Chart:
    """Poor districts together and ethnic-minority households: projection and target steps."""
    L, thr, breaks, lv = ctx.lang, _thresholds(ctx), standard_breaks(ctx.tables.indicators), Levels.of(ctx)
    years = data.years(ctx.tables.indicators)
    panels = [
        rate_panel(
            ctx,
            geo,
            gt,
            charts.panel_title(lv.geo_parts(geo, L, years), 48),
            thr.get(geo),
            breaks,
            band=_band(ctx, geo),
        )
        for geo, gt in (("poor_districts", "poor_districts"), ("ethnic_minority", "ethnic_group"))
    ]
    fig = rate_panels_figure(ctx, panels, 2, 2.8, "axis.poor_rate", ctx.t("report.new_standard"))
    title = " ".join(
        x for x in (rate_finding(ctx.verdicts, g, L, lv) for g in ("poor_districts", "ethnic_minority")) if x
    )
    area = lower_first(lv.geo_over("poor_districts", L, years))
    caption = ctx.t("report.fig.groups", area=area)
    kept = lv.kept_years(years)
    if kept:  # one name for the group, its years on the 2024 districts said in words
        caption += " " + ctx.t("report.fig.kept_districts", years=year_span(kept))
    return html.Chart(fig, caption, title=title)


def poor_units(ctx) -> list[str]:
    ds = ctx.scenario.dataset
    return [u for u, p in zip(ds.unit_ids, ds.poor_district) if p]


def district_panels(ctx) -> html.Chart:
    """Small multiples: the poor rate of every district, with the poor-district target steps."""
    thr, breaks, poor = _thresholds(ctx).get("poor_districts"), standard_breaks(ctx.tables.indicators), poor_units(ctx)
    panels = [
        rate_panel(ctx, u, "district", name + (" ★" if u in poor else ""), thr if u in poor else None, breaks)
        for u, name in ctx.unit_names.items()
    ]
    fig = rate_panels_figure(ctx, panels, 5, 2.0, "axis.poor_rate", "")
    # the caption names the thresholds of the years these units are drawn for (a run that switched
    # units draws its districts up to the switch only)
    rule = rule_text(thr, ctx.lang, unit_years(ctx)) if thr is not None else "–"
    return html.Chart(fig, Levels.of(ctx).t("report.fig.districts", ctx.lang, rule=rule))


def unit_series(ctx) -> dict[str, pd.Series]:
    """The poor rate (mean) of every unit of the report by year."""
    ind = ctx.tables.indicators
    return {u: data.series(ind, "poor_rate", u, "district").set_index("year")["mean"] for u in ctx.unit_names}


def unit_years(ctx, series: dict[str, pd.Series] | None = None) -> list[int]:
    """The years the report's units have: all of the run's years, or, for a run that switched
    units (`simlib.unit_switch`), its first units' years up to the switch only."""
    series = unit_series(ctx) if series is None else series
    return sorted({int(y) for s in series.values() for y in s.index}) or data.years(ctx.tables.indicators)


def district_table(ctx) -> ReportTable:
    """The poor rate of every district by year, and its average yearly change (across a change of
    standard on real change only when the run gives it, else saying it includes the
    reclassification: `simlib.report.real_change`)."""
    L, lv = ctx.lang, Levels.of(ctx)
    series = unit_series(ctx)
    ys = unit_years(ctx, series)
    poor, unit_col = poor_units(ctx), lv.t("table.district", L)
    reading = unit_change(ctx, ctx.unit_names, ys[0], ys[-1])
    change = reading.header(L)
    rows = []
    for u, name in ctx.unit_names.items():
        s = series[u]
        row = {unit_col: name + (" ★" if u in poor else "")}
        row.update({str(y): s.get(y, np.nan) for y in ys})
        row[change] = reading.per_year(u, s.iloc[0], s.iloc[-1], len(s))
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[unit_col] + [str(y) for y in ys] + [change])
    formats = {str(y): "pct1" for y in ys} | {change: "pts2"}
    return ReportTable("district_rates", lv.t("report.table.districts", L), frame, formats, reading.note(L))


def switched_unit_table(ctx) -> ReportTable | None:
    """The poor rate of every unit a run's engine switched to, by year from the switch
    (`simlib.report.communes.after_switch`; the workbook's full table of those units), or None."""
    after = communes.after_switch(ctx)
    if after is None:
        return None
    table = district_table(after)
    return ReportTable("switched_unit_rates", table.title, table.frame, table.formats)


def fan_panels(ctx) -> html.Chart:
    """Fan charts of the poor rate of the province, the poor districts together and
    ethnic-minority households over the parameter draws, each with its target steps."""
    L = ctx.lang
    t = lambda k, **kw: i18n.t(k, L, **kw)  # noqa: E731
    tables = ctx.unc_tables()
    geos, years = ("province", "poor_districts", "ethnic_minority"), data.years(ctx.tables.indicators)
    fig = charts.new_figure(charts.WIDTH, 3.3)
    with matplotlib.rc_context(charts.RC):
        axes = fig.subplots(1, len(geos), sharey=True)
        for i, (ax, geo) in enumerate(zip(axes, geos)):
            uncertainty.fan_chart(tables, "poor_rate", geo, lang=L, ax=ax, legend=False, title=False)
            ax.set_title(charts.panel_title(Levels.of(ctx).geo_parts(geo, L, years), 30), loc="left", fontsize=9)
            ax.set_xlabel(t("axis.year"), fontsize=8.5)
            ax.set_ylabel(t("axis.poor_rate") if i == 0 else "")
            ax.grid(alpha=1.0)
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside upper left", ncols=3, fontsize=8.5)
    return html.Chart(fig, t("report.fig.fans"))


def trajectories(ctx) -> list:
    """Poor rate over the years: province (with the published history), poor districts and
    ethnic-minority households, every district; each against the yearly target steps."""
    L = ctx.lang
    blocks = [
        html.heading(ctx.t("report.section.trajectories"), anchor="trajectories", up=ctx.t("report.toc.up")),
        html.para(ctx.t("report.trajectories.intro")),
        province_chart(ctx),
        group_panels(ctx),
    ]
    if communes.many_units(ctx):  # ~56 communes: ranked dots, a map, cut tables (simlib.report.communes)
        blocks += communes.unit_views(ctx)
    else:
        blocks += [district_panels(ctx), to_html(district_table(ctx), L)]
    blocks += communes.switched_unit_views(ctx)  # a run that switched units: its new units too
    blocks += communes.changes_views(ctx)
    if ctx.spread_shown:
        blocks.append(html.para(ctx.t("report.band_note", n=ctx.draws), "sl-small"))
    return blocks
