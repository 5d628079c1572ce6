"""Stand-in tables for report and target tests: one headline verdict (the province's poor-rate
target of 2024, judged in its own year: `simlib.report.verdict`'s columns), and an indicator
table of poor rates written out by hand."""

from __future__ import annotations

import pandas as pd


def province_verdict(status: str, probability: float, margin: float, **more) -> pd.DataFrame:
    """One verdict row: the province's poor rate to fall by at least 4 points in 2024, with its
    `status`, `probability` (NaN: no draws) and `margin` (points past the threshold, negative
    when short); `more`: other columns (e.g. `basis`, `margin_households`)."""
    row = {
        "target_id": "poor_rate_province",
        "detail": False,
        "own_year": True,
        "year": 2024,
        "status": status,
        "probability": probability,
        "indicator": "poor_rate_change",
        "margin": margin,
        "label_vi": "Tỷ lệ hộ nghèo toàn tỉnh giảm từ 4 điểm % trở lên",
        "label_en": "Province poor rate falls by at least 4 points",
    }
    return pd.DataFrame([row | more])


def rate_indicators(rate: dict, years) -> pd.DataFrame:
    """An indicator table (`simlib.results`' columns) of the poor rate and its change from the year
    before, for each year of `years`: `rate` is {(geo_type, geo): {year: rate in %}}, holding the
    year before the first as well."""
    rows = []
    for (gt, g), by_year in rate.items():
        for y in years:
            rows.append((y, gt, g, "poor_rate", by_year[y]))
            rows.append((y, gt, g, "poor_rate_change", by_year[y] - by_year[y - 1]))
    df = pd.DataFrame(rows, columns=["year", "geo_type", "geo", "indicator", "value"])
    return df.assign(scenario="hand", engine="expected", draw=0)
