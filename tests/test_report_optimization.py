"""The optimiser report's tables (simlib.report.optimization) as a reader sees them: numbers in
the report's language, «–» where a value is missing, places by name, headers in words."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from conftest import ROOT

from simlib.report import optimization as T
from simlib.report.levels import Levels
from simlib.report.table import to_html
from simlib.scenario import load_scenario


def cells(table, lang="vi"):
    return to_html(table, lang, caption=False)


def test_comparison_money_and_households_in_vietnamese_numbers():
    comp = pd.DataFrame(
        {
            "allocation": ["optimal", "plan"],
            "total_bn": [1424.04, 1424.0],
            "poor": [24073.77, 25526.12],
            "poor_near_poor": [44989.2, 45591.4],
            "households_lifted": [3099.18, 1646.84],
            "targets_met": [True, False],
        }
    )
    html = cells(T.comparison(comp, "vi"))
    for text in (">1.424,0<", ">24.074<", ">25.526<", ">3.099<", ">1.647<", ">có<", ">không<", "Phương án tối ưu"):
        assert text in html, text
    assert ">1,424.0<" in cells(T.comparison(comp, "en"), "en")


def test_lines_missing_marginal_is_a_dash_not_nan():
    lines = pd.DataFrame(
        {
            "line": ["P1.1", "P1.2"],
            "name_vi": ["Hạ tầng", "Đề án 880"],
            "name_en": ["Infrastructure", "Scheme 880"],
            "optimal_bn_per_year": [451.04, 0.0],
            "plan_bn_per_year": [345.0, 80.0],
            "equal_split_bn_per_year": [209.0, 209.0],
            "lifted_per_billion_added": [0.1572, np.nan],
        }
    )
    html = cells(T.lines(lines, "vi"))
    assert ">451,0<" in html and ">0,16<" in html and ">–<" in html and "NaN" not in html
    assert "P1.2 Đề án 880" in html


def test_targets_name_places_and_keep_verdicts():
    rows = []
    for alloc in ("optimal", "plan"):
        for geo_type, geo, value, met in (("province", "province", -3.58, False), ("district", "bao_lac", -5.33, True)):
            rows.append(
                dict(
                    allocation=alloc, year=2024, target_id="t", geo_type=geo_type, geo=geo, value=value, met=met,
                    label_vi="Tỷ lệ hộ nghèo giảm", label_en="Poor rate falls",
                )
            )  # fmt: skip
    html = cells(T.targets(pd.DataFrame(rows), "vi", {"bao_lac": "Huyện Bảo Lạc"}))
    assert "Toàn tỉnh" in html and "Huyện Bảo Lạc" in html and ">bao_lac<" not in html
    assert "−3,58 ✗" in html and "−5,33 ✓" in html and "label_vi" not in html and ">2024<" in html


def test_frontier_in_words():
    front = pd.DataFrame(
        {
            "scale": [0.0, 1.0],
            "feasible": [True, False],
            "total_bn": [0.0, 1424.0],
            "objective": [26783.2, 24073.8],
            "poor": [26783.2, 24073.8],
            "households_lifted": [0.0, 2709.4],
            "gap": [0.0, 0.0],
        }
    )
    html = cells(T.frontier(front, "vi"))
    assert ">1.424,0<" in html and ">2.709<" in html and ">không<" in html and "objective" not in html
    assert T.frontier(front.iloc[:0], "vi").frame.empty


def test_unallocatable_rows_are_named_in_words():
    lost = pd.DataFrame(
        {
            "allocation": ["equal_split"],
            "year": [2025],
            "line": ["P4.2"],
            "district": ["quang_hoa"],
            "acting_bn": [2.29],
            "unallocatable_bn": [0.5],  # 0,00 billion would be left out (test_optwords)
        }
    )
    table = T.unallocatable(lost, "vi")
    assert table.frame.columns[0] == "Dự án/tiểu dự án" and ">P4.2<" in cells(table)


def test_certificate_keeps_its_words_whole():
    cert = dict(
        method="multistart", gap=0.0, approx_error=0.0088, tests=14, scale=2709.4, rounds=3, evaluations=9894,
        breakpoints=472, binaries=0, seconds=3.4,
    )  # fmt: skip
    table = T.certificate(cert, "vi")
    html = cells(table)
    assert (
        table.frame.columns[0] == "Thông tin" and ">9.894<" in html and ">0,88\xa0%<" in html
    )  # a no-break space before %
    method = table.frame.iloc[0, 1]
    assert len(method) > 40 and f">{method}<".replace(" %", "\xa0%") in html  # whole, not cut


def target_rows(values: dict, allocations=("optimal", "plan", "equal_split")):
    """targets.csv rows of one target judged for each unit («≤ −5 points»), with its aggregate:
    `values` {year: ({unit: value}, aggregate value)}; the same values under every allocation
    unless a year's unit dict is given per allocation ({allocation: {unit: value}})."""
    rows = []
    for alloc in allocations:
        for year, (units, agg) in values.items():
            units = units.get(alloc, units) if alloc in units else units
            for geo, v in [*units.items(), ("poor_districts", agg)]:
                rows.append(
                    dict(
                        allocation=alloc, year=year, target_id="t", geo="poor_districts" if geo == "poor_districts"
                        else geo, geo_type="poor_districts" if geo == "poor_districts" else "district", value=v,
                        comparison="<=", threshold=-5.0, met=v <= -5.0, label_vi="Tỷ lệ hộ nghèo ở các huyện nghèo giảm",
                        label_en="Poor rate in poor districts falls",
                    )
                )  # fmt: skip
    return pd.DataFrame(rows)


