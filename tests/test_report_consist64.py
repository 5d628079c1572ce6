"""consist64: one number for one thing on a page — the flows' chart, table and review table show
the same whole households, which add up to their total; the share of draws best is written
alike in the comparison page's two tables; the units' average change a year across the 2027
change of standard is real change only, as the targets are judged."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from simlib import i18n
from simlib.report import bars, communes, compare, data, decision, money, real_change, trends
from simlib.report.robustness_rows import robustness_section_rows
from simlib.report.table import to_html

#: escapes 2.744,3 + 2.478,45 = 5.222,75: each rounded alone 2.744 + 2.478 = 5.222, one short of
#: the rounded total 5.223; by largest remainder the second (remainder 0,45 > 0,3) gets the unit
ESCAPES = {2024: 2744.3, 2025: 2478.45}
#: near-poor to poor 535,6 + 539,7 = 1.075,3: each alone 536 + 540 = 1.076, one over 1.075; by
#: largest remainder both are rounded down and the larger remainder (0,7) gets the one unit
NEAR_TO_POOR = {2024: 535.6, 2025: 539.7}


def _ctx() -> SimpleNamespace:
    """A run of 2023–2025 (one draw) with its province flows and the review's categories."""
    values = {i: {2024: 100.0, 2025: 100.0} for i in data.FLOW_INDICATORS}
    values["escapes"], values["near_poor_to_poor"] = ESCAPES, NEAR_TO_POOR
    rows = [
        {"draw": 0, "year": y, "geo": "province", "indicator": i, "value": v}
        for i, by in values.items()
        for y, v in by.items()
    ]
    rows += [{"draw": 0, "year": 2023, "geo": "province", "indicator": "poor_rate", "value": 24.7}]
    review = pd.DataFrame(
        [
            {"year": y, "geo": "province", "list": "poor", "category": c, "households": v}
            for c, by in (("above_near_poor_line", ESCAPES), ("from_near_poor", NEAR_TO_POOR))
            for y, v in by.items()
        ]
    )
    return SimpleNamespace(
        tables=SimpleNamespace(indicators=pd.DataFrame(rows)),
        result=SimpleNamespace(review_flows=review),
        lang="vi",
        spread_shown=False,
        t=lambda k, **kw: k,
    )


def test_flows_chart_table_and_review_table_show_the_same_whole_households(monkeypatch):
    """plan_2024: the chart and the review table said 2.478 / 535 (each year rounded alone), the
    flows table 2.479 / 534 (largest remainder) and its CSV 2.744 + 2.478 beside 5.223. Now all
    three (and the CSV, the same frame) show 2.744 + 2.479 = 5.223 and 535 + 540 = 1.075."""
    ctx = _ctx()
    shown = money.flows_table(ctx).frame.to_numpy()
    by_flow = {i: row for i, row in zip(data.FLOW_INDICATORS, shown)}
    assert list(by_flow["escapes"][1:]) == [2744, 2479, 5223]
    assert list(by_flow["near_poor_to_poor"][1:]) == [535, 540, 1075]
    review = money.review_flows_table(ctx).frame.set_index("Biến động")
    assert list(review.iloc[0]) == [2744, 2479] and list(review.iloc[1]) == [535, 540]
    seen = {}
    monkeypatch.setattr(bars, "grouped_bars", lambda cats, groups, **kw: seen.update(groups=groups))
    monkeypatch.setattr(money.html, "Chart", lambda fig, caption: "")
    money.flows(ctx)
    chart = dict(seen["groups"])
    e, n = data.FLOW_INDICATORS.index("escapes"), data.FLOW_INDICATORS.index("near_poor_to_poor")
    assert [chart["2024"][e], chart["2025"][e]] == [2744, 2479]
    assert [chart["2024"][n], chart["2025"][n]] == [535, 540]


