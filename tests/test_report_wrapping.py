"""Interval text never wraps to start a line with a dash or a percent sign: a browser may break at
a plain space, never at a no-break space (U+00A0)."""

from __future__ import annotations

import html as std_html
import re

import pytest

from simlib import i18n
from simlib.i18n import fmt
from simlib.report import html

BREAKABLE_BEFORE = re.compile(r"[ \t\r\n][–—%]")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_interval_keeps_its_dash_and_percent_signs(lang):
    text = i18n.t("report.interval90", lang, lo=fmt.percent(15.84, lang), hi=fmt.percent(18.2, lang))
    assert BREAKABLE_BEFORE.search(text)  # the catalogue text alone could wrap before "–" or "%"
    out = html.esc(text)
    assert not BREAKABLE_BEFORE.search(out)
    assert out.replace("\u00a0", " ") == std_html.escape(text).replace("\u00a0", " ")  # only spaces change


def test_cards_paragraphs_and_tables_keep_them():
    blocks = [
        html.para("Tỷ lệ 24,7 % – 19,3 %"),
        html.cards([("Chi phí", "562 triệu đồng", "khoảng 339 – 893 (8,96 điểm %)")]),
        html.table(["Năm", "Khoảng"], [["2027", "1,2 – 3,4 %"]]),
    ]
    for b in blocks:
        assert not BREAKABLE_BEFORE.search(re.sub(r"<[^>]+>", "", b)), b


def test_other_spaces_still_wrap():
    assert html.esc("a b – c") == "a b\u00a0– c"
    assert html.esc("năm 2024 và 2025") == "năm 2024 và 2025"


def test_a_page_keeps_dashes_in_raw_text_but_not_in_styles_or_tags():
    body = '<p title="a – b">Thông tin — chi tiết\n– x</p><style>p { content: " –"; }</style>'
    out = html.page(body, "t")
    assert "Thông tin\u00a0— chi tiết\u00a0– x" in out
    assert 'title="a – b"' in out and 'content: " –"' in out
