"""The explorer's chart as inline SVG, drawn in a few milliseconds on every change.

`LiveRateChart` shows the poor-household rate of the province, the poor districts together and
ethnic-minority households: the starting scenario (grey, dashed, fixed), the path each rate
target asks for (dotted, fixed) and the allocation being explored (black, bold), whose line and
end label move when `update` gets a new run. The axes keep their range while the current line
stays inside it (so the picture does not jump); `svg()` gives the markup for an HTML widget.

Matplotlib needed 0.5–2 s per picture on the shared 2-core machine (layout and rasterising),
more than the whole budget of a change (issue 17: ≤ 300 ms); these are a few lines of SVG in the
report charts' black-and-white styles (`simlib.report.charts`: distinct by dash and mark).
"""

from __future__ import annotations

import math

import numpy as np

from simlib import i18n
from simlib.i18n import fmt
from simlib.report import data as D
from simlib.report import html as H
from simlib.report.levels import Levels
from simlib.report.scenario_report import rate_change_targets
from simlib.report.trends import standard_breaks

#: (geo, geo_type) of the three panels
PANELS = (("province", "province"), ("poor_districts", "poor_districts"), ("ethnic_minority", "ethnic_group"))
PANEL_W, PANEL_H = 250, 190  # px of one panel's plotting area
LEFT, TOP, GAP, BOTTOM = 48, 26, 34, 62  # px margins (TOP: with a one-line panel title)
YEAR_LABEL_W = 34  # px between the centres of two year labels of the axis (four digits at 11 px, a gap)
LINE = 13  # px between the lines of a panel title
FONT = "font-family:'DejaVu Sans',Arial,sans-serif"
#: the chart shrinks (keeping its proportions) where the notebook is narrower than it (1366 px)
FIT = "max-width:100%;height:auto"


def target_segments(xs: list[int], ys: list[float], per_year, breaks) -> list[tuple[list[int], list[float]]]:
    """The path a rate target asks for (`simlib.report.data.target_path`) from the starting
    scenario's value, begun again at each year a new poverty standard applies (`breaks`): rates
    under two standards are not comparable, so no path crosses the change (the report's target
    steps skip that year too). One (years, values) segment per standard; empty ones left out."""
    cuts = [0] + [i for i, x in enumerate(xs) if x in breaks and i > 0] + [len(xs)]
    out = []
    for a, b in zip(cuts[:-1], cuts[1:]):
        if b - a > 1 and np.isfinite(ys[a]):
            out.append(D.target_path(ys[a], per_year, xs[a], xs[a + 1 : b]))
    return [seg for seg in out if len(seg[0]) > 1]


def rate_series(indicators, geo: str, geo_type: str) -> tuple[list[int], list[float]]:
    """Years and mean poor rate (%) over draws of one area in an indicator table."""
    sel = (indicators["indicator"] == "poor_rate") & (indicators["geo"] == geo) & (indicators["geo_type"] == geo_type)
    s = indicators.loc[sel].groupby("year", sort=True)["value"].mean()
    return [int(y) for y in s.index], [float(v) for v in s.to_numpy()]


def rate_lines(rates, panels) -> list[list[float]]:
    """`rate_series(rates, geo, geo_type)[1]` of each (geo, geo_type) in `panels`, `rates` the
    poor-rate rows of an indicator table: where each year has one row (one draw), its value is
    the year's mean as pandas' group mean gives it (a sum from 0.0 — so −0 reads 0 — over one
    row), without a group-by per line; else `rate_series`."""
    geo, geo_type = rates["geo"].to_numpy(), rates["geo_type"].to_numpy()
    years, values = rates["year"].to_numpy(), rates["value"].to_numpy()
    lines = []
    for g, gt in panels:
        sel = (geo == g) & (geo_type == gt)
        order = np.argsort(years[sel], kind="stable")
        ys = years[sel][order]
        if np.any(ys[1:] == ys[:-1]):
            lines.append(rate_series(rates, g, gt)[1])
        else:
            lines.append([float(v) + 0.0 for v in values[sel][order]])
    return lines


