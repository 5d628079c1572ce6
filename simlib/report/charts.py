"""Matplotlib charts for reports, readable when printed in black and white.

Every chart distinguishes its series by line style, marker and hatch (not colour alone), labels
lines directly at their right end, puts units on every axis (households, %, billion VND) and draws
targets as dashed lines with their own label. Numbers use the report language's separators.

The functions take plain numbers and labels (already translated) and return a
`matplotlib.figure.Figure` built without pyplot, so nothing here touches global state and charts
can be drawn in worker processes. `to_png` turns a figure into bytes for embedding.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import matplotlib

# Charts here are drawn without pyplot, so any backend will do; pick the file-only one for worker
# processes, but never switch a notebook's backend (that would stop its own pyplot figures showing).
if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
    matplotlib.use("Agg", force=False)

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.transforms import blended_transform_factory  # noqa: E402

from simlib.i18n import fmt  # noqa: E402

#: print-safe series styles: (colour, line style, marker); greys stay distinct when printed
STYLES: tuple[dict, ...] = (
    {"color": "black", "linestyle": "-", "marker": "o"},
    {"color": "0.35", "linestyle": "--", "marker": "s"},
    {"color": "0.5", "linestyle": "-.", "marker": "^"},
    {"color": "0.15", "linestyle": ":", "marker": "D"},
    {"color": "0.45", "linestyle": (0, (5, 1, 1, 1, 1, 1)), "marker": "v"},
    {"color": "0.25", "linestyle": (0, (8, 2)), "marker": "P"},
    {"color": "0.6", "linestyle": "-", "marker": "X"},
    {"color": "0.1", "linestyle": (0, (1, 3)), "marker": "*"},
)
#: bar fills: (face colour, hatch) pairs that differ in print
FILLS: tuple[tuple[str, str], ...] = (
    ("0.25", ""),
    ("white", "///"),
    ("0.7", ""),
    ("white", "..."),
    ("0.5", "xx"),
    ("white", "\\\\\\"),
    ("0.9", "++"),
    ("0.1", ""),
)
TARGET_STYLE = {"color": "black", "linestyle": (0, (6, 3)), "linewidth": 1.3}
BAND_COLOUR = "0.85"
RC = {
    "font.family": "DejaVu Sans",  # ships with matplotlib and covers Vietnamese diacritics
    "font.size": 9.5,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "0.88",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "hatch.linewidth": 0.6,
    "svg.fonttype": "none",
}
WIDTH = 8.6  # inches: the report column at ~110 dpi
DPI = 110


@dataclass
class Series:
    """One line: x (years), y, optional band lo..hi (e.g. the spread over microsim draws)."""

    label: str
    x: Sequence[float]
    y: Sequence[float]
    lo: Sequence[float] | None = None
    hi: Sequence[float] | None = None
    style: int = 0
    value_labels: bool = False  # write the value at each point
    end_label: bool = True  # label the line at the right edge with its last value


@dataclass
class Target:
    """A target drawn as a dashed line (a path over years, or a constant; a step of a yearly
    change target is a two-point Target). Only targets with a label get an end label."""

    label: str
    x: Sequence[float]
    y: Sequence[float]


@dataclass
class Panel:
    """One small-multiple panel: its title, lines and target lines."""

    title: str
    series: list[Series]
    targets: list[Target] = field(default_factory=list)


@dataclass
class BarPanel:
    """One panel of vertical bars (e.g. a coverage indicator per year) with an optional target."""

    title: str
    categories: Sequence[str]
    values: Sequence[float]
    target: float | None = None
    target_label: str = ""
    lo: Sequence[float] | None = None
    hi: Sequence[float] | None = None


def to_png(fig: Figure, dpi: int = DPI) -> bytes:
    """PNG bytes of a figure (tight bounding box so direct labels outside the axes are kept)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.12, metadata={"Software": None})
    return buf.getvalue()


def _figure(width: float, height: float, layout: str | None = "constrained") -> Figure:
    with matplotlib.rc_context(RC):
        return Figure(figsize=(width, height), layout=layout)


def year_ticks(xs: Sequence[float], max_ticks: int = 9) -> list[int]:
    """The years to label on an axis: all of them, or every k-th (the last always) when there are
    more than `max_ticks`, so labels never overlap."""
    xs = sorted(set(int(x) for x in xs))
    if len(xs) <= max_ticks:
        return xs
    step = int(np.ceil(len(xs) / max_ticks))
    return [x for x in xs if (xs[-1] - x) % step == 0]