def test_whole_households_rounds_a_new_standard_year_alone():
    """A year with a new standard is outside the total: rounded alone, the others add up."""
    got = money.whole_households({2025: 10.3, 2026: 10.45, 2027: 50.6}, breaks=[2027])
    assert got == {2025: 10.0, 2026: 11.0, 2027: 51.0}


def test_share_best_is_written_alike_in_the_ranking_and_the_robustness_table(monkeypatch):
    """compare.html: «Tỷ lệ lượt là tốt nhất» read 98,0 % in the ranking (a `pct1` column) and
    98 % in the robustness table (`fmt.percent(…, 0)`, as the decision page's sentence): one
    number, one format — whole per cent in both."""
    head = {k: 1.0 for k in ("poor_rate_end", "poor_rate_start", "poor_fewer_end", "spend_total_billion")}
    monkeypatch.setattr(data, "headline", lambda ind, tg: head | {"cost_per_household_lifted_end": 1.0})
    monkeypatch.setattr(data, "years", lambda ind: [2023, 2025])
    monkeypatch.setattr(decision, "own_year", lambda g: 2025)
    monkeypatch.setattr(decision, "has_readings", lambda r: False)
    monkeypatch.setattr(decision, "all_met_probability", lambda r, y, reading=None: 0.5)
    monkeypatch.setattr(compare, "group_title", lambda g, lang: "g")
    names = ("equal_split", "plan_2024")
    runs = [
        SimpleNamespace(name=n, title=lambda lang, n=n: n, tables=SimpleNamespace(indicators=None, targets=None))
        for n in names
    ]
    summary = pd.DataFrame(
        {"scenario": names, "value_mean": [18.4, 19.1], "regret_mean": [0.0, 0.72], "regret_p95": [0.0, 1.0],
         "regret_max": [0.0, 1.2], "share_best": [0.98, 0.01], "draws": 100}
    )  # fmt: skip
    rob = decision.Robustness(values=pd.DataFrame(), summary=summary)
    ranking = compare.ranking_table(runs, "vi", rob, {})
    share = i18n.t("compare.share_best", "vi")
    column = list(ranking.frame.columns).index(share)
    page = html.unescape(to_html(ranking, "vi"))
    ranked = re.findall(r"<tr>(.*?)</tr>", page)[1:]
    cells = [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)[column] for row in ranked]
    rows = html.unescape(robustness_section_rows(summary, "", "vi")[1])
    assert cells == ["98\u00a0%", "1\u00a0%"]
    for c in cells:
        assert f">{c}<" in rows


#: poor rates of two units; 2027 applies a new standard, which reclassifies (period_changes):
#: a +200 of its 10.000 households (+2,0 points), b −50 of 5.000 (−1,0 point)
RATES = {"a": {2025: 30.0, 2026: 28.0, 2027: 29.0}, "b": {2025: 10.0, 2026: 9.0, 2027: 8.5}}
RECLASSIFIED = {"a": (200.0, 10000.0), "b": (-50.0, 5000.0)}


def _units_ctx(changes: bool) -> SimpleNamespace:
    """Two units over 2025–2027, 2027 under a new standard; `changes`: the run gives the
    reclassification of every unit (its twin keeping the previous standard)."""
    rows = [
        {"draw": 0, "year": y, "geo": u, "geo_type": "district", "indicator": "poor_rate", "value": v}
        for u, by in RATES.items()
        for y, v in by.items()
    ]
    rows += [
        {"draw": 0, "year": y, "geo": "province", "geo_type": "province", "indicator": "standard_changed",
         "value": float(y == 2027)}
        for y in (2026, 2027)
    ]  # fmt: skip
    period = pd.DataFrame(
        [
            {"draw": 0, "year": 2027, "geo_type": "unit", "geo": u, "measure": m, "reclassification": r,
             "current": c, "standard_changed": True, "reclassification_modelled": True}
            for u, (recl, hh) in RECLASSIFIED.items()
            for m, r, c in (("poor", recl, 0.29 * hh), ("near_poor", 0.0, 0.1 * hh),
                            ("poor_near_poor", recl, 0.39 * hh), ("households", 0.0, hh))
        ]
    )  # fmt: skip
    dataset = SimpleNamespace(level="commune", unit_ids=["a", "b"], poor_district=[False, False])
    return SimpleNamespace(
        tables=SimpleNamespace(indicators=pd.DataFrame(rows)),
        result=SimpleNamespace(period_changes=period if changes else None, manifest={}),
        scenario=SimpleNamespace(dataset=dataset),
        unit_names={"a": "A", "b": "B"},
        lang="vi",
    )


