"""Matplotlib charts for reports, readable when printed in black and white.

Every chart distinguishes its series by line style, marker and hatch (not colour alone), labels
lines directly at their right end, puts units on every axis (households, %, billion VND) and draws
targets as dashed lines with their own label. Numbers use the report language's separators.

The functions take plain numbers and labels (already translated) and return a
`matplotlib.figure.Figure` built without pyplot, so nothing here touches global state and charts
can be drawn in worker processes. `to_png` turns a figure into bytes for embedding. The style
(series styles, fills, rc settings) lives in `simlib.chart_style`; bar charts in
`simlib.report.bars`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from simlib.chart_style import BAND_COLOUR, RC, STYLES, TARGET_STYLE, WIDTH, legend_handles, new_figure
from simlib.chart_style import FILLS as FILLS  # re-exported for the report modules that draw with it
from simlib.chart_style import to_png as to_png
from simlib.i18n import fmt


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


def panel_title(parts: Sequence[str], width: int) -> str:
    """A small multiple's title from its parts (`Levels.geo_parts`), one part a line, each part
    longer than `width` characters broken so that it stays over its own panel: before its
    bracket ("Các huyện nghèo cũ" / "(địa giới năm 2025)") where both halves fit, else at spaces."""
    lines = []
    for part in parts:
        head, sep, tail = part.partition(" (")
        if len(part) > width and sep and len(head) <= width and len(tail) + 1 <= width:
            lines += [head, "(" + tail]
        else:
            lines += textwrap.wrap(part, width) or [part]
    return "\n".join(lines)


#: the former name of `new_figure`, still used by `scenario_report.py`
_figure = new_figure


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
    fig = new_figure(width, height, layout=None)
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
    fig = new_figure(WIDTH, panel_height * nrows + (0.3 * int(np.ceil(len(legend) / 3)) + 0.15 if legend else 0.1))
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
            # five panels a row: «Huyện Trùng Khánh ★» ran into «Thành phố Cao Bằng» at 9 points
            ax.set_title(p.title, loc="left", fontsize=9 if ncols < 5 else 8)
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
