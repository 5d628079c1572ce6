"""The multidimensional model end to end: scenario option, runner outputs (deprivations.csv),
the break at the 2027 change of standard in tables, manifest and report, the report section's
numbers against the tables, bad input, and the published trend on the bundled data."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, TINY, make_scenario, tiny_raw
from matplotlib.figure import Figure

from simlib.errors import SimlibError
from simlib.paths import scenarios_dir
from simlib.report import deprivation as dep
from simlib.runner import read_outputs, run, write_outputs
from simlib.scenario import load_scenario


def raw_to(year: int, **changes) -> dict:
    raw = tiny_raw(horizon=year - 2023, **changes)
    for y in range(2026, year + 1):
        raw["budget"]["years"][str(y)] = {"same_as": 2024}
    return raw


@pytest.fixture(scope="module")
def run_2027():
    """Tiny scenario across the change of standard, multidimensional model, expected engine."""
    return run(make_scenario(raw_to(2027, model="multidim")))


def test_states_model_stays_the_default_and_writes_no_deprivations(tmp_path):
    scen = make_scenario()
    assert scen.poverty_model == "states"
    res = run(scen, counterfactual=False)
    assert res.deprivations is None and res.output.multidim is None
    write_outputs(res, tmp_path / "o")
    assert not (tmp_path / "o" / "deprivations.csv").exists()
    assert "deprivations" not in read_outputs(tmp_path / "o")


def test_break_at_2027_is_flagged_in_indicators_tables_and_manifest(run_2027):
    ind = run_2027.indicators
    prov = ind[ind["geo"] == "province"].set_index(["indicator", "year"])["value"]
    assert prov[("standard_changed", 2027)] == 1 and prov[("standard_changed", 2026)] == 0
    assert prov[("income_line_rural", 2026)] == 1_500_000 and prov[("income_line_rural", 2027)] == 2_200_000
    assert prov[("income_line_urban", 2027)] == 2_800_000
    # a higher line with the same incomes: more households below it in 2027
    assert prov[("poor_near_poor_rate", 2027)] > prov[("poor_near_poor_rate", 2026)] + 5
    d = run_2027.deprivations
    assert set(d.loc[d["year"] == 2027, "standard"]) == {"2027-2030"}
    assert set(d.loc[d["year"] == 2026, "standard"]) == {"2022-2025"}
    assert run_2027.manifest["standards"]["changes"] == [{"year": 2027, "from": "2022-2025", "to": "2027-2030"}]
    notes = dep.standard_break_note(ind, run_2027.manifest, lang="vi")
    assert len(notes) == 1 and "2027" in notes[0] and "2.200.000" in notes[0] and "1.500.000" in notes[0]
    assert "phân loại lại" in notes[0]


def test_states_model_across_2027_says_it_does_not_reclassify():
    res = run(make_scenario(raw_to(2027)), counterfactual=False)
    assert res.manifest["standards"]["changes"][0]["year"] == 2027
    assert res.manifest["standards"]["reclassified"] is False
    sec = dep.deprivation_section(res, lang="en")
    assert any("does not reclassify" in t and "2027" in t for t in sec.texts)
    assert any("does not track deprivation" in t for t in sec.texts)
    assert not sec.tables and not sec.figures


def test_fgt_indicators_follow_from_the_engine_sums(run_2027):
    out = run_2027.output
    n = out.states.sum(axis=(2, 3))[0]
    f1 = out.multidim.fgt1.sum(axis=(2, 3))[0]
    f2 = out.multidim.fgt2.sum(axis=(2, 3))[0]
    below = out.states[0][..., :2].sum(axis=(1, 2))
    ind = run_2027.indicators
    prov = ind[ind["geo"] == "province"]
    got = {
        k: prov[prov["indicator"] == k].sort_values("year")["value"].to_numpy()
        for k in ("poverty_gap_index", "poverty_severity_index", "income_gap_ratio")
    }
    np.testing.assert_allclose(got["poverty_gap_index"], 100 * f1 / n)
    np.testing.assert_allclose(got["poverty_severity_index"], 100 * f2 / n)
    np.testing.assert_allclose(got["income_gap_ratio"], 100 * f1 / below)
    assert np.all(got["poverty_severity_index"] <= got["poverty_gap_index"])  # gaps are <= 1


def test_report_section_numbers_come_from_the_tables(run_2027):
    d, rem = run_2027.deprivations, run_2027.deprivation_removals
    tab = dep.dimension_changes(d, "poor_near_poor", lang="en")
    # compared years stay within one standard by default
    row = tab.set_index("dimension").loc["housing"]
    sel = (
        (d["geo"] == "province")
        & (d["population"] == "poor_near_poor")
        & (d["dimension"] == "housing")
        & (d["indicator"] == "any")
    )
    s23 = d[sel & (d["year"] == 2023)].iloc[0]
    s26 = d[sel & (d["year"] == 2026)].iloc[0]
    assert row["share_start"] == pytest.approx(100 * s23["deprived"] / s23["households"])
    assert row["share_end"] == pytest.approx(100 * s26["deprived"] / s26["households"])
    assert row["fewer_deprived"] == pytest.approx(s23["deprived"] - s26["deprived"])
    assert list(tab["change_pts"]) == sorted(tab["change_pts"])  # most improved first
    lines = dep.removals_by_line(rem, lang="en")
    total = rem.groupby("line")["households"].sum()
    np.testing.assert_allclose(lines["Household deprivations removed"].to_numpy(), total.loc[lines.index].to_numpy())
    assert lines["Share (%)"].sum() == pytest.approx(100)
    assert set(lines.index) <= {"P1.1", "P1.2", "P2", "P3.1", "P3.2", "P4.1", "P4.2", "P4.3", "P5", "P6.1"}
    dist = dep.district_changes(d, lang="en")
    assert dist.shape == (3, 6)


def test_report_section_demo_both_languages_and_from_files(run_2027, tmp_path):
    """The section the scenario report will call, from a RunResult and from a run folder."""
    for lang, word in (("vi", "Nhà ở"), ("en", "Housing")):
        sec = dep.deprivation_section(run_2027, lang=lang)
        assert sec.texts[0].startswith("Lưu ý" if lang == "vi" else "Note")  # the break comes first
        assert any(word in t for t in sec.texts[1:])
        assert {"dimensions", "indicators", "districts", "lines", "fgt"} <= set(sec.tables)
        assert all(isinstance(f, Figure) for f in sec.figures.values())
        assert set(sec.figures) == {"shares", "districts", "lines", "fgt"}
    write_outputs(run_2027, tmp_path / "run")
    folder = read_outputs(tmp_path / "run")
    sec = dep.deprivation_section(folder, lang="en")
    assert "lines" in sec.tables and len(sec.texts) >= 3
    raw = dep.dimension_changes(folder["deprivations"], lang="en")
    shown = sec.tables["dimensions"]
    assert list(shown.columns) == ["Dimension", "2023 (%)", "2026 (%)", "Change (points)", "Fewer households deprived"]
    np.testing.assert_allclose(shown["Change (points)"], raw["change_pts"])


def test_cli_set_model_multidim_writes_deprivations(tmp_path):
    p = tmp_path / "tiny.yaml"
    p.write_text(yaml.safe_dump(tiny_raw()), encoding="utf-8")
    out = tmp_path / "out"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "simlib",
            "run",
            str(p),
            "--out",
            str(out),
            "--set",
            "model=multidim",
            "--engine",
            "microsim",
            "--draws",
            "2",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    # no posterior intervals on this model: said, with why (the posterior fits the states model)
    # and the command of its parameter draws (before: nothing was said)
    assert "params/multidim.yaml" in r.stdout and "--uncertainty 200" in r.stdout and str(p.name) in r.stdout
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert man["model"] == "multidim" and "deprivations.csv" in man["outputs"]
    d = pd.read_csv(out / "deprivations.csv")
    assert list(d.columns) == [
        "scenario",
        "engine",
        "draw",
        "year",
        "standard",
        "geo_type",
        "geo",
        "population",
        "dimension",
        "indicator",
        "households",
        "deprived",
        "share",
    ]
    assert set(d["draw"]) == {0, 1} and (d["deprived"] <= d["households"] + 1e-9).all()
    assert set(d.loc[d["indicator"].ne("any") & d["dimension"].ne("all"), "indicator"]) == {
        "employment",
        "dependants",
        "nutrition",
        "health_insurance",
        "adult_education",
        "school_attendance",
        "housing_quality",
        "housing_area",
        "drinking_water",
        "sanitation",
        "telecom_use",
        "information_access",
    }
    rem = pd.read_csv(out / "deprivation_removals.csv")
    assert set(rem.loc[rem["line"] == "P5", "indicator"]) == {"housing_quality", "housing_area"}


@pytest.mark.parametrize(
    "change,fragments",
    [
        ({"model": "markov"}, ["'model'", "states", "multidim"]),
        ({"model": "multidim", "horizon": 8}, ["'horizon'", "2031", "2022–2030"]),
    ],
)
def test_bad_multidim_scenarios(tmp_path, change, fragments):
    raw = raw_to(2030) if change.get("horizon") == 8 else tiny_raw()
    raw.update(change)
    if change.get("horizon") == 8:
        raw["budget"]["years"]["2031"] = {"same_as": 2024}
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(SimlibError) as info:
        load_scenario(p)
    text = info.value.message("en")
    for frag in fragments:
        assert frag in text, (frag, text)


def test_dataset_classified_under_another_standard_is_rejected(tmp_path):
    data = tmp_path / "tiny_old"
    shutil.copytree(TINY, data)
    meta = yaml.safe_load((data / "dataset.yaml").read_text(encoding="utf-8"))
    meta["standard"] = "2016-2020"
    (data / "dataset.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    with pytest.raises(SimlibError) as info:
        make_scenario(tiny_raw(dataset=str(data), model="multidim"))
    text = info.value.message("en")
    assert "dataset.yaml" in text and "2016-2020" in text and "2022-2025" in text
    make_scenario(tiny_raw(dataset=str(data)))  # the states model does not use the standard


def test_multidim_reproduces_the_published_trend_roughly():
    """Cao Bằng: with the 2024 plan the poor rate falls within two points of the last published
    fall (2023: -4.23; two points is about one error sd of a published rate in the series fit,
    `params/calibrated/caobang_series/summary.csv`: 1.9), and less without the programme. How
    much less is not pinned (issue 14: no test fixes the programme's share; `simlib calibrate
    series` estimates it)."""

    def change(name):
        res = run(load_scenario(scenarios_dir() / f"{name}.yaml", ["model=multidim"]), counterfactual=False)
        ind = res.indicators
        sel = (ind["geo"] == "province") & (ind["indicator"] == "poor_rate_change") & (ind["year"] == 2024)
        return float(ind.loc[sel, "value"].iloc[0])

    plan, none = change("plan_2024"), change("no_programme")
    assert abs(plan - (-4.23)) <= 2.0
    assert none > plan


def test_bundled_multidim_scenario_is_valid_and_crosses_the_standard_change():
    scen = load_scenario(scenarios_dir() / "multidim_2030.yaml")
    assert scen.poverty_model == "multidim" and scen.years[-1] == 2030