def _years_axis(ax, xs: Sequence[float], xlabel: str | None, max_ticks: int = 9) -> None:
    years = sorted(set(int(x) for x in xs))
    ticks = year_ticks(years, max_ticks)
    ax.set_xticks(ticks)
    ax.set_xticklabels([str(x) for x in ticks])  # years: never thousands separators
    pad = 0.25 if len(years) > 1 else 0.5
    ax.set_xlim(years[0] - pad, years[-1] + pad)
    if xlabel:
        ax.set_xlabel(xlabel)


def spread_positions(ys: Sequence[float], gap: float, lo: float, hi: float) -> list[float]:
    """Move label positions apart so neighbours are at least `gap` apart, staying within
    [lo, hi] where possible; the order of the labels is kept."""
    order = np.argsort(ys, kind="stable")
    pos = np.asarray(ys, float)[order].copy()
    for i in range(1, len(pos)):
        pos[i] = max(pos[i], pos[i - 1] + gap)
    if len(pos) and pos[-1] > hi:
        pos[-1] = hi
        for i in range(len(pos) - 2, -1, -1):
            pos[i] = min(pos[i], pos[i + 1] - gap)
    if len(pos) and pos[0] < lo:
        pos += lo - pos[0]
    out = np.empty_like(pos)
    out[order] = pos
    return list(out)


def _end_labels(ax, entries: list[tuple[float, str, dict]]) -> None:
    """Write labels just right of the axes at the y of each line's last point."""
    if not entries:
        return
    y0, y1 = ax.get_ylim()
    gap = (y1 - y0) * 0.075
    ys = spread_positions([e[0] for e in entries], gap, y0, y1)
    tr = blended_transform_factory(ax.transAxes, ax.transData)
    for (y_true, text, _style), y in zip(entries, ys):
        ax.annotate(
            text,
            xy=(1.0, y_true),
            xycoords=tr,
            xytext=(1.02, y),
            textcoords=tr,
            va="center",
            ha="left",
            fontsize=8.8,
            color="black",
            annotation_clip=False,  # grey text prints too faint
            arrowprops={"arrowstyle": "-", "color": "0.6", "lw": 0.6, "shrinkA": 0, "shrinkB": 2}
            if abs(y - y_true) > gap * 0.3
            else None,
        )


def _draw_line(ax, s: Series, value_fmt: Callable | None) -> dict:
    st = dict(STYLES[s.style % len(STYLES)])
    x = np.asarray(s.x, float)
    y = np.asarray(s.y, float)
    if s.lo is not None and s.hi is not None and np.any(np.asarray(s.hi) - np.asarray(s.lo) > 0):
        ax.fill_between(x, np.asarray(s.lo, float), np.asarray(s.hi, float), color=BAND_COLOUR, linewidth=0, zorder=1)
    ax.plot(
        x,
        y,
        color=st["color"],
        linestyle=st["linestyle"],
        marker=st["marker"],
        markersize=5,
        linewidth=1.8,
        zorder=3,
        markerfacecolor="white" if s.style % 2 else st["color"],
    )
    if s.value_labels and value_fmt is not None:
        for xi, yi in zip(x[:-1], y[:-1]):  # the last value goes into the end label
            if np.isfinite(yi):
                ax.annotate(
                    value_fmt(yi),
                    (xi, yi),
                    xytext=(0, 7),
                    textcoords="offset points",
                    ha="center",
                    fontsize=8,
                    color=st["color"],
                )
    return st


def _draw_target(ax, t: Target) -> None:
    ax.plot(np.asarray(t.x, float), np.asarray(t.y, float), zorder=2, **TARGET_STYLE)


def _draw_breaks(ax, breaks: Sequence[tuple[float, str]]) -> None:
    """Vertical dashed lines at a change of standard (or of series), labelled at the bottom."""
    for x, label in breaks:
        ax.axvline(x, color="0.45", linestyle=(0, (2, 2)), linewidth=1.0, zorder=1)
        if label:
            ax.annotate(
                label,
                xy=(x, 0),
                xycoords=("data", "axes fraction"),
                xytext=(3, 3),
                textcoords="offset points",
                fontsize=7.5,
                color="0.25",
                rotation=90,
                va="bottom",
            )


