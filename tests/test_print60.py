"""What a provincial leader reading the printed Vietnamese pages saw (print60): the money the
chosen allocation leaves reaching no one said twice on the index's first screen (the answer's
box and message 1)."""

from __future__ import annotations

import re
import shutil
import subprocess
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from browser_pages import opened_page
from verdict_frames import province_verdict

from simlib import i18n
from simlib.report import decision as DC
from simlib.report import html


def _run(name: str, rate: float):
    """A run as the brief reads it without parameter draws: one headline verdict in 2024."""
    ind = pd.DataFrame({"indicator": "poor_rate", "geo": "province", "year": [2023, 2025], "value": [24.0, rate]})
    return SimpleNamespace(
        name=name,
        role="alternative",
        key=("states", 2023, 2025),
        verdicts=province_verdict("not_met", np.nan, -1.0),
        tables=SimpleNamespace(indicators=ind, uncertainty=None, folder=None, manifest={}),
        title=lambda lang, n=name: n,
        rate=lambda year, v=rate: v,
    )


def test_the_chosen_allocations_money_reaching_no_one_is_said_once_in_the_answer():
    """The index said «77,9 tỷ đồng … không đến được đối tượng nào» in its answer's box and again
    in message 1: said once, in the box a leader reads first, with why (above the need at the norm)."""
    runs = [_run("plan", 19.1), _run("equal", 18.4), _run("infra", 19.0)]
    for lang, money, why in (
        ("vi", "77,9 tỷ đồng", "vượt nhu cầu của các đối tượng đủ điều kiện theo định mức"),
        ("en", "77.9 billion VND", "beyond what eligible beneficiaries can take up at the norm"),
    ):
        messages, best = DC.brief(runs, lang, {"plan": 0.0, "equal": 77.93818, "infra": 15.8})
        page = DC.brief_html(messages, best, lang)
        (answer,) = re.findall(r'<p class="sl-answer">(.*?)</p>', page, re.S)
        assert money in answer and why in answer
        assert page.count(money) == 1, lang
        assert money not in messages[0].html
    # one allocation: no answer's box, so message 1 keeps the sentence, once
    messages, best = DC.brief([_run("plan", 19.1)], "vi", {"plan": 12.34})
    page = DC.brief_html(messages, best, "vi")
    assert best is None and "sl-answer" not in page
    assert "12,3 tỷ đồng" in messages[0].html and page.count("12,3 tỷ đồng") == 1


# --- printed on A4 (headless Chromium, the pages split as a printer splits them) ---------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")


def printed_pdf(page_html: str, tmp_path):
    """The A4 PDF Chromium prints of `page_html` (its own `--print-to-pdf`); skipped without
    Chromium or poppler's pdftotext (the tests read the PDF back with it)."""
    if CHROMIUM is None or PDFTOTEXT is None:
        pytest.skip("needs chromium and pdftotext (apt-get install chromium poppler-utils)")
    src, pdf = tmp_path / "page.html", tmp_path / "page.pdf"
    src.write_text(page_html, encoding="utf-8")
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"]
    subprocess.run([*args, f"--print-to-pdf={pdf}", src.as_uri()], check=True, capture_output=True, timeout=120)
    return pdf


def printed_pages(page_html: str, tmp_path) -> list[str]:
    """The text of each A4 page Chromium prints of `page_html` (`printed_pdf`, read back by
    poppler's pdftotext)."""
    pdf = printed_pdf(page_html, tmp_path)
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return [" ".join(p.split()) for p in text.split("\f") if p.strip()]


def _message(k: int) -> DC.Message:
    words = " ".join(f"Kịch bản thứ {k} cho tỷ lệ hộ nghèo cuối năm 2025 là 19,{k} %." for _ in range(6))
    return DC.Message(words, "compare.html#ranking", "xem căn cứ")


def test_a_brief_longer_than_a_page_starts_on_the_first_page(tmp_path):
    """index.html and compare.html printed an empty first page (the title alone): the brief, kept
    whole, is taller than an A4 page and was pushed to page 2. Printed, it starts under the title;
    its evidence links («xem căn cứ»), which mean nothing on paper, are not printed."""
    best = SimpleNamespace(name="b", title=lambda lang: "Chia đều")
    body = "<h1>Báo cáo các kịch bản giảm nghèo</h1>" + DC.brief_html([_message(k) for k in range(14)], best, "vi")
    pages = printed_pages(html.page(body, "In"), tmp_path)
    assert len(pages) >= 2  # the brief does not fit one page: the case seen
    assert "Tóm tắt để ra quyết định" in pages[0] and "Kịch bản thứ 0" in pages[0]
    assert not any("xem căn cứ" in p for p in pages)


#: a chart as a report embeds one (900 × 500 pixels), without matplotlib
CHART = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='900' height='500'%3E"
    "%3Crect width='900' height='500' fill='%23999'/%3E%3C/svg%3E"
)
GROUP = (
    "Mô hình trạng thái, dự báo 2024–2025; xác suất chuyển trạng thái ước lượng từ tỷ lệ hộ nghèo đã công bố các năm"
)


