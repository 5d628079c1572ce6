"""polish64: a leader's sentences name no tool command, file or internal key; the commands are
in a technical note in small type; the notes on the central projection say it once."""

from __future__ import annotations

import inspect
import re
from dataclasses import replace
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text
from test_brief64 import _central_ctx

from simlib import i18n
from simlib.dataset import load_dataset
from simlib.i18n import fmt
from simlib.report import answer, bars, charts, html, trends, verdict
from simlib.report import money as money_tables
from simlib.report import period_notes as PN
from simlib.report import scenario_report as R
from simlib.report.assumptions import dataset_description, dataset_line, dataset_technical
from simlib.report.context import fewer_draws_note
from simlib.runner import run
from simlib.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "params" / "scenarios"
#: what only a technician types or reads: a command, a flag, a file of the report folder
TECHNICAL = re.compile(r"simlib |make reports|--uncertainty|UNCERTAINTY|\.csv|\.xlsx|\.yaml")
TECH_NOTE = {"vi": "Ghi chú kỹ thuật", "en": "Technical note"}
SEP = {"vi": ": mã bộ dữ liệu ", "en": ": dataset code "}
VERSION = {"vi": "phiên bản", "en": "version"}


def _small(blocks) -> list[str]:
    """The texts of the paragraphs in small type among a section's blocks."""
    return [b for b in blocks if isinstance(b, str) and 'class="sl-small"' in b]


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("asked", [0, 100])
def test_the_answer_says_in_plain_words_who_runs_the_draws(lang, asked):
    """The note under the answer gave «simlib run … --uncertainty 100 --out …» and «make reports
    UNCERTAINTY_MULTIDIM=100» on the leader's first screen."""
    notes = answer.verdict_parts(_central_ctx(lang, asked, SCENARIOS / "multidim_2030.yaml"))[1:]
    assert notes and not any(TECHNICAL.search(n) for n in notes), notes
    team = {"vi": "bộ phận kỹ thuật", "en": "technical team"}[lang]
    assert team in notes[-1]


@pytest.fixture(scope="module")
def equal_split():
    return run(load_scenario(SCENARIOS / "equal_split.yaml"))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_commands_are_in_a_technical_note_in_small_type(equal_split, lang):
    """Without draws asked, the scorecard's section ends with the technical note giving the
    command; its other note says what the cells lack, not «the verdicts follow the central
    projection; how sure is unknown» again (the answer says it)."""
    ctx = R.context(equal_split, lang)
    small = _small(R.scorecard(ctx))
    (tech,) = [b for b in small if TECH_NOTE[lang] in b]
    assert "simlib run params/scenarios/equal_split.yaml --uncertainty 100 --out …" in tech
    assert not any(TECHNICAL.search(b) for b in small if b is not tech)
    how_sure = {"vi": "chưa biết mức độ chắc chắn", "en": "how sure they are is unknown"}[lang]
    assert not any(how_sure in b for b in small)
    # a batch that asked 20 draws and ran none: the section on how sure holds the note, the
    # scorecard no second one
    ctx.draws_asked, ctx.uncertainty_note = 20, "…"
    assert not any(TECH_NOTE[lang] in b for b in _small(R.scorecard(ctx)))
    ctx.links = replace(ctx.links, uncertainty=None)
    (tech,) = [b for b in _small(R.uncertainty(ctx)) if TECH_NOTE[lang] in b]
    assert "make reports UNCERTAINTY_MULTIDIM=20" in tech and "equal_split.yaml --uncertainty 20 --out" in tech


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_batch_notes_on_fewer_draws_give_no_command(lang):
    scen = load_scenario(SCENARIOS / "multidim_2030.yaml")
    for ran in (0, 20):
        note = fewer_draws_note(scen, ran, 100, lang)
        assert note and not TECHNICAL.search(note), note


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_dataset_is_named_by_its_title_its_code_in_a_technical_note(lang):
    """«Bộ dữ liệu số hộ tỉnh Cao Bằng theo xã (mã «caobang_communes», phiên bản 2024.1-communes)»
    and «… bằng lệnh «simlib import-review --level commune»» on the assumptions section."""
    for name in ("caobang", "caobang_communes"):
        ds = load_dataset(name)
        line, desc = dataset_line(ds, lang), dataset_description(ds, lang)
        assert name not in line and ds.version not in line and not TECHNICAL.search(desc), (line, desc)
        assert dataset_technical(ds, lang).startswith(
            f"{TECH_NOTE[lang]}{SEP[lang]}{fmt.quote(name, lang)}, {VERSION[lang]} {ds.version}; "
        )  # then the command importing the review counts (quote65)
    team = {"vi": "bộ phận kỹ thuật", "en": "technical team"}[lang]
    assert team in dataset_description(load_dataset("caobang_communes"), lang).split(". ")[-1]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_notes_name_no_file_of_the_report_folder(lang):
    """«… trong tệp period_changes.csv», «… trong tệp tables.xlsx», «(… targets.csv)», «(kịch bản
    crossing_2024_2027)» on the leader's page."""
    kw = dict(years=2026, labels="x", units=56, n=3, k=1, names="x", share="5 %", areas="x")
    keys = ("report.changes.note", "report.changes.rounding", "report.units_full_table")
    for text in [i18n.t(k, lang) for k in keys] + [i18n.t("report.scorecard.former_districts_note", lang, **kw)]:
        assert not TECHNICAL.search(text) and "crossing_2024_2027" not in text, text