COMMUNES = Levels("commune")  # the units of every year are communes (plan_2027)
NAMES = {f"x{i}": f"Xã {i}" for i in range(1, 9)}


def test_kept_years_summarised_once_with_the_units_short_of_the_target():
    # 2024 is kept (the scenario's money under every allocation); 2027 is allocated
    y2024 = {f"x{i}": v for i, v in enumerate([-6.0, -4.0, -5.5, -1.0, -4.5, -3.0, -2.0, -4.9], start=1)}
    y2027 = {"optimal": {f"x{i}": -6.0 for i in range(1, 9)}, "plan": {f"x{i}": -4.0 for i in range(1, 9)}}
    y2027["equal_split"] = y2027["plan"]
    table = target_rows({2024: (y2024, -4.2), 2027: (y2027, -5.1)})
    main = T.targets(table, "vi", NAMES, [2027], COMMUNES)
    assert set(main.frame["Năm"]) == {2027}  # 2024's rows are not in the comparison
    assert "2024" in main.note
    kept = T.kept_targets(table, "vi", NAMES, [2027], COMMUNES)
    rows = kept.frame
    assert len(rows) == 2  # the aggregate and one row for the 8 communes, not 8 rows × 3 allocations
    assert rows.iloc[0]["Địa bàn"] == "Các xã nghèo" and rows.iloc[0]["Kết quả (mọi phương án)"] == "−4,20 ✗"
    assert rows.iloc[1]["Địa bàn"] == "Các xã nghèo: từng xã (8)"
    # met: x1 (−6,0) and x3 (−5,5) only → 2 of 8; short of it, furthest first: x4 −1, x7 −2, x6 −3, x2 −4, x5 −4,5;
    # x8 (−4,9) is the sixth not met: counted, not named
    assert rows.iloc[1]["Kết quả (mọi phương án)"] == "đạt ở 2/8 ✗"
    short = rows.iloc[1]["Không đạt, xa chỉ tiêu nhất trước"]
    assert short.startswith("Xã 4 −1,00; Xã 7 −2,00; Xã 6 −3,00; Xã 2 −4,00; Xã 5 −4,50")
    assert "Xã 8" not in short and "1 địa bàn khác không đạt" in short
    assert "targets.csv" in kept.note and "«xã nghèo» là xã" in kept.note and "2021–2025" not in kept.note


#: a commune dataset's units: three hold a former poor district's old communes (x2 also 2 of 3
#: old communes of a district that was not poor), one does not
UNITS = pd.DataFrame(
    {
        "unit_id": ["x1", "x2", "x3", "x4"],
        "name_vi": ["Xã 1", "Xã 2", "Xã 3", "Xã 4"],
        "name_en": ["Commune 1", "Commune 2", "Commune 3", "Commune 4"],
        "poor_district": ["true", "true", "true", "false"],
        "legacy_poor_district_communes": ["2/2", "1/3", "4/4", "0/2"],
        "population": [100, 300, 600, 500],
    }
)


