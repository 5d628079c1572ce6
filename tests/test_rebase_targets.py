"""Change targets across a change of poverty standard (issues 16 item 6, 19): judged on the change
from the previous review re-based under the new standard (real movement only), level targets on
the level; a year without a change of standard judged as before.

Hand-worked case (two communes `a`, `b`; `b` poor; the multidimensional model's run and the same
run keeping the previous standard, identical up to 2026):

====  ====  ========  ========================  ===========================
year  unit  hh        poor (new standard)       poor (same run, old standard)
====  ====  ========  ========================  ===========================
2026  a     60        12                        12
2026  b     40        8                         8
2027  a     60        14                        12
2027  b     40        12                        6
2028  a     60        12                        9
2028  b     40        10                        5
====  ====  ========  ========================  ===========================

The end-2027 review applies the 2027–2030 standard. Province: 20 % → 26 %, raw change +6 points;
reclassified 26 − 18 = 8 households of 100 = 8 points; re-based change +6 − 8 = −2 points (real
movement: 18 − 20 = −2 households). Poor commune `b`: 20 % → 30 %, raw +10; reclassified 6 of 40 =
15 points; re-based −5. 2028 (no change of standard): province 26 % → 22 %, −4 points as before.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from verdict_frames import rate_indicators

from simlib.geography import load_geography
from simlib.i18n import fmt
from simlib.paths import params_dir
from simlib.period_changes import period_changes, rebase_points
from simlib.period_targets import evaluate_period_targets
from simlib.runner import previous_standard_scenario, run
from simlib.scenario import load_scenario
from simlib.targets import evaluate_targets, rebase_column, rebase_indicators
from simlib.workbench.compare import rebase_note

HH = {"a": 60.0, "b": 40.0}
NEW = {2026: {"a": 12.0, "b": 8.0}, 2027: {"a": 14.0, "b": 12.0}, 2028: {"a": 12.0, "b": 10.0}}
OLD = {2026: {"a": 12.0, "b": 8.0}, 2027: {"a": 12.0, "b": 6.0}, 2028: {"a": 9.0, "b": 5.0}}
YEARS = (2027, 2028)
POOR_UNITS = ["b"]


def states(poor: dict) -> pd.DataFrame:
    rows = []
    for year, units in poor.items():
        for u, p in units.items():
            rows += [(0, year, u, "poor", p), (0, year, u, "non_poor", HH[u] - p)]
    return pd.DataFrame(rows, columns=["draw", "year", "district", "state", "households"])


def indicators() -> pd.DataFrame:
    """The run's poor rate and its change, written out by hand from the table above."""
    rate = {
        ("province", "province"): {2026: 20.0, 2027: 26.0, 2028: 22.0},
        ("district", "a"): {2026: 20.0, 2027: 14 / 60 * 100, 2028: 20.0},
        ("district", "b"): {2026: 20.0, 2027: 30.0, 2028: 25.0},
        ("poor_districts", "poor_districts"): {2026: 20.0, 2027: 30.0, 2028: 25.0},
    }
    return rate_indicators(rate, YEARS)


@pytest.fixture(scope="module")
def judged():
    geo = load_geography()
    changes = period_changes(states(NEW), "commune", geo, states(OLD), changed=(2027,))
    rebase = rebase_points(states(NEW), "commune", geo, states(OLD), (2027,), POOR_UNITS)
    new, _ = evaluate_period_targets(indicators(), YEARS, POOR_UNITS, rebase=rebase)
    old, _ = evaluate_period_targets(indicators(), YEARS, POOR_UNITS)
    return changes, rebase, new, old


def row(table, target, year, geo):
    sel = (table["target_id"] == target) & (table["year"] == year) & (table["geo"] == geo)
    assert sel.sum() == 1
    return table[sel].iloc[0]


def test_reclassification_in_points_by_hand(judged):
    _, rebase, _, _ = judged
    r = rebase[rebase["indicator"] == "poor_rate_change"].set_index(["year", "geo"])["rebase"]
    assert set(r.index.get_level_values("year")) == {2027}  # only the review changing the standard
    assert r[(2027, "province")] == pytest.approx(8.0)
    assert r[(2027, "a")] == pytest.approx(100 * 2 / 60)
    assert r[(2027, "b")] == pytest.approx(15.0)
    assert r[(2027, "poor_districts")] == pytest.approx(15.0)


