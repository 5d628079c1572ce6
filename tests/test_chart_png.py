"""`chart_style.to_png`: one drawing, cropped to the tight box, deterministic bytes.

The reference is matplotlib's own `savefig(bbox_inches="tight", pad_inches=PAD)` (two drawings);
sizes and content positions must agree with it within 2 pixels.
"""

from __future__ import annotations

import io
import struct
import zlib

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from simlib.chart_style import DPI, PAD, RC, new_figure, png_bytes, to_png


def reference_png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", pad_inches=PAD, metadata={"Software": None})
    return buf.getvalue()


def chunks(png: bytes) -> list[str]:
    """The chunk types of a PNG file, in order (CRCs checked)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    out, i = [], 8
    while i < len(png):
        (n,) = struct.unpack(">I", png[i : i + 4])
        kind, data = png[i + 4 : i + 8], png[i + 8 : i + 8 + n]
        assert struct.unpack(">I", png[i + 8 + n : i + 12 + n])[0] == zlib.crc32(kind + data)
        out.append(kind.decode("ascii"))
        i += 12 + n
    return out


def pixels(png: bytes) -> np.ndarray:
    """The decoded pixels as RGBA floats in [0, 1], whichever PNG colour type stores them."""
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"), dtype=float) / 255.0


def ink_box(img: np.ndarray) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) margins in pixels between the image edge and any non-white pixel."""
    ink = np.any(img[..., :3] < 0.98, axis=2)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    h, w = ink.shape
    return int(cols[0]), int(rows[0]), int(w - 1 - cols[-1]), int(h - 1 - rows[-1])


def corner_figure():
    """A constrained-layout chart with texts in the figure's four corners (the farthest ink)."""
    fig = new_figure(6.0, 3.0)
    ax = fig.add_subplot()
    ax.plot([2020, 2025, 2030], [30.0, 20.5, 9.0], marker="o")
    ax.set_title("Tỷ lệ hộ nghèo (%)")
    ax.set_xlabel("Năm")
    for x, y, ha, va in (
        (0.0, 0.0, "left", "bottom"),
        (1.0, 1.0, "right", "top"),
        (0.0, 1.0, "left", "top"),
        (1.0, 0.0, "right", "bottom"),
    ):
        fig.text(x, y, "góc", ha=ha, va=va, fontsize=9)
    return fig


def test_same_figure_same_bytes_without_metadata():
    fig = corner_figure()
    a, b = to_png(fig), to_png(fig)
    assert a == b
    assert to_png(corner_figure()) == a  # a second, identical figure too
    kinds = chunks(a)
    assert kinds[0] == "IHDR" and kinds[-1] == "IEND"
    assert not {"tIME", "tEXt", "iTXt", "zTXt"} & set(kinds)  # no timestamp, no software tag


def test_size_matches_tight_savefig():
    fig = corner_figure()
    ours, ref = pixels(to_png(fig)), pixels(reference_png(fig))
    assert abs(ours.shape[0] - ref.shape[0]) <= 2 and abs(ours.shape[1] - ref.shape[1]) <= 2
    # and the figure itself is 6 x 3 inches: the corner texts put the tight box at its edges
    assert abs(ours.shape[1] - (6.0 + 2 * PAD) * DPI) <= 2
    assert abs(ours.shape[0] - (3.0 + 2 * PAD) * DPI) <= 2


def test_corner_texts_inside_and_margins_are_the_pad():
    fig = corner_figure()
    ours, ref = ink_box(pixels(to_png(fig))), ink_box(pixels(reference_png(fig)))
    pad = PAD * DPI  # 13.2 px
    for got, want in zip(ours, ref):
        assert abs(got - want) <= 2  # the corner texts sit where savefig puts them
        assert got >= pad - 2  # nothing cut at the edge: the pad is still there
        assert got <= pad + 2  # and no empty margin beyond it


def test_labels_outside_axes_kept_without_layout():
    """A figure without layout engine whose direct labels sit right of the axes (as line charts'
    end labels): the crop keeps them and drops the empty figure area."""
    fig = new_figure(6.0, 3.0, layout=None)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.1, right=0.6, bottom=0.15, top=0.9)
    ax.plot([0, 1], [0, 1])
    ax.text(1.02, 1.0, "nhãn cuối đường", transform=ax.transAxes, va="center")
    ours, ref = pixels(to_png(fig)), pixels(reference_png(fig))
    assert abs(ours.shape[1] - ref.shape[1]) <= 2 and abs(ours.shape[0] - ref.shape[0]) <= 2
    assert ours.shape[1] < 6.0 * DPI  # the empty right part is cropped away
    assert max(abs(a - b) for a, b in zip(ink_box(ours), ink_box(ref))) <= 2


def test_artist_beyond_the_canvas_still_drawn():
    """A text outside the figure cannot be in its pixels: the PNG is then savefig's own."""
    fig = new_figure(4.0, 2.0)
    fig.add_subplot().plot([0, 1], [1, 0])
    fig.text(1.05, 0.5, "ngoài khung", ha="left")
    png = to_png(fig)
    assert np.array_equal(pixels(png), pixels(reference_png(fig)))
    assert pixels(png).shape[1] > 4.0 * DPI + 20


