"""The comparison's files in the page's order, and the printed brief without a hole (report62).

order61 listed the group of the plan decided now (the 2027 commune plan) first on the index and
the comparison page, but `compare.xlsx` and `compare_*.csv` kept the 2024 group first and named
the groups of the robustness files by a number (1, 2…) that the page does not show. They now
follow the page (`brief_parts.reading_order`) and name each group by its heading and years.
Printed, the index's page 1 ended with a fifth of the page empty: the 2024 part of the brief (a
three-line heading and a five-line answer, kept whole and together) moved to page 2."""

from __future__ import annotations

import re
import subprocess
from html import unescape

import openpyxl
import pandas as pd
import pytest
from test_brief61 import _batch
from test_print60 import PDFTOTEXT, printed_pdf

from simlib import i18n
from simlib.report import brief_parts as BP
from simlib.report import compare as CP
from simlib.report import decision as DC
from simlib.report import html


def _exportable(runs):
    """test_brief61's runs with what the trade-off table reads: one draw, no targets table."""
    for r in runs:
        r.tables.indicators = r.tables.indicators.assign(draw=0)
        r.tables.targets = pd.DataFrame(columns=["target_id", "year", "geo_type", "met"])
    return runs


def _shared(group):
    """Regret on three common draws for a group of two allocations or more (as
    `decision.shared_robustness` gives it), the lower projected rate best in every draw."""
    allocs = [r for r in group if r.role != "counterfactual"]
    if len(allocs) < 2:
        return None
    rates = {r.name: r.rate(None) for r in allocs}
    best = min(rates.values())
    values = pd.DataFrame(
        [
            {"draw": d, "scenario": n, "value": v, "best": best, "regret": v - best, "is_best": v == best}
            for d in range(3)
            for n, v in rates.items()
        ]
    )
    summary = pd.DataFrame(
        [
            {
                "scenario": n,
                "value_mean": v,
                "regret_mean": v - best,
                "regret_p95": v - best,
                "regret_max": v - best,
                "share_best": float(v == best),
                "draws": 3,
            }
            for n, v in sorted(rates.items(), key=lambda kv: kv[1])
        ]
    )
    return DC.Robustness(values, summary)


def _page_groups(runs, lang) -> list[str]:
    """The group headings of the comparison page's trade-off section, in the page's order."""
    page = "".join(b for b in CP.groups(runs, lang) if isinstance(b, str))
    return [unescape(h) for h in re.findall(r"<h3[^>]*>(.*?)</h3>", page)]


@pytest.fixture
def exported(tmp_path, monkeypatch):
    monkeypatch.setattr(DC, "shared_robustness", _shared)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # the run's time fixed: the same bytes twice
    runs = _exportable(_batch())
    folders = []
    for k in range(2):
        folder = tmp_path / f"out{k}"
        folder.mkdir()
        CP.export(runs, folder, "vi")
        folders.append(folder)
    return runs, folders


def test_the_workbook_and_csvs_list_the_groups_as_the_page_does(exported):
    """The page lists the 2025–2027 group first; so do the ranking's CSV and the sheets of
    compare.xlsx (every row, each group's rows together; one sheet per group since print65), the verdicts CSV and the robustness CSVs;
    two exports write the same bytes."""
    runs, (out, again) = exported
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(p.name for p in again.iterdir()) and "compare.xlsx" in names
    assert all((out / n).read_bytes() == (again / n).read_bytes() for n in names)  # reproducible
    page = _page_groups(runs, "vi")
    assert len(page) == 2 and "2026–2027" in page[0] and "2024–2025" in page[1]
    group_col = i18n.t("compare.group_col", "vi")
    ranking = pd.read_csv(out / "compare_table_ranking.csv", sep=";", encoding="utf-8-sig")
    assert list(dict.fromkeys(ranking[group_col])) == page
    book = openpyxl.load_workbook(out / "compare.xlsx")
    sheets = book.sheetnames[1:]  # print65: a sheet per group, after the information sheet
    assert len(sheets) == 2 and "2026–2027" in sheets[0] and "2024–2025" in sheets[1]
    rows = [row[0] for name in sheets for row in list(book[name].iter_rows(values_only=True))[1:]]
    assert rows == list(ranking[ranking.columns[0]])
    names = [r.name for g in BP.reading_order(runs) for r in g]
    assert list(dict.fromkeys(pd.read_csv(out / "compare_verdicts.csv")["scenario"])) == names
    for f in ("compare_robustness.csv", "compare_regret.csv"):
        assert list(dict.fromkeys(pd.read_csv(out / f)["group"])) == page, f


