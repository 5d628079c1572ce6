"""Consistency of the committed dated geography (data/geography/caobang), checked without the
packages that built it: every legacy commune maps once and wholly, the 56 units are those of the
resolution, areas and populations add up, and the district weights conserve each district."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
GEO = ROOT / "data" / "geography" / "caobang"


def rows(name: str) -> list[dict]:
    with (GEO / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_legacy_commune_maps_once_and_wholly():
    old = rows("units_2024.csv")
    mapping = rows("mapping_2025.csv")
    assert len(old) == 161
    assert len({r["district_id"] for r in old}) == 10
    counts = Counter(r["old_code"] for r in mapping)
    assert set(counts) == {r["code"] for r in old}
    assert set(counts.values()) == {1}
    assert {r["share_of_old"] for r in mapping} == {"1"}
    by_old = {r["old_code"]: r["new_code"] for r in mapping}
    assert all(by_old[r["code"]] == r["new_code_2025"] for r in old)


def test_new_units_are_the_resolutions_56():
    units = rows("units_2025.csv")
    mapping = rows("mapping_2025.csv")
    clauses = rows("sources/nq1657_article1.csv")
    assert len(units) == 56 == len(clauses)
    assert Counter(u["kind"] for u in units) == {"xã": 53, "phường": 3}
    assert {r["new_code"] for r in mapping} == {u["code"] for u in units}
    # the resolution names 161 old units in all, and each unit's count matches the mapping
    assert sum(len(c["old_units"].split("; ")) for c in clauses) == 161
    per_unit = Counter(r["new_code"] for r in mapping)
    assert all(int(u["old_units"]) == per_unit[u["code"]] for u in units)
    by_clause = {int(c["clause"]): len(c["old_units"].split("; ")) for c in clauses}
    assert all(by_clause[int(u["resolution_clause"])] == int(u["old_units"]) for u in units)


def test_areas_and_populations_add_up():
    units = rows("units_2025.csv")
    published = {(r["new_kind"], r["new_name"]): r for r in rows("sources/population_2025.csv")}
    area = sum(float(u["area_km2"]) for u in units)
    assert area == pytest.approx(6700.40, rel=0.01)  # province area on the merger look-up site
    assert sum(int(u["population"]) for u in units) == sum(int(r["population"]) for r in published.values())
    for u in units:
        kind, short = u["kind"], u["name"].split(" ", 1)[1]
        assert float(published[(kind, short)]["area_km2"]) == pytest.approx(float(u["area_km2"]), abs=0.005)
        assert 22.0 < float(u["lat"]) < 23.2 and 105.2 < float(u["lon"]) < 106.9  # inside Cao Bằng's box


def test_district_weights_conserve_each_district_and_each_unit():
    weights = rows("district_weights_2025.csv")
    units = {u["code"]: int(u["population"]) for u in rows("units_2025.csv")}
    by_district = defaultdict(float)
    by_unit = defaultdict(float)
    for w in weights:
        by_district[w["district_id"]] += float(w["share_of_district"])
        by_unit[w["new_code"]] += float(w["population_part"])
    assert all(s == pytest.approx(1.0, abs=1e-5) for s in by_district.values())
    assert set(by_unit) == set(units)
    assert all(by_unit[c] == pytest.approx(p, abs=0.2) for c, p in units.items())
    # a unit is split only if its old communes come from more than one district
    spans = {u["code"]: u["districts_2024"].split(";") for u in rows("units_2025.csv")}
    for w in weights:
        assert ("exact" in w["method"]) == (len(spans[w["new_code"]]) == 1)


def test_district_ids_link_to_the_2024_dataset():
    with (ROOT / "data" / "caobang" / "units.csv").open(encoding="utf-8", newline="") as f:
        ids_2024 = {r["unit_id"] for r in csv.DictReader(f)}
    assert {r["district_id"] for r in rows("units_2024.csv")} == ids_2024
    assert {w["district_id"] for w in rows("district_weights_2025.csv")} == ids_2024


def test_extremely_disadvantaged_is_the_2026_2030_region_iii_list():
    # QĐ 2230/QĐ-UBND as reported: region I Thục Phán, region II Tân Giang and Nùng Trí Cao,
    # region III the 53 xã; the column is true exactly for region III, the source file names the
    # same units as the table, and the two unknown flags stay unknown
    units = pd.read_csv(GEO / "units_2025.csv", dtype=str)
    regions = pd.read_csv(GEO / "sources" / "regions_2026_2030.csv", dtype=str)
    assert list(regions["code"]) == list(units["code"])
    assert list(regions["name"]) == list(units["name"])
    by_name = dict(zip(regions["name"], regions["region"], strict=True))
    assert by_name["Phường Thục Phán"] == "I"
    assert by_name["Phường Tân Giang"] == by_name["Phường Nùng Trí Cao"] == "II"
    assert (regions["region"] == "III").sum() == 53
    assert set(regions.loc[regions["region"] == "III", "kind"]) == {"xã"}
    expected = (regions["region"] == "III").map({True: "true", False: "false"})
    assert list(units["extremely_disadvantaged"]) == list(expected)
    assert set(units["poor_commune"]) == set(units["border"]) == {"unknown"}