def test_pyplot_figure_left_as_it_was():
    fig, ax = plt.subplots(figsize=(4.0, 2.0), dpi=72)
    try:
        canvas, manager = fig.canvas, fig.canvas.manager
        ax.plot([0, 1], [0, 1])
        png = to_png(fig)
        assert fig.canvas is canvas and fig.canvas.manager is manager and fig.dpi == 72
        assert abs(pixels(png).shape[1] - pixels(reference_png(fig)).shape[1]) <= 2
    finally:
        plt.close(fig)


def test_drawn_once(monkeypatch):
    """The point of it: one drawing per chart (savefig makes two: one to measure, one to save)."""
    from matplotlib.figure import Figure

    calls = []
    draw = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: calls.append(1) or draw(self, renderer))
    fig = corner_figure()
    to_png(fig)
    assert len(calls) == 1
    reference_png(fig)
    assert len(calls) == 3


def test_beyond_the_canvas_drawn_twice_not_three_times(monkeypatch):
    """The fallback draws once more into the box already measured (savefig's "tight" would
    measure again: three drawings in all). A figure without layout engine, as the line charts
    whose end labels may reach past the right edge (with a layout engine savefig lays it out
    again first)."""
    from matplotlib.figure import Figure

    calls = []
    draw = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: calls.append(1) or draw(self, renderer))
    fig = new_figure(4.0, 2.0, layout=None)
    fig.add_subplot().plot([0, 1], [1, 0])
    fig.text(0.9, 0.5, "nhãn cuối đường quá dài", ha="left")
    png = to_png(fig)
    assert len(calls) == 2
    assert np.array_equal(pixels(png), pixels(reference_png(fig)))
    assert pixels(png).shape[1] > 4.0 * DPI + 20


def colour_type(png: bytes) -> int:
    """The PNG colour type in the IHDR chunk: 0 grey, 2 RGB, 6 RGBA."""
    assert chunks(png)[0] == "IHDR"
    return png[25]


def test_grey_chart_stored_as_grey_with_the_same_pixels(monkeypatch):
    """A black-on-white chart is stored in one grey channel, and decodes to the RGBA pixels
    drawn."""
    import simlib.chart_style as chart_style

    drawn = []
    encode = chart_style.png_bytes
    monkeypatch.setattr(chart_style, "png_bytes", lambda rgba, dpi=DPI: drawn.append(rgba.copy()) or encode(rgba, dpi))
    fig = corner_figure()
    fig.axes[0].lines[0].set_color("black")  # black lines and text on white: every pixel an opaque grey
    png = chart_style.to_png(fig)
    assert colour_type(png) == 0
    assert len(drawn) == 1 and drawn[0].shape[2] == 4
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(png)).convert("RGBA")), drawn[0])
    assert (drawn[0][..., :3] < 128).any()  # there is ink: lines and text


def test_png_bytes_keeps_colour_and_transparency():
    rng = np.random.default_rng(7)
    grey = np.repeat(rng.integers(0, 256, (5, 6, 1), dtype=np.uint8), 4, axis=2)
    grey[..., 3] = 255
    colour = grey.copy()
    colour[2, 3, 0] = (int(colour[2, 3, 1]) + 1) % 256  # one pixel not grey
    clear = grey.copy()
    clear[0, 0, 3] = 128  # one pixel not opaque
    for rgba, kind in ((grey, 0), (colour, 2), (clear, 6)):
        png = png_bytes(rgba)
        assert colour_type(png) == kind
        assert np.array_equal(np.asarray(Image.open(io.BytesIO(png)).convert("RGBA")), rgba)
        assert png_bytes(rgba.copy()) == png  # same pixels, same bytes
        assert not {"tIME", "tEXt", "iTXt", "zTXt"} & set(chunks(png))


def titled_figure(titley):
    """Two panels with titles, shared y axis and a legend above, in the charts' rc settings with
    `axes.titley` replaced (None: matplotlib's automatic title placement)."""
    with matplotlib.rc_context({**RC, "axes.titley": titley}):
        fig = Figure(figsize=(6.0, 3.0), layout="constrained")
        axes = fig.subplots(1, 2, sharey=True)
        for ax, title in zip(axes, ("Cao Bằng – tỷ lệ hộ nghèo", "Huyện Bảo Lâm\nhai dòng")):
            ax.plot([2020, 2025, 2030], [30.0, 20.5, 9.0], marker="o")
            ax.set_title(title, loc="left")
        fig.legend(["dự báo"], loc="outside upper left")
    return fig


def test_fixed_title_place_draws_what_automatic_placement_draws():
    """RC states titles at the top of the axes instead of matplotlib's automatic placement (which
    measures the axes again at every pass); with nothing drawn above the axes both give the same
    picture."""
    assert RC["axes.titley"] == 1.0
    assert np.array_equal(pixels(to_png(titled_figure(1.0))), pixels(to_png(titled_figure(None))))
