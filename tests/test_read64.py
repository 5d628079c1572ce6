"""What a provincial leader reading the printed comparison page saw (read64): a wide table's
notes printed alone on a page of their own."""

from __future__ import annotations

import pandas as pd
from test_print60 import printed_pages

from simlib.report import html
from simlib.report.table import ReportTable, to_html


def _group(k: int) -> str:
    """A group of the comparison page as `simlib.report.compare.groups` writes it: its heading, a
    ranking table of 11 columns (printed on a landscape page) and a note under it."""
    columns = {"Kịch bản": [f"Kịch_bản_{k}_{r}" for r in range(3)]}
    columns |= {f"Cột số {c} (tỷ đồng)": [1234.5 + c + r for r in range(3)] for c in range(10)}
    table = ReportTable("ranking", "Được – mất", pd.DataFrame(columns), dict.fromkeys(list(columns)[1:], "num1"))
    note = html.para(f"Ghi_chú_nhóm_{k}: vốn vượt quy định, chỉ để minh họa.", "sl-small")
    return f'<section class="sl-group"><h3>Nhóm {k}</h3>{to_html(table, "vi", caption=False)}{note}</section>'


def test_a_wide_tables_notes_print_on_its_page(tmp_path):
    """compare.html printed each group's trade-off table on a landscape page and the note under
    it (e.g. «… vượt quy định của khung pháp lý …, chỉ được cho qua để minh họa …») alone on the
    next, portrait page. The notes under a wide table print on the table's page."""
    body = "<h1>So sánh</h1><h2>Các nhóm</h2><p>Mở đầu.</p>" + _group(1) + _group(2)
    body += "<h2>Kết luận</h2><p>Đoạn_sau.</p>"
    pages = printed_pages(html.page(body, "In"), tmp_path)
    for k in (1, 2):
        (page,) = [p for p in pages if f"Kịch_bản_{k}_0" in p]
        assert f"Ghi_chú_nhóm_{k}" in page, pages
    assert not any(p.startswith("Ghi_chú_nhóm") for p in pages), pages