def test_units_change_a_year_takes_the_reclassification_out_as_the_targets_do():
    """Phường Thục Phán read «+0,01» a year 2023–2027, the 2027 reclassification mixed into the
    change. By hand: a (29,0 − 30,0 − 2,0) / 2 = −1,5 (raw −0,5); b (8,5 − 10,0 + 1,0) / 2 =
    −0,25 (raw −0,75); the header and a note say so. Without the reclassification per unit the
    raw change stays and the header says it includes it."""
    table = trends.district_table(_units_ctx(changes=True))
    change = table.frame.columns[-1]
    assert change == "Thay đổi bình quân/năm 2025–2027, không tính phân loại lại theo chuẩn mới năm 2027 (điểm %)"
    assert list(table.frame[change]) == pytest.approx([-1.5, -0.25])
    assert "biến động thực" in table.note and "2027" in table.note
    raw = trends.district_table(_units_ctx(changes=False))
    assert "gồm cả phân loại lại" in raw.frame.columns[-1] and "gồm cả" in raw.note
    assert list(raw.frame[raw.frame.columns[-1]]) == pytest.approx([-0.5, -0.75])


def test_switched_units_change_2026_2027_is_real_change_too():
    """The units switched to in 2026 have one span, 2026–2027, across the change of standard:
    a (29,0 − 28,0 − 2,0) / 1 = −1,0; b (8,5 − 9,0 + 1,0) / 1 = +0,5."""
    ctx = _units_ctx(changes=True)
    ind = ctx.tables.indicators
    ctx.tables.indicators = ind[ind["year"] >= 2026]
    table = trends.district_table(ctx)
    assert "2026–2027, không tính phân loại lại" in table.frame.columns[-1]
    assert list(table.frame[table.frame.columns[-1]]) == pytest.approx([-1.0, 0.5])
    reading = real_change.unit_change(ctx, ["a", "b"], 2026, 2026)  # one year: no change to read
    assert np.isnan(reading.per_year("a", 28.0, 28.0, 1)) and reading.note("vi") == ""
    assert np.isnan(reading.per_year("a", 28.0, 28.0, 1)) and reading.note("vi") == ""


def test_units_ends_table_reads_the_same_change():
    """The ends table of many units (`communes.unit_frame` / `ends_table`): the same −1,5 and
    −0,25 points a year, header and note, as the table of every unit."""
    ctx = _units_ctx(changes=True)
    ind = ctx.tables.indicators
    poor = ind[ind["indicator"] == "poor_rate"].assign(indicator="poor", value=100.0)
    ctx.tables.indicators = pd.concat([ind, poor], ignore_index=True)
    ctx.scenario.dataset.units = pd.DataFrame({"unit_id": ["a", "b"], "poor_district": [False, False]})
    frame = communes.unit_frame(ctx)
    assert frame.loc[["a", "b"], "change"].tolist() == pytest.approx([-1.5, -0.25])
    table = communes.ends_table(ctx, frame)
    change = [c for c in table.frame.columns if "không tính phân loại lại" in c]
    assert len(change) == 1 and table.frame[change[0]].tolist() == pytest.approx([-1.5, -0.25])
    assert "biến động thực" in table.note
