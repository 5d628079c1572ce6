"""Targets by period (simlib.period_targets): the 2024 plan's up to 2025, the 2026–2030
programme's from 2026, thresholds of ranges, the years a target is judged, and file problems
reported at once."""

from __future__ import annotations

import pytest
import yaml

from simlib.errors import InputError, InputErrors
from simlib.paths import params_dir
from simlib.period_targets import load_period_targets, targets_for_year
from simlib.programmes import load_periods
from simlib.targets import target_specs

TARGETS = params_dir() / "targets" / "2026_2030.yaml"


def test_plan_targets_up_to_2025():
    ts = targets_for_year(2025)
    assert ts.period.id == "plan_415_2024"
    plan = target_specs(yaml.safe_load((params_dir() / "targets.yaml").read_text(encoding="utf-8")))
    assert [{k: s[k] for k in plan[0]} for s in ts.specs] == plan  # the same objects simlib.targets uses
    assert all(s["judged_years"] == (2021, 2022, 2023, 2024, 2025) for s in ts.specs)


def test_programme_targets_from_2026():
    ts = targets_for_year(2026)
    assert ts.period.id == "ntp_merged_2026_2030" and len(ts.specs) == 9
    by_id = {s["target_id"]: s for s in ts.specs}
    national = by_id["national_poor_rate_change"]
    # a fall of 1–1.5 points: the weaker end (−1.0) is the threshold, the range kept
    assert (national["threshold"], national["range"], national["comparison"]) == (-1.0, (-1.5, -1.0), "<=")
    assert by_id["rural_income_multiple_2030"]["threshold"] == 2.5  # ≥ 2.5–3 times: the weaker end is 2.5
    assert by_id["poor_communes_poor_rate_change"]["status"] == "proposal"
    assert by_id["poor_communes_poor_rate_change"]["each_poor_commune"]
    assert not by_id["em_income_ratio_2030"]["indicator_modelled"]
    assert by_id["em_mountain_poor_rate_2030"]["indicator_modelled"]


def test_judged_years():
    ts = targets_for_year(2027)
    assert {s["target_id"] for s in ts.judged_in(2027)} == {
        "national_poor_rate_change",
        "poor_communes_poor_rate_change",
    }
    assert len(ts.judged_in(2030)) == 9


@pytest.mark.parametrize("year", [2020, 2031])
def test_no_targets_outside_the_register(year):
    with pytest.raises(InputError) as info:
        targets_for_year(year)
    assert str(year) in info.value.message("en")


def test_target_file_problems_all_at_once(tmp_path):
    doc = yaml.safe_load(TARGETS.read_text(encoding="utf-8"))
    doc["targets"][1]["year"] = 2035
    doc["targets"][2]["id"] = doc["targets"][0]["id"]
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    period = load_periods()["targets"][1]
    with pytest.raises(InputErrors) as info:
        load_period_targets(path, period)
    text = "\n".join(e.message("en") for e in info.value.errors)
    assert "t.yaml" in text and "targets.1.year" in text and "2035" in text
    assert "targets.2.id" in text and "national_poor_rate_change" in text


def test_target_schema_problems_all_at_once(tmp_path):
    doc = yaml.safe_load(TARGETS.read_text(encoding="utf-8"))
    del doc["targets"][1]["year"]  # a level target needs its year
    doc["targets"][0]["comparison"] = "=="
    doc["targets"][3]["value"] = {"unit": "percent"}
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        load_period_targets(path, load_periods()["targets"][1])
    text = "\n".join(e.message("en") for e in info.value.errors)
    for field in ("targets.0.comparison", "targets.1", "targets.3.value"):
        assert field in text
