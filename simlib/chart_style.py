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

import numpy as np  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402
from PIL import Image  # noqa: E402

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
    # titles at the top of their axes (matplotlib's default place), stated rather than left to its
    # automatic placement: that measures every axis's tick labels again at each layout pass and
    # drawing (about 8 % of a chart's CPU) only to lift a title above ticks or labels drawn on top
    # of the axes, and no chart here has any there
    "axes.titley": 1.0,
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
PAD = 0.12  # inches of white around the tight bounding box of a saved chart


def to_png(fig: Figure, dpi: int = DPI, pad: float = PAD) -> bytes:
    """PNG bytes of a figure, cropped to its tight bounding box plus `pad` inches (so direct labels
    outside the axes are kept), as `savefig(bbox_inches="tight", pad_inches=pad)` would give.

    The figure is drawn once, on an Agg canvas at `dpi`, and the bounding box is measured with the
    renderer that drew it; the rendered pixels are cropped (the pad beyond the canvas filled with
    the figure's background). `savefig` draws twice (a pass to measure, then the picture). When
    something reaches beyond the figure's own canvas, the pixels cannot hold it: the figure is
    drawn a second time by `savefig` into the box already measured. No timestamp or software tag
    is written: the same figure gives the same bytes. The pixels are stored as `png_bytes` stores
    them (grey charts in one channel).
    """
    rgba, box = _drawn_rgba(fig, dpi, pad)
    if rgba is None:  # an artist outside the canvas: only a second, shifted drawing shows it
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches=box.padded(pad), metadata={"Software": None})
        rgba = np.asarray(Image.open(buf).convert("RGBA"))
    return png_bytes(rgba, dpi)


def png_bytes(rgba: np.ndarray, dpi: int = DPI) -> bytes:
    """PNG bytes of RGBA pixels (rows top first) in the smallest lossless PNG colour type: grey
    (one byte a pixel) when every pixel is an opaque grey, as the print-safe charts are; RGB when
    all are opaque; RGBA otherwise. The decoded pixels are the same whichever type is used; the
    grey file is about half the size and twice as quick to compress. No timestamp or software tag."""
    opaque = bool((rgba[..., 3] == 255).all())
    if opaque and (rgba[..., 0] == rgba[..., 1]).all() and (rgba[..., 1] == rgba[..., 2]).all():
        image = Image.fromarray(np.ascontiguousarray(rgba[..., 0]))  # 2-D uint8: mode "L"
    else:  # (h, w, 3) or (h, w, 4) uint8: mode "RGB" or "RGBA"
        image = Image.fromarray(np.ascontiguousarray(rgba[..., :3] if opaque else rgba))
    buf = io.BytesIO()
    image.save(buf, format="png", dpi=(dpi, dpi))
    return buf.getvalue()


def _drawn_rgba(fig: Figure, dpi: int, pad: float) -> tuple[np.ndarray | None, Bbox]:
    """The figure drawn once at `dpi`, cropped to its tight box plus `pad` inches (rows top
    first, RGBA bytes; None when the tight box leaves the canvas), and that box (inches)."""
    old_canvas, old_dpi = fig.canvas, fig.dpi
    manager = getattr(old_canvas, "manager", None)
    try:
        if manager is not None:  # a pyplot figure: no window resize while the dpi is changed
            old_canvas.manager = None
        canvas = FigureCanvasAgg(fig)  # also the figure's canvas until restored below
        fig.dpi = dpi
        canvas.draw()
        renderer = canvas.get_renderer()
        box = fig.get_tightbbox(renderer)  # inches
        pixels = np.asarray(renderer.buffer_rgba())
        face = (np.asarray(to_rgba(fig.get_facecolor())) * 255).round().astype(np.uint8)
    finally:
        fig.dpi = old_dpi
        fig.set_canvas(old_canvas)
        if manager is not None:
            old_canvas.manager = manager
    return _crop(pixels, box, dpi, pad, face), box


def _crop(pixels: np.ndarray, box, dpi: int, pad: float, face: np.ndarray) -> np.ndarray | None:
    """`pixels` (rows top first) cut to `box` (inches from the bottom left) padded by `pad`
    inches, sized as `savefig` sizes it (`int` of the padded box in pixels); outside the canvas
    the pad is `face`. None when `box` itself leaves the canvas by more than a pixel's rounding."""
    height, width = pixels.shape[:2]
    x0, y0, x1, y1 = (v * dpi for v in box.extents)
    if x0 < -0.5 or y0 < -0.5 or x1 > width + 0.5 or y1 > height + 0.5:
        return None
    left, top = round(x0 - pad * dpi), round(height - (y1 + pad * dpi))
    w, h = int(x1 - x0 + 2 * pad * dpi), int(y1 - y0 + 2 * pad * dpi)
    out = np.empty((h, w, 4), dtype=np.uint8)
    out[...] = face
    rows = slice(max(top, 0), min(top + h, height))
    cols = slice(max(left, 0), min(left + w, width))
    out[rows.start - top : rows.stop - top, cols.start - left : cols.stop - left] = pixels[rows, cols]
    return out


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