def test_no_file_names_a_group_by_a_number(exported):
    """compare_robustness.csv and compare_regret.csv had `group` 1, 2…: the numbers of
    `decision.groups`, in which the 2024 group is 1, while the page shows the 2027 group first
    and numbers none. Each row names its group by the page's heading, its model and its years."""
    runs, (out, _) = exported
    page = _page_groups(runs, "vi")
    for f in ("compare_verdicts.csv", "compare_robustness.csv", "compare_regret.csv"):
        frame = pd.read_csv(out / f)
        assert set(frame["group"]) <= set(page), f
        for _, row in frame.drop_duplicates("scenario").iterrows():
            run = next(r for r in runs if r.name == row["scenario"])
            assert (row["model"], row["first_year"], row["last_year"]) == (run.key[0], run.key[2], run.key[3])
            assert f"{run.key[2] + 1}–{run.key[3]}" in row["group"]


def test_each_groups_columns_keep_their_format(exported):
    """The ranking's columns are named by years, so each group has its own; only the first
    group's had their format (the 2030 group's cost per household was written 12,470559). Every
    group's rate change is written with two decimals, as on the page."""
    runs, (out, _) = exported
    ranking = pd.read_csv(out / "compare_table_ranking.csv", sep=";", encoding="utf-8-sig", dtype=str)
    changes = [c for c in ranking.columns if c.startswith("Thay đổi")]
    assert len(changes) == 2
    for c in changes:
        shown = ranking[c].dropna()
        assert len(shown) and shown.str.fullmatch(r"-?\d+,\d\d").all(), list(shown)
    expected = {r.name: f"{r.rate(None) - 24.0:.2f}".replace(".", ",") for r in runs}
    title = {f"Kịch bản {n}": v for n, v in expected.items()}
    for _, row in ranking.iterrows():
        assert title[row.iloc[0]] in set(row[changes].dropna())


# --- printed on A4 ----------------------------------------------------------------------------


