"""A run crossing 2025 → 2027 (issue 19): the catalogue switched along `continues`, the units
switched on 1 July 2025 by population weights, the standard changed at the 2027 review — and
period_changes.csv keeping re-mapping and reclassification apart from real movement."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from simlib import i18n
from simlib.errors import InputError, InputErrors
from simlib.geography import load_geography
from simlib.paths import params_dir
from simlib.period_changes import period_changes
from simlib.report.communes import switch_notes
from simlib.runner import read_outputs, run, write_outputs
from simlib.scenario import load_scenario, scenario_from_dict
from simlib.schema import load_yaml

SCENARIO = params_dir() / "scenarios" / "crossing_2024_2027.yaml"
BN = 1e9


@pytest.fixture(scope="module")
def result():
    return run(load_scenario(SCENARIO))


def test_catalogue_switch_moves_money_along_continues(result):
    """2026's money is 2025's carried: P1.2 (80 bn, the exit scheme) joins C1, run by P1.1; every
    year's total is kept."""
    b, codes = result.scenario.budget, result.scenario.catalogue.codes
    y25, y26 = b.years.index(2025), b.years.index(2026)
    line = b.amounts.sum(axis=2)
    assert line[y26].sum() == pytest.approx(line[y25].sum())
    assert line[y25, codes.index("P1.2")] == pytest.approx(80 * BN) and line[y26, codes.index("P1.2")] == 0
    assert line[y26, codes.index("P1.1")] == pytest.approx(line[y25, codes.index("P1.1")] + 80 * BN)
    rec = {r["year"]: r["catalogue"] for r in result.manifest["periods"]["years"] if r["catalogue"]}
    assert rec[2025]["id"] == "ntp_spr_2021_2025" and rec[2026]["given"] == "carried"
    assert rec[2027]["id"] == "ntp_merged_2026_2030"


def test_changes_add_up(result):
    c = result.period_changes
    assert np.allclose(c["start"] + c["reclassification"] + c["movement"], c["current"])
    prov = c[c["geo_type"] == "province"]
    assert np.allclose(prov["remapping"], 0.0, atol=1e-6)  # households are conserved by the move
    units = c[c["geo_type"] == "unit"].groupby(["year", "measure"])[["start", "reclassification", "current"]].sum()
    np.testing.assert_allclose(units.to_numpy(), prov.set_index(["year", "measure"]).loc[units.index, units.columns])
    assert set(c.loc[(c["geo_type"] == "unit") & (c["year"] == 2024), "units"]) == {"district"}
    assert c.loc[(c["geo_type"] == "unit") & (c["year"] >= 2025), "geo"].nunique() == 56


def test_remapping_uses_the_population_weights(result):
    """2025's start on each commune = the 2024 district counts shared by population parts, computed
    here from the weights file directly."""
    geo = load_geography()
    w = geo.weights.assign(
        part=lambda d: d["population_part"] / d.groupby("district_id")["population_part"].transform("sum")
    )
    st = result.states
    poor24 = st[(st["year"] == 2024) & (st["state"] == "poor")].groupby("district")["households"].sum()
    expected = (w["part"] * w["district_id"].map(poor24)).groupby(w["new_code"]).sum()
    c = result.period_changes
    got = c[(c["year"] == 2025) & (c["geo_type"] == "unit") & (c["measure"] == "poor")].set_index("geo")["start"]
    np.testing.assert_allclose(got.sort_index(), expected.sort_index())
    assert c.loc[(c["year"] == 2025) & (c["geo_type"] == "unit"), "previous"].isna().all()  # new units


def test_reclassification_only_at_the_change_of_standard(result):
    c = result.period_changes
    prov = c[c["geo_type"] == "province"].set_index(["year", "measure"])
    assert np.allclose(prov.loc[[2024, 2025, 2026], "reclassification"], 0.0)
    assert prov.loc[(2027, "households"), "reclassification"] == pytest.approx(0.0, abs=1e-6)
    assert prov.loc[(2027, "poor"), "reclassification"] > 0  # higher lines: more households poor
    std = {r["year"]: r["standard"]["id"] for r in result.manifest["periods"]["years"]}
    assert std[2026] == "2022-2025" and std[2027] == "2027-2030"


def test_states_model_has_no_reclassification():
    """Without the multidimensional model nothing is reclassified; the rows say it is not modelled."""
    states = pd.DataFrame(
        {
            "draw": 0,
            "year": [2024, 2024, 2025, 2025],
            "district": ["a", "a", "a", "a"],
            "state": ["poor", "non_poor", "poor", "non_poor"],
            "households": [10.0, 90.0, 8.0, 93.0],
        }
    )
    geo = load_geography()
    out = period_changes(states, "commune", geo)  # already on communes: no re-mapping either
    row = out[(out["geo_type"] == "province") & (out["measure"] == "poor")].iloc[0]
    assert (row["start"], row["reclassification"], row["movement"], row["current"]) == (10.0, 0.0, -2.0, 8.0)
    assert not row["reclassification_modelled"] and not row["remapped"]


def test_written_with_the_run(result, tmp_path):
    out = write_outputs(result, tmp_path / "run")
    back = read_outputs(out)
    assert "period_changes.csv" in back["manifest"]["outputs"]
    pd.testing.assert_frame_equal(back["period_changes"], result.period_changes, check_dtype=False)


