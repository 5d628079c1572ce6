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
#: a heat map cell (inches): wide enough for «−12,3» at `CELL_FONT` points, tall enough for a line
CELL_W, CELL_H, CELL_FONT = 0.5, 0.25, 8.0
#: the most rows in one panel of the heat map: a longer map is cut into panels side by side so that
#: it prints on one A4 page at a readable size (60 communes: two panels of 30, not one strip of
#: 60 rows shrunk to a third of the page's width); at most `MAX_PANELS`
PANEL_ROWS, MAX_PANELS = 34, 3
#: the most height for a width that prints on one A4 page: its text area, 267 x 186 mm, less a
#: title and caption (235 mm, as `figure.sl-chart img` in print allows)
PAGE_RATIO = 235 / 186
#: a panel of more rows than this repeats its column labels at its foot
FOOT_ROWS = 16
#: characters a line of a column label (a dimension's name) above the cells
LABEL_CHARS = 10
#: inches a project line takes in the chart of deprivations removed (bars 0.26 in thick, 19 pt: the
#: 20 lines of plan_2027 took a printed page at 0.5 in, the chart shrunk to its height; print65)
LINE_ROW = 0.32
#: the heat map's colour scale: green fewer deprived, red more; its greys are darkest at both
#: ends, so every cell's value is written in it, with its sign, in black on light cells and in
#: white on dark ones (`ink`): the map reads the same printed in grey
HEAT_CMAP = "RdYlGn_r"


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


def ink(rgba) -> str:
    """The text colour readable on a cell of colour `rgba`: black on a light cell, white on a dark
    one (its grey as a printer renders it: 0.299 R + 0.587 G + 0.114 B, below one half)."""
    r, g, b = rgba[:3]
    return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else "black"


def heat_size(rows: int, columns: int, n: int) -> tuple[float, float]:
    """(width, height) in inches of a heat map of `rows` x `columns` cells in `n` panels."""
    per = -(-rows // n) if rows else 0
    return max(n * (1.3 + CELL_W * max(columns, 1)) + 0.4, 5.0), CELL_H * per + 2.4


def heat_panels(rows: int, columns: int = 6) -> list[slice]:
    """The rows of each panel of a heat map of `rows` x `columns` cells: as few panels of nearly
    equal rows (at most `MAX_PANELS`) as hold at most `PANEL_ROWS` rows each and print no taller
    than an A4 text area for their width (`PAGE_RATIO`)."""
    n = 1
    while n < MAX_PANELS and (
        -(-rows // n) > PANEL_ROWS or heat_size(rows, columns, n)[1] > PAGE_RATIO * heat_size(rows, columns, n)[0]
    ):
        n += 1
    per = max(-(-rows // n), 1)
    return [slice(i * per, min(rows, (i + 1) * per)) for i in range(n) if i * per < rows]


def _heat_panel(ax, v, rows, columns, lim: float, lang) -> object:
    """One panel of the heat map: cells, each value written in it (`ink`), column labels above
    (and at the foot too when the panel is long), row labels at the left."""
    im = ax.imshow(v, cmap=HEAT_CMAP, vmin=-lim, vmax=lim, aspect="auto", interpolation="nearest")
    labels = [textwrap.fill(str(c), LABEL_CHARS, break_long_words=False) for c in columns]
    ax.set_xticks(range(len(columns)), labels, fontsize=CELL_FONT)
    ax.tick_params(axis="x", top=True, labeltop=True, bottom=len(rows) > FOOT_ROWS, labelbottom=len(rows) > FOOT_ROWS)
    ax.set_yticks(range(len(rows)), rows, fontsize=CELL_FONT + 0.5)
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    for (r, c), x in np.ndenumerate(v):
        if np.isfinite(x):
            colour = ink(im.cmap(im.norm(x)))
            ax.text(c, r, fmt.signed(x, lang, 1), ha="center", va="center", fontsize=CELL_FONT, color=colour)
    return im


def plot_district_changes(
    deprivations: pd.DataFrame,
    population: str = "poor_near_poor",
    start: int | None = None,
    end: int | None = None,
    unit_names: Mapping[str, str] | None = None,
    lang: str | None = None,
) -> Figure:
    """Heat map of `district_changes` (points; green = fewer deprived), its column labels above the
    cells (and at the foot of a long panel), each value written in its cell with its sign, a long
    map cut into panels side by side (`heat_panels`), sized so that it prints on a page at the
    report's type size. Without a unit compared (no unit rows for both years) the chart is left
    blank, not an image of no rows (whose axes have no span); the colour scale spans at least ±1
    point (one review compared with itself, or no change anywhere, is «0,0» in the middle of the
    scale, not on a scale of ±0,1)."""
    start, end = compared_years(deprivations, start, end)
    tab = district_changes(deprivations, population, start, end, unit_names, lang)
    v = tab.to_numpy(float)
    panels = heat_panels(*tab.shape)
    fig = Figure(figsize=heat_size(*tab.shape, len(panels)), layout="constrained")
    fig.suptitle(i18n.t("dep.title.district", lang, start=start, end=end))
    if not np.isfinite(v).any():
        fig.add_subplot().set_axis_off()
        return fig
    lim = max(float(np.nanmax(np.abs(v))), MIN_SPAN)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, rows in zip(axes, panels):
        im = _heat_panel(ax, v[rows], list(tab.index[rows]), tab.columns, lim, lang)
    bar = fig.colorbar(im, ax=list(axes), orientation="horizontal", location="bottom", shrink=0.5, aspect=40)
    bar.set_label(i18n.t("dep.axis.points", lang))
    return fig


def plot_removals_by_line(
    removals: pd.DataFrame, line_names: Mapping[str, str] | None = None, lang: str | None = None
) -> Figure:
    """Stacked bars: deprivations removed by each line over the projection, by dimension."""
    tab = removals_by_line(removals, lang=lang)
    fig = Figure(figsize=(8, LINE_ROW * max(len(tab), 1) + 2), layout="constrained")
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