def test_a_target_worded_for_poor_districts_on_communes_says_it_is_judged_together_only():
    """plan_2027's 2024–2025: the 2021–2025 plan's target for each poor district has, on communes,
    its poor units together only (no commune rows: simlib.period_targets.each_unit_judged); the
    note under that row says so, with the dataset's figures worked by hand: 3 of the 4 units hold
    former poor districts, Xã 2 also other old communes: 2/3 of its 300 people of the 3 units'
    1.000 = 20,0 %."""
    y2027 = {"optimal": {"x1": -6.0}, "plan": {"x1": -4.0}, "equal_split": {"x1": -4.0}}
    table = target_rows({2024: ({}, -4.2), 2027: (y2027, -5.1)})
    worded = Levels("commune")
    worded.district_worded = {2024}
    kept = T.kept_targets(table, "vi", NAMES, [2027], worded, UNITS)
    assert list(kept.frame["Năm"]) == [2024]  # the aggregate row only
    assert "Năm 2024, chỉ tiêu «Tỷ lệ hộ nghèo ở các huyện nghèo giảm» của Kế hoạch giai đoạn 2021–2025" in kept.note
    assert "tính trên 4 xã, phường" in kept.note and "chung trên 3 xã" in kept.note and "1 xã (Xã 2)" in kept.note
    assert "khoảng 20,0 % dân số" in kept.note and "«xã nghèo» là xã" not in kept.note  # no commune row
    assert "targets.csv" in kept.note and "verdicts.csv" not in kept.note  # the optimiser writes no verdicts.csv
    en = T.kept_targets(table, "en", NAMES, [2027], worded, UNITS).note
    assert "In 2024 the target “Poor rate in poor districts falls”" in en and "1 of them (Commune 2)" in en
    assert "20.0%" in en
    # the year allocated is judged on the 2026–2035 programme's units: no such note under it
    assert "2021–2025" not in T.targets(table, "vi", NAMES, [2027], worded, UNITS).note
    assert "2021–2025" not in T.kept_targets(table, "vi", NAMES, [2027], Levels("commune"), UNITS).note


def test_allocated_year_counts_units_met_per_allocation_and_keeps_every_unit():
    y2027 = {
        "optimal": {"x1": -6.0, "x2": -5.2, "x3": -4.0},
        "plan": {"x1": -5.5, "x2": -4.0, "x3": -3.0},
        "equal_split": {"x1": -4.0, "x2": -4.0, "x3": -3.0},
    }
    table = target_rows({2027: (y2027, -5.0)})
    main = T.targets(table, "vi", NAMES, [2027], COMMUNES)
    f = main.frame
    count = f[f["Địa bàn"] == "Các xã nghèo: từng xã (3)"].iloc[0]
    assert list(count.iloc[3:]) == ["đạt ở 2/3 ✗", "đạt ở 1/3 ✗", "đạt ở 0/3 ✗"]
    assert {"Xã 1", "Xã 2", "Xã 3"} <= set(f["Địa bàn"]) and "−4,00 ✗" in cells(main)  # every unit row kept
    assert main.detail == [False, False, True, True, True]  # the aggregate, the count, then the units
    assert T.kept_targets(table, "vi", NAMES, [2027], COMMUNES) is None


def test_a_kept_year_that_differs_between_allocations_stays_in_the_comparison():
    y2024 = {"optimal": {"x1": -6.0}, "plan": {"x1": -4.0}, "equal_split": {"x1": -4.0}}
    table = target_rows({2024: (y2024, -5.0)})
    assert set(T.targets(table, "vi", NAMES, [2027], COMMUNES).frame["Địa bàn"]) >= {"Xã 1"}
    kept = T.kept_targets(table, "vi", NAMES, [2027], COMMUNES)
    assert list(kept.frame["Địa bàn"]) == ["Các xã nghèo"]  # only the aggregate, the same everywhere


def test_without_the_years_allocated_every_row_is_compared_and_districts_keep_their_words():
    table = target_rows({2024: ({"x1": -6.0}, -6.0)})
    main = T.targets(table, "vi", NAMES)
    assert "Các huyện nghèo" in set(main.frame["Địa bàn"]) and main.note == ""
    assert T.kept_targets(table, "vi", NAMES, None) is None


def test_crossing_targets_name_districts_then_communes():
    # crossing_2024_2027: its engine on the 2024 districts to the end-2025 review, on the 56
    # communes from 2026 (README); names of both sets, words of each year's units
    scen = load_scenario(ROOT / "params" / "scenarios" / "crossing_2024_2027.yaml")
    names = T.place_names(scen, "vi")
    assert names["bao_lac"] == "Huyện Bảo Lạc" and names["01290"] == "Xã Bảo Lâm" and len(names) == 10 + 56
    levels = T.levels_of(scen)
    assert T.each_unit(2024, 9, "vi", levels) == "Các huyện nghèo: từng huyện (9)"
    assert T.each_unit(2027, 37, "vi", levels) == "Các xã nghèo: từng xã (37)"
    assert T.place_name("poor_districts", "poor_districts", 2025, "vi", names, levels) == (
        "Các huyện nghèo cũ (địa giới năm 2024)"  # counted on districts at a review when communes were in force
    )


def test_the_notebook_styles_its_tables_in_jupyterlab_and_in_the_page():
    cells = json.loads((ROOT / "notebooks" / "optimize_allocation.ipynb").read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) for c in cells]
    setup = next(i for i, s in enumerate(sources) if "lab.setup(lang" in s)
    # its output (the report's style) stays in report.html, which has no input cells: not tagged hide
    assert "hide" not in cells[setup]["metadata"].get("tags", [])
    assert setup < next(i for i, s in enumerate(sources) if "tables.show(" in s)
