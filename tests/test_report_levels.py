"""The words for units and their aggregate follow the level of the units (simlib.report.levels):
communes on a commune dataset, districts on a district dataset, former districts where a run keeps
its 2024 districts at a review when communes are in force."""

from __future__ import annotations

import html

import pandas as pd
import pytest

from simlib import i18n
from simlib.dataset import load_dataset
from simlib.report import baseline, scorecard, verdict
from simlib.report import levels as LV
from simlib.report.levels import Levels, manifest_levels
from simlib.workbench import compare as WC


def test_dataset_level_is_read_from_the_dataset():
    assert load_dataset("caobang_communes").level == "commune"
    assert load_dataset("caobang").level == "district"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_poor_units_are_named_by_level(lang):
    communes, districts = i18n.t("geo.poor_communes", lang), i18n.t("geo.poor_districts", lang)
    former = i18n.t("geo.poor_former_districts", lang)
    assert len({communes, districts, former}) == 3
    assert LV.poor_units_label(lang, "commune") == communes
    assert LV.poor_units_label(lang, "commune", "commune") == communes
    assert LV.poor_units_label(lang, "district") == districts
    assert LV.poor_units_label(lang, "district", "district") == districts
    assert LV.poor_units_label(lang, "district", "commune") == former
    # other geographies keep their own label
    assert LV.geo_label("province", lang, "commune") == i18n.label("geo", "province", lang)


def test_vietnamese_words():
    assert LV.poor_units_label("vi", "commune") == "Các xã nghèo"
    assert LV.poor_units_label("en", "commune") == "Poor communes"
    assert "xã" in i18n.t(LV.key("table.district", "commune"), "vi").lower()
    assert "huyện" in i18n.t(LV.key("table.district", "district"), "vi").lower()


def test_every_commune_key_exists_with_the_same_fields():
    for district_key, commune_key in LV.COMMUNE_KEYS.items():
        for lang in ("vi", "en"):
            assert i18n.has(district_key) and i18n.has(commune_key)
            a, b = i18n.t(district_key, lang), i18n.t(commune_key, lang)
            assert a != b
        fields = lambda k: sorted(set(__import__("re").findall(r"\{(\w+)\}", i18n.t(k, "en"))))  # noqa: E731
        assert fields(district_key) == fields(commune_key)


def test_year_levels_from_a_period_record():
    manifest = {
        "periods": {
            "years": [
                {"year": 2024, "geography": {"level_in_force": "district"}},
                {"year": 2025, "geography": {"level_in_force": "commune"}},
            ]
        }
    }
    assert LV.year_levels(manifest) == {2024: "district", 2025: "commune"}
    assert LV.year_levels(None) == {} and LV.year_levels({}) == {}
    lv = Levels("district", LV.year_levels(manifest))
    assert lv.at([2025, 2024]) == "district"  # the first year of the rows
    assert lv.at([2025]) == "commune" and lv.at([2030]) is None
    assert lv.over_run() == "commune"


def _targets(rows) -> pd.DataFrame:
    """A targets table as the runner writes it: one poor-units rate-change target per row."""
    out = []
    for target, year, value in rows:
        out.append(
            {
                "scenario": "s",
                "engine": "expected",
                "draw": 0,
                "year": year,
                "target_id": target,
                "geo_type": "poor_districts",
                "geo": "poor_districts",
                "indicator": "poor_rate_change",
                "value": value,
                "comparison": "<=",
                "threshold": -3.0,
                "met": value <= -3.0,
                "label_vi": f"chỉ tiêu {target}",
                "label_en": f"target {target}",
            }
        )
    return pd.DataFrame(out)