def test_engine_switches_to_the_communes_in_2026(result):
    """The engine runs on the 10 districts for the 2024 and 2025 reviews and on the 56 communes
    from budget year 2026 (the first after 1 July 2025); the manifest says which units each year."""
    st = result.states
    units = st.groupby("year")["district"].nunique()
    assert units.loc[[2023, 2024, 2025]].tolist() == [10, 10, 10]
    assert units.loc[[2026, 2027]].tolist() == [56, 56]
    eu = result.manifest["engine_units"]
    assert eu["switched"] and eu["switch"]["year"] == 2026 and eu["switch"]["dataset"] == "caobang_communes"
    assert eu["by_year"]["2025"]["level"] == "district" and eu["by_year"]["2026"]["units"] == 56
    used = {r["year"]: r["geography"]["units_used"] for r in result.manifest["periods"]["years"]}
    assert used == {2023: "district", 2024: "district", 2025: "district", 2026: "commune", 2027: "commune"}
    first, second = result.segment_outputs
    assert second.states.shape[1] == 5 and second.state is None  # reviews 2023-2027; no state kept (issue 18)
    assert first.state.t == 2 and first.state.n.shape[1] == first.states.shape[2]  # the 10 districts' end-2025


def test_the_switch_conserves_households_and_moves_them_by_the_weights(result):
    """2026's start on each commune (period_changes) is 2025's district count moved by the
    population weights, computed here from the weights file; the handed-over state itself holds
    the same households (segment 2's review 2 = the moved end-2025 review)."""
    geo = load_geography()
    w = geo.weights.assign(
        part=lambda d: d["population_part"] / d.groupby("district_id")["population_part"].transform("sum")
    )
    st = result.states
    poor25 = st[(st["year"] == 2025) & (st["state"] == "poor")].groupby("district")["households"].sum()
    expected = (w["part"] * w["district_id"].map(poor25)).groupby(w["new_code"]).sum()
    c = result.period_changes
    got = c[(c["year"] == 2026) & (c["geo_type"] == "unit") & (c["measure"] == "poor")].set_index("geo")["start"]
    np.testing.assert_allclose(got.sort_index(), expected.sort_index(), rtol=1e-9)
    first, second = result.segment_outputs
    np.testing.assert_allclose(second.states[0, 2].sum(axis=0), first.states[0, 2].sum(axis=0), rtol=1e-12)
    prov = c[(c["geo_type"] == "province") & (c["year"] == 2026)]
    assert np.allclose(prov["remapping"], 0.0, atol=1e-6)


def test_the_envelope_waived_after_the_switch_is_recorded(result):
    """On the communes the 2026–2027 frame's illustrative envelope (239 bn recurrent) is below the
    263 bn the plan repeats: let through by `ignore_legal_rules: [envelope]` and recorded."""
    after = result.manifest["legal_after_switch"]
    assert after["frame"] == "caobang_communes_2026_2027" and after["ignored_rules"] == ["envelope"]
    found = {(v["year"], v["rule"]): (v["amount"], v["limit"]) for v in after["ignored_violations"]}
    assert found[(2026, "envelope")] == (263 * BN, 239 * BN)
    assert result.manifest["legal"]["frame"] == "caobang_2021_2025"


def problems(raw) -> list:
    """The input errors `raw` raises (one or several)."""
    try:
        scenario_from_dict(raw, file=SCENARIO)
    except InputErrors as exc:
        return exc.errors
    except InputError as exc:
        return [exc]
    raise AssertionError("no error")


def test_units_switch_problems_are_named():
    raw = load_yaml(SCENARIO)
    found = problems(dict(raw, units_switch={"dataset": "no_such_dataset"}))
    assert [e.field for e in found] == ["units_switch.dataset"]
    codes = {e.code for e in problems(dict(raw, model="states", horizon=2))}
    assert {"units_switch_model", "units_switch_year"} <= codes
    found = problems(dict(raw, units_switch={"dataset": "caobang"}))
    assert [e.code for e in found] == ["units_switch_level"]
    assert "cấp xã" in found[0].message("vi") and "commune-level" in found[0].message("en")
    found = problems(dict(raw, units_switch={"dataset": "caobang_communes", "legal_frame": "nope"}))
    assert [e.field for e in found] == ["units_switch.legal_frame"]


@pytest.mark.parametrize(
    ("fields", "code"), [({"engine": "microsim"}, "engine_hand_over"), ({"chunk": 5}, "units_switch_chunk")]
)
def test_a_switching_run_needs_an_engine_that_hands_over(fields, code):
    with pytest.raises(InputError) as err:
        run(load_scenario(SCENARIO), **fields)
    assert err.value.code == code


@pytest.mark.parametrize(
    ("lang", "words", "rule"), [("vi", "bỏ qua", "dự toán vốn trung ương"), ("en", "set aside", "central envelope")]
)
def test_report_first_screen_says_the_envelope_was_waived_after_the_switch(result, lang, words, rule):
    ctx = SimpleNamespace(result=result, lang=lang, t=lambda key, **kw: i18n.t(key, lang, **kw))
    (block,) = switch_notes(ctx)
    assert words in block and "2026" in block and "56" in block and rule in block  # the rule by name
    assert "263" in block and "239" in block  # the breach let through, in the report's language
    ctx.result = SimpleNamespace(manifest={"legal": {}})  # a run that does not switch: nothing
    assert switch_notes(ctx) == []
