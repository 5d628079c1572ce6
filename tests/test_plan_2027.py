"""plan_2027 on communes (issue 19): the commune baseline conserves households, the scenario's
illustrative amounts are the envelope file's, a run states the catalogue, standard,
geography and targets of each year — judged against the targets in force in it — and the
multidimensional model applies the 2027–2030 standard at the end-2027 review on the 56 units,
its reclassification kept apart from real movement."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import yaml

from simlib.dataset import load_dataset
from simlib.geography import commune_baseline, geography_for_year, load_geography
from simlib.paths import data_dir, params_dir
from simlib.programme_money import load_envelope
from simlib.runner import run
from simlib.scenario import load_scenario

SCENARIO = params_dir() / "scenarios" / "plan_2027.yaml"


@pytest.fixture(scope="module")
def result():
    return run(load_scenario(SCENARIO))


def test_commune_dataset_is_the_district_baseline_moved():
    """The committed commune dataset is exactly what its build script makes, and every cell's
    households are conserved through the district → commune move (province totals equal)."""
    spec = importlib.util.spec_from_file_location("build_dataset", data_dir() / "caobang_communes" / "build_dataset.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert build.main(["--check"]) == 0
    district, communes = load_dataset("caobang"), load_dataset("caobang_communes")
    assert communes.unit_ids == geography_for_year(2027).unit_ids and len(communes.unit_ids) == 56
    np.testing.assert_array_equal(communes.counts.sum(axis=0), district.counts.sum(axis=0))
    moved = commune_baseline(district.counts, district.unit_ids, load_geography())
    np.testing.assert_array_equal(communes.counts, moved.counts)
    assert communes.meta["geography"]["estimated"] is True
    # exit-scheme flag derived: exactly the units holding an old commune of Hà Quảng or Trùng Khánh
    geo = load_geography()
    exit_codes = set(geo.mapping.loc[geo.mapping["old_district_id"].isin({"ha_quang", "trung_khanh"}), "new_code"])
    assert set(communes.units.loc[communes.unit_flag("exit_scheme_district"), "code"]) == exit_codes


def test_amounts_are_the_illustrative_envelope():
    scen = load_scenario(SCENARIO)
    env = load_envelope()
    years = scen.raw["budget"]["years"]
    contents = (years.get("2027") or years[2027])["contents"]
    inv = sum(v.get("central_investment", 0) for v in contents.values())
    rec = sum(v.get("central_recurrent", 0) for v in contents.values())
    assert env.illustrative and env.year == 2027
    assert inv == pytest.approx(env.by_capital["investment"]) and rec == pytest.approx(env.by_capital["recurrent"])
    y = scen.budget.years.index(2027)
    assert scen.budget.amounts[y].sum() == pytest.approx(env.total * 1e9)
    np.testing.assert_array_equal(scen.budget.amounts[y], scen.budget.amounts[y - 1])  # 2026 repeats 2027


def test_commune_totals_equal_the_province(result):
    """Each year, the households of the 56 units add up to the province, and the province poor
    rate is the poor households of the communes over all their households."""
    st = result.states
    assert st["district"].nunique() == 56
    total0 = load_dataset("caobang").counts.sum()
    by_year = st.groupby("year")["households"].sum()
    assert by_year.loc[2023] == pytest.approx(total0)
    ind = result.indicators.query("geo_type == 'province' and indicator == 'poor_rate'").set_index("year")["value"]
    for year, rows in st.groupby("year"):
        poor = rows.loc[rows["state"] == "poor", "households"].sum()
        assert ind.loc[year] == pytest.approx(100 * poor / rows["households"].sum())


def test_manifest_states_each_years_rules(result):
    years = {r["year"]: r for r in result.manifest["periods"]["years"]}
    assert sorted(years) == [2023, 2024, 2025, 2026, 2027]
    assert [years[y]["catalogue"]["id"] for y in (2024, 2025, 2026, 2027)] == [
        "ntp_spr_2021_2025",
        "ntp_spr_2021_2025",
        "ntp_merged_2026_2030",
        "ntp_merged_2026_2030",
    ]
    assert years[2027]["catalogue"]["given"] == "contents" and years[2026]["catalogue"]["given"] == "same_as"
    assert years[2026]["standard"]["id"] == "2022-2025" and years[2027]["standard"]["id"] == "2027-2030"
    assert "351/2025" in years[2027]["standard"]["source"]
    assert all(r["standard"]["applied"] for r in years.values())  # multidim: applied, not recorded
    assert "end-2027" in years[2027]["standard"]["assumption"]  # first review: flagged assumption
    assert "assumption" not in years[2025]["standard"]
    assert [years[y]["geography"]["in_force"] for y in (2024, 2025)] == ["districts_2020", "communes_2025"]
    assert all(r["geography"]["units_used"] == "commune" for r in years.values())
    assert "1657" in years[2027]["geography"]["source"]
    assert years[2027]["targets"]["id"] == "ntp_merged_2026_2030" and years[2024]["targets"]["id"] == "plan_415_2024"


def test_targets_in_force_each_year(result):
    t = result.targets
    assert set(t.loc[t["year"] <= 2025, "target_id"]) >= {"poor_rate_province", "poor_rate_ethnic_minority"}
    late = t[t["year"] >= 2026]
    assert set(late["target_id"]) == {"national_poor_rate_change", "poor_communes_poor_rate_change"}
    # the poor-commune target is judged on their aggregate and on each poor unit
    poor_units = result.scenario.dataset.units.query("poor_district")["unit_id"]
    pc = late[(late["target_id"] == "poor_communes_poor_rate_change") & (late["year"] == 2027)]
    assert set(pc["geo"]) == set(poor_units) | {"poor_districts"}
    # met is the comparison of value and threshold (hand check on the rows)
    np.testing.assert_array_equal(pc["met"], pc["value"] <= -3.0 + 1e-9)
    recs = result.manifest["periods"]["targets"]
    skipped = {r["target_id"] for r in recs if not r["evaluated"]}
    assert "em_income_ratio_2030" not in skipped  # judged only in 2030, outside the horizon: not listed
    assert all(r["status"] in ("adopted", "proposal") for r in recs)


def test_parameter_draws_judge_the_same_targets(result):
    """The uncertainty draws judge each year against the targets the central run judged."""
    from simlib.options import RunOptions
    from simlib.uncertainty.run import run_uncertainty

    u = run_uncertainty(result.scenario, 2, RunOptions(seed=1))
    key = ["year", "target_id", "geo"]
    assert set(map(tuple, u.targets[key].to_numpy())) == set(map(tuple, result.targets[key].to_numpy()))
    # the draws re-base the same cells as the point run (the end-2027 review's change targets),
    # and the central run behind the probability table re-bases them by the point run's points
    point = result.targets.set_index(key)
    probs = u.targets.set_index(key)
    assert probs["rebased"].equals(point.loc[probs.index, "rebased"].astype(bool))
    assert set(point.index[point["rebased"]].get_level_values("year")) == {2027}
    np.testing.assert_allclose(probs["rebase_central"], point.loc[probs.index, "rebase"], equal_nan=True)


def test_change_targets_judged_on_real_movement(result):
    """At the end-2027 review the change targets are judged from 2026's rate re-based under the new
    standard: value = raw change − 100 × reclassified poor / households (period_changes.csv)."""
    t = result.targets
    row = t[(t["target_id"] == "national_poor_rate_change") & (t["year"] == 2027)].iloc[0]
    c = result.period_changes
    prov = c[(c["geo_type"] == "province") & (c["year"] == 2027)].set_index("measure")
    recl = 100 * prov.loc["poor", "reclassification"] / prov.loc["households", "current"]
    raw = 100 * (prov.loc["poor", "current"] / prov.loc["households", "current"])
    raw -= 100 * prov.loc["poor", "previous"] / prov.loc["households", "previous"]
    assert row["rebased"] and row["rebase"] == pytest.approx(recl) and row["value_raw"] == pytest.approx(raw)
    assert row["value"] == pytest.approx(raw - recl)
    assert not t.loc[t["year"] < 2027, "rebased"].any()


def _line(standard_id: str, area: str) -> float:
    """An income line read straight from the standard's file (not through simlib)."""
    doc = yaml.safe_load((params_dir() / "standards" / f"{standard_id}.yaml").read_text("utf-8"))
    return float(doc["income_line"][area]["value"])


