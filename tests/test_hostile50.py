"""Hostile inputs of a tired planner on the 2026+ features (hostile50): a dated scenario copied
from plan_2027 and broken the way people break it. Each case: a user error naming the field, never
an internal error (a TypeError reported as a bug) and never money silently dropped."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
import yaml
from conftest import ROOT

from simlib.dataset import validate_counts
from simlib.errors import InputError, InputErrors, SimlibError
from simlib.scenario import scenario_from_dict
from simlib.schema import load_yaml, validate

PLAN_2027 = ROOT / "params" / "scenarios" / "plan_2027.yaml"


@pytest.fixture(scope="module")
def plan_2027() -> dict:
    return load_yaml(PLAN_2027)  # as simlib reads it (year keys as text)


def problems(raw: dict) -> list[InputError]:
    """The problems `scenario_from_dict` reports for `raw` (as if it were plan_2027.yaml)."""
    with pytest.raises(SimlibError) as caught:
        scenario_from_dict(raw, file=PLAN_2027)
    exc = caught.value
    return list(exc.errors) if isinstance(exc, InputErrors) else [exc]


@pytest.mark.parametrize("horizon", [0, -1, "4", 4.5])
def test_bad_horizon_of_a_multidim_scenario_is_a_user_error(plan_2027, horizon):
    """`horizon: 0` (or -1, "4", 4.5) in a multidimensional scenario was an internal TypeError
    (the review years' check added the missing horizon to the start year) instead of the message
    on `horizon` that a states scenario gets."""
    raw = copy.deepcopy(plan_2027)
    raw["horizon"] = horizon
    errs = problems(raw)
    assert [e.field for e in errs] == ["horizon"]
    assert errs[0].value == horizon


@pytest.mark.parametrize(
    ("years", "code", "chain"),
    [
        ({"2026": {"same_as": 2029}}, "same_as", None),  # a year not listed
        ({"2026": {"same_as": 2026}}, "same_as_cycle", "2026 → 2026"),  # itself
    ],
)
def test_broken_same_as_in_a_dated_year_is_refused(plan_2027, years, code, chain):
    """A dated year (2026+) whose same_as names a missing year or goes round in a circle was
    accepted and run with no money at all in that year (the dated translation read it as carried
    2021–2025 lines, of which there were none)."""
    raw = copy.deepcopy(plan_2027)
    raw["budget"]["years"] |= years
    errs = problems(raw)
    assert [(e.code, e.field) for e in errs] == [(code, "budget.years.2026.same_as")]
    if chain:
        assert errs[0].fields["chain"] == chain


@pytest.mark.parametrize(
    ("written", "read", "tail"),
    [("36,35", 36, 35), ("1.234,5", 1.234, 5), ("557,0", 557, 0), ("1,5 tỷ", 1, "5 tỷ")],
)
def test_a_comma_inside_braces_is_told_as_a_cut_amount(written, read, tail):
    """`{central_recurrent: 36,35}` is read by YAML as `central_recurrent: 36` and a key `35`:
    the message was «unknown key …35», now it names the amount's field, what was read and why."""
    text = f"budget:\n  years:\n    2027:\n      contents:\n        C3.nutrition: {{central_recurrent: {written}}}\n"
    doc = yaml.safe_load(text)
    errs = [e for e in validate(doc, "scenario", "s.yaml", quantities=False) if "C3" in str(e.field)]
    assert [(e.code, e.field) for e in errs] == [
        ("flow_comma", "budget.years.2027.contents.C3.nutrition.central_recurrent")
    ]
    assert errs[0].fields == {"read": read, "tail": tail}
    assert "36.35" in errs[0].message("vi") and "dấu phẩy" in errs[0].message("vi")


def test_an_unknown_key_that_is_no_cut_number_keeps_its_message():
    doc = yaml.safe_load("budget:\n  years:\n    2027:\n      contents:\n        C3.nutrition: {central_recurent: 5}\n")
    errs = [e for e in validate(doc, "scenario", "s.yaml", quantities=False) if "C3" in str(e.field)]
    assert [e.code for e in errs] == ["unknown_key"]


def money_of(raw: dict) -> list[float]:
    """The scenario's money per projected budget year, billion VND."""
    scen = scenario_from_dict(raw, file=PLAN_2027)
    return [round(float(scen.budget.amounts[i].sum()) / 1e9, 2) for i in range(len(scen.budget.years))]


def test_contents_without_periods_dated_are_refused(plan_2027):
    """plan_2027 copied without its `periods: dated` line: 2026 and 2027 ran with no money at all
    (their `contents` were not read) and the file was reported valid."""
    assert money_of(plan_2027)[-2:] == [796.0, 796.0]  # 557 + 239 (the header's sum), each year
    raw = copy.deepcopy(plan_2027)
    del raw["periods"]
    errs = problems(raw)
    assert [(e.code, e.field) for e in errs] == [("contents_not_dated", "budget.years.2027.contents")]
    assert "periods: dated" in errs[0].message("vi")


def test_lines_beside_contents_in_a_year_are_refused(plan_2027):
    """2027 with `contents` and also `lines: {P3.2: 5}`: the 5 billion were dropped (the year's
    money stayed 796) and the file was reported valid."""
    raw = copy.deepcopy(plan_2027)
    raw["budget"]["years"]["2027"]["lines"] = {"P3.2": {"central_recurrent": 5}}
    errs = problems(raw)
    assert [(e.code, e.field, e.fields) for e in errs] == [("contents_mixed", "budget.years.2027", {"others": "lines"})]


@pytest.mark.parametrize("year", [2025, 2026])
def test_amounts_beside_same_as_are_refused(plan_2027, year):
    """`2025: {same_as: 2024, lines: {P2: {local: 5}}}` (or 2026 with `contents` beside its
    same_as): the amounts were dropped without a word, the year copied the other."""
    raw = copy.deepcopy(plan_2027)
    key = "lines" if year == 2025 else "contents"
    item = "P2" if year == 2025 else "C3.nutrition"
    raw["budget"]["years"][str(year)][key] = {item: {"central_recurrent": 5}}
    errs = problems(raw)
    assert [(e.code, e.field, e.fields) for e in errs] == [("same_as_mixed", f"budget.years.{year}", {"given": key})]


def test_a_review_with_vietnamese_headers_names_the_renames():
    """An annual-review sheet typed with Vietnamese headers: the message only said «thiếu cột:
    unit_id, …»; it now lists the file's columns and which header to rename to what."""
    df = pd.DataFrame({"Mã huyện": ["north"], "Dân tộc": ["kinh"], "Khu vực": ["rural"], "Tình trạng ": ["poor"]})
    df["Số  hộ"] = ["10"]  # a double space, as typed
    df["area"] = ["rural"]  # one column right: no rename proposed for it
    _, errs = validate_counts(df, ("north",), "r.xlsx")
    assert [e.code for e in errs] == ["csv_columns_rename"]
    fields = errs[0].fields
    assert fields["missing"] == "unit_id, ethnic_group, state, households"
    renames = (
        "{0}Mã huyện{1} → unit_id, {0}Dân tộc{1} → ethnic_group, {0}Tình trạng {1} → state, {0}Số  hộ{1} → households"
    )
    assert fields["rename"].vi == renames.format("«", "»")
    assert fields["rename"].en == renames.format("“", "”")  # each language its own quotes (quote65)
    assert "Khu vực" in fields["found"] and "Khu vực" not in fields["rename"].vi
    _, errs = validate_counts(pd.DataFrame({"A": [1]}), None, "r.csv")
    assert [(e.code, e.fields["found"]) for e in errs] == [("csv_columns_found", "A")]


@pytest.mark.parametrize(("written", "fix", "word"), [("1,5 tỷ", "1.5", "tỷ"), ("557 tỷ đồng", "557", "tỷ")])
def test_an_amount_with_its_unit_word_says_to_write_the_number(written, fix, word):
    """`central_investment: 1,5 tỷ` (block style): the message was «wrong type, a number wanted»."""
    text = f"budget:\n  years:\n    2027:\n      contents:\n        C1.x:\n          central_investment: {written}\n"
    errs = [e for e in validate(yaml.safe_load(text), "scenario", "s.yaml", quantities=False) if "C1" in str(e.field)]
    assert [(e.code, e.value, e.fields) for e in errs] == [("worded_number", written, {"fix": fix, "word": word})]


def test_an_old_district_in_a_commune_split_names_its_communes(plan_2027):
    """plan_2027 copied with the 2024 plan's `district_split` (`P5: {ha_quang: 0.5, …}`): the
    message listed 56 commune codes (cut at 30); it now says ha_quang is a former district and
    names the communes that hold it."""
    raw = copy.deepcopy(plan_2027)
    raw["budget"]["district_split"]["lines"] = {"P5": {"ha_quang": 0.5, "01438": 0.5}}
    errs = problems(raw)
    assert [(e.code, e.field) for e in errs] == [("unit_former_district", "budget.district_split.lines.P5.ha_quang")]
    units = pd.read_csv(ROOT / "data" / "caobang_communes" / "units.csv", dtype=str)
    held = units[units["districts_2024"].str.split(";").map(lambda ds: "ha_quang" in ds)]
    assert "01438 (Xã Hà Quảng)" in errs[0].fields["communes"]
    assert errs[0].fields["communes"].count("(") == len(held) >= 2


def test_an_old_district_in_the_crossing_commune_split_names_its_communes():
    """The same slip in crossing_2024_2027's `units_switch.district_split` (the split of its commune
    years), where the district years' split rightly names districts."""
    path = ROOT / "params" / "scenarios" / "crossing_2024_2027.yaml"
    raw = load_yaml(path)
    raw["units_switch"]["district_split"] = {"lines": {"P5": {"bao_lam": 1.0}}}
    with pytest.raises(SimlibError) as caught:
        scenario_from_dict(raw, file=path)
    errs = getattr(caught.value, "errors", [caught.value])
    assert [(e.code, e.field) for e in errs] == [
        ("unit_former_district", "units_switch.district_split.lines.P5.bao_lam")
    ]
    assert "01290 (Xã Bảo Lâm)" in errs[0].fields["communes"]
