"""A target set for each poor district is judged unit by unit only on districts.

The 2021–2025 plan (Kế hoạch 415/KH-UBND) sets «giảm từ 5 điểm % ở các huyện nghèo» for the poor
districts together and for each. plan_2027 runs on the communes of 2025 in every year: in 2024–2025
a commune is not a district, so its change is no reading of that target; the communes holding the
former poor districts together still are (`simlib.period_targets.each_unit_judged`). The run's
targets.csv (not only the report) leaves those unit rows out. Hand-made indicators: two poor units
a, b with changes −6 and −3 points, −4.5 together.
"""

from __future__ import annotations

import pandas as pd

from simlib.paths import params_dir
from simlib.period_targets import EACH_UNIT_NOTE, evaluate_period_targets
from simlib.runner import run
from simlib.scenario import load_scenario
from simlib.unit_switch import units_levels

POOR = ["a", "b"]
CHANGE = {("province", "province"): -5.0, ("district", "a"): -6.0, ("district", "b"): -3.0}
CHANGE[("poor_districts", "poor_districts")] = -4.5


def indicators(year: int = 2025) -> pd.DataFrame:
    rows = [(year, gt, g, "poor_rate_change", v) for (gt, g), v in CHANGE.items()]
    df = pd.DataFrame(rows, columns=["year", "geo_type", "geo", "indicator", "value"])
    return df.assign(scenario="hand", engine="expected", draw=0)


def poor_district_rows(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["target_id"] == "poor_rate_poor_districts"].set_index("geo")


def test_districts_are_judged_each():
    table, _ = evaluate_period_targets(indicators(), (2025,), POOR, levels={2025: "district"})
    rows = poor_district_rows(table)
    assert set(rows.index) == {"poor_districts", "a", "b"}
    assert bool(rows.loc["a", "met"]) and not bool(rows.loc["b", "met"])  # −6 ≤ −5, −3 > −5


def test_communes_are_judged_together_only():
    table, records = evaluate_period_targets(indicators(), (2025,), POOR, levels={2025: "commune"})
    rows = poor_district_rows(table)
    assert list(rows.index) == ["poor_districts"]
    assert rows.loc["poor_districts", "value"] == -4.5 and not bool(rows.loc["poor_districts", "met"])
    note = [r["note"] for r in records if r["target_id"] == "poor_rate_poor_districts"]
    assert note == [EACH_UNIT_NOTE]
    # a target set for the province is judged the same on either level
    assert table[table["geo"] == "province"].equals(
        evaluate_period_targets(indicators(), (2025,), POOR, levels={2025: "district"})[0].pipe(
            lambda t: t[t["geo"] == "province"]
        )
    )


def test_crossing_levels_follow_the_switch():
    scen = load_scenario(params_dir() / "scenarios" / "crossing_2024_2027.yaml")
    assert units_levels(scen, scen.years) == {2024: "district", 2025: "district", 2026: "commune", 2027: "commune"}


def test_plan_2027_targets_csv_has_no_commune_judged_as_a_district():
    result = run(load_scenario(params_dir() / "scenarios" / "plan_2027.yaml"), counterfactual=False)
    t = result.targets
    worded = t[(t["target_id"] == "poor_rate_poor_districts") & t["year"].isin([2024, 2025])]
    assert set(worded["geo_type"]) == {"poor_districts"} and len(worded) == 2