def _lines_on(ax, series: Sequence[Series], targets: Sequence[Target], value_fmt, end_labels: bool, ymin) -> None:
    entries = []
    for s in series:
        st = _draw_line(ax, s, value_fmt)
        finite = np.asarray(s.y, float)[np.isfinite(np.asarray(s.y, float))]
        if end_labels and s.end_label and len(finite):
            last = float(finite[-1])
            text = s.label + (f": {value_fmt(last)}" if value_fmt else "")
            entries.append((last, text, st))
    for t in targets:
        _draw_target(ax, t)
        if end_labels and t.label and len(t.y):
            last = float(np.asarray(t.y, float)[-1])
            text = t.label + (f": {value_fmt(last)}" if value_fmt else "")
            entries.append((last, text, TARGET_STYLE))
    lo, hi = ax.get_ylim()
    if ymin is not None:
        lo = ymin
    ax.set_ylim(lo, hi + (hi - lo) * 0.08)
    if end_labels:
        _end_labels(ax, entries)


def line_chart(
    series: Sequence[Series],
    *,
    ylabel: str,
    xlabel: str,
    lang: str,
    title: str | None = None,
    targets: Sequence[Target] = (),
    value_fmt: Callable[[float], str] | None = None,
    ymin: float | None = 0.0,
    height: float = 3.6,
    width: float = WIDTH,
    label_room: float = 0.34,
    breaks: Sequence[tuple[float, str]] = (),
    legend: Sequence[tuple[str, int | str]] = (),
) -> Figure:
    """Lines over years, each labelled at its end (in the right `label_room` share of the
    figure), with dashed target lines, vertical `breaks` (x, label) and an optional legend
    above (see `line_panels`)."""
    fig = _figure(width, height, layout=None)
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        fig.subplots_adjust(left=0.1, right=1.0 - label_room, bottom=0.15, top=0.86 if legend else 0.93)
        _lines_on(ax, series, targets, value_fmt, True, ymin)
        _draw_breaks(ax, breaks)
        _years_axis(ax, [x for s in series for x in s.x], xlabel)
        if legend:
            fig.legend(handles=legend_handles(legend), loc="upper left", ncols=min(len(legend), 3), fontsize=8.5)
        ax.set_ylabel(ylabel)
        ax.yaxis.set_major_formatter(fmt.axis_formatter(lang))
        if title:
            ax.set_title(title, loc="left")
    return fig


def _data_range(p: Panel) -> tuple[float, float]:
    vals = []
    for s in p.series:
        vals += list(np.asarray(s.y, float))
        if s.lo is not None and s.hi is not None:
            vals += list(np.asarray(s.lo, float)) + list(np.asarray(s.hi, float))
    for t in p.targets:
        vals += list(np.asarray(t.y, float))
    v = np.asarray(vals, float)
    v = v[np.isfinite(v)]
    return (float(v.min()), float(v.max())) if v.size else (0.0, 1.0)