def test_change_target_met_on_real_movement(judged):
    """Raw +6 points (not met against ≤ −1) but −2 re-based: met; the row says by how much."""
    _, _, new, old = judged
    raw = row(old, "national_poor_rate_change", 2027, "province")
    assert raw["value"] == pytest.approx(6.0) and not raw["met"]
    got = row(new, "national_poor_rate_change", 2027, "province")
    assert got["value"] == pytest.approx(-2.0) and got["met"]
    assert got["rebased"] and got["rebase"] == pytest.approx(8.0) and got["value_raw"] == pytest.approx(6.0)
    b = row(new, "poor_communes_poor_rate_change", 2027, "b")
    assert (
        b["value"] == pytest.approx(-5.0)
        and b["met"]
        and not row(old, "poor_communes_poor_rate_change", 2027, "b")["met"]
    )


def test_year_without_change_of_standard_is_unchanged(judged):
    """2028: both reviews under the 2027–2030 standard; the gap to the old-standard run (22 vs 14
    households) is not a reclassification; verdicts as on the old path."""
    changes, _, new, old = judged
    prov = changes[(changes["geo_type"] == "province") & (changes["measure"] == "poor")].set_index("year")
    assert prov.loc[2028, "reclassification"] == 0.0 and prov.loc[2028, "movement"] == pytest.approx(-4.0)
    assert prov.loc[2027, "movement"] == pytest.approx(-2.0)
    cols = ["target_id", "geo", "value", "met"]
    n, o = new[new["year"] == 2028], old[old["year"] == 2028]
    pd.testing.assert_frame_equal(n[cols].reset_index(drop=True), o[cols].reset_index(drop=True))
    assert not n["rebased"].any() and n["rebase"].isna().all() and (n["value_raw"] == n["value"]).all()


def test_level_targets_stay_on_the_new_standard():
    """A level target (poor rate < 10 % in 2030) in a year re-based by 8 points keeps its level: the
    re-basing touches rate changes only."""
    ind = pd.DataFrame(
        {"year": 2030, "geo_type": "province", "geo": "province", "indicator": ["poor_rate", "poor_rate_change"]}
    ).assign(value=[9.0, 3.0], scenario="hand", engine="expected", draw=0)
    rebase = pd.DataFrame(
        {"draw": 0, "year": 2030, "geo_type": "province", "geo": "province", "indicator": "poor_rate_change"},
        index=[0],
    ).assign(rebase=8.0)
    new, _ = evaluate_period_targets(ind, (2030,), POOR_UNITS, rebase=rebase)
    level = row(new, "em_mountain_poor_rate_2030", 2030, "province")
    assert level["value"] == 9.0 and level["met"] and not level["rebased"]
    change = row(new, "national_poor_rate_change", 2030, "province")
    assert change["value"] == pytest.approx(-5.0) and change["rebased"]


def test_district_run_is_rebased_on_its_own_units():
    """A run on the 10 districts shows its end-2027 review on communes in period_changes.csv, but
    its indicator table (and so its targets) stays on districts: the re-basing is on districts."""
    ids = {"a": "bao_lac", "b": "ha_lang"}
    rename = lambda df: df.assign(district=df["district"].map(ids))  # noqa: E731
    rebase = rebase_points(rename(states(NEW)), "district", load_geography(), rename(states(OLD)), (2027,), ["ha_lang"])
    r = rebase[rebase["indicator"] == "poor_rate_change"].set_index("geo")["rebase"]
    assert r["province"] == pytest.approx(8.0) and r["ha_lang"] == pytest.approx(15.0)
    assert r["poor_districts"] == pytest.approx(15.0) and r["bao_lac"] == pytest.approx(100 * 2 / 60)
    assert rebase_points(states(NEW), "commune", load_geography(), None, (2027,)).empty  # no reclassification


