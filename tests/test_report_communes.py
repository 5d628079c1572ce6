"""Report views for many units (simlib.report.communes): plan_2027's 56 communes get a ranked dot
plot, a proportional-symbol map from their coordinates and cut tables instead of 56 small
multiples; a dated run shows its changes of rules apart from real movement."""

from __future__ import annotations

import re

import numpy as np
import pytest

from simlib.i18n import fmt
from simlib.paths import params_dir
from simlib.report import answer
from simlib.report import communes as CM
from simlib.report import html as H
from simlib.report import period_notes as PN
from simlib.report import scenario_report as R
from simlib.report import scorecard as SC
from simlib.report import tables as TB
from simlib.report import trends as TR
from simlib.report.levels import Levels
from simlib.runner import run
from simlib.scenario import load_scenario


@pytest.fixture(scope="module")
def ctx():
    return R.context(run(load_scenario(params_dir() / "scenarios" / "plan_2027.yaml")), "vi")


def test_unit_frame_is_ranked_and_complete(ctx):
    frame = CM.unit_frame(ctx)
    assert len(frame) == 56 and CM.many_units(ctx)
    assert (np.diff(frame["last"].to_numpy()) <= 1e-12).all()  # highest rate first
    ind = ctx.tables.indicators
    poor = ind[(ind["indicator"] == "poor") & (ind["geo_type"] == "district") & (ind["year"] == 2027)]
    assert frame["poor"].sum() == pytest.approx(poor["value"].sum())
    assert frame["is_poor"].sum() == ctx.scenario.dataset.poor_district.sum()


def test_views_render(ctx):
    frame = CM.unit_frame(ctx)
    blocks = CM.unit_views(ctx)
    charts = [b for b in blocks if isinstance(b, H.Chart)]
    assert len(charts) == 2  # ranked dots and the map (the communes have coordinates)
    assert all(H.figure(c).startswith("<figure") for c in charts)
    ends = CM.ends_table(ctx, frame).frame
    assert len(ends) == 2 * CM.PAGE_ROWS
    groups = CM.group_table(ctx, frame).frame
    assert groups.iloc[:, 1].sum() == 56  # every unit in one group of former districts
    assert groups.iloc[:, 2].sum() == pytest.approx(frame["poor"].sum())
    assert any("Hà Quảng" in name for name in groups.iloc[:, 0])


def test_no_map_without_coordinates(ctx):
    frame = CM.unit_frame(ctx).drop(columns=["lat", "lon"])
    assert CM.symbol_map(ctx, frame) is None