def line_panels(
    panels: Sequence[Panel],
    *,
    ylabel: str,
    xlabel: str,
    lang: str,
    ncols: int = 3,
    value_fmt: Callable[[float], str] | None = None,
    sharey: bool = True,
    ymin: float | None = 0.0,
    legend: Sequence[tuple[str, int | str]] = (),
    panel_height: float = 2.3,
    breaks: Sequence[tuple[float, str]] = (),
) -> Figure:
    """Small multiples: one panel per area with its lines and targets; `legend` = [(label,
    style index or 'target')] shown once above the panels; `breaks` marked in every panel (the
    label in the first). Year labels are thinned in narrow panels so they never overlap."""
    n = len(panels)
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig = _figure(WIDTH, panel_height * nrows + (0.3 * int(np.ceil(len(legend) / 3)) + 0.15 if legend else 0.1))
    with matplotlib.rc_context(RC):
        axes = fig.subplots(nrows, ncols, sharey=sharey, squeeze=False)
        for i, p in enumerate(panels):
            ax = axes[i // ncols][i % ncols]
            _lines_on(ax, p.series, p.targets, None, False, ymin)
            if value_fmt:
                for s in p.series:
                    y = np.asarray(s.y, float)
                    ax.annotate(
                        value_fmt(y[-1]),
                        (s.x[-1], y[-1]),
                        xytext=(4, 0),
                        textcoords="offset points",
                        ha="left",
                        va="center",
                        fontsize=7.5,
                    )
            _draw_breaks(ax, [(x, lab if i == 0 else "") for x, lab in breaks])
            _years_axis(ax, [x for s in p.series for x in s.x], None, max_ticks=4 if ncols >= 4 else 6)
            ax.set_title(p.title, loc="left", fontsize=9)
            ax.yaxis.set_major_formatter(fmt.axis_formatter(lang))
            if i % ncols == 0:
                ax.set_ylabel(ylabel)
            if i // ncols == nrows - 1 or i + ncols >= n:
                ax.set_xlabel(xlabel, fontsize=8.5)
        for j in range(n, nrows * ncols):
            axes[j // ncols][j % ncols].set_visible(False)
        if sharey and n:
            lows, highs = zip(*(_data_range(p) for p in panels))
            lo = ymin if ymin is not None else min(lows)
            hi = max(highs)
            pad = (hi - lo) * 0.08 or 1.0
            axes[0][0].set_ylim(lo if ymin is not None else lo - pad, hi + pad)
        if legend:
            fig.legend(
                handles=legend_handles(legend), loc="outside upper left", ncols=min(len(legend), 3), fontsize=8.8
            )
    return fig


def legend_handles(legend: Sequence[tuple[str, int | str]]) -> list:
    """Legend entries (label, style index | 'target') as line handles in the charts' styles."""
    from matplotlib.lines import Line2D

    handles = []
    for label, st in legend:
        if st == "target":
            handles.append(Line2D([], [], label=label, **TARGET_STYLE))
            continue
        s = STYLES[int(st) % len(STYLES)]
        handles.append(
            Line2D(
                [],
                [],
                label=label,
                color=s["color"],
                linestyle=s["linestyle"],
                marker=s["marker"],
                markerfacecolor="white" if int(st) % 2 else s["color"],
            )
        )
    return handles


def grouped_bars(
    categories: Sequence[str],
    groups: Sequence[tuple[str, Sequence[float]]],
    *,
    ylabel: str,
    lang: str,
    value_fmt: Callable[[float], str],
    xlabel: str | None = None,
    height: float = 3.6,
    errors: Sequence[tuple[Sequence[float], Sequence[float]]] | None = None,
) -> Figure:
    """Vertical bars: categories on the x axis (labelled directly), one hatched bar per group;
    every bar carries its value."""
    fig = _figure(WIDTH, height)
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        n = len(groups)
        width = 0.8 / max(n, 1)
        x = np.arange(len(categories))
        for gi, (label, values) in enumerate(groups):
            face, hatch = FILLS[gi % len(FILLS)]
            pos = x - 0.4 + width * (gi + 0.5)
            vals = np.asarray(values, float)
            bars = ax.bar(
                pos,
                vals,
                width * 0.92,
                color=face,
                hatch=hatch,
                edgecolor="black",
                linewidth=0.7,
                label=label,
                zorder=3,
            )
            if errors is not None:
                lo, hi = (np.asarray(a, float) for a in errors[gi])
                ax.errorbar(
                    pos,
                    vals,
                    yerr=[vals - lo, hi - vals],
                    fmt="none",
                    ecolor="black",
                    elinewidth=0.8,
                    capsize=2,
                    zorder=4,
                )
            tops = vals if errors is None else np.fmax(vals, np.asarray(errors[gi][1], float))
            for b, v, top in zip(bars, vals, tops):
                ax.annotate(
                    value_fmt(v),
                    (b.get_x() + b.get_width() / 2, top),
                    xytext=(0, 2),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=7.5,
                    rotation=90 if n > 2 else 0,
                )
        ax.set_xticks(x)
        ax.set_xticklabels(categories, fontsize=8.5)
        ax.set_ylabel(ylabel)
        if xlabel:
            ax.set_xlabel(xlabel)
        ax.yaxis.set_major_formatter(fmt.axis_formatter(lang))
        lo, hi = ax.get_ylim()
        ax.set_ylim(0, hi * (1.22 if n > 2 else 1.1))
        ax.grid(axis="x", visible=False)
        if n > 1:
            ax.legend(loc="upper right", ncols=min(n, 4), fontsize=8.5)
    return fig


def stacked_barh(
    categories: Sequence[str],
    segments: Sequence[tuple[str, Sequence[float]]],
    *,
    xlabel: str,
    lang: str,
    total_fmt: Callable[[float], str],
    height: float | None = None,
) -> Figure:
    """Horizontal stacked bars (e.g. money by project, split by source), total at each bar's end;
    the first category is at the top."""
    fig = _figure(WIDTH, height or max(2.2, 0.42 * len(categories) + 1.2))
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        y = np.arange(len(categories))[::-1]
        left = np.zeros(len(categories))
        for si, (label, values) in enumerate(segments):
            vals = np.asarray(values, float)
            if not np.any(vals > 0):
                continue
            face, hatch = FILLS[si % len(FILLS)]
            ax.barh(
                y,
                vals,
                0.68,
                left=left,
                color=face,
                hatch=hatch,
                edgecolor="black",
                linewidth=0.6,
                label=label,
                zorder=3,
            )
            left += vals
        for yi, tot in zip(y, left):
            ax.annotate(total_fmt(tot), (tot, yi), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8.3)
        ax.set_yticks(y)
        ax.set_yticklabels(categories, fontsize=8.5)
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_formatter(fmt.axis_formatter(lang))
        ax.set_xlim(0, max(left.max() * 1.18, 1e-9))
        ax.grid(axis="y", visible=False)
        if ax.get_legend_handles_labels()[0]:
            fig.legend(loc="outside lower center", ncols=3, fontsize=8.3)
    return fig


def barh(
    categories: Sequence[str],
    groups: Sequence[tuple[str, Sequence[float]]],
    *,
    xlabel: str,
    lang: str,
    value_fmt: Callable[[float], str],
    height: float | None = None,
) -> Figure:
    """Horizontal bars, one hatched bar per group (e.g. per year) for each category, with the
    value at each bar's end; the first category is at the top."""
    n = max(len(groups), 1)
    fig = _figure(WIDTH, height or max(2.0, (0.26 + 0.2 * n) * len(categories) + 1.0))
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        y = np.arange(len(categories))[::-1].astype(float)
        h = 0.76 / n
        top = 0.0
        for gi, (label, values) in enumerate(groups):
            vals = np.asarray(values, float)
            face, hatch = FILLS[gi % len(FILLS)]
            pos = y + 0.38 - h * (gi + 0.5)
            ax.barh(
                pos,
                np.nan_to_num(vals),
                h * 0.9,
                color=face,
                hatch=hatch,
                edgecolor="black",
                linewidth=0.6,
                label=label,
                zorder=3,
            )
            for yi, v in zip(pos, vals):
                ax.annotate(
                    value_fmt(v),
                    (v if np.isfinite(v) else 0, yi),
                    xytext=(4, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=7.8,
                )
            if np.any(np.isfinite(vals)):
                top = max(top, float(np.nanmax(vals)))
        ax.set_yticks(y)
        ax.set_yticklabels(categories, fontsize=8.5)
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_formatter(fmt.axis_formatter(lang))
        ax.set_xlim(0, max(top * 1.2, 1e-9))
        ax.grid(axis="y", visible=False)
        if len(groups) > 1:
            ax.legend(loc="lower right", fontsize=8.3)
    return fig


def bar_panels(
    panels: Sequence[BarPanel],
    *,
    ylabel: str,
    lang: str,
    value_fmt: Callable[[float], str],
    ymax: float | None = None,
    height: float = 2.8,
) -> Figure:
    """Side-by-side panels of vertical bars with a dashed target line each (e.g. coverage
    indicators per year against 80 % / 100 %)."""
    n = len(panels)
    fig = _figure(WIDTH, height)
    with matplotlib.rc_context(RC):
        axes = fig.subplots(1, max(n, 1), sharey=True, squeeze=False)[0]
        for ax, p in zip(axes, panels):
            vals = np.asarray(p.values, float)
            x = np.arange(len(p.categories))
            ax.bar(x, np.nan_to_num(vals), 0.6, color="0.55", edgecolor="black", linewidth=0.6, zorder=3)
            if p.lo is not None and p.hi is not None:
                ax.errorbar(
                    x,
                    vals,
                    yerr=[vals - np.asarray(p.lo, float), np.asarray(p.hi, float) - vals],
                    fmt="none",
                    ecolor="black",
                    capsize=2,
                    zorder=4,
                )
            for xi, v in zip(x, vals):
                ax.annotate(
                    value_fmt(v),
                    (xi, v if np.isfinite(v) else 0),
                    xytext=(0, 2),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=8,
                )
            if p.target is not None:
                ax.axhline(p.target, zorder=4, **TARGET_STYLE)
                ax.annotate(
                    p.target_label,
                    (1.0, p.target),
                    xycoords=blended_transform_factory(ax.transAxes, ax.transData),
                    xytext=(0, 3),
                    textcoords="offset points",
                    ha="right",
                    va="bottom",
                    fontsize=8,
                    bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"},
                )
            ax.set_xticks(x)
            ax.set_xticklabels(list(p.categories))
            ax.set_title(p.title, loc="left", fontsize=8.8, wrap=True)
            ax.grid(axis="x", visible=False)
            ax.yaxis.set_major_formatter(fmt.axis_formatter(lang))
        axes[0].set_ylabel(ylabel)
        top = (
            ymax
            if ymax is not None
            else max([np.nanmax(np.asarray(p.values, float)) for p in panels] + [p.target or 0 for p in panels] + [1])
        )
        axes[0].set_ylim(0, top * 1.15)
    return fig
