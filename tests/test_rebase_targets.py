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

import pandas as pd
import pytest

from simlib.geography import load_geography
from simlib.period_changes import period_changes, rebase_points
from simlib.period_targets import evaluate_period_targets

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
    rows = []
    for (gt, g), by_year in rate.items():
        for y in YEARS:
            rows.append((y, gt, g, "poor_rate", by_year[y]))
            rows.append((y, gt, g, "poor_rate_change", by_year[y] - by_year[y - 1]))
    df = pd.DataFrame(rows, columns=["year", "geo_type", "geo", "indicator", "value"])
    return df.assign(scenario="hand", engine="expected", draw=0)


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
