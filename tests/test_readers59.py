"""Reports read as a provincial leader and a report editor would (readers59): one name for one
group on a run's pages, the threshold a verdict applies said beside the plan's wording, the CSV's
numbers written with their column's decimals, a sensitivity mark that carries information, and
the answer of the brief saying what the comparison earned with the chosen option's unreached
money in the same box."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import yaml

from simlib import i18n
from simlib.report import decision, money, scorecard, table, uncertainty, verdict
from simlib.report.levels import Levels

ROOT = Path(__file__).resolve().parents[1]
#: plan_2024's period record: the 2024 districts used at every review, communes in force at the
#: end-2025 review (the run never switches units)
KEPT = Levels("district", {2024: "district", 2025: "commune"}, {2024: "district", 2025: "district"})
#: crossing_2024_2027's: districts used to the end-2025 review, communes after
CROSSING = Levels(
    "district",
    {2024: "district", 2025: "commune", 2026: "commune"},
    {2024: "district", 2025: "district", 2026: "commune"},
)


def _plain(text: str) -> str:
    """`text` with its no-break spaces as spaces (a threshold wraps only where it should)."""
    return text.replace("\u00a0", " ")


def _verdict_rows(rows) -> pd.DataFrame:
    """A verdict table of (target, year, value, threshold, label) rows on the poor units together."""
    targets = pd.DataFrame(
        [
            {
                "scenario": "s",
                "engine": "expected",
                "draw": 0,
                "year": y,
                "target_id": tid,
                "geo_type": "poor_districts",
                "geo": "poor_districts",
                "indicator": "poor_rate_change",
                "value": v,
                "comparison": "<=",
                "threshold": thr,
                "met": v <= thr,
                "label_vi": label,
                "label_en": label,
            }
            for tid, y, v, thr, label in rows
        ]
    )
    return verdict.verdict_table(targets, pd.DataFrame(columns=["indicator", "geo", "year", "value"]))


# --- 1. one name for one group ------------------------------------------------------------------


def test_a_run_never_switching_units_names_its_poor_units_one_way_on_every_label():
    """plan_2024's charts said «Các huyện nghèo cũ (địa giới năm 2024)» (over 2023–2025, communes
    in force at the end-2025 review) of the group its scorecard called «Các huyện nghèo»."""
    plain = i18n.t("geo.poor_districts", "vi")
    assert plain == "Các huyện nghèo"
    years = [2023, 2024, 2025]
    assert KEPT.geo_over("poor_districts", "vi", years) == plain  # a chart over the run
    assert KEPT.geo_parts("poor_districts", "vi", years) == [plain]
    assert {KEPT.geo("poor_districts", "vi", [y]) for y in years} == {plain}  # a row of each year
    assert KEPT.geo("poor_districts", "en") == "Poor districts"
    v = _verdict_rows([("t", 2024, -4.0, -5.0, "chỉ tiêu"), ("t", 2025, -3.0, -5.0, "chỉ tiêu")])
    frame = scorecard.scorecard_table(v, "vi", levels=KEPT).frame
    assert set(frame[i18n.t("table.area", "vi")]) == {plain}
    # the years counted on districts while communes were in force are said once, in words
    assert KEPT.kept_years(years) == [2025]
    caption = i18n.t("report.fig.kept_districts", "vi", years="2025")
    assert "địa giới năm 2024" in caption and "1/7/2025" in caption


def test_the_former_districts_wording_stays_where_the_run_switches_units():
    assert CROSSING.geo("poor_districts", "vi", [2025]) == "Các huyện nghèo cũ (địa giới năm 2024)"
    assert CROSSING.geo("poor_districts", "vi", [2024]) == "Các huyện nghèo"
    assert CROSSING.kept_years() == []  # its labels say it


def test_the_infrastructure_label_of_a_run_on_districts_throughout_is_the_plain_one():
    """The coverage table said «Tỷ lệ các huyện nghèo cũ (địa giới năm 2024) được đầu tư hạ tầng»
    on plan_2024's page beside «Các huyện nghèo» in its scorecard."""
    record = [(2024, "district", "district"), (2025, "commune", "district")]
    years = [{"year": y, "geography": {"level_in_force": f, "units_used": u}} for y, f, u in record]
    ctx = SimpleNamespace(
        lang="vi",
        scenario=SimpleNamespace(dataset=SimpleNamespace(level="district")),
        result=SimpleNamespace(manifest={"periods": {"years": years}}),
    )
    label = money.coverage_label(ctx, money.INFRASTRUCTURE)
    assert label == i18n.label("indicator", money.INFRASTRUCTURE, "vi")
    assert "cũ" not in label


