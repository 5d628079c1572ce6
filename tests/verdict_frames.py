"""A stand-in verdict table for report tests that read one headline verdict: the province's
poor-rate target of 2024, judged in its own year (`simlib.report.verdict`'s columns)."""

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