def test_scorecard_names_the_area_by_the_units_of_each_target():
    # a district run crossing to communes: the 2021-2025 target (2024, 2025) on districts in force
    # at its first year, the 2026-2030 target (2026) counted on districts while communes are in force
    targets = _targets([("old", 2024, -4.0), ("old", 2025, -2.0), ("new", 2026, -3.5)])
    ind = pd.DataFrame(columns=["indicator", "geo", "year", "value"])
    v = verdict.verdict_table(targets, ind)
    in_force = {2024: "district", 2025: "commune", 2026: "commune"}
    lv = Levels("district", in_force, {2024: "district", 2025: "district", 2026: "commune"})
    table = scorecard.scorecard_table(v, "vi", levels=lv).frame
    area = table[i18n.t("table.area", "vi")].tolist()
    assert area == ["Các huyện nghèo", "Các huyện nghèo", "Các xã nghèo"]
    page = scorecard.scorecard_html(v, "vi", levels=lv)
    assert "chỉ tiêu old (Các huyện nghèo)" in page
    assert "chỉ tiêu new (Các xã nghèo)" in page
    # a run on the 2024 districts throughout (never switching units): one name for its poor units
    # in every row, the 2026 target counted on districts while communes are in force included
    kept = scorecard.scorecard_table(v, "vi", levels=Levels("district", in_force)).frame
    assert set(kept[i18n.t("table.area", "vi")]) == {"Các huyện nghèo"}
    # on commune units every row says communes; without levels, districts (as before)
    commune = scorecard.scorecard_table(v, "en", levels=Levels("commune", {})).frame
    assert set(commune[i18n.t("table.area", "en")]) == {"Poor communes"}
    plain = scorecard.scorecard_table(v, "en").frame
    assert set(plain[i18n.t("table.area", "en")]) == {"Poor districts"}
    # the workbench's side-by-side table names the area the same way
    side = WC.side_by_side(v, v)
    assert "Các xã nghèo" in WC.side_by_side_html(side, "vi", Levels("commune", {}))


@pytest.mark.parametrize(("name", "column", "section"), [("caobang_communes", "Xã, phường", "theo xã")])
def test_baseline_names_commune_units(name, column, section):
    ds = load_dataset(name)
    assert baseline.district_frame(ds, "vi").columns[0] == column
    html = "".join(str(b) for b in baseline.by_district(ds, "vi"))
    assert section in html and "★ xã nghèo" in html and "huyện nghèo" not in html
    district = load_dataset("caobang")
    assert baseline.district_frame(district, "vi").columns[0] == i18n.t("table.district", "vi")


def test_baseline_sources_follow_the_page_language():
    # the commune dataset's first source has an English title and a Vietnamese one (title_vi):
    # each page shows its own language's, a source without title_vi keeps its title on both
    ds = load_dataset("caobang_communes")
    raw = {s["id"]: s for s in ds.meta["sources"]}
    vi_page = "".join(str(b) for b in baseline.provenance(ds, "vi"))
    en_page = "".join(str(b) for b in baseline.provenance(ds, "en"))
    assert raw["district_dataset"]["title_vi"] in vi_page
    assert raw["district_dataset"]["title"] not in vi_page
    assert html.escape(raw["district_dataset"]["title"]) in en_page  # "the tool's": escaped in the page
    assert raw["district_dataset"]["title_vi"] not in en_page
    sources = [{"id": "a", "title": "T", "title_vi": "Tv"}, {"id": "b", "title": "U"}, {"id": "c"}]
    assert [s["title"] for s in baseline.localized_sources(sources, "vi")] == ["Tv", "U", "c"]
    assert [s["title"] for s in baseline.localized_sources(sources, "en")] == ["T", "U", "c"]


def test_a_run_switching_units_names_each_year_by_the_units_its_engine_used():
    # crossing_2024_2027: districts to the end-2025 review (communes already in force), communes after
    lv = Levels(
        "district",
        {2024: "district", 2025: "commune", 2026: "commune"},
        {2024: "district", 2025: "district", 2026: "commune"},
    )
    assert lv.geo("poor_districts", "vi", [2024]) == "Các huyện nghèo"
    assert lv.geo("poor_districts", "vi", [2025]) == "Các huyện nghèo cũ (địa giới năm 2024)"
    assert lv.geo("poor_districts", "vi", [2026]) == "Các xã nghèo"
    assert lv.geo("poor_districts", "en", None) == "Poor communes"
    # the levels read back from a manifest's period record
    years = [(2024, "district", "district"), (2025, "commune", "district"), (2026, "commune", "commune")]
    manifest = {
        "periods": {"years": [{"year": y, "geography": {"level_in_force": f, "units_used": u}} for y, f, u in years]}
    }
    back = manifest_levels(manifest)
    assert back.used_by_year == {2024: "district", 2025: "district", 2026: "commune"}
    assert back.geo("poor_districts", "vi", [2026]) == "Các xã nghèo"