def test_a_run_that_is_not_dated_is_rebased_the_same_way():
    """The plan's targets (judged every year, `periods` not dated) get the same re-basing as the
    dated path: the hand-worked province change +6 raw is −2 re-based at 2027, 2028 unchanged."""
    doc = load_scenario(params_dir() / "scenarios" / "multidim_2030.yaml").params["targets"]
    rebase = rebase_points(states(NEW), "commune", load_geography(), states(OLD), (2027,), POOR_UNITS)
    new = evaluate_targets(indicators(), doc, POOR_UNITS, rebase=rebase)
    old = evaluate_targets(indicators(), doc, POOR_UNITS)
    got, raw = row(new, "poor_rate_province", 2027, "province"), row(old, "poor_rate_province", 2027, "province")
    assert raw["value"] == pytest.approx(6.0) and "rebased" not in old.columns
    assert got["value"] == pytest.approx(-2.0) and got["rebased"] and got["value_raw"] == pytest.approx(6.0)
    assert row(new, "poor_rate_poor_districts", 2027, "poor_districts")["value"] == pytest.approx(-5.0)
    assert row(new, "poor_rate_province", 2028, "province")["value"] == pytest.approx(-4.0)
    assert not row(new, "poor_rate_province", 2028, "province")["rebased"]


@pytest.fixture(scope="module")
def multidim_2030():
    """multidim_2030 (not dated; the end-2027 review applies the 2027–2030 standard) and the same
    scenario keeping the 2022–2025 standard to its horizon, both on the expected engine."""
    scen = load_scenario(params_dir() / "scenarios" / "multidim_2030.yaml")
    twin, year = previous_standard_scenario(scen)
    assert not scen.dated and twin is not None and year == 2027
    return run(scen, counterfactual=False), run(twin, counterfactual=False)


def test_multidim_2030_change_targets_are_rebased_by_its_reclassification(multidim_2030):
    """Independent check: the province re-basing at 2027 = 100 × (poor under the new standard −
    poor in the run keeping the old one) / households, from the two runs' state tables."""
    result, kept = multidim_2030
    poor = lambda st: st[(st["year"] == 2027) & (st["state"] == "poor")]["households"].sum()  # noqa: E731
    hh = result.tables.states.query("year == 2027")["households"].sum()
    assert kept.tables.states.query("year == 2027")["households"].sum() == pytest.approx(hh)
    expected = 100 * (poor(result.tables.states) - poor(kept.tables.states)) / hh
    assert abs(expected) > 0.5  # the 2027 standard does reclassify households here
    t = result.targets
    prov = t[(t["target_id"] == "poor_rate_province") & (t["geo"] == "province")].set_index("year")
    assert prov.loc[2027, "rebased"] and prov.loc[2027, "rebase"] == pytest.approx(expected, rel=1e-9)
    assert prov.loc[2027, "value"] == pytest.approx(prov.loc[2027, "value_raw"] - expected)
    others = prov.drop(index=2027)
    assert not others["rebased"].any() and (others["value"] == others["value_raw"]).all()
    # ethnic-minority households: the same rule on the group's own households
    st, ks = result.tables.states, kept.tables.states
    em = lambda s: s[(s["year"] == 2027) & (s["ethnic_group"] == "ethnic_minority")]  # noqa: E731
    em_expected = 100 * (poor(em(st)) - poor(em(ks))) / em(st)["households"].sum()
    e = t[(t["target_id"] == "poor_rate_ethnic_minority") & (t["year"] == 2027)].iloc[0]
    assert e["rebased"] and e["rebase"] == pytest.approx(em_expected, rel=1e-9)
    # its period changes stay on its own 10 districts (nothing re-mapped in a run that is not dated)
    units = result.period_changes.query("geo_type == 'unit'")["geo"].astype(str)
    assert set(units) <= set(result.scenario.dataset.unit_ids)
    assert (result.period_changes["remapping"].fillna(0) == 0).all()


def test_a_states_run_is_not_rebased():
    """The states model does not reclassify: plan_2024's targets carry no re-basing columns."""
    scen = load_scenario(params_dir() / "scenarios" / "plan_2024.yaml")
    assert previous_standard_scenario(scen) == (None, None)
    assert "rebased" not in run(scen, counterfactual=False).targets.columns