# --- 2. the threshold applied beside the plan's wording -----------------------------------------


def _period_target(target_id: str) -> dict:
    doc = yaml.safe_load((ROOT / "params/targets/2026_2030.yaml").read_text(encoding="utf-8"))
    return next(t for t in doc["targets"] if t["id"] == target_id)


def test_the_scorecard_says_the_fall_a_verdict_applies_in_points_a_year():
    """«duy trì mức giảm 1–1,5 %/năm» is judged at ≤ −1 (its weaker end, in points of the rate);
    the cell said «≤ −1,00 điểm %», which a reader had to turn into «giảm ít nhất 1 điểm»."""
    national = _period_target("national_poor_rate_change")
    communes = _period_target("poor_communes_poor_rate_change")
    assert national["value"]["unit"] == communes["value"]["unit"] == "percentage points per year"
    weaker = max(national["value"]["low"], national["value"]["high"])  # −1,0: the floor
    for thr, want in ((weaker, "1,00"), (communes["value"]["value"], "3,00")):
        assert _plain(scorecard.threshold_text("poor_rate_change", "<=", thr, "vi")) == f"giảm ≥ {want} điểm %/năm"
    assert _plain(scorecard.threshold_text("poor_rate_change", "<=", -1.0, "en")) == "falls by ≥ 1.00 pts a year"
    assert _plain(scorecard.threshold_text("poor_rate_change", "<", -3.0, "vi")) == "giảm > 3,00 điểm %/năm"
    # a level keeps its sign and unit; a change asked to rise keeps its sign
    assert _plain(scorecard.threshold_text("production_support_coverage", ">=", 80.0, "vi")) == "≥ 80,0 %"
    assert _plain(scorecard.threshold_text("poor_rate_change", ">=", 1.0, "vi")).startswith("≥ +1,00")
    v = _verdict_rows([("n", 2027, -0.8, weaker, national["label_vi"])])
    page = scorecard.scorecard_html(v, "vi").replace("\u00a0", " ")
    row = next(r for r in re.findall(r"<tr.*?</tr>", page, re.S) if "1–1,5 %/năm" in r)
    assert "giảm ≥ 1,00 điểm %/năm" in row
    assert re.search(r"<th[^>]*>Ngưỡng đánh giá</th>", page)


# --- 3. the CSV's numbers with their column's decimals ------------------------------------------


def test_csv_numbers_keep_their_column_decimals_and_values(tmp_path):
    """table_scorecard.csv wrote the households short of a target as «-1294,0» (a whole-number
    column holding a missing cell), table_uncertainty.csv «32443,0» beside «28422,04»."""
    households = [-1294.0, np.nan, -847.0]
    medians = [32443.0, 28422.04, 24.71]
    frame = pd.DataFrame({"Chỉ tiêu": ["a", "b", "c"], "Số hộ": households, "Trung vị": medians})
    t = table.ReportTable("x", "X", frame, {"Số hộ": "int", "Trung vị": "num2"})
    for lang, sep, dec in (("vi", ";", ","), ("en", ",", ".")):
        path = table.write_csv(t, tmp_path / f"x_{lang}.csv", lang)
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        assert lines[1] == sep.join(["a", "-1294", f"32443{dec}00"])
        assert lines[2] == sep.join(["b", "", f"28422{dec}04"])
        assert lines[3] == sep.join(["c", "-847", f"24{dec}71"])
        back = table.read_csv(path, lang)  # the values as before: the column's rounding only
        assert np.allclose(back["Số hộ"], households, equal_nan=True)
        assert np.allclose(back["Trung vị"], medians)


# --- 4. the sensitivity mark --------------------------------------------------------------------


def test_no_group_is_marked_when_no_group_has_its_own_part_drawn():
    """With 32 base points a chart could mark every group «*» (its first-order index not drawn):
    a mark on every bar says nothing; the legend says it instead."""
    labels = ["Hiệu quả của dự án", "Tỷ lệ giải ngân"]
    names, legend = uncertainty.starred_names(labels, [False, False], "vi")
    assert names == labels and legend == i18n.t("unc.chart.first_none_drawn", "vi")
    names, legend = uncertainty.starred_names(labels, [False, True], "vi")
    assert names == ["Hiệu quả của dự án *", "Tỷ lệ giải ngân"]
    assert legend.startswith("*") and legend == i18n.t("unc.chart.first_not_drawn", "vi")
    assert uncertainty.starred_names(labels, [True, True], "vi") == (labels, "")
    # the dashed line's legend no longer claims the mark: it is about the total index
    assert "*" not in i18n.t("unc.chart.noisy", "vi") and "*" not in i18n.t("unc.chart.noisy", "en")


