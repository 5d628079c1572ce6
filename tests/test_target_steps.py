"""Yearly-change target steps take each year's own threshold: a run crossing 2025→2026 has the
2021–2025 targets (5 points a year in poor districts), then the 2026–2030 ones (3 in poor
communes); the charts used the first year's threshold for every year."""

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from simlib.report import data as D
from simlib.report.trends import rate_change_targets, rule_text, target_steps, unit_years

GOLDEN = Path(__file__).parent / "golden"


def table(rows):
    cols = ["year", "geo_type", "geo", "indicator", "threshold"]
    return pd.DataFrame(rows, columns=cols)


def test_thresholds_are_kept_per_year():
    t = table(
        [
            (2024, "province", "province", "poor_rate_change", -4.0),
            (2024, "poor_districts", "poor_districts", "poor_rate_change", -5.0),
            (2024, "district", "bao_lac", "poor_rate_change", -5.0),  # a unit: not a chart's area
            (2026, "province", "province", "poor_rate_change", -1.0),
            (2026, "poor_districts", "poor_districts", "poor_rate_change", -3.0),
            (2026, "province", "province", "coverage", 80.0),
        ]
    )
    got = rate_change_targets(t)
    assert got == {"province": {2024: -4.0, 2026: -1.0}, "poor_districts": {2024: -5.0, 2026: -3.0}}


def test_steps_use_the_threshold_of_the_year_they_go_into():
    years, values = [2023, 2024, 2025, 2026, 2027], [30.0, 26.0, 22.0, 20.0, 18.0]
    steps = target_steps(years, values, {2024: -5.0, 2025: -5.0, 2026: -3.0, 2027: -3.0}, skip=[2027])
    # by hand: from each year's value, that value plus the next year's threshold; none into 2027
    assert steps == [(2023, 30.0, 2024, 25.0), (2024, 26.0, 2025, 21.0), (2025, 22.0, 2026, 19.0)]
    # a year without a threshold gets no step; one number still means every year
    assert target_steps(years[:3], values[:3], {2025: -5.0}) == [(2024, 26.0, 2025, 21.0)]
    assert len(target_steps(years, values, -4.0)) == 4


def test_path_cumulates_each_years_threshold_and_stops_without_one():
    xs, ys = D.target_path(24.0, {2024: -5.0, 2025: -5.0, 2026: -3.0}, 2023, [2024, 2025, 2026, 2027])
    assert xs == [2023, 2024, 2025, 2026] and ys == pytest.approx([24.0, 19.0, 14.0, 11.0])
    xs, ys = D.target_path(24.7, -4.0, 2023, [2024, 2025])
    assert ys == pytest.approx([24.7, 20.7, 16.7])


def test_caption_names_each_threshold_with_its_years():
    assert rule_text({2024: -5.0, 2025: -5.0}, "en") == rule_text({2024: -5.0}, "en")
    both = rule_text({2024: -5.0, 2025: -5.0, 2026: -3.0, 2027: -3.0}, "vi")
    assert "(2024–2025)" in both and "(2026–2027)" in both and both.index("5") < both.index("3")
    assert rule_text({2024: -5.0, 2026: -3.0}, "vi", years=[2024, 2025]).count("(") == 0


def test_the_crossings_poor_units_have_5_points_then_3():
    targets = pd.read_csv(GOLDEN / "crossing_2024_2027" / "targets.csv.gz")
    poor = rate_change_targets(targets)["poor_districts"]
    assert {y: poor[y] for y in (2024, 2025)} == {2024: -5.0, 2025: -5.0}
    assert {y: poor[y] for y in sorted(poor) if y >= 2026} == {2026: -3.0, 2027: -3.0}


def _indicators(unit_years: dict[str, range], province_years: range) -> pd.DataFrame:
    rows = [("province", "province", y) for y in province_years]
    rows += [(u, "district", y) for u, ys in unit_years.items() for y in ys]
    return pd.DataFrame(
        [{"indicator": "poor_rate", "geo": g, "geo_type": t, "year": y, "draw": 0, "value": 10.0} for g, t, y in rows]
    )


def test_unit_years_stop_at_the_switch_and_the_caption_follows():
    """A run that switched units has its districts up to 2025 only: the district panels' caption
    names the threshold of those years alone, not the 2026–2027 communes' one."""
    switched = _indicators({"A": range(2023, 2026), "B": range(2023, 2026)}, range(2023, 2028))
    ctx = SimpleNamespace(tables=SimpleNamespace(indicators=switched), unit_names={"A": "An", "B": "Bình"})
    assert unit_years(ctx) == [2023, 2024, 2025]
    thr = {2024: -5.0, 2025: -5.0, 2026: -3.0, 2027: -3.0}
    assert rule_text(thr, "vi", unit_years(ctx)) == rule_text({2024: -5.0}, "vi")
    assert "2026" in rule_text(thr, "vi", range(2023, 2028))
    whole = _indicators({"A": range(2023, 2028)}, range(2023, 2028))
    assert unit_years(SimpleNamespace(tables=SimpleNamespace(indicators=whole), unit_names={"A": "An"})) == list(
        range(2023, 2028)
    )
