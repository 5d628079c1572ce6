"""Print-safe chart style shared by every figure simlib draws (reports and the optimiser's
plots): series styles, bar fills, target line, rc settings, figure size, and the few primitives
built on them (a figure without pyplot, PNG bytes, legend handles).

It sits at the foundation so both `simlib.allocate` and `simlib.report` can draw in one style
without the analyses importing the applications layer.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Sequence

import matplotlib

# Charts here are drawn without pyplot, so any backend will do; pick the file-only one for worker
# processes, but never switch a notebook's backend (that would stop its own pyplot figures showing).
if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
    matplotlib.use("Agg", force=False)

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

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


def to_png(fig: Figure, dpi: int = DPI) -> bytes:
    """PNG bytes of a figure (tight bounding box so direct labels outside the axes are kept)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.12, metadata={"Software": None})
    return buf.getvalue()


def release(fig: Figure) -> None:
    """Forget `fig` in pyplot if pyplot manages it (a figure made with `plt.subplots`), so that a
    notebook's inline backend does not draw it a second time, as an extra picture under the cell,
    once it has been embedded; figures made without pyplot are left as they are."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None and getattr(fig.canvas, "manager", None) is not None:
        pyplot.close(fig)


def new_figure(width: float, height: float, layout: str | None = "constrained") -> Figure:
    """A figure of `width` x `height` inches in the charts' rc settings, made without pyplot."""
    with matplotlib.rc_context(RC):
        return Figure(figsize=(width, height), layout=layout)


def legend_handles(legend: Sequence[tuple[str, int | str]]) -> list:
    """Legend entries (label, style index | 'target') as line handles in the charts' styles."""
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