def test_the_comparison_headings_are_plain_administrative_words():
    """«Được – mất của các phương án khác:» (gains – losses) read oddly to a provincial leader."""
    keys = ("decision.tradeoffs", "compare.table.ranking", "compare.section.groups")
    texts = [i18n.t(k, "vi") for k in keys]
    assert texts[0] == "So sánh với các phương án khác:"
    assert not any("được – mất" in x.lower() for x in texts), texts
    assert all("So sánh" in x or "so sánh" in x for x in texts), texts


def test_a_source_s_web_address_is_a_link_not_written_out():
    """The periods table's note wrote «…: https://baocaobang.vn/thuc-hien-chuong-trinh-…html» out."""
    url = "https://baocaobang.vn/thuc-hien-3167958.html"
    pdf = "https://datafiles.chinhphu.vn/1657-nq.signed.pdf"
    text = f"Kế hoạch 415: Kế hoạch 415/KH-UBND năm 2024: {url}; Nghị quyết 1657 ({pdf}); x"
    assert html.linked(text, "văn bản") == (
        f'Kế hoạch 415: Kế hoạch 415/KH-UBND năm 2024 (<a href="{url}">văn bản</a>); '
        f'Nghị quyết 1657 (<a href="{pdf}">văn bản</a>); x'
    )
    assert html.linked("a < b.", "x") == "a &lt; b."


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_note_said_of_two_years_is_said_once(lang):
    """«Năm 2023: số hộ tính trên các xã mới …» then «Năm 2024: số hộ tính trên các xã mới …»."""
    record = [f"{y}: counts computed on commune units while district units were in force" for y in (2023, 2024)]
    notes = PN.period_notes([*record, "as recorded"], lang)
    both = {"vi": "2023 và 2024", "en": "2023 and 2024"}[lang]
    assert notes == [i18n.t("report.periods.note_units", lang, year=both), "as recorded"]
    assert PN.period_notes(record[:1], lang) == [PN.period_note(record[0], lang)]


def _title_boxes(fig):
    """The extents (pixels) of the panels' titles, with their row's height, of a drawn figure."""
    FigureCanvasAgg(fig).draw()
    r = fig.canvas.get_renderer()
    out = []
    for a in (a for a in fig.axes if a.get_visible() and a.get_title(loc="left")):
        (title,) = [t for t in a.get_children() if isinstance(t, Text) and t.get_text() == a.get_title(loc="left")]
        out.append((a.get_position().y0, title.get_window_extent(r)))
    return out


