"""The optimiser report's tables (simlib.report.optimization) as a reader sees them: numbers in
the report's language, «–» where a value is missing, places by name, headers in words."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simlib.report import optimization as T
from simlib.report.table import to_html


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
