"""The explorer's chart, drawn once and updated in place.

`LiveRateChart` shows the poor-household rate of the province, the poor districts together and
ethnic-minority households: the starting scenario (fixed), the path each rate target asks for
(fixed) and the allocation being explored, whose line and end label move when `update` gets a
new run. The figure keeps its size and axes, so the picture does not jump between updates;
`png()` renders it (styles and fonts of `simlib.report.charts`).
"""

from __future__ import annotations

import io

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from simlib import i18n
from simlib.i18n import fmt
from simlib.report import charts as C
from simlib.report import data as D
from simlib.report.scenario_report import rate_change_targets

#: (geo, geo_type) of the three panels
PANELS = (("province", "province"), ("poor_districts", "poor_districts"), ("ethnic_minority", "ethnic_group"))


def rate_series(indicators, geo: str, geo_type: str) -> tuple[list[int], list[float]]:
    """Years and mean poor rate (%) of one area in an indicator table."""
    s = D.series(indicators, "poor_rate", geo, geo_type)
    return s["year"].tolist(), s["mean"].tolist()


class LiveRateChart:
    """Three panels of poor rates: starting scenario, target path and the current allocation."""

    def __init__(self, start_indicators, targets, lang: str, width: float = C.WIDTH, height: float = 3.0):
        self.lang = lang
        with matplotlib.rc_context(C.RC):  # styles apply to artists made inside the context
            self.figure = Figure(figsize=(width, height), layout="constrained")
            self.axes = list(self.figure.subplots(1, len(PANELS), sharey=True, squeeze=False)[0])
            self._draw_fixed(start_indicators, targets)
        self.update(start_indicators)

    def _draw_fixed(self, start_indicators, targets) -> None:
        """The panels, the starting scenario, the target paths and the (movable) current lines."""
        t = lambda k, **kw: i18n.t(k, self.lang, **kw)  # noqa: E731
        thresholds = rate_change_targets(targets)
        self.lines, self.labels, self._fixed, legend = [], [], [], {}
        for ax, (geo, gt) in zip(self.axes, PANELS):
            xs, ys = rate_series(start_indicators, geo, gt)
            style = {k: C.STYLES[1][k] for k in ("color", "linestyle", "marker")}
            legend.setdefault(t("wb.chart.start"), ax.plot(xs, ys, markersize=3.5, **style)[0])
            fixed = list(ys)
            if geo in thresholds and ys:
                tx, ty = D.target_path(ys[0], thresholds[geo], xs[0], xs[1:])
                legend.setdefault(t("report.target_path_legend"), ax.plot(tx, ty, **C.TARGET_STYLE)[0])
                fixed += ty
            now = {k: C.STYLES[0][k] for k in ("color", "linestyle", "marker")}
            (line,) = ax.plot(xs, ys, lw=2, **now)
            legend.setdefault(t("wb.chart.current"), line)
            label = ax.annotate("", (xs[-1], ys[-1]), xytext=(6, 0), textcoords="offset points", va="center")
            ax.set_title(i18n.label("geo", geo, self.lang))
            ax.set_xticks(xs, [str(x) for x in xs])
            ax.set_xlim(xs[0] - 0.3, xs[-1] + 0.9)
            ax.set_xlabel(t("axis.year"))
            self.lines.append(line)
            self.labels.append(label)
            self._fixed.append(fixed)
        self.axes[0].set_ylabel(t("axis.poor_rate"))
        self.figure.legend(list(legend.values()), list(legend), loc="outside lower center", ncols=len(legend))

    def update(self, indicators) -> None:
        """Move the current allocation's lines and labels to a new run's rates."""
        values = []
        for line, label, fixed, (geo, gt) in zip(self.lines, self.labels, self._fixed, PANELS):
            xs, ys = rate_series(indicators, geo, gt)
            line.set_data(xs, ys)
            if ys:
                label.xy = (xs[-1], ys[-1])
                label.set_text(fmt.percent(ys[-1], self.lang))
            values += list(ys) + fixed
        finite = np.asarray([v for v in values if np.isfinite(v)], float)
        if finite.size:
            lo, hi = float(finite.min()), float(finite.max())
            pad = max(0.5, 0.08 * (hi - lo))
            self.axes[0].set_ylim(max(0.0, lo - pad), hi + pad)

    def png(self, dpi: int = 96) -> bytes:
        """The figure as PNG bytes (same size every time)."""
        buf = io.BytesIO()
        self.figure.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
        return buf.getvalue()