def test_the_sensitivity_chart_legend_says_what_the_mark_means():
    t = pd.DataFrame(
        {
            "output": "o",
            "group_label_vi": ["A", "B", "C"],
            "ST_shown": [0.2, 0.1, np.nan],
            "ST_low": [0.1, 0.05, 0.3],
            "ST_high": [0.3, 0.15, 1.0],
            "ST_reliable": [True, True, False],
            "S1_shown": [0.1, np.nan, np.nan],
            "S1_reliable": [True, False, False],
        }
    )
    fig = uncertainty.sensitivity_chart(t, lang="vi")
    ax = fig.axes[0]
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    ticks = [x.get_text() for x in ax.get_yticklabels()]
    assert i18n.t("unc.chart.first_not_drawn", "vi") in legend
    assert sorted(ticks) == ["A", "B *", "C *"]
    none = t.assign(S1_reliable=False, S1_shown=np.nan)
    fig = uncertainty.sensitivity_chart(none, lang="vi")
    ax = fig.axes[0]
    assert [x.get_text() for x in ax.get_yticklabels() if "*" in x.get_text()] == []
    assert i18n.t("unc.chart.first_none_drawn", "vi") in [x.get_text() for x in ax.get_legend().get_texts()]


# --- 5. the brief's answer ----------------------------------------------------------------------


def test_the_answer_says_the_best_of_those_compared_and_its_money_reaching_no_one():
    """The index said «Phương án nên chọn: «Chia đều…»» in its answer box while 77,9 tỷ đồng of
    that option reached no one (said only further down, in message 1)."""
    best = SimpleNamespace(name="equal", title=lambda lang: "Chia đều")
    first = decision.with_own_unallocated(decision.Message("x"), best, "vi", {"equal": 77.93818})
    page = decision.brief_html([first], best, "vi")
    (answer,) = re.findall(r'<p class="sl-answer">(.*?)</p>', page, re.S)
    assert "Phương án nên chọn" not in answer
    assert answer.startswith("Phương án tốt nhất trong các phương án phân bổ được so sánh")
    assert "«Chia đều»." in answer and "77,9 tỷ đồng" in answer and "không đến được đối tượng nào" in answer
    # below the brief's threshold (0,5 tỷ đồng) the box says the choice alone
    quiet = decision.with_own_unallocated(decision.Message("x"), best, "vi", {"equal": 0.4})
    (answer,) = re.findall(r'<p class="sl-answer">(.*?)</p>', decision.brief_html([quiet], best, "vi"), re.S)
    assert "tỷ đồng" not in answer
    en = decision.brief_html(
        [decision.with_own_unallocated(decision.Message("x"), best, "en", {"equal": 77.9})], best, "en"
    )
    assert "Best of the allocations compared" in en and "77.9 billion VND" in en


def test_expected_households_are_shown_whole_beside_rates_the_csv_keeps_them(tmp_path):
    """table_uncertainty showed «28.422,04» households (a two-decimals column of rates and
    households); the page and the workbook show them whole, the CSV keeps 28422,04."""
    import openpyxl

    frame = pd.DataFrame({"Chỉ tiêu": ["Số hộ nghèo", "Tỷ lệ hộ nghèo"], "Trung vị": [28422.04, 24.71]})
    t = table.ReportTable("u", "U", frame, {"Trung vị": "num2"}, row_formats=["int", None])
    page = table.to_html(t, "vi").replace("\u00a0", " ")
    assert ">28.422<" in page and ">24,71<" in page and "28.422,04" not in page
    table.write_xlsx([t], tmp_path / "t.xlsx", "vi")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").worksheets[-1]
    assert [(c.value, c.number_format) for c in ws["B"][1:]] == [(28422.04, "#,##0"), (24.71, "#,##0.00")]
    lines = table.write_csv(t, tmp_path / "t.csv", "vi").read_text(encoding="utf-8-sig").splitlines()
    assert lines[1:] == ["Số hộ nghèo;28422,04", "Tỷ lệ hộ nghèo;24,71"]


def test_the_ranking_says_the_unit_of_its_share_of_draws():
    """compare_table_ranking.csv's «Tỷ lệ lượt là tốt nhất» held 98,0 with no unit beside
    «Xác suất đạt … (%)»; the CLI's inline «Tỷ lệ lượt là tốt nhất 98 %» keeps its own words."""
    import inspect

    from simlib.report import compare

    assert i18n.t("compare.share_best", "vi") == "Tỷ lệ lượt là tốt nhất (%)"
    assert i18n.t("compare.share_best", "en").endswith("(%)")
    assert 't("compare.share_best")' in inspect.getsource(compare)
