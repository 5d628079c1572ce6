"""`charts.panel_title`: a small multiple's title stays over its own panel.

Hand-worked breaks, and the drawn check the uncertainty page's fan charts failed before: three
panels across the report column at the page's font, each title's drawn box ending before the next
panel begins.
"""

from __future__ import annotations

import matplotlib
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from simlib.chart_style import RC, WIDTH, new_figure
from simlib.report.charts import panel_title

LONG_VI = "Các huyện nghèo cũ (địa giới năm 2025)"
LONG_EN = "Former poor districts (2025 boundaries)"


def test_short_parts_are_one_line_each():
    assert panel_title(["Toàn tỉnh"], 30) == "Toàn tỉnh"
    assert panel_title(["Các huyện nghèo (2023–2025)", "các xã nghèo (2026–2027)"], 30) == (
        "Các huyện nghèo (2023–2025)\ncác xã nghèo (2026–2027)"
    )


def test_a_long_part_breaks_before_its_bracket():
    assert panel_title([LONG_VI], 30) == "Các huyện nghèo cũ\n(địa giới năm 2025)"
    assert panel_title([LONG_EN], 30) == "Former poor districts\n(2025 boundaries)"


def test_a_long_part_without_a_bracket_breaks_at_spaces():
    text = "Hộ dân tộc thiểu số ở các xã đặc biệt khó khăn vùng cao"
    lines = panel_title([text], 30).split("\n")
    assert len(lines) > 1 and all(len(x) <= 30 for x in lines)
    assert " ".join(lines) == text


@pytest.mark.parametrize("label", [LONG_VI, LONG_EN])
def test_three_panel_titles_do_not_run_into_each_other(label):
    fig = new_figure(WIDTH, 3.3)
    with matplotlib.rc_context(RC):
        axes = fig.subplots(1, 3, sharey=True)
        titles = [ax.set_title(panel_title([label], 30), loc="left", fontsize=9) for ax in axes]
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        for title, right in zip(titles[:-1], axes[1:]):
            assert title.get_window_extent(renderer).x1 < right.get_window_extent(renderer).x0
