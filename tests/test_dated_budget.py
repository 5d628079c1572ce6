"""Budgets under the dated catalogues (simlib.dated_budget) and targets with strict comparisons
(simlib.targets.evaluate_specs): hand-worked cases, conservation of money along `continues`, and
every problem reported at once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simlib.dated_budget import carry_lines, line_of, translate_budget
from simlib.errors import InputError
from simlib.programme_money import continue_spend
from simlib.programmes import load_programme_catalogue, old_line_ids
from simlib.targets import evaluate_specs

OLD = old_line_ids()


@pytest.fixture(scope="module")
def cat():
    return load_programme_catalogue()


def test_line_of_keys():
    assert line_of("P1.1.investment", OLD) == "P1.1"
    assert line_of("P5.new_house", OLD) == "P5"
    assert line_of("P3.1", OLD) == "P3.1"
    assert line_of("P3", OLD) is None  # a project is not carried


def test_contents_go_to_their_mechanism_line():
    budget = {
        "unit": "billion VND",
        "years": {
            "2025": {"lines": {"P2": {"central_recurrent": 5}}},
            "2026": {"contents": {"C1.infrastructure_poor_communes": {"central_investment": 100}}},
            "2027": {"same_as": 2026},
        },
    }
    out, records, errors = translate_budget(budget, OLD)
    assert errors == []
    assert out["years"]["2025"] == budget["years"]["2025"]  # 2021–2025 years untouched
    assert out["years"]["2026"] == {"lines": {"P1.1": {"central_investment": 100.0}}}
    assert out["years"]["2027"] == {"same_as": 2026}
    assert [(r.year, r.catalogue, r.given) for r in records] == [
        (2025, "ntp_spr_2021_2025", "lines"),
        (2026, "ntp_merged_2026_2030", "contents"),
        (2027, "ntp_merged_2026_2030", "same_as"),
    ]


def test_carry_hand_worked_and_conserves_money(cat):
    """2025's money carried into 2026: P1.2 (80) joins C1, whose mechanism is P1.1 — so it becomes
    P1.1 money; P1.1's own content key is kept; every line keeps its money."""
    lines = {
        "P1.1.investment": {"central_investment": 330, "local": 15},
        "P1.2": {"central_investment": 80},
        "P5.new_house": {"central_recurrent": 85},
    }
    errors: list = []
    out, links = carry_lines(lines, cat, OLD, "budget.years.2026", errors)
    assert errors == []
    assert out == {
        "P1.1.investment": {"central_investment": 330.0, "local": 15.0},
        "P1.1": {"central_investment": 80.0},
        "P5.new_house": {"central_recurrent": 85.0},
    }
    assert ("P1.2", "C1.infrastructure_poor_communes", 1.0, "P1.1") in links
    # the same money by content as the array function continue_spend gives
    by_line = np.array([345.0, 80.0, 85.0])
    moved = continue_spend(by_line, ("P1.1", "P1.2", "P5"), cat)
    by_content = dict(zip(moved.contents, moved.spend, strict=True))
    assert by_content["C1.infrastructure_poor_communes"] == 425.0 and by_content["C5.housing"] == 85.0
    total_out = sum(sum(v.values()) for v in out.values())
    assert total_out == pytest.approx(moved.spend.sum()) == pytest.approx(510.0)


def test_carry_same_as_an_old_year():
    budget = {
        "unit": "VND",
        "years": {"2025": {"lines": {"P1.2": {"central_investment": 7}}}, "2026": {"same_as": 2025}},
    }
    out, records, errors = translate_budget(budget, OLD)
    assert errors == [] and out["years"]["2026"] == {"lines": {"P1.1": {"central_investment": 7.0}}}
    assert records[1].given == "carried" and records[1].links[0][:2] == ("P1.2", "C1.infrastructure_poor_communes")


def test_number_year_keys_read_as_a_file_gives_them():
    """A Python caller's budget with number year keys (a file's are text), mixed with text ones:
    the same translation as the file's, `same_as` followed (it was not: the reference was looked up
    as text), and no TypeError from sorting mixed keys."""
    lines = {"P1.2": {"central_investment": 7}}
    as_file = {"unit": "VND", "years": {"2025": {"lines": lines}, "2026": {"same_as": 2025}, "2027": {"same_as": 2026}}}
    mixed = {"unit": "VND", "years": {2025: {"lines": lines}, "2026": {"same_as": 2025}, 2027: {"same_as": 2026}}}
    want, want_records, _ = translate_budget(as_file, OLD)
    got, records, errors = translate_budget(mixed, OLD)
    assert errors == [] and got == want and records == want_records
    assert got["years"]["2026"] == {"lines": {"P1.1": {"central_investment": 7.0}}}  # carried, by hand


def test_problems_reported_at_once():
    budget = {
        "unit": "VND",
        "years": {
            "2025": {"contents": {"C5.housing": {"central_recurrent": 1}}},  # contents before 2026
            "2026": {
                "contents": {
                    "C9.unknown": {"central_recurrent": 1},  # unknown content
                    "C1.infrastructure_poor_communes": {"central_recurrent": 1},  # investment only
                }
            },
            "2027": {"lines": {"P3": {"central_recurrent": 1}}},  # a project cannot be carried
            "2031": {"lines": {"P2": {"central_recurrent": 1}}},  # no catalogue covers 2031
        },
    }
    _, _, errors = translate_budget(budget, OLD)
    got = {(e.code, e.field) for e in errors}
    assert got == {
        ("contents_period", "budget.years.2025.contents"),
        ("enum", "budget.years.2026.contents.C9.unknown"),
        ("capital_content", "budget.years.2026.contents.C1.infrastructure_poor_communes.central_recurrent"),
        ("carry_no_successor", "budget.years.2027.lines.P3"),
        ("period_year", "budget.years.2031"),
    }
    assert all(isinstance(e, InputError) and e.message("en") and e.message("vi") for e in errors)


def indicator_rows(values: dict[str, float]) -> pd.DataFrame:
    rows = [
        {"scenario": "s", "engine": "expected", "draw": 0, "year": 2027, "geo_type": "province", "geo": "province"}
        | {"indicator": ind, "value": v}
        for ind, v in values.items()
    ]
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("comparison", "value", "met"),
    [
        ("<", 10.0, False),
        ("<", 9.99, True),
        ("<=", 10.0, True),
        (">", 10.0, False),
        (">", 10.01, True),
        (">=", 10.0, True),
    ],
)
def test_strict_and_inclusive_comparisons(comparison, value, met):
    """A value exactly at the threshold meets `<=` / `>=` and misses `<` / `>` (hand-worked)."""
    spec = {
        "target_id": "t",
        "indicator": "poor_rate",
        "geo_type": "province",
        "geo": "province",
        "each_poor_district": False,
        "comparison": comparison,
        "threshold": 10.0,
        "label_vi": "t",
        "label_en": "t",
    }
    out = evaluate_specs(indicator_rows({"poor_rate": value}), [spec], [])
    assert out["met"].tolist() == [met]
