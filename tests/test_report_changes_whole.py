"""The table of changes by rule and real movement shows expected households as whole households
(«32.443 hộ», not «32.443,0») while its printed identities hold: on every row previous review +
re-mapping + reclassification + real movement = this review, and one review's count is the next
year's previous review. Rounding each figure alone breaks them (plan_2027, 2025: 28.371,8 −
3.679,3 = 24.692,5, which rounds half to even to 24.692 while 28.372 − 3.679 = 24.693)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from simlib.report.communes import CHANGE_COLUMNS, changes_table, whole_change_rows
from simlib.report.table import to_html

#: plan_2027's province rows of 2 December 2026 as the page showed them (households, poor)
PLAN_2027_POOR = [
    (2024, 32443.0, 0.0, 0.0, -4071.2, 28371.8),
    (2025, 28371.8, 0.0, 0.0, -3679.3, 24692.5),
    (2026, 24692.5, 0.0, 0.0, -3323.0, 21369.5),
    (2027, 21369.5, 0.0, 8110.9, -3013.7, 26466.6),
]


def test_hand_worked_rows():
    got = whole_change_rows(np.array([r[1:] for r in PLAN_2027_POOR]))
    assert got.tolist() == [
        [32443, 0, 0, -4071, 28372],
        [28372, 0, 0, -3679, 24693],  # 24.692,5 half up: the same as 2026's previous review
        [24693, 0, 0, -3323, 21370],
        [21370, 0, 8111, -3014, 26467],  # 5.097 to share: 8.110 + (−3.014) = 5.096, +1 to the ,9
    ]


def test_identities_hold_and_no_figure_moves_a_household():
    rng = np.random.default_rng(7)
    prev = rng.uniform(1e3, 5e4, 300)
    parts = rng.uniform(-5e3, 5e3, (300, 3)) * (rng.random((300, 3)) < 0.7)
    rows = np.column_stack([prev, parts, prev + parts.sum(axis=1)])
    got = whole_change_rows(rows)
    assert np.array_equal(got, np.round(got))
    assert np.array_equal(got[:, 0] + got[:, 1:4].sum(axis=1), got[:, 4])
    assert np.all(np.abs(got - rows) < 1.0)
    # a review read as the next year's previous review rounds the same way
    assert np.array_equal(whole_change_rows(rows[:, [4, 1, 2, 3, 4]])[:, 0], got[:, 4])


def test_the_page_table_is_in_whole_households():
    rows = []
    for year, *values in PLAN_2027_POOR:
        rows.append(dict(zip(("year", "measure", "geo_type", *CHANGE_COLUMNS), (year, "poor", "province", *values))))
    ctx = SimpleNamespace(lang="vi", result=SimpleNamespace(period_changes=pd.DataFrame(rows)))
    table = changes_table(ctx)
    assert set(table.formats.values()) == {"int"}
    f = table.frame.iloc[:, 1:].to_numpy(float)
    assert np.array_equal(f[:, 0] + f[:, 1:4].sum(axis=1), f[:, 4])
    assert np.array_equal(f[1:, 0], f[:-1, 4])  # the chain of reviews
    page = to_html(table, "vi")
    assert "32.443<" in page and "32.443,0" not in page and "28.372" in page
    assert "phần dư lớn nhất" in table.note
    assert f[3, 2] == pytest.approx(8111)