def test_ethnic_groups_are_rebased_by_their_own_reclassification():
    """Hand-worked: unit `a` holds 40 ethnic-minority and 20 Kinh households, `b` 40 ethnic-
    minority. At 2027 the ethnic-minority poor are 10 + 12 = 22 under the new standard and 8 + 6 =
    14 under the old: 8 of 80 = 10 points; Kinh 4 against 4: 0 points."""
    split = {"a": {"ethnic_minority": (40.0, {2026: 8, 2027: 10}, {2026: 8, 2027: 8})}}
    split["a"]["kinh"] = (20.0, {2026: 4, 2027: 4}, {2026: 4, 2027: 4})
    split["b"] = {"ethnic_minority": (40.0, {2026: 8, 2027: 12}, {2026: 8, 2027: 6})}

    def table(which: int) -> pd.DataFrame:
        rows = []
        for u, groups in split.items():
            for g, (hh, *poor) in groups.items():
                for y, p in poor[which].items():
                    rows += [(0, y, u, g, "poor", float(p)), (0, y, u, g, "non_poor", hh - p)]
        return pd.DataFrame(rows, columns=["draw", "year", "district", "ethnic_group", "state", "households"])

    rebase = rebase_points(table(0), "commune", load_geography(), table(1), (2027,), ["b"])
    r = rebase[rebase["indicator"] == "poor_rate_change"].set_index(["geo_type", "geo"])["rebase"]
    assert r[("ethnic_group", "ethnic_minority")] == pytest.approx(10.0)
    assert r[("ethnic_group", "kinh")] == pytest.approx(0.0)
    assert r[("province", "province")] == pytest.approx(100 * 8 / 100)  # as before: 8 of 100


def test_the_workbench_says_when_it_judges_on_a_rebased_review(multidim_2030):
    """The explorer's side-by-side table (its runs are `simlib.runner.run`'s, re-based) carries a
    sentence naming the years re-based and the province's points; none for a run without."""
    result, kept = multidim_2030
    prov = result.targets.query("year == 2027 and geo_type == 'province' and indicator == 'poor_rate_change'")
    note = rebase_note(result.targets, "vi")
    assert "Năm 2027" in note and fmt.number(float(prov["rebase"].iloc[0]), "vi", 2) in note
    assert "2028" not in note
    assert rebase_note(kept.targets, "vi") == ""


def test_rebase_column_matches_rows_on_every_key_and_refuses_a_repeated_one():
    """The re-basing joined by hand: a row takes the points of the re-basing row with the same
    draw, year, geography and indicator (the re-basing's years read as the indicators' type),
    NaN where none has them, whatever the order of either table."""
    ind = pd.DataFrame(
        {
            "draw": [0, 0, 1, 0, 0],
            "year": [2027, 2027, 2027, 2028, 2027],
            "geo_type": ["province", "unit", "province", "province", "province"],
            "geo": ["CB", "b", "CB", "CB", "CB"],
            "indicator": ["poor_rate_change", "poor_rate_change", "poor_rate_change", "poor_rate_change", "poor_rate"],
            "value": [6.0, 10.0, 5.0, -4.0, 26.0],
        }
    )
    rb = pd.DataFrame(
        {
            "draw": [0, 1, 0],
            "year": [2027.0, 2027.0, 2027.0],
            "geo_type": ["unit", "province", "province"],
            "geo": ["b", "CB", "CB"],
            "indicator": ["poor_rate_change"] * 3,
            "rebase": [15.0, 7.0, 8.0],
        }
    )
    got = rebase_column(ind, rb)
    assert got[:3].tolist() == [8.0, 15.0, 7.0]
    assert np.isnan(got[3:]).all()  # another year; a level indicator
    out = rebase_indicators(ind.set_index(pd.Index([5, 4, 3, 2, 1])), rb)
    assert out.index.tolist() == [0, 1, 2, 3, 4]
    assert out["value"].tolist() == [6.0 - 8.0, 10.0 - 15.0, 5.0 - 7.0, -4.0, 26.0]
    assert out["value_raw"].tolist() == ind["value"].tolist()
    assert out["rebased"].tolist() == [True, True, True, False, False]
    with pytest.raises(ValueError, match="repeats"):
        rebase_column(ind, pd.concat([rb, rb.iloc[[0]]]))