@pytest.mark.parametrize("before", [19, 22, 25])
def test_a_heading_is_neither_split_nor_left_at_the_foot_of_a_page(tmp_path, before):
    """compare.html printed a group's two-line heading with its first line at the foot of page 9
    and its second line above the chart on page 10 (pages 13–14 again): a heading stays whole,
    on the page of what it heads."""
    lines = "".join(f"<p>Đoạn {k} của phần trước, một dòng.</p>" for k in range(before))
    chart = f'<figure class="sl-chart"><img alt="Biểu đồ" src="{CHART}"><figcaption>Chú thích.</figcaption></figure>'
    body = f'{lines}<section class="sl-group"><h3>{GROUP}</h3>{chart}</section>'
    pages = printed_pages(html.page(body, "In"), tmp_path)
    (head,) = [i for i, p in enumerate(pages) if "Mô hình trạng thái" in p]
    assert "đã công bố các năm" in pages[head] and "Chú thích." in pages[head]


def _printed_style(page_html: str, tmp_path, selectors: list[str], media: str) -> list[str]:
    """The computed `display` of the first element of each selector, laid out for `media`."""
    if CHROMIUM is None:
        pytest.skip("no Chromium (apt-get install chromium)")
    with opened_page(page_html, tmp_path, 703, CHROMIUM, media=media) as page:
        return [page.locator(s).first.evaluate("e => getComputedStyle(e).display") for s in selectors]


def test_what_means_nothing_on_paper_is_not_printed(tmp_path):
    """Printed, the index's column of file links («Báo cáo · Độ bất định · Bảng Excel ·
    Notebook», the English word too) took a sixth of the width and made every row a third of a
    page tall; a report's line of links to other pages and the brief's «(xem căn cứ)» lead nowhere
    on paper. On screen they stay."""
    table = html.table(["Kịch bản", "Tệp"], [["Kế hoạch", html.link("a/report.html", "Báo cáo")]], raw_cols=[1])
    nav = html.nav([("index.html", "← Trang tổng hợp")])
    brief = DC.brief_html([DC.Message("Một thông điệp.", "compare.html#x", "xem căn cứ")], None, "vi")
    page = html.page(f'{nav}{brief}<div class="sl-files">{table}</div>', "In")
    hidden = ["p.sl-nav", "#brief li .sl-small", "div.sl-files td:last-child", "div.sl-files th:last-child"]
    assert _printed_style(page, tmp_path, hidden, "print") == ["none"] * 4
    assert "none" not in _printed_style(page, tmp_path, hidden, "screen")
    assert "sổ tính" in i18n.t("index.link.notebook", "vi").lower()
    assert "notebook là" not in i18n.t("index.explain", "vi")


def test_the_run_record_of_a_comparison_wraps_its_scenario_names(tmp_path):
    """compare.html's closing record printed each scenario's full name on one line (a column
    of 450 pixels) and its record in a column of ten characters, ten lines a scenario."""
    if CHROMIUM is None:
        pytest.skip("no Chromium (apt-get install chromium)")
    name = "Kế hoạch năm 2027 theo xã (Chương trình MTQG 2026–2035, chuẩn nghèo 2027–2030)"
    record = (
        "phương pháp giá trị kỳ vọng, số lượt 1, số khởi tạo ngẫu nhiên 2027; Mã kiểm tra tham số 482e42aee98e8157…"
    )
    page = html.page(
        f'<footer class="sl-footer"><table><tr><td>{name}</td><td>{record}</td></tr></table></footer>', "In"
    )
    with opened_page(page, tmp_path, 703, CHROMIUM, media="print") as browser:
        first, second = (browser.locator(f"td:nth-child({k})").evaluate("e => e.offsetWidth") for k in (1, 2))
    assert second > 1.5 * first, (first, second)


@pytest.mark.parametrize("before", [30, 32])
def test_a_table_caption_stays_whole_with_the_table(tmp_path, before):
    """plan_2027's «Quy định của từng năm: …» (a two-line table caption) printed its first line
    at the foot of page 11, its second above the table on page 12."""
    caption = (
        "Quy định của từng năm: danh mục chương trình (cách khai báo vốn), chuẩn nghèo, "
        "đơn vị hành chính đang có hiệu lực / đơn vị tính số hộ, chỉ tiêu"
    )
    row = ["Chương trình MTQG giảm nghèo bền vững 2021–2025 (vốn theo dự án, tiểu dự án)", "2022–2025"]
    table = html.table(["Năm", "Danh mục", "Chuẩn nghèo"], [[str(2023 + k), *row] for k in range(5)], caption=caption)
    lines = "".join(f"<p>Đoạn {k} của phần trước, một dòng.</p>" for k in range(before))
    pages = printed_pages(html.page(lines + table, "In"), tmp_path)
    (head,) = [i for i, p in enumerate(pages) if "Quy định của từng năm" in p]
    assert "số hộ, chỉ tiêu" in pages[head] and "2023 Chương" in pages[head]