def _pages_words(pdf) -> list[list[tuple[float, float, str]]]:
    """Per printed page, each word's (top, bottom, text) as poppler's `pdftotext -bbox` gives
    it (points from the top of the page), without the page footer «Trang k / n»."""
    out = subprocess.run([PDFTOTEXT, "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = []
    for page in out.split("<page ")[1:]:
        words = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', page)
        pages.append([(float(a), float(b), w) for a, b, w in words])
    return [[w for w in p if w[0] < 800] for p in pages]  # the footer is printed below 800 pt


#: the 2024 part's heading as the bundled index prints it (three lines)
HEADING = (
    "Các kịch bản khác, bắt đầu từ «Kế hoạch năm 2024 (ưu tiên theo Kế hoạch 415/KH-UBND)» "
    "(tính trên các huyện, cấp hành chính không còn từ ngày 1/7/2025)"
)
#: what the answer of the index's 2024 part says besides the choice (five lines in all)
NOTE = (
    "Tuy vậy, 77,9 tỷ đồng vốn của phương án này không đến được đối tượng nào (vượt nhu cầu "
    "của các đối tượng đủ điều kiện theo định mức); cần phân bổ lại số vốn này trước khi chọn."
)


def _brief(first: int) -> str:
    """A brief of two parts as the index prints it: `first` messages of three lines each in the
    first part; the second part's heading, its five-line answer and four messages."""
    line = "Kế hoạch năm 2027 theo xã đạt 2 chỉ tiêu, chưa chắc đạt 0, không đạt 0 trong 2 chỉ tiêu. "
    best = type("Best", (), {"title": lambda self, lang: "Chia đều cho các dự án, tiểu dự án"})()
    parts = [
        BP.Part(
            "Việc cần quyết định hiện nay", [DC.Message(f"Thông điệp {k}. " + line * 2) for k in range(first)], None
        ),
        BP.Part(HEADING, [DC.Message("Đầu_phần_sau. " + line, answer_note=NOTE)] + [DC.Message(line)] * 3, best),
    ]
    return "<h1>Báo cáo các kịch bản giảm nghèo</h1>" + BP.parts_html(parts, "vi")


def _room_taken(page, first_word: str) -> float:
    """On the page of the second part's heading: from the heading's top to the top of the third
    line of its answer (`first_word`: the answer's first word) — the room the heading and two
    lines of its answer take."""
    top = min(w[0] for w in page if w[2] == "Các")
    start = min(w[0] for w in page if w[2] == first_word)
    lines = sorted({round(w[0]) for w in page if w[0] >= start - 1})
    return lines[2] - top


@pytest.mark.parametrize("first", [9, 10, 11, 12])
def test_the_second_part_of_the_brief_starts_where_the_first_ends(tmp_path, first):
    """The index printed its page 1 with 125 pt (a fifth of the text's height) empty under the
    first part: the second part's heading and its whole answer had to go together. The heading
    now starts on the page where the first part ends when it and two lines of its answer fit
    there: a page ends with less room empty than they take; the heading stays whole, with the
    start of its answer on its page (print60, brief61)."""
    pages = _pages_words(printed_pdf(html.page(_brief(first), "In"), tmp_path))
    head = [i for i, p in enumerate(pages) if any(w[2] == "415/KH-UBND)»" for w in p)]
    end = [i for i, p in enumerate(pages) if any(w[2] == "1/7/2025)" for w in p)]
    assert head == end and len(head) == 1  # whole, on one page
    (k,) = head
    answer = i18n.t("decision.answer", "vi", title="X").split()[0]
    assert any(w[2] == answer for w in pages[k])  # the answer starts on the heading's page
    if k:  # moved to the next page: there was not room enough for it and two lines of its answer
        empty = 842 - 45.35 - max(w[1] for w in pages[k - 1])  # A4, 16 mm bottom margin
        assert empty < _room_taken(pages[k], answer), (empty, _room_taken(pages[k], answer))


def _listed(first: int) -> str:
    """A brief of `first` two-line messages, then a message with a list as the index's ninth
    (the counterfactual, then four scenarios computed differently): a three-line lead-in and four
    items of five lines."""
    line = "Kế hoạch năm 2024 đạt 1, chưa chắc đạt 0, không đạt 5 trong 6 chỉ tiêu của kế hoạch. "
    item = "tính theo Mô hình đa chiều (thu nhập và 12 chỉ số thiếu hụt), các năm 2023–2027: trình bày riêng. "
    items = "".join(f"<li>Mục_{k} «Kịch bản {k}» {item * 3}Hết_{k}</li>" for k in range(4))
    listed = DC.Message(f"Dẫn_đầu. {line * 2}Dẫn_cuối:<ul>{items}</ul>")
    messages = [DC.Message(f"Thông điệp {k}. {line}") for k in range(first)] + [listed]
    return "<h1>Báo cáo các kịch bản giảm nghèo</h1>" + DC.brief_html(messages, None, "vi")


@pytest.mark.parametrize("first", [12, 14, 16])
def test_a_message_with_a_list_breaks_between_its_items(tmp_path, first):
    """Once its 2024 part moved up, the index's page 2 ended 257 pt empty: its ninth message (the counterfactual, then four
    scenarios computed differently: a list), kept whole, moved to page 3. A message with a list
    breaks between its items (and its lead-in between lines, two at least on each page): its
    lead-in ends on the page of its first item, each item is whole, and it moves to the next page
    only when its lead-in and first item do not fit."""
    pages = _pages_words(printed_pdf(html.page(_listed(first), "In"), tmp_path))

    def page_of(word):
        (k,) = [i for i, p in enumerate(pages) if any(w[2] == word for w in p)]
        return k

    k = page_of("Dẫn_đầu.")
    assert page_of("Dẫn_cuối:") == page_of("Mục_0")  # the lead-in's end with its first item
    assert all(page_of(f"Mục_{j}") == page_of(f"Hết_{j}") for j in range(4))  # each item whole
    if k:  # moved: its lead-in and first item did not fit at the foot of the page before
        empty = 842 - 45.35 - max(w[1] for w in pages[k - 1])
        taken = max(w[1] for w in pages[k] if w[2] == "Hết_0") - min(w[0] for w in pages[k] if w[2] == "Dẫn_đầu.")
        assert empty < taken, (empty, taken)
