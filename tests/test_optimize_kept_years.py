"""Years whose money the optimiser may allocate (`simlib.allocate.kept`): plan_2027 is the plan
for 2027 (`role: plan`, `periods: dated`), written when 2024–2025, the years of the 2021–2025
programme, are spent. `--years 2025` ran for minutes re-allocating that money; it is refused
before any work (exit 2), the message naming the years asked, those that can be allocated and
why (the scenario file and its fields). The years of the plan year's programme period (2026–2027)
stay allocatable, and so does every year of plan_2024 (not dated) — the allowed years are worked
here from params/catalogues/periods.yaml, not from simlib."""

from __future__ import annotations

import copy
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT

from simlib.allocate.kept import allocatable_years
from simlib.allocate.optimize import prepare
from simlib.allocate.spec import resolve_spec
from simlib.errors import InputError, InputErrors
from simlib.scenario import load_scenario, scenario_from_dict
from simlib.schema import load_yaml

SCENARIOS = ROOT / "params" / "scenarios"
PLAN_2027 = SCENARIOS / "plan_2027.yaml"


def period_start(year: int) -> int:
    """The first year of the catalogue period holding `year`, read from the periods file."""
    doc = yaml.safe_load((ROOT / "params" / "catalogues" / "periods.yaml").read_text(encoding="utf-8"))
    return next(p["first"] for p in doc["catalogues"] if p["first"] <= year <= p["last"])


@pytest.fixture(scope="module")
def plan_2027_states():
    """plan_2027 under the states model (same years, role and periods; its full effort by default)."""
    raw = copy.deepcopy(load_yaml(PLAN_2027))
    raw["model"] = "states"
    return scenario_from_dict(raw, file=PLAN_2027)


def test_plan_2027_allocates_the_years_of_its_plan_years_period(plan_2027_states):
    scen = plan_2027_states
    last = max(scen.years)
    assert (scen.raw["role"], scen.raw["periods"], last) == ("plan", "dated", 2027)
    expected = tuple(y for y in scen.years if y >= period_start(last))
    assert expected == (2026, 2027)
    assert allocatable_years(scen) == expected
    # `all`, and full effort's default, mean those years; 2026-2027 as asked
    for raw in ({"years": "all"}, {}, {"years": [2026, 2027]}):
        assert resolve_spec(scen, dict(raw, frontier=[])).plan_years == expected


@pytest.mark.parametrize("years", [[2025], [2024, 2025, 2026, 2027], 2024])
def test_plan_2027_refuses_the_years_of_the_ended_programme(plan_2027_states, years):
    with pytest.raises((InputError, InputErrors)) as info:
        resolve_spec(plan_2027_states, {"years": years, "frontier": []})
    errors = getattr(info.value, "errors", [info.value])
    kept = [e for e in errors if e.code == "years_kept"]
    assert len(kept) == 1
    asked = sorted(years) if isinstance(years, list) else [years]
    ended = ", ".join(str(y) for y in asked if y < 2026)
    for lang in ("vi", "en"):
        text = kept[0].message(lang)
        for fragment in (ended, "2026, 2027", "params/scenarios/plan_2027.yaml", "role: plan", "periods: dated"):
            assert fragment in text, (lang, fragment, text)
        assert "2021–2025" in text and "params/catalogues/periods.yaml" in text
    assert "không phân bổ lại được vốn năm " + ended in kept[0].message("vi")


@pytest.mark.parametrize("scenario,years", [("plan_2024.yaml", [2025]), ("plan_2024.yaml", [2024, 2025])])
def test_a_plan_that_is_not_dated_keeps_every_year_allocatable(scenario, years):
    """plan_2024 (role: plan, not dated): 2024 and 2025 are its own years, both allocatable."""
    scen = load_scenario(SCENARIOS / scenario)
    assert allocatable_years(scen) == tuple(scen.years) == (2024, 2025)
    assert resolve_spec(scen, {"years": years, "frontier": []}).plan_years == tuple(years)
    assert resolve_spec(scen, {"frontier": []}).plan_years is None  # every year, as before


def test_the_cli_refuses_before_any_work(tmp_path):
    """Exit 2 with the Vietnamese message, nothing estimated or written (it ran for minutes)."""
    out = tmp_path / "opt"
    args = [sys.executable, "-m", "simlib", "optimize", str(PLAN_2027), "--years", "2025", "--out", str(out)]
    r = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2, r.stderr
    assert "«--years»" in r.stderr and "không phân bổ lại được vốn năm 2025" in r.stderr
    assert "cho phép: 2026, 2027" in r.stderr and "Traceback" not in r.stderr
    assert "Ước tính" not in r.stderr and "Đang tối ưu" not in r.stderr and not out.exists()
    r = subprocess.run([*args[:3], "--lang", "en", *args[3:]], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "cannot be reallocated" in r.stderr and "allowed: 2026, 2027" in r.stderr


def test_the_crossings_refusal_is_said_of_the_option_asked():
    """crossing_2024_2027 `--years 2025`: refused by its own rule (years from its switch, 2026), and
    said of «--years» — it read «crossing_2024_2027.yaml, field 'years'», a field the scenario
    file does not have."""
    with pytest.raises(InputError) as info:
        prepare(SCENARIOS / "crossing_2024_2027.yaml", years=[2025], frontier_scales=[])
    err = info.value
    assert err.code == "units_switch_years" and err.file is None and err.field == "years"
    assert "2026, 2027" in err.message("vi")