def _crossing_levels() -> Levels:
    """crossing_2024_2027's record: districts used to the end-2025 review (communes in force from
    it), communes from 2026; the baseline 2023 unrecorded (the dataset's districts)."""
    return Levels(
        "district",
        {2024: "district", 2025: "commune", 2026: "commune", 2027: "commune"},
        {2024: "district", 2025: "district", 2026: "commune", 2027: "commune"},
    )


def test_a_label_over_the_years_of_a_switching_run_names_each_set_of_units_with_its_years():
    lv, years = _crossing_levels(), [2023, 2024, 2025, 2026, 2027]
    assert lv.spans(years) == [[2023, 2024, 2025], [2026, 2027]]
    assert lv.geo_over("poor_districts", "vi", years) == "Các huyện nghèo (2023–2025), các xã nghèo (2026–2027)"
    assert lv.geo_over("poor_districts", "en", years) == "Poor districts (2023–2025), poor communes (2026–2027)"
    assert lv.geo_parts("poor_districts", "vi", [2025, 2027]) == [
        "Các huyện nghèo cũ (địa giới năm 2024) (2025)",
        "các xã nghèo (2027)",
    ]
    # years on one set of units: those units, with the years (the run switched)
    assert lv.geo_over("poor_districts", "vi", [2026, 2027]) == "Các xã nghèo (2026–2027)"
    assert lv.geo_over("poor_districts", "en", [2024, 2025]) == "Poor districts (2024–2025)"
    assert lv.geo_over("province", "vi", years) == "Toàn tỉnh"
    # a level-dependent text of one year follows the units of that year
    assert "xã nghèo" in lv.t_at("report.card.targets_readings", "vi", 2027, together=1, each=1, n=2)
    assert "huyện nghèo" in lv.t_at("report.card.targets_readings", "vi", 2024, together=1, each=1, n=2)


def test_a_label_over_the_years_of_a_run_on_one_set_of_units_uses_one_name():
    # multidim_2030: the 2024 districts throughout, communes in force from the end-2025 review
    kept = Levels("district", {2024: "district", 2025: "commune"}, {2024: "district", 2025: "district"})
    assert kept.spans() == [[2024, 2025]]
    assert kept.geo_over("poor_districts", "vi", [2023, 2024, 2025]) == kept.geo("poor_districts", "vi")
    assert kept.geo_over("poor_districts", "vi") == "Các huyện nghèo"  # one name (readers59)
    assert kept.kept_years() == [2025]
    plan = Levels("commune", {2026: "commune", 2027: "commune"}, {2026: "commune", 2027: "commune"})
    assert plan.geo_over("poor_districts", "en", [2025, 2026, 2027]) == "Poor communes"
    assert Levels().geo_over("poor_districts", "vi", [2024, 2025]) == "Các huyện nghèo"


def test_every_switched_key_has_the_fields_of_its_text_and_the_areas():
    fields = lambda k, lang: set(__import__("re").findall(r"\{(\w+)\}", i18n.t(k, lang)))  # noqa: E731
    for name, switched in LV.SWITCHED_KEYS.items():
        for lang in ("vi", "en"):
            assert fields(switched, lang) == fields(name, lang) | {"areas"}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_text_about_years_across_the_switch_names_both_sets_of_units(lang):
    lv = _crossing_levels()
    kw = {"together": 1, "each": 0, "n": 2}
    both = lv.t_over("report.card.targets_readings", lang, [2024, 2026, 2027], **kw)
    assert lv.geo_over("poor_districts", lang, [2024, 2026, 2027])[1:] in both
    assert ("(2024), các xã nghèo (2026–2027)" if lang == "vi" else "(2024), poor communes (2026–2027)") in both
    # years on one set of units: that set's own text
    assert lv.t_over("report.card.targets_readings", lang, [2026, 2027], **kw) == i18n.t(
        "report.card.targets_readings_communes", lang, **kw
    )
    assert lv.t_over("report.card.targets_readings", lang, [2024], **kw) == i18n.t(
        "report.card.targets_readings", lang, **kw
    )
