"""A report's year-by-year table in a real browser: on a 1280-pixel screen it stays inside the
text column (stop 41 saw the attainment table of `multidim_2030` — a label, a threshold and seven
years, each cell a value, a verdict and a shortfall in households — run past the column's right
edge). The page is built with the report's own `html.page` and `html.table`, with cells as long as
the report's; Debian's headless Chromium (driven by Playwright, never downloaded) measures it.

Skipped, with the reason, where Chromium or Playwright is missing (`.ci/run` installs Chromium).
"""

from __future__ import annotations

import os
import shutil

import pytest
from browser_pages import opened_page

from simlib.report import html

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium (apt-get install chromium; .ci/run does)")

VERDICT = '−2,94<br><span class="sl-notmet">✗ Không đạt</span><br><span class="sl-small">thiếu 1,06 điểm % (khoảng 1.421 hộ)</span>'


def attainment_like(columns: int) -> str:
    """A page with one table of `columns` columns shaped like the attainment table."""
    header = ["Chỉ tiêu (địa bàn)", "Ngưỡng kế hoạch"] + [f"Triển vọng {2023 + k}" for k in range(columns - 2)]
    label = "Tỷ lệ hộ nghèo dân tộc thiểu số giảm từ 4 điểm % trở lên (Hộ dân tộc thiểu số)"
    rows = [[label, "≤ −4,00 điểm %"] + [VERDICT] * (columns - 2) for _ in range(3)]
    numeric = [False] + [True] * (columns - 1)
    table = html.table(header, rows, numeric=numeric, raw_cols=range(2, columns))
    return html.page(f"<h2>Khả năng đạt các chỉ tiêu</h2>{table}", "Bố cục")


def overflow(page_html: str, tmp_path, width: int) -> tuple[float, float]:
    """The table's width and the text column's content width, in CSS pixels, at `width`."""
    with opened_page(page_html, tmp_path, width, CHROMIUM) as page:
        table = page.locator("table.sl-table").evaluate("e => e.getBoundingClientRect().width")
        column = page.locator("main.sl-page").evaluate(
            "e => { const s = getComputedStyle(e);"
            " return e.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); }"
        )
    return table, column


@pytest.mark.parametrize("columns", [9, 10])
def test_a_year_by_year_table_fits_the_text_column_at_1280_pixels(tmp_path, columns):
    table, column = overflow(attainment_like(columns), tmp_path, 1280)
    assert table <= column + 0.5, f"the table is {table:.0f} px wide in a {column:.0f}-px column"


def test_a_narrow_table_keeps_the_report_font():
    assert 'class="sl-table"' in html.table(["a", "b"], [["1", "2"]])
    assert 'class="sl-table sl-wide"' in html.table(list("abcdefgh"), [list("12345678")])
    assert 'class="sl-table sl-wide sl-wider"' in html.table(list("abcdefghij"), [list("1234567890")])
