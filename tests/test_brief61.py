"""The reports as a provincial leader reads them, on screen and printed (brief61): the brief leads
with the plan decided now (the 2027 commune plan), the 2024 district material after it, nothing
dropped; the index's verdict cell is one line of counts, the detail on the scenario report; no
printed table text smaller than 9 pt; a heading stays with what follows it on paper."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from test_print60 import CHART, printed_pages
from verdict_frames import province_verdict

from simlib import i18n
from simlib.i18n import fmt
from simlib.report import brief_parts as BP
from simlib.report import decision as DC
from simlib.report import html
from simlib.report import index as IX


def _periods(levels: dict[int, tuple[str, str]]) -> dict:
    """A period record: {year: (level in force, units used)}."""
    years = [{"year": y, "geography": {"level_in_force": f, "units_used": u}} for y, (f, u) in levels.items()]
    return {"periods": {"years": years}}


DISTRICTS = _periods({2024: ("district", "district"), 2025: ("commune", "district")})
COMMUNES = _periods({2026: ("commune", "commune"), 2027: ("commune", "commune")})


def _run(name: str, rate: float, role: str, y1: int, manifest: dict, status: str = "met"):
    """A run as the brief reads it without draws: one headline verdict in its first projected year."""
    ind = pd.DataFrame({"indicator": "poor_rate", "geo": "province", "year": [y1 - 2, y1], "value": [24.0, rate]})
    verdicts = province_verdict(status, np.nan, 0.5 if status == "met" else -1.0).assign(year=y1 - 1)
    return SimpleNamespace(
        name=name,
        role=role,
        key=("multidim" if y1 == 2027 else "states", "t", y1 - 2, y1),
        verdicts=verdicts,
        link=f"{name}/report.html",
        tables=SimpleNamespace(indicators=ind, uncertainty=None, folder=None, manifest=manifest),
        title=lambda lang, n=name: f"Kịch bản {n}",
        rate=lambda year, v=rate: v,
    )


def _batch():
    """The bundled batch's shape: four 2024–2025 district runs (the largest group, with the 2024
    plan and the counterfactual) and the 2027 commune plan with one alternative (as the crossing)."""
    return [
        _run("plan_2024", 19.1, "plan", 2025, DISTRICTS, "not_met"),
        _run("equal", 18.4, "alternative", 2025, DISTRICTS),
        _run("infra", 19.0, "alternative", 2025, DISTRICTS),
        _run("none", 20.3, "counterfactual", 2025, DISTRICTS, "not_met"),
        _run("plan_2027", 19.4, "plan", 2027, COMMUNES),
        _run("crossing", 19.2, "alternative", 2027, COMMUNES),
    ]


def test_the_plan_decided_now_is_the_plan_on_the_units_in_force():
    """plan_2024 (and multidim_2030) count their last year on districts while communes are in
    force: not the plan decided now; plan_2027 counts 2027 on the communes in force."""
    runs = _batch()
    assert BP.current_plan(runs).name == "plan_2027"
    assert BP.current_plan(runs[:4]) is None and BP.current_plan(runs[:4] + runs[5:]) is None
    later = _run("plan_2030", 18.0, "plan", 2030, _periods({2030: ("commune", "district")}))
    assert BP.current_plan([*runs, later]).name == "plan_2027"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_brief_leads_with_the_2027_commune_plan_and_drops_nothing(lang):
    """The brief spoke of the 2024 allocations first and named the commune plan only in its last
    message's list. It leads now with the 2027 plan — its heading, then its own verdict — and every
    message it had follows, in the same order, numbered on."""
    runs = _batch()
    before, best = DC.brief(runs, lang, {})
    parts = BP.parts(runs, lang, {})
    page = BP.parts_html(parts, lang, "Chú thích.")
    now = i18n.t("decision.part_now", lang, title=fmt.quote("Kịch bản plan_2027", lang), year=2027)
    after = i18n.t("decision.part_earlier_old_units", lang, title=fmt.quote("Kịch bản plan_2024", lang))
    own = DC.plan_message(runs[4:], lang).html
    first_2024 = page.index(html.esc(after))
    # the plan's own verdict, then the answer for its group (the lower projected rate: crossing)
    answer_now = html.esc(i18n.t("decision.answer_central", lang, title="Kịch bản crossing"))
    assert page.index(html.esc(now)) < page.index(f'<ol start="1"><li>{own}') < page.index(answer_now) < first_2024
    assert "plan_2024" not in page[:first_2024]  # the 2024 district material after
    n_first = len(parts[0].messages)  # numbered on: 1 the plan's verdict, 2… the comparison, then 2024
    assert re.findall(r'<ol start="(\d+)">', page) == ["1", "2", str(n_first + 1)]
    # the whole brief as it was — the 2024 choice's answer, every message in its order — follows
    old = DC.brief_html(before, best, lang)
    kept = old[old.index("</h2>") + 5 : old.rindex("</section>")].replace("<ol>", f'<ol start="{n_first + 1}">')
    assert best.name == "equal" and "sl-answer" in kept and page.index(kept) > first_2024
    assert page.count('id="brief"') == 1 and page.endswith("</section>") and "Chú thích." in page


def test_without_a_plan_on_the_units_in_force_the_brief_is_as_before():
    runs = _batch()[:4]
    messages, best = DC.brief(runs, "vi", {})
    assert BP.parts_html(BP.parts(runs, "vi", {}), "vi", "c") == DC.brief_html(messages, best, "vi", "c")


def _unit_verdicts():
    """plan_2027's shape in 2027: a province target and a poor-commune target judged together and
    in each commune (met together, one commune of two short), one of them only proposed."""
    from test_verdict_readings import _run

    v = _run(-3.2, {"a": -4.0, "b": -2.5})
    return v.assign(proposed=v["target_id"] == "u")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_index_verdict_cell_is_one_line_of_counts(lang):
    """The index's verdict cell held three to five lines in small type (the count, the count for
    each poor commune, the targets only proposed or for reference named in full, the chance of
    meeting all): rows a third of a page tall. It is the count (the poor communes together, as
    before), with a link to the scenario report's first screen, which says the rest; the note
    under the table says what is there."""
    run = _run("plan_2027", 19.4, "plan", 2027, COMMUNES)
    run.verdicts = _unit_verdicts()
    cell = IX._verdict_cell(run, lang)
    count = i18n.t("index.verdict_central", lang, year="2027", met=2, not_met=0)  # no draws (lead62)
    link = html.link("plan_2027/report.html#headline", i18n.t("index.verdict_detail", lang))
    kinds = i18n.t("index.verdict_kinds", lang, kinds=i18n.t("index.verdict_proposed", lang, n=1))  # lead61
    assert cell == f'{html.esc(count + kinds)}<br><span class="sl-small sl-screen">{link}</span>'
    assert not count[0].islower()  # «Năm 2027, …», «2027, …»
    note = i18n.t("index.verdict_note", lang, col=i18n.t("index.col.verdict", lang))
    assert i18n.t("index.col.verdict", lang) in note
    # a run with nothing more to say has no link
    plain = _run("equal", 18.4, "alternative", 2025, DISTRICTS)
    assert IX._verdict_cell(plain, lang) == html.esc(
        i18n.t("index.verdict", lang, year="2024", met=1, uncertain=0, not_met=0)
    )


# --- printed on A4 ----------------------------------------------------------------------------


def _sizes(page_html: str, tmp_path) -> list[float]:
    """The font size (pt) of every word Chromium prints of `page_html`: the height of its box as
    poppler's `pdftotext -bbox` gives it, over the height of a box of an 11 pt word on the same page."""
    import subprocess

    from test_print60 import PDFTOTEXT, printed_pdf

    pdf = printed_pdf(page_html, tmp_path)
    out = subprocess.run([PDFTOTEXT, "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    boxes = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', out)
    heights = {w: float(b) - float(a) for a, b, w in boxes}
    unit = heights["Mười_một"] / 11  # a paragraph of the body, 11 pt printed
    return {w: h / unit for w, h in heights.items()}


def test_a_seven_year_table_prints_at_9_pt_or_more(tmp_path):
    """multidim_2030's scorecard (target, threshold, seven years: a `sl-wide` table) printed its
    cells at 8.8 pt and their shortfalls («thiếu 0,70 điểm % (khoảng 934 hộ)», small type) at
    7.6 pt; its 12-column tables at 7.9 pt. Printed, no table text is smaller than 9 pt."""
    years = [f"Năm_{y}" for y in range(2024, 2031)]
    cell = '−3,30<br><span class="sl-notmet">✗ Không đạt</span><br><span class="sl-small">Thiếu_nhỏ</span>'
    wide = html.table(["Chỉ_tiêu", "Ngưỡng", *years], [["Tỷ_lệ", "giảm", *[cell] * 7]], raw_cols=range(9))
    wider = html.table([f"Cột_{k}" for k in range(12)], [["Rộng", *["1,0"] * 11]])
    assert "sl-wide" in wide and "sl-wider" in wider
    sizes = _sizes(html.page(f"<p>Mười_một</p>{wide}{wider}", "In"), tmp_path)
    assert min(sizes[w] for w in ("Năm_2024", "Tỷ_lệ", "Thiếu_nhỏ", "Cột_3", "Rộng")) >= 8.9


@pytest.mark.parametrize("before", [26, 29, 32])
def test_a_heading_and_its_one_sentence_go_with_the_chart_they_introduce(tmp_path, before):
    """plan_2024's «Vốn đi đâu và mang lại gì» and its one sentence («Tổng vốn kế hoạch …») were
    printed alone at the foot of page 9, their chart on page 10: a heading, its sentence and what
    follows stay on one page."""
    lines = "".join(f"<p>Đoạn {k} của phần trước, một dòng.</p>" for k in range(before))
    chart = f'<figure class="sl-chart"><img alt="Biểu đồ" src="{CHART}"><figcaption>Chú thích.</figcaption></figure>'
    body = f'{lines}<h2 id="money">Vốn đi đâu và mang lại gì</h2><p>Tổng vốn kế hoạch: 1.424,0 tỷ đồng.</p>{chart}'
    pages = printed_pages(html.page(body, "In"), tmp_path)
    (head,) = [i for i, p in enumerate(pages) if "Vốn đi đâu" in p]
    assert "Tổng vốn kế hoạch" in pages[head] and "Chú thích." in pages[head]