def test_the_end_2027_review_applies_the_2027_standard(result):
    """The run is the multidimensional model on the 56 units, and its reviews use the lines of the
    standard in force: 2022–2025's up to 2026, 2027–2030's in 2027 (values from the files)."""
    assert result.manifest["model"] == "multidim"
    assert result.manifest["standards"]["by_year"]["2026"] == "2022-2025"
    assert result.manifest["standards"]["changes"] == [{"year": 2027, "from": "2022-2025", "to": "2027-2030"}]
    ind = result.indicators.query("geo_type == 'province'")
    for area in ("rural", "urban"):
        line = ind[ind["indicator"] == f"income_line_{area}"].set_index("year")["value"]
        assert line.loc[2026] == _line("2022-2025", area) and line.loc[2027] == _line("2027-2030", area)
    assert _line("2027-2030", "rural") > _line("2022-2025", "rural")
    dep = result.deprivations
    assert dep.loc[dep["geo_type"] == "district", "geo"].nunique() == 56  # the engine's units: communes
    assert set(dep.loc[dep["year"] == 2027, "standard"]) == {"2027-2030"}
    assert set(dep.loc[dep["year"] == 2026, "standard"]) == {"2022-2025"}
    # the deprivation table's households of the 56 units add up to the province's, each review
    whole = dep[(dep["population"] == "all") & (dep["indicator"] == "three_or_more")]
    by_geo = whole.groupby(["year", "geo_type"])["households"].sum().unstack()
    np.testing.assert_allclose(by_geo["district"], by_geo["province"], rtol=1e-9)
    deprived = whole.groupby(["year", "geo_type"])["deprived"].sum().unstack()
    np.testing.assert_allclose(deprived["district"], deprived["province"], rtol=1e-9)


