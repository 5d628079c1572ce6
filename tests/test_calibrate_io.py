"""Bad review data gets a clear message naming the file and the rows (in Vietnamese by default,
English on request), and nothing is estimated from it."""

from __future__ import annotations

import pandas as pd
import pytest
from calib_helpers import household, write_rows
from conftest import TINY

from simlib.calibrate.io import read_aggregate, read_register
from simlib.dataset import load_dataset
from simlib.errors import SimlibError

U = load_dataset(TINY).unit_ids[0]


@pytest.fixture(scope="module")
def tiny():
    return load_dataset(TINY)


def _unit(ds):
    return U


def _good_list(ds):
    u = _unit(ds)
    rows = []
    rows += household("a", {2022: "poor", 2023: "escaped"}, unit=u)
    rows += household("b", {2022: "near_poor", 2023: "near_poor"}, unit=u)
    rows += household("c", {2022: "non_poor", 2023: "poor"}, unit=u)
    rows += household("d", {2023: "non_poor"}, unit=u, new_year=2023)
    return rows


def _message(exc_info, lang="en"):
    return exc_info.value.message(lang)


def test_good_list_reads(tmp_path, tiny):
    tc = read_register([write_rows(tmp_path, _good_list(tiny))], tiny)
    assert tc.counts.sum() == 3 and tc.entries.sum() == 1 and tc.years == (2022, 2023)


@pytest.mark.parametrize(
    "change,fragment,rows",
    [
        (lambda r: r + household("a", {2023: "poor"}, unit=U), "household id repeated within a year", "rows 3, 9"),
        (lambda r: r + household("z", {2023: "poor"}, unit=U), "not marked new", "rows 9"),
        (
            lambda r: r + household("z", {2022: "poor", 2023: "poor"}, unit=U, new_year=2023),
            "marked new but already listed",
            "rows 10",
        ),
        (
            lambda r: [dict(x, status="escaped") if x["household_id"] == "b" and x["year"] == 2023 else x for x in r],
            "contradicts the household's history",
            "rows 5",
        ),
        (
            lambda r: r + household("z", {2022: "escaped", 2023: "escaped"}, unit=U, escape_year=2024),
            "escape year after the review year",
            "rows 9, 10",
        ),
        (lambda r: r + household("z", {2020: "poor"}, unit=U), "missing 2021", None),
        (
            lambda r: [dict(x, status="rich") if x["household_id"] == "c" else x for x in r],
            "values not allowed at rows 6, 7",
            None,
        ),
        (
            lambda r: [dict(x, unit_id="atlantis") if x["household_id"] == "a" else x for x in r],
            "atlantis",
            "rows 2, 3",
        ),
    ],
)
def test_bad_lists_name_the_rows(tmp_path, tiny, change, fragment, rows):
    path = write_rows(tmp_path, change(_good_list(tiny)))
    with pytest.raises(SimlibError) as info:
        read_register([path], tiny)
    msg = _message(info)
    assert fragment in msg and "list.csv" in msg
    if rows:
        assert rows in msg
    vi = _message(info, "vi")
    assert vi != msg and ("dòng" in vi or "thiếu năm" in vi or "không có" in vi)


def test_gap_between_years_is_rejected(tmp_path, tiny):
    rows = [dict(x, year=2024 if x["year"] == 2023 else x["year"]) for x in _good_list(tiny)]
    with pytest.raises(SimlibError) as info:
        read_register([write_rows(tmp_path, rows)], tiny)
    assert "missing 2023" in _message(info)
    assert "thiếu năm 2023" in _message(info, "vi")


def test_wide_lists_and_xlsx(tmp_path, tiny):
    u = _unit(tiny)
    wide = pd.DataFrame(
        {
            "household_id": ["a", "b", "c"],
            "unit_id": u,
            "ethnic_group": "ethnic_minority",
            "area": "rural",
            "status_2022": ["nghèo", "cận nghèo", ""],
            "status_2023": ["mới thoát nghèo", "cận nghèo", "không nghèo"],
            "new_year": ["", "", "2023"],
        }
    )
    p = tmp_path / "wide.xlsx"
    wide.to_excel(p, index=False)
    tc = read_register([p], tiny)
    assert tc.counts.sum() == 2 and tc.entries.sum() == 1
    swapped = wide[["household_id", "unit_id", "ethnic_group", "area", "status_2023", "status_2022", "new_year"]]
    p2 = tmp_path / "swapped.csv"
    swapped.to_csv(p2, index=False)
    with pytest.raises(SimlibError) as info:
        read_register([p2], tiny)
    assert "year columns are not in increasing order" in _message(info) and "2023, 2022" in _message(info)


def _agg_rows(ds):
    u0, u1 = ds.unit_ids[0], ds.unit_ids[1]
    rows = []
    for y, (p, n) in ((2022, (30, 20)), (2023, (26, 21))):
        rows.append(
            {"year": y, "unit_id": u0, "households": 100, "poor": p, "near_poor": n, "escapes": "" if y == 2022 else 6}
        )
        rows.append(
            {
                "year": y,
                "unit_id": u1,
                "households": 80,
                "poor": p - 10,
                "near_poor": n - 5,
                "escapes": "" if y == 2022 else 3,
            }
        )
    return rows


def test_good_counts_read(tmp_path, tiny):
    panel = read_aggregate([write_rows(tmp_path, _agg_rows(tiny), "agg.csv")], tiny)
    assert panel.years == (2022, 2023) and panel.n_obs == 2 and len(panel.cells) == 8


@pytest.mark.parametrize(
    "change,fragment",
    [
        (lambda r: [dict(x, poor=-3) if i == 2 else x for i, x in enumerate(r)], "negative household counts at rows 4"),
        (
            lambda r: [dict(x, near_poor=90) if i == 1 else x for i, x in enumerate(r)],
            "poor + near_poor + escaped > households) at rows 3",
        ),
        (
            lambda r: [dict(x, escapes=40) if i == 2 else x for i, x in enumerate(r)],
            "more households moving than there were 'poor' the year before, at rows 4",
        ),
        (lambda r: r + [dict(r[0])], "duplicated cells at rows 2, 6"),
        (lambda r: [dict(x, year=2024) if x["year"] == 2023 else x for x in r], "missing 2023"),
        (lambda r: r[:3], "no row for: 2023: "),
        (lambda r: [dict(x, households="lots") if i == 0 else x for i, x in enumerate(r)], "not a number at rows 2"),
    ],
)
def test_bad_counts_name_the_rows(tmp_path, tiny, change, fragment):
    path = write_rows(tmp_path, change(_agg_rows(tiny)), "agg.csv")
    with pytest.raises(SimlibError) as info:
        read_aggregate([path], tiny)
    assert fragment in _message(info), _message(info)
    assert "agg.csv" in _message(info, "vi")
