"""Bar charts for reports, readable when printed in black and white: grouped vertical bars,
stacked and grouped horizontal bars, and side-by-side bar panels with a target line.

Groups are told apart by hatch and grey (`simlib.chart_style.FILLS`), every bar carries its value,
targets are dashed lines with their own label, and numbers use the report language's separators.
Like `simlib.report.charts`, every function takes plain numbers and translated labels and returns
a `matplotlib.figure.Figure` built without pyplot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from simlib.chart_style import FILLS, RC, TARGET_STYLE, WIDTH, new_figure
from simlib.i18n import fmt

#: inches a category of `barh` takes: a gap and a bar per group (four years: 0.82 in, each bar
#: 0.14 in, 10 pt, for its 7.8-point value; at 0.26 + 0.2 a bar the ten lines reached of plan_2027
#: took a printed page of their own, the chart shrunk to its height; print65)
BARH_GAP, BARH_BAR = 0.22, 0.15
#: inches a category of `stacked_barh` takes (a bar 0.17 in thick, 12 pt, for its 8.3-point total; 0.42 before print65)
STACKED_ROW = 0.25


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


def _error_bars(ax, pos, vals: np.ndarray, lo, hi, **style) -> None:
    """Whiskers from `lo` to `hi` around the bars at `pos`."""
    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    ax.errorbar(pos, vals, yerr=[vals - lo, hi - vals], fmt="none", ecolor="black", capsize=2, zorder=4, **style)


def _labels_above(ax, xs, tops, texts, **style) -> None:
    """Each text centred just above its bar top."""
    for x, top, text in zip(xs, tops, texts):
        ax.annotate(text, (x, top), xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", **style)


def _labels_right(ax, ends, ys, texts, fontsize: float) -> None:
    """Each text just right of its horizontal bar's end."""
    for end, y, text in zip(ends, ys, texts):
        ax.annotate(text, (end, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=fontsize)


def _one_group(ax, x: np.ndarray, gi: int, n: int, label: str, values, errors, value_fmt) -> None:
    """Group `gi` of `n` at category positions `x`: its hatched bars, optional whiskers and a
    value on each bar."""
    face, hatch = FILLS[gi % len(FILLS)]
    width = 0.8 / max(n, 1)
    vals = np.asarray(values, float)
    pos = x - 0.4 + width * (gi + 0.5)
    bars = ax.bar(
        pos, vals, width * 0.92, color=face, hatch=hatch, edgecolor="black", linewidth=0.7, label=label, zorder=3
    )
    tops = vals
    if errors is not None:
        _error_bars(ax, pos, vals, *errors[gi], elinewidth=0.8)
        tops = np.fmax(vals, np.asarray(errors[gi][1], float))
    centres = [b.get_x() + b.get_width() / 2 for b in bars]
    _labels_above(ax, centres, tops, [value_fmt(v) for v in vals], fontsize=7.5, rotation=90 if n > 2 else 0)


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
    fig = new_figure(WIDTH, height)
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        n = len(groups)
        x = np.arange(len(categories))
        for gi, (label, values) in enumerate(groups):
            _one_group(ax, x, gi, n, label, values, errors, value_fmt)
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


def _hatched_barh(ax, pos, vals, height: float, index: int, label: str, left=None) -> None:
    """One series of horizontal bars in the index-th black-and-white fill (prints in grey)."""
    face, hatch = FILLS[index % len(FILLS)]
    ax.barh(
        pos, vals, height, left=left, color=face, hatch=hatch, edgecolor="black", linewidth=0.6, label=label, zorder=3
    )


def _category_axis(ax, y, categories: Sequence[str], xlabel: str, lang: str, xmax: float) -> None:
    """Category names on the y axis, the value axis in the language's number format up to xmax."""
    ax.set_yticks(y)
    ax.set_yticklabels(categories, fontsize=8.5)
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_formatter(fmt.axis_formatter(lang))
    ax.set_xlim(0, max(xmax, 1e-9))
    ax.grid(axis="y", visible=False)


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
    fig = new_figure(WIDTH, height or max(2.2, STACKED_ROW * len(categories) + 1.2))
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        y = np.arange(len(categories))[::-1]
        left = np.zeros(len(categories))
        for si, (label, values) in enumerate(segments):
            vals = np.asarray(values, float)
            if not np.any(vals > 0):
                continue
            _hatched_barh(ax, y, vals, 0.68, si, label, left=left)
            left += vals
        _labels_right(ax, left, y, [total_fmt(tot) for tot in left], fontsize=8.3)
        _category_axis(ax, y, categories, xlabel, lang, left.max() * 1.18)
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
    fig = new_figure(WIDTH, height or max(2.0, (BARH_GAP + BARH_BAR * n) * len(categories) + 1.0))
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        y = np.arange(len(categories))[::-1].astype(float)
        h = 0.76 / n
        top = 0.0
        for gi, (label, values) in enumerate(groups):
            vals = np.asarray(values, float)
            pos = y + 0.38 - h * (gi + 0.5)
            _hatched_barh(ax, pos, np.nan_to_num(vals), h * 0.9, gi, label)
            ends = [v if np.isfinite(v) else 0 for v in vals]
            _labels_right(ax, ends, pos, [value_fmt(v) for v in vals], fontsize=7.8)
            if np.any(np.isfinite(vals)):
                top = max(top, float(np.nanmax(vals)))
        _category_axis(ax, y, categories, xlabel, lang, top * 1.2)
        if len(groups) > 1:
            ax.legend(loc="lower right", fontsize=8.3)
    return fig


def _target_line(ax, target: float, label: str, below: bool = False) -> None:
    """A dashed target line across the panel, labelled at its right end: above the line, or
    `below` it when the last bar reaches the target (its value is written above the line there:
    «Chỉ tiêu 100 %» hid the 2025 bar's «100 %»)."""
    ax.axhline(target, zorder=4, **TARGET_STYLE)
    ax.annotate(
        label,
        (1.0, target),
        xycoords=blended_transform_factory(ax.transAxes, ax.transData),
        xytext=(0, -3 if below else 3),
        textcoords="offset points",
        ha="right",
        va="top" if below else "bottom",
        zorder=5,
        fontsize=8,
        bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"},
    )


def _bar_panel(ax, p: BarPanel, lang: str, value_fmt: Callable[[float], str]) -> None:
    """One panel: grey bars with their values, optional whiskers and target line."""
    vals = np.asarray(p.values, float)
    x = np.arange(len(p.categories))
    ax.bar(x, np.nan_to_num(vals), 0.6, color="0.55", edgecolor="black", linewidth=0.6, zorder=3)
    if p.lo is not None and p.hi is not None:
        _error_bars(ax, x, vals, p.lo, p.hi)
    tops = [v if np.isfinite(v) else 0 for v in vals]
    _labels_above(ax, x, tops, [value_fmt(v) for v in vals], fontsize=8)
    if p.target is not None:
        _target_line(ax, p.target, p.target_label, below=bool(tops) and tops[-1] >= p.target)
    ax.set_xticks(x)
    ax.set_xticklabels(list(p.categories))
    ax.set_title(p.title, loc="left", fontsize=8.8, wrap=True)
    ax.grid(axis="x", visible=False)
    ax.yaxis.set_major_formatter(fmt.axis_formatter(lang))


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
    fig = new_figure(WIDTH, height)
    with matplotlib.rc_context(RC):
        axes = fig.subplots(1, max(len(panels), 1), sharey=True, squeeze=False)[0]
        for ax, p in zip(axes, panels):
            _bar_panel(ax, p, lang, value_fmt)
        axes[0].set_ylabel(ylabel)
        top = (
            ymax
            if ymax is not None
            else max([np.nanmax(np.asarray(p.values, float)) for p in panels] + [p.target or 0 for p in panels] + [1])
        )
        axes[0].set_ylim(0, top * 1.15)
    return fig
