"""The explorer's live chart (`simlib.workbench.charts`): the target path sits on its own years
and begins again where a new poverty standard applies.

Synthetic indicator and target tables with hand-worked paths: a rate of 30 % falling 4 points a
year; a new standard from 2027 (rates under two standards are not comparable, so the path stops
before it and starts again from the starting scenario's 2027 value).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from simlib.workbench.charts import PANEL_W, PANELS, YEAR_LABEL_W, LiveRateChart, labelled_years, target_segments

YEARS = [2023, 2024, 2025, 2026, 2027, 2028]
RATES = [30.0, 27.0, 24.0, 21.0, 26.0, 23.0]  # the new standard lifts 2027's rate


def indicators(breaks=()) -> pd.DataFrame:
    rows = [
        {"indicator": "poor_rate", "geo": geo, "geo_type": gt, "year": y, "value": v}
        for geo, gt in PANELS
        for y, v in zip(YEARS, RATES)
    ]
    rows += [
        {
            "indicator": "standard_changed",
            "geo": "province",
            "geo_type": "province",
            "year": y,
            "value": float(y in breaks),
        }
        for y in YEARS
    ]
    return pd.DataFrame(rows)


def targets(per_year: dict) -> pd.DataFrame:
    rows = [
        {"indicator": "poor_rate_change", "geo": "province", "geo_type": "province", "year": y, "threshold": t}
        for y, t in per_year.items()
    ]
    return pd.DataFrame(rows)


def test_no_standard_change_gives_one_path_from_the_start():
    assert target_segments(YEARS[:3], RATES[:3], -4.0, []) == [([2023, 2024, 2025], [30.0, 26.0, 22.0])]


def test_a_new_standard_begins_the_path_again_from_that_year():
    segs = target_segments(YEARS, RATES, -4.0, [2027])
    assert segs == [([2023, 2024, 2025, 2026], [30.0, 26.0, 22.0, 18.0]), ([2027, 2028], [26.0, 22.0])]


def test_a_new_standard_in_the_last_year_leaves_no_second_path():
    assert target_segments(YEARS[:5], RATES[:5], -4.0, [2027]) == [([2023, 2024, 2025, 2026], [30.0, 26.0, 22.0, 18.0])]


def points(svg: str, style: str) -> list[list[tuple[float, float]]]:
    """The polylines of one stroke style in the chart's first panel, as (x, y) points."""
    lines = re.findall(r'<polyline fill="none" points="([^"]+)" ' + re.escape(style), svg)
    return [[tuple(float(c) for c in p.split(",")) for p in line.split()] for line in lines]


@pytest.mark.parametrize("breaks", [(), (2027,)])
def test_the_drawn_path_sits_on_its_own_years(breaks):
    per_year = {2024: -4.0, 2025: -4.0}  # a target for two years only: the path stops at 2025
    chart = LiveRateChart(indicators(breaks), targets(per_year), "vi")
    svg = chart.svg()
    start = points(svg, 'stroke="#595959"')[0]  # the starting scenario, every year
    (path,) = points(svg, 'stroke="#000" stroke-width="1.2"')[:1]
    assert [x for x, _ in path] == [x for x, _ in start[:3]]  # 2023–2025 at 2023–2025's places
    assert path[0][1] == pytest.approx(start[0][1])
    assert svg.count('class="sl-break"') == (len(PANELS) if breaks else 0)


def test_the_break_is_drawn_between_the_two_years():
    chart = LiveRateChart(indicators((2027,)), targets({y: -4.0 for y in YEARS[1:]}), "en")
    svg = chart.svg()
    start = points(svg, 'stroke="#595959"')[0]
    x = float(re.search(r'class="sl-break" x1="([\d.]+)"', svg).group(1))
    assert start[3][0] < x < start[4][0]
    assert "new poverty standard" in svg
    paths = points(svg, 'stroke="#000" stroke-width="1.2"')
    assert len(paths) == 2 and paths[1][0][0] == pytest.approx(start[4][0])


def test_the_year_labels_of_a_long_axis_do_not_run_together():
    """Seven projected years on a panel (multidim_2030) put the labels 27 px apart, each about
    26 px wide: «20232024…» read as one number. Every year is labelled while they fit, else every
    second year and always the last, no two closer than a label's width."""
    for n in range(1, 13):
        xs = list(range(2023, 2023 + n))
        got = labelled_years(xs)
        span = (PANEL_W - 60) / max(n - 1, 1)
        assert got[0] == 2023 and got[-1] == xs[-1]
        assert all((b - a) * span >= YEAR_LABEL_W for a, b in zip(got, got[1:]))
        if span >= YEAR_LABEL_W:
            assert got == xs
    assert labelled_years(list(range(2023, 2031))) == [2023, 2025, 2027, 2030]