def test_standard_change_is_kept_apart_from_real_movement(result):
    """period_changes: nothing re-mapped (the run is on communes from the start), nothing
    reclassified before 2027; at 2027 the higher lines with the same deprivation rule can only add
    households below the line (poor: income <= line and >= 3 deprivations), the households are not
    changed by a reclassification, the parts add up, and the 56 units add up to the province."""
    c = result.period_changes
    assert np.allclose(c["start"] + c["reclassification"] + c["movement"], c["current"])
    assert np.allclose(c["remapping"], 0.0) and c["reclassification_modelled"].all()
    prov = c[c["geo_type"] == "province"].set_index(["year", "measure"])
    assert np.allclose(prov.loc[[2024, 2025, 2026], "reclassification"], 0.0)
    assert prov.loc[(2027, "households"), "reclassification"] == pytest.approx(0.0, abs=1e-6)
    assert prov.loc[(2027, "poor"), "reclassification"] > 0
    assert prov.loc[(2027, "poor_near_poor"), "reclassification"] > 0
    unit = c[c["geo_type"] == "unit"]
    assert set(unit["units"]) == {"commune"} and unit.groupby("year")["geo"].nunique().eq(56).all()
    sums = unit.groupby(["year", "measure"])[["start", "reclassification", "movement", "current"]].sum()
    np.testing.assert_allclose(sums.to_numpy(), prov.loc[sums.index, sums.columns].to_numpy(), rtol=1e-9)