def line_rows(indicators, panels) -> list[np.ndarray] | None:
    """The rows of `indicators` (positions) that `rate_lines` reads for each panel's line, in
    its order, where each year has one row (one draw); None otherwise (`rate_series` then)."""
    at = np.flatnonzero((indicators["indicator"] == "poor_rate").to_numpy(dtype=bool))
    geo, geo_type = indicators["geo"].to_numpy()[at], indicators["geo_type"].to_numpy()[at]
    years = indicators["year"].to_numpy()[at]
    out = []
    for g, gt in panels:
        sel = (geo == g) & (geo_type == gt)
        order = np.argsort(years[sel], kind="stable")
        if np.any(years[sel][order][1:] == years[sel][order][:-1]):
            return None
        out.append(at[sel][order])
    return out


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About `n` round tick values covering [lo, hi]."""
    span = max(hi - lo, 1e-9)
    raw = span / max(n - 1, 1)
    mag = 10 ** np.floor(np.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=10 * mag)
    first = np.ceil(lo / step) * step
    return [float(v) for v in np.arange(first, hi + step * 1e-6, step)]


def labelled_years(xs: list[int]) -> list[int]:
    """The years of a panel's axis that get a label: every year while the labels fit side by side
    (`YEAR_LABEL_W` apart), else every second (third, ...) year from the first, and always the
    last one (the label before it dropped when the two would touch)."""
    if not xs:
        return []
    span = (PANEL_W - 60) / max(len(xs) - 1, 1)
    step = math.ceil(YEAR_LABEL_W / span)
    keep = list(range(0, len(xs), step))
    if keep[-1] != len(xs) - 1:
        if (len(xs) - 1 - keep[-1]) * span < YEAR_LABEL_W and len(keep) > 1:
            keep.pop()
        keep.append(len(xs) - 1)
    return [xs[i] for i in keep]


class LiveRateChart:
    """Three panels of poor rates: starting scenario, target path and the current allocation."""

    def __init__(self, start_indicators, targets, lang: str, levels: Levels | None = None):
        self.lang, self.levels = lang, levels or Levels()
        thresholds = rate_change_targets(targets)
        self.fixed: list[dict] = []
        self.breaks = standard_breaks(start_indicators)  # years a new poverty standard applies
        for geo, gt in PANELS:
            xs, ys = rate_series(start_indicators, geo, gt)
            # a run that switched units names each set of units with its years, one line each
            title = self.levels.geo_parts(geo, lang, xs or None)
            panel = {"geo": geo, "title": title, "xs": xs, "start": ys, "target": []}
            if geo in thresholds and ys:
                panel["target"] = target_segments(xs, ys, thresholds[geo], self.breaks)
            self.fixed.append(panel)
        self.current: list[list[float]] = [p["start"] for p in self.fixed]
        self._rows: tuple | None = None  # (the rows' token, `line_rows` of its tables), for `update`
        self.top = TOP + LINE * (max(len(p["title"]) for p in self.fixed) - 1)
        self.ylim = self._limits(self.current)

    def relabel(self, lang: str) -> None:
        """Titles, legend and numbers in `lang` from now on (the lines and axes stay)."""
        self.lang = lang
        for p in self.fixed:
            p["title"] = self.levels.geo_parts(p["geo"], lang, p["xs"] or None)
        self.top = TOP + LINE * (max(len(p["title"]) for p in self.fixed) - 1)

    def _limits(self, current) -> tuple[float, float]:
        values = [v for p, cur in zip(self.fixed, current) for v in list(p["start"]) + list(cur)]
        values += [v for p in self.fixed for seg in p["target"] for v in seg[1]]
        finite = np.asarray([v for v in values if np.isfinite(v)], float)
        if not finite.size:
            return 0.0, 1.0
        lo, hi = float(finite.min()), float(finite.max())
        pad = max(0.5, 0.08 * (hi - lo))
        return max(0.0, lo - pad), hi + pad

    def update(self, indicators, rows=None) -> None:
        """Move the current allocation's lines to a new run's rates; the axes widen only when a
        line would leave them. `rows`: the same object for tables with the same rows
        (`simlib.workbench.project.Projection.rows`; None: not known), whose lines' rows are
        found once (`line_rows`)."""
        panels = [(p["geo"], gt) for p, (_g, gt) in zip(self.fixed, PANELS)]
        if rows is None or self._rows is None or self._rows[0] is not rows:
            self._rows = (rows, line_rows(indicators, panels)) if rows is not None else None
        if self._rows is not None and self._rows[1] is not None:
            values = indicators["value"].to_numpy()
            self.current = [[float(v) + 0.0 for v in values[at]] for at in self._rows[1]]
        else:
            self.current = rate_lines(indicators[indicators["indicator"] == "poor_rate"], panels)
        lo, hi = self._limits(self.current)
        if lo < self.ylim[0] or hi > self.ylim[1]:
            self.ylim = (min(lo, self.ylim[0]), max(hi, self.ylim[1]))

    # -- drawing -----------------------------------------------------------------------------
    def _x(self, k: int, xs, year) -> float:
        x0 = LEFT + k * (PANEL_W + GAP)
        span = max(len(xs) - 1, 1)
        return x0 + 12 + (PANEL_W - 60) * (xs.index(year) / span)

    def _y(self, v: float) -> float:
        lo, hi = self.ylim
        return self.top + PANEL_H * (1 - (v - lo) / (hi - lo))

    def _path(self, k: int, axis, xs, ys, style: str, mark: str = "") -> str:
        """A line through (xs, ys) placed on the panel's years `axis` (xs may be fewer years)."""
        pts = [(self._x(k, axis, x), self._y(y)) for x, y in zip(xs, ys) if np.isfinite(y)]
        if not pts:
            return ""
        d = " ".join(f"{a:.1f},{b:.1f}" for a, b in pts)
        out = f'<polyline fill="none" points="{d}" {style}/>'
        if mark:
            out += "".join(mark.format(x=a, y=b) for a, b in pts)
        return out

    def _panel(self, k: int, p: dict, current: list[float]) -> str:
        xs = p["xs"]
        x0 = LEFT + k * (PANEL_W + GAP)
        parts = [f'<text x="{x0 + PANEL_W / 2}" y="{TOP - 9}" text-anchor="middle" font-weight="bold">']
        parts += [
            f'<tspan x="{x0 + PANEL_W / 2}" dy="{LINE if i else 0}">{H.esc(s)}</tspan>'
            for i, s in enumerate(p["title"])
        ]
        parts.append("</text>")
        for v in nice_ticks(*self.ylim):
            y = self._y(v)
            parts.append(f'<line x1="{x0}" x2="{x0 + PANEL_W}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
            if k == 0:
                parts.append(
                    f'<text x="{x0 - 5}" y="{y + 3:.1f}" text-anchor="end">{fmt.number(v, self.lang, 0)}</text>'
                )
        bottom = self.top + PANEL_H
        parts.append(f'<line x1="{x0}" x2="{x0 + PANEL_W}" y1="{bottom}" y2="{bottom}" stroke="#333"/>')
        for x in labelled_years(xs):
            parts.append(f'<text x="{self._x(k, xs, x):.1f}" y="{bottom + 14}" text-anchor="middle">{x}</text>')
        square = '<rect x="{x:.1f}" y="{y:.1f}" width="6" height="6" fill="#595959" transform="translate(-3,-3)"/>'
        parts.append(
            self._path(k, xs, xs, p["start"], 'stroke="#595959" stroke-width="1.3" stroke-dasharray="5,3"', square)
        )
        parts += [
            self._path(k, xs, *seg, 'stroke="#000" stroke-width="1.2" stroke-dasharray="2,3"') for seg in p["target"]
        ]
        parts += [self._break(k, xs, year) for year in self.breaks if year in xs[1:]]
        dot = '<circle cx="{x:.1f}" cy="{y:.1f}" r="3.2" fill="#000"/>'
        parts.append(self._path(k, xs, xs, current, 'stroke="#000" stroke-width="2.2" class="sl-current"', dot))
        if current and np.isfinite(current[-1]):
            x, y = self._x(k, xs, xs[-1]) + 7, self._y(current[-1]) + 4
            parts.append(
                f'<text x="{x:.1f}" y="{y:.1f}" class="sl-end">{H.esc(fmt.percent(current[-1], self.lang))}</text>'
            )
        return "".join(parts)

    def _break(self, k: int, xs, year: int) -> str:
        """A new poverty standard from `year`: a vertical line between it and the year before,
        named at the top (as the report's charts mark it)."""
        x = (self._x(k, xs, year) + self._x(k, xs, xs[xs.index(year) - 1])) / 2
        label = H.esc(i18n.t("report.new_standard", self.lang))
        return (
            f'<line class="sl-break" x1="{x:.1f}" x2="{x:.1f}" y1="{self.top}" y2="{self.top + PANEL_H}" '
            f'stroke="#777" stroke-width="1"/>'
            f'<text x="{x - 3:.1f}" y="{self.top + 10}" text-anchor="end" font-size="9.5" fill="#555">{label}</text>'
        )

    def _legend(self, width: float) -> str:
        t = lambda key: i18n.t(key, self.lang)  # noqa: E731
        items = [
            (t("wb.chart.start"), 'stroke="#595959" stroke-width="1.3" stroke-dasharray="5,3"'),
            (t("report.target_path_legend"), 'stroke="#000" stroke-width="1.2" stroke-dasharray="2,3"'),
            (t("wb.chart.current"), 'stroke="#000" stroke-width="2.2"'),
        ]
        y, x, out = self.top + PANEL_H + 44, LEFT, []
        for label, style in items:
            out.append(f'<line x1="{x}" x2="{x + 26}" y1="{y - 4}" y2="{y - 4}" {style}/>')
            out.append(f'<text x="{x + 32}" y="{y}">{H.esc(label)}</text>')
            x += 60 + 6.5 * len(label)
        return "".join(out)

    def svg(self) -> str:
        """The chart as an inline SVG element."""
        width = LEFT + len(PANELS) * PANEL_W + (len(PANELS) - 1) * GAP + 20
        height = self.top + PANEL_H + BOTTOM
        label = H.esc(i18n.t("axis.poor_rate", self.lang))
        body = "".join(self._panel(k, p, cur) for k, (p, cur) in enumerate(zip(self.fixed, self.current)))
        ylab = (
            f'<text transform="translate(12,{self.top + PANEL_H / 2}) rotate(-90)" text-anchor="middle">{label}</text>'
        )
        return (
            f'<svg class="sl-live-chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{label}" style="{FONT};font-size:11px;{FIT}">'
            f"{ylab}{body}{self._legend(width)}</svg>"
        )