def test_the_units_charts_axes_use_the_reports_decimal_sign(ctx):
    """read64: the map of the communes read 22.8 (°B) and 105.4 (°Đ) in the Vietnamese report,
    where every other chart writes 27,5. The map's axes and the ranked dots' use the report's
    separators."""
    frame = CM.unit_frame(ctx)
    ticks = {}
    for name, chart in (("map", CM.symbol_map(ctx, frame)), ("dots", CM.ranked_dots(ctx, frame))):
        chart.figure.draw_without_rendering()
        ax = chart.figure.axes[0]
        ticks[name] = [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    assert any(re.fullmatch(r"1\d\d,\d", t) for t in ticks["map"]), ticks["map"]  # longitude
    assert any(re.fullmatch(r"2\d,\d", t) for t in ticks["map"]), ticks["map"]  # latitude
    assert not any("." in t for t in ticks["map"] + ticks["dots"]), ticks
    degrees = [t for t in ticks["map"] if t]
    assert all(re.fullmatch(r"\d+,\d", t) for t in degrees), degrees  # each with one decimal: 106,0 not 106


def test_the_units_tables_name_the_year_of_their_households_and_rates(ctx):
    """read64: «Số hộ nghèo» and «Tỷ lệ hộ nghèo thấp nhất / cao nhất» of the tables by former
    district and of the highest and lowest units named no year (they are the horizon's, 2027,
    beside a 2023 column): each header names it."""
    frame = CM.unit_frame(ctx)
    groups = CM.group_table(ctx, frame).frame
    poor, low, high = "Số hộ nghèo năm 2027", "Tỷ lệ hộ nghèo thấp nhất năm 2027", "Tỷ lệ hộ nghèo cao nhất năm 2027"
    assert list(groups.columns[2:]) == [poor, low, high]
    assert CM.ends_table(ctx, frame).frame.columns[-1] == poor
    ind = ctx.tables.indicators
    at_2027 = ind[(ind["geo_type"] == "district") & (ind["year"] == 2027)]
    assert groups[poor].sum() == pytest.approx(at_2027.loc[at_2027["indicator"] == "poor", "value"].sum())
    rates = at_2027.loc[at_2027["indicator"] == "poor_rate", "value"]
    assert groups[low].min() == pytest.approx(rates.min()) and groups[high].max() == pytest.approx(rates.max())


def test_reference_sizes():
    assert CM.reference_sizes(1234.0) == [300.0, 600.0, 1200.0]
    assert CM.reference_sizes(0.0) == [1.0]


def test_changes_table_adds_up(ctx):
    table = CM.changes_table(ctx)
    df = table.frame
    cols = df.columns[1:]
    np.testing.assert_allclose(df[cols[0]] + df[cols[1]] + df[cols[2]] + df[cols[3]], df[cols[4]])
    html = "".join(str(b) for b in CM.changes_views(ctx))
    assert "Sắp xếp địa bàn" in html and "Phân loại lại" in html


def test_periods_table_states_each_years_rules(ctx):
    table = CM.periods_table(ctx)
    df = table.frame
    assert df.iloc[:, 0].tolist() == [2023, 2024, 2025, 2026, 2027]
    # named, not coded (ctx is Vietnamese): programme, standard, units, targets and how money is given
    assert df.iloc[4, 1].startswith("Chương trình MTQG 2026–2035") and df.iloc[1, 1].startswith(
        "Chương trình MTQG giảm"
    )
    assert df.iloc[4, 2].startswith("2027–2030 (Nghị định 351") and df.iloc[3, 2].startswith("2022–2025 (Nghị định 07")
    assert df.iloc[1, 3] == "huyện (địa giới năm 2020) / xã" and df.iloc[2, 3] == "xã sau sắp xếp năm 2025 / xã"
    assert df.iloc[1, 4] == "Kế hoạch 415/KH-UBND năm 2024"
    assert not any(re.search(r"\b[a-z]+_[a-z_0-9]+\b", str(v)) for v in df.to_numpy().ravel())
    assert "1657" in table.note and "351/2025" in table.note
    # the sources are named as the table names them, not by code ("districts_2020: …")
    assert not re.search(r"(^|; )[a-z0-9_-]+_[a-z0-9_]+: ", table.note), table.note
    assert "huyện (địa giới năm 2020): " in table.note and "(continues)" not in " ".join(df.iloc[:, 1])
    notes = [PN.period_note(n, "vi") for n in ctx.result.manifest["periods"].get("notes", [])]
    assert notes and all(n.startswith("Năm ") for n in notes)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_note_on_districts_counted_after_the_reform_is_in_the_reports_language(lang):
    """The period record's note on a review counted on the 2024 districts while the communes were
    in force (crossing_2024_2027's end-2025 review; `simlib.period_record.geography_entry`) is said in
    the report's language, naming the former districts (it was shown in English, as recorded)."""
    record = "2025: counts computed on district units while commune units were in force"
    record += " (shown on them in period_changes.csv by population weights)"
    note = PN.period_note(record, lang)
    assert "counts computed on district units" not in note
    if lang == "vi":
        assert note.startswith("Năm 2025: số hộ tính trên các huyện cũ (địa giới năm 2024)") and "các xã mới" in note
    else:
        assert note.startswith("2025: counts computed on the former districts (2024 boundaries)")


def test_dated_plan_is_judged_in_its_own_year(ctx):
    """plan_2027 is judged on 2027's targets only: the 2024 plan's targets (2024) and the
    2026–2030 targets in 2026 are the bridge to it (shown before, never counted), and the headline
    says nothing of 2024."""
    from simlib.report import verdict as V

    v = ctx.verdicts
    assert set(v.loc[v["own_year"], "year"]) == {2027}
    roles = V.year_roles(v)
    assert set(v.loc[roles == "before", "year"]) >= {2024, 2026}
    assert not (roles == "after").any()
    assert set(V.headline_verdicts(v)["year"]) == {2027}
    assert "2024" not in answer.verdict_sentence(ctx)
    assert all("2024" not in label for label, _, _ in R._verdict_cards(ctx))


def test_the_change_of_standard_is_explained_in_points(ctx):
    """One sentence, for the end-2027 review only: its total is the province poor_rate_change of
    the indicators table (computed there from the states), its reclassification the
    period_changes households over the year's households."""
    notes = CM.standard_change_notes(ctx)
    assert len(notes) == 1 and notes[0].startswith("Năm 2027")
    ind = ctx.result.indicators
    change = ind[(ind["geo_type"] == "province") & (ind["indicator"] == "poor_rate_change") & (ind["year"] == 2027)]
    assert fmt.points(change["value"].mean(), "vi") in notes[0]
    c = ctx.result.period_changes.query("geo_type == 'province' and year == 2027").set_index("measure")
    recl = 100 * c.loc["poor", "reclassification"] / c.loc["households", "current"]
    assert recl > 0 and fmt.points(recl, "vi") in notes[0]
    assert "Năm 2027" in "".join(str(b) for b in CM.changes_views(ctx))


def test_first_screen_states_what_the_legal_frame_could_not_check(ctx):
    """The run's legal record (compliance.status) gives first-screen sentences — an incomplete
    2026–2027 frame, an illustrative envelope — and the page shows every one of them."""
    sentences = ctx.result.manifest["legal"]["notes_vi"]
    assert any("MINH HỌA" in s for s in sentences)  # the frame's envelope is illustrative
    first_screen = "".join(R.title(ctx))
    assert all(H.esc(s) in first_screen for s in sentences)


def test_first_screen_says_how_2027_change_targets_are_judged(ctx):
    """plan_2027's 2027 change targets are judged from the re-based previous review (the targets
    table says so, row by row): the first screen carries the sentence that splits that year's
    change into reclassification and real movement."""
    t = ctx.result.targets
    assert t.loc[t["rebased"].fillna(False).astype(bool), "year"].eq(2027).all()
    first_screen = "".join(R.title(ctx))
    assert all(html_text in first_screen for html_text in map(H.esc, CM.standard_change_notes(ctx)))
    assert "biến động thực" in first_screen


def test_units_and_their_aggregate_are_named_as_communes(ctx):
    """plan_2027 runs on communes: the poor units together are «Các xã nghèo» in the scorecard
    (page and workbook), the rates table and the chart captions; the caveat says the baseline is
    by commune, moved from districts, with equal rates within a former district."""
    lv = Levels.of(ctx)
    assert lv.used == "commune"
    sc = TB.report_tables(ctx)[0].frame
    areas = set(sc["Địa bàn"])
    assert "Các xã nghèo" in areas and "Các huyện nghèo" not in areas
    page = SC.scorecard_html(ctx.verdicts, "vi", ctx.unit_names, lv)
    assert "(Các xã nghèo)" in page and "(Các huyện nghèo)" not in page
    rates = TR.district_table(ctx)
    assert rates.frame.columns[0] == "Xã, phường" and "xã" in rates.title
    assert "xã nghèo" in TR.group_panels(ctx).caption
    caveats = " ".join(R.caveats(ctx))
    assert "theo xã" in caveats and "bằng nhau" in caveats and "theo huyện" not in caveats


def test_first_screen_judges_the_poor_communes_both_ways(ctx):
    """The 2026–2030 poor-commune target does not say "together" or "each" (reading: ambiguous):
    the first screen gives the count of targets under both readings and how many poor communes
    reach −3 points, counted here from the scorecard's commune rows."""
    v = ctx.verdicts
    own = v[v["own_year"]]
    rows = own[(own["target_id"] == "poor_communes_poor_rate_change") & own["detail"]]
    k, n = int((rows["status"] == "met").sum()), len(rows)
    assert n > 0
    head = own[~own["detail"]]
    each_met = sum(
        bool(r["status"] == "met") and (r["target_id"] != "poor_communes_poor_rate_change" or k == n)
        for _, r in head.iterrows()
    )
    together_met = int((head["status"] == "met").sum())  # no draws: the aggregate's projection
    value = next(val for label, val, _ in R._verdict_cards(ctx) if "2027" in label)
    assert value == f"{together_met}/{len(head)} · {each_met}/{len(head)}"
    sentence = answer.verdict_sentence(ctx)
    assert f"{k}/{n} xã nghèo" in sentence
    assert "chưa quy định rõ" in sentence


def test_subtitle_names_the_programme_of_each_period(ctx):
    """plan_2027's money of 2024–2025 ran under the 2021–2025 programme and from 2026 under the
    merged 2026–2035 one (its period record): the subtitle names both with their years, not the
    2021–2025 programme alone."""
    record = {r["year"]: (r["catalogue"] or {}).get("id") for r in ctx.result.manifest["periods"]["years"]}
    assert record[2025] == "ntp_spr_2021_2025" and record[2026] == "ntp_merged_2026_2030"
    text = CM.programmes_text(ctx)
    assert text == (
        ctx.t("report.periods.id.ntp_spr_2021_2025")
        + ", năm 2024–2025; "
        + ctx.t("report.periods.id.ntp_merged_2026_2030")
        + ", năm 2026–2027"
    )
    assert H.esc(text) in "".join(R.title(ctx))


def test_the_answer_box_holds_the_count_in_bold_and_each_note_on_its_line(ctx):
    """plan_2027's answer was one bold paragraph of five sentences (the counts under both
    readings, the reading of each target, the targets not set for the province, the proposed
    target, no draws): the count alone is now the bold line, each note a line of its own in plain
    type, every word kept."""
    parts = answer.verdict_parts(ctx)
    assert len(parts) >= 4  # counts, one reading, the reference target, the proposed one, no draws
    page = "".join(b for b in R.headline(ctx) if isinstance(b, str))
    (box,) = re.findall(r'<div class="sl-answer">(.*?)</div>', page, re.S)
    (bold,) = re.findall(r"<p>(.*?)</p>", box, re.S)
    notes = re.findall(r"<li>(.*?)</li>", box, re.S)
    assert bold == H.esc(parts[0]) and "đạt" in bold and "chưa quy định rõ" not in bold
    assert notes == [H.esc(x) for x in parts[1:]]
    assert " ".join(parts) == answer.verdict_sentence(ctx)
    assert 'class="sl-answer-notes"' in box
