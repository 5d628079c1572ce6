"""A target of the 2021–2025 plan worded for poor districts, judged by a run on communes in every
year (plan_2027's 2024–2025): the poor units together are named for what they are (the communes
holding the former poor districts), no commune is judged as if it were a poor district, the page
says why, and the exported scorecard (targets.csv, verdicts.csv) holds the same rows."""

from __future__ import annotations

import pandas as pd
import pytest

from simlib import i18n
from simlib.dataset import load_dataset
from simlib.geography import load_geography
from simlib.report import scorecard, verdict
from simlib.report.context import verdicts_of
from simlib.report.data import RunTables
from simlib.report.levels import Levels, district_worded_years, manifest_levels

PLAN_415, NTP = "plan_415_2024", "ntp_merged_2026_2030"


def record(*rows):
    """A manifest whose period record has (year, units used, target set id) rows."""
    years = [{"year": y, "geography": {"units_used": u, "level_in_force": u}, "targets": {"id": t}} for y, u, t in rows]
    return {"periods": {"years": years}}


COMMUNES_ALL_YEARS = record((2024, "commune", PLAN_415), (2025, "commune", PLAN_415), (2026, "commune", NTP))
CROSSING = record((2024, "district", PLAN_415), (2025, "district", PLAN_415), (2026, "commune", NTP))


def test_district_worded_years_are_the_plan_years_run_on_communes():
    assert district_worded_years(COMMUNES_ALL_YEARS) == [2024, 2025]
    assert district_worded_years(CROSSING) == []  # districts in 2024–2025: judged per district
    assert district_worded_years({}) == []


def row(year, geo_type, geo, value, target="poor_rate_poor_districts"):
    return {
        "scenario": "s",
        "engine": "expected",
        "draw": 0,
        "year": year,
        "target_id": target,
        "geo_type": geo_type,
        "geo": geo,
        "indicator": "poor_rate_change",
        "value": value,
        "comparison": "<=",
        "threshold": -5.0,
        "met": value <= -5.0,
        "label_vi": "Tỷ lệ hộ nghèo ở các huyện nghèo giảm từ 5 điểm % trở lên",
        "label_en": "Poor-household rate in poor districts falls by at least 5 points",
        "poor_near_poor_value": value,
    }


def scorecard_rows():
    rows = [row(2024, "poor_districts", "poor_districts", -4.5), row(2024, "district", "01290", -5.2)]
    rows += [row(2024, "district", "01321", -4.9), row(2024, "province", "province", -3.3, "poor_rate_province")]
    rows += [row(2026, "poor_districts", "poor_districts", -3.6, "c"), row(2026, "district", "01290", -4.1, "c")]
    return pd.DataFrame(rows)


def test_without_unit_rows_drops_only_units_of_the_years_given():
    t = scorecard_rows()
    out = verdict.without_unit_rows(t, [2024, 2025])
    assert list(zip(out["year"], out["geo"])) == [
        (2024, "poor_districts"),
        (2024, "province"),
        (2026, "poor_districts"),
        (2026, "01290"),
    ]
    assert verdict.without_unit_rows(t, []) is t
    assert verdict.without_unit_rows(None, [2024]) is None


def test_verdicts_of_a_commune_run_judge_no_commune_as_a_poor_district():
    """The headline of 2024 is the aggregate alone (no units counted: both readings are the
    aggregate's own), the communes of the 2026 poor-commune target keep theirs."""
    t = scorecard_rows()
    tabs = RunTables(
        name="s",
        manifest=COMMUNES_ALL_YEARS,
        indicators=pd.DataFrame(columns=["indicator", "geo", "year", "value"]),
        targets=t,
        programme=pd.DataFrame(),
    )
    v = verdicts_of(tabs)
    y24 = v[(v["year"] == 2024) & (v["target_id"] == "poor_rate_poor_districts")]
    assert list(y24["geo"]) == ["poor_districts"]
    assert (
        int(y24["units"].iloc[0]) == 0
        and y24["each_unit_status"].iloc[0] == y24["aggregate_status"].iloc[0] == "not_met"
    )
    y26 = v[v["year"] == 2026]
    assert sorted(y26["geo"]) == ["01290", "poor_districts"] and int(y26.loc[~y26["detail"], "units"].iloc[0]) == 1
    # the crossing's district years keep their units: judged for each poor district
    tabs.manifest = CROSSING
    v = verdicts_of(tabs)
    assert int(v[(v["year"] == 2024) & (v["geo"] == "poor_districts")]["units"].iloc[0]) == 2


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_aggregate_is_named_for_the_years_it_is_judged_in(lang):
    lv = manifest_levels(COMMUNES_ALL_YEARS)
    named = i18n.t("geo.poor_district_communes", lang)
    assert lv.geo("poor_districts", lang, [2024, 2025]) == named
    assert lv.geo_over("poor_districts", lang, [2024, 2025]) == named
    assert lv.geo("poor_districts", lang, [2026]) == i18n.t("geo.poor_communes", lang)
    assert lv.geo("province", lang, [2024]) == i18n.label("geo", "province", lang)
    assert Levels("commune").geo("poor_districts", lang, [2024]) == i18n.t("geo.poor_communes", lang)
    assert i18n.t("geo.poor_district_communes", "vi") == "Các xã có địa bàn huyện nghèo cũ"


def test_share_of_the_communes_outside_the_former_poor_districts():
    """Independent: the transition's population weights (data/geography/caobang) — the population
    of the 37 poor units that lies in districts that were not poor, over their whole population."""
    units = load_dataset("caobang_communes").units
    n, partial, share = scorecard.former_districts_share(units)
    w = load_geography().weights
    poor_districts = set(load_dataset("caobang").units.query("poor_district")["unit_id"])
    poor_units = set(units.loc[units["poor_district"].astype(str).str.lower() == "true", "unit_id"])
    part = w[w["new_code"].isin(poor_units)]
    other = part[~part["district_id"].isin(poor_districts)]
    assert n == len(poor_units) == 37
    assert sorted(partial) == sorted(units.set_index("unit_id").loc[sorted(set(other["new_code"])), "name_vi"])
    # the weights file rounds each part to whole people
    assert share == pytest.approx(other["population_part"].sum() / part["population_part"].sum(), abs=1e-5)
    assert 0.02 < share < 0.03  # 2,4 %


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_scorecard_says_why_no_district_is_judged(lang):
    units = load_dataset("caobang_communes").units
    v = verdicts_of(
        RunTables(
            name="s",
            manifest=COMMUNES_ALL_YEARS,
            indicators=pd.DataFrame(columns=["indicator", "geo", "year", "value"]),
            targets=scorecard_rows(),
            programme=pd.DataFrame(),
        )
    )
    note = scorecard.former_districts_note(v, units, lang, manifest_levels(COMMUNES_ALL_YEARS))
    assert "37" in note and "56" in note and ("2,4 %" in note if lang == "vi" else "2.4%" in note)
    # the scenario by its title, the files in words, not «crossing_2024_2027», «targets.csv» (polish64)
    crossing = {
        "vi": "«Kế hoạch 2024 qua các thay đổi 2025–2027»",
        "en": "“The 2024 plan across the 2025–2027 changes”",
    }
    assert crossing[lang] in note and "crossing_2024_2027" not in note and "targets.csv" not in note
    assert scorecard.former_districts_note(v, units, lang, manifest_levels(CROSSING)) == ""
    html = scorecard.scorecard_html(v, lang, {"01290": "Xã Bảo Lâm"}, manifest_levels(COMMUNES_ALL_YEARS))
    assert i18n.t("geo.poor_district_communes", lang) in html