def test_the_district_panels_titles_do_not_run_into_each_other():
    """plan_2024's districts, five a row: «Huyện Trùng Khánh ★» ran into «Thành phố Cao Bằng»; the
    axis said «Hộ nghèo (%)» (a count?) for the poor-household rate."""
    names = ["Huyện Bảo Lạc ★", "Huyện Bảo Lâm ★", "Huyện Hà Quảng ★", "Huyện Hạ Lang ★", "Huyện Hòa An"]
    names += ["Huyện Nguyên Bình", "Huyện Quảng Hòa", "Huyện Thạch An ★", "Huyện Trùng Khánh ★", "Thành phố Cao Bằng"]
    panels = [charts.Panel(n, [charts.Series("x", [2023, 2024, 2025], [30.0, 25.0, 20.0])]) for n in names]
    ylabel = i18n.t("axis.poor_rate", "vi")
    fig = charts.line_panels(panels, ylabel=ylabel, xlabel="Năm", lang="vi", ncols=5)
    boxes = _title_boxes(fig)
    for (y0, a), (y1, b) in zip(boxes, boxes[1:]):
        if y0 == y1:  # same row: a title ends a space (12 points) before the next begins (was 3)
            assert (b.x0 - a.x1) * 72 / fig.dpi >= 12, (a, b)
    assert ylabel == "Tỷ lệ hộ nghèo (%)"
    assert inspect.getsource(trends.district_panels).count('"axis.poor_rate"') == 1


def test_the_target_label_does_not_hide_a_bar_s_value():
    """plan_2024's coverage, third panel: both bars at 100 %, «Chỉ tiêu 100 %» written over the
    2025 bar's «100 %»."""
    years = ["2024", "2025"]
    panels = [
        bars.BarPanel("Hỗ trợ phát triển sản xuất", years, [47.0, 50.0], 80.0, "Chỉ tiêu 80 %"),
        bars.BarPanel("Cán bộ giảm nghèo được tập huấn", years, [67.0, 67.0], 100.0, "Chỉ tiêu 100 %"),
        bars.BarPanel("Huyện nghèo được đầu tư hạ tầng", years, [100.0, 100.0], 100.0, "Chỉ tiêu 100 %"),
    ]
    fig = bars.bar_panels(panels, ylabel="%", lang="vi", value_fmt=lambda v: f"{v:.0f} %", ymax=100.0)
    FigureCanvasAgg(fig).draw()
    r = fig.canvas.get_renderer()
    for ax in fig.axes:
        target = next(t for t in ax.texts if t.get_text().startswith("Chỉ tiêu")).get_window_extent(r)
        values = [t.get_window_extent(r) for t in ax.texts if not t.get_text().startswith("Chỉ tiêu")]
        assert len(values) == 2 and not any(target.overlaps(v) for v in values), (target, values)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_reach_chart_says_which_rows_count_persons_or_houses(equal_split, lang):
    """«Số hộ được hỗ trợ trong năm (hộ)» over rows counting persons (P4.1–P4.3) and houses (P5)."""
    ctx = R.context(equal_split, lang)
    (chart,) = [b for b in money_tables.money(ctx) if isinstance(b, html.Chart) and "P4.2" in _labels(b)]
    ax = chart.figure.axes[0]
    labels = {t.get_text().split(" ")[0]: t.get_text() for t in ax.get_yticklabels()}
    persons, houses = (i18n.t(f"report.reach.in_{k}", lang) for k in ("persons", "houses"))
    assert all(labels[c].endswith(f"({persons})") for c in ("P4.1", "P4.2", "P4.3")), labels
    assert labels["P5"].endswith(f"({houses})") and not labels["P3.1"].endswith(")"), labels
    assert ax.get_xlabel() == i18n.t("axis.households_reached_mixed", lang)


def _labels(chart) -> str:
    """A bar chart's category labels, joined."""
    return " ".join(t.get_text() for t in chart.figure.axes[0].get_yticklabels())


def test_the_english_answer_notes_quote_in_one_style():
    """The English answer quoted its targets «…» beside notes quoting “…” (and "…")."""
    ctx = _central_ctx("en", 0)
    counted = verdict.counted_caveat(ctx.verdicts.assign(proposed=True), "en")
    assert counted and "«" not in counted and "“" in counted, counted
    assert fmt.quote("x", "en") == "“x”" and fmt.quote("x", "vi") == "«x»"
    en = Path(i18n.__file__).parent.parent / "locale" / "en" / "report.yaml"
    text = en.read_text(encoding="utf-8")
    assert "«" not in text and "»" not in text
