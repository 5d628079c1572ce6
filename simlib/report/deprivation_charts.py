"""The deprivation section's charts (see `simlib.report.deprivation`): shares deprived by
indicator at the start and the end, the change by district as a heat map, deprivations removed by
project line, and FGT1/FGT2 by year; print-safe (hatches and greys, values written on the map).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from simlib import i18n
from simlib.chart_style import FILLS, STYLES
from simlib.i18n import fmt
from simlib.report.charts import year_ticks
from simlib.report.deprivation_tables import (
    DIMENSION_ORDER,
    compared_years,
    dimension_label,
    district_changes,
    indicator_label,
    removals_by_line,
    select_rows,
)
from simlib.standards import DIMENSIONS, INDICATORS

#: print-safe (face, hatch) per dimension: distinct when printed in black and white
DIMENSION_FILLS = dict(zip(DIMENSION_ORDER, FILLS))
#: the least half-span of the heat map's colour scale (points)
MIN_SPAN = 1.0


def years_axis(ax, years) -> None:
    """Whole years on the x axis (never «2023.2»), with half a year either side of one year."""
    years = sorted(int(y) for y in years)
    if not years:
        return
    ax.set_xticks(year_ticks(years), [str(y) for y in year_ticks(years)])
    pad = 0.25 if len(years) > 1 else 0.5
    ax.set_xlim(years[0] - pad, years[-1] + pad)


def plot_dimension_shares(
    deprivations: pd.DataFrame,
    population: str = "poor_near_poor",
    geo: str = "province",
    start: int | None = None,
    end: int | None = None,
    lang: str | None = None,
) -> Figure:
    """Horizontal bars: share of the population deprived in each indicator, start vs end year,
    indicators grouped by dimension; 5–95 % range across draws as whiskers when there are draws."""
    start, end = compared_years(deprivations, start, end)
    part = select_rows(deprivations, population, geo)
    part = part[part["indicator"].isin(INDICATORS) & part["year"].isin([start, end])]
    order = list(INDICATORS)
    fig = Figure(figsize=(8, 6.5), layout="constrained")
    ax = fig.add_subplot()
    ypos = np.arange(len(order))[::-1]
    for off, year, (face, hatch) in ((0.2, start, ("white", "///")), (-0.2, end, ("0.3", ""))):
        p = part[part["year"] == year]
        g = p.groupby("indicator")["share"]
        mean = g.mean().reindex(order)
        ax.barh(
            ypos + off,
            mean.to_numpy(),
            height=0.38,
            color=face,
            hatch=hatch,
            edgecolor="black",
            linewidth=0.6,
            label=str(year),
        )
        if p["draw"].nunique() > 1:
            lo, hi = g.quantile(0.05).reindex(order), g.quantile(0.95).reindex(order)
            ax.errorbar(mean.to_numpy(), ypos + off, xerr=[mean - lo, hi - mean], fmt="none", ecolor="black", lw=0.8)
    ax.set_yticks(
        ypos,
        [f"{indicator_label(i, lang)} ({dimension_label(d, lang)})" for d, inds in DIMENSIONS.items() for i in inds],
    )
    ax.set_xlabel(i18n.t("dep.axis.share", lang))
    fig.suptitle(i18n.t("dep.title.shares", lang, population=i18n.t(f"population.{population}", lang)))
    ax.legend(loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return fig


def plot_district_changes(
    deprivations: pd.DataFrame,
    population: str = "poor_near_poor",
    start: int | None = None,
    end: int | None = None,
    unit_names: Mapping[str, str] | None = None,
    lang: str | None = None,
) -> Figure:
    """Heat map of `district_changes` (points; green = fewer deprived). Without a unit compared
    (no unit rows for both years) the chart is left blank, not an image of no rows (whose axes
    have no span); the colour scale spans at least ±1 point (one review compared with itself,
    or no change anywhere, is «0,0» in the middle of the scale, not on a scale of ±0,1)."""
    start, end = compared_years(deprivations, start, end)
    tab = district_changes(deprivations, population, start, end, unit_names, lang)
    fig = Figure(figsize=(8.5, 0.45 * len(tab) + 2), layout="constrained")
    fig.suptitle(i18n.t("dep.title.district", lang, start=start, end=end))
    ax = fig.add_subplot()
    v = tab.to_numpy(float)
    if not np.isfinite(v).any():
        ax.set_axis_off()
        return fig
    lim = max(float(np.nanmax(np.abs(v))), MIN_SPAN)
    im = ax.imshow(v, cmap="RdYlGn_r", vmin=-lim, vmax=lim, aspect="auto")
    ax.set_xticks(range(tab.shape[1]), tab.columns, rotation=30, ha="right")
    ax.set_yticks(range(tab.shape[0]), tab.index)
    for (r, c), x in np.ndenumerate(v):
        if np.isfinite(x):  # printed values make the map readable in black and white; light text on dark cells
            ax.text(
                c,
                r,
                fmt.number(x, lang, 1),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if abs(x) > 0.6 * lim else "black",
            )
    fig.colorbar(im, ax=ax, label=i18n.t("dep.axis.points", lang))
    return fig


def plot_removals_by_line(
    removals: pd.DataFrame, line_names: Mapping[str, str] | None = None, lang: str | None = None
) -> Figure:
    """Stacked bars: deprivations removed by each line over the projection, by dimension."""
    tab = removals_by_line(removals, lang=lang)
    fig = Figure(figsize=(8, 0.5 * max(len(tab), 1) + 2), layout="constrained")
    ax = fig.add_subplot()
    if tab.empty:
        return fig
    left = np.zeros(len(tab))
    ypos = np.arange(len(tab))[::-1]
    for d in DIMENSION_ORDER:
        col = dimension_label(d, lang)
        if col not in tab.columns or not (tab[col] > 0).any():
            continue
        vals = tab[col].to_numpy(float)
        face, hatch = DIMENSION_FILLS[d]
        ax.barh(ypos, vals, left=left, color=face, hatch=hatch, edgecolor="black", linewidth=0.6, label=col)
        left += vals
    labels = [
        textwrap.shorten(f"{c} – {(line_names or {}).get(c, '')}".rstrip(" –"), 60, placeholder="…") for c in tab.index
    ]
    ax.set_yticks(ypos, labels)
    ax.xaxis.set_major_locator(MaxNLocator(6))
    ax.xaxis.set_major_formatter(fmt.axis_formatter(lang))
    ax.set_xlabel(i18n.t("dep.axis.households", lang))
    years = sorted(removals["year"].unique())
    fig.suptitle(i18n.t("dep.title.lines", lang, start=years[0], end=years[-1]))
    ax.legend(fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig


def plot_fgt(indicators: pd.DataFrame, geo: str = "province", lang: str | None = None) -> Figure:
    """FGT1 and FGT2 by year (mean; 5–95 % band across draws); a dashed line marks a new standard."""
    fig = Figure(figsize=(7, 3.8), layout="constrained")
    ax = fig.add_subplot()
    ind = indicators[indicators["geo"] == geo]
    for name, style in (("poverty_gap_index", STYLES[0]), ("poverty_severity_index", STYLES[1])):
        p = ind[ind["indicator"] == name]
        if p.empty:
            continue
        g = p.groupby("year")["value"]
        mean = g.mean()
        ax.plot(mean.index, mean.to_numpy(), **style, label=i18n.t(f"indicator.{name}", lang))
        if p["draw"].nunique() > 1:
            ax.fill_between(mean.index, g.quantile(0.05).to_numpy(), g.quantile(0.95).to_numpy(), color="0.85", lw=0)
    flag = indicators[(indicators["indicator"] == "standard_changed") & (indicators["value"] > 0)]
    for y in sorted(flag["year"].unique()):
        ax.axvline(y - 0.5, ls="--", color="grey")
        ax.annotate(
            i18n.t("indicator.standard_changed", lang),
            xy=(y - 0.5, 0),
            xycoords=("data", "axes fraction"),
            xytext=(4, 4),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=8,
            color="0.3",
        )
    years_axis(ax, ind["year"].unique())
    ax.set_ylabel(i18n.t("dep.axis.index", lang))
    fig.suptitle(i18n.t("dep.title.fgt", lang))
    if ax.get_legend_handles_labels()[0]:  # below the plot: never over the lines or the standard-change note
        fig.legend(loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    return fig
