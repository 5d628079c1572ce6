"""Sensitivity and robustness against known answers: Ishigami's Sobol indices and the variance
shares of a linear model through simlib's SALib wrapper, exact Morris effects and inert inputs, the
bounds on what a report may show, a planted PRIM box found on half the draws and checked on the
other, thresholds with units, hand-worked regret; and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import matplotlib
import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, make_scenario, tiny_raw

from simlib.options import RunOptions
from simlib.report import uncertainty as ru
from simlib.uncertainty.robustness import compare_allocations, regret, regret_summary
from simlib.uncertainty.rules import candidate_columns, describe_box, format_value, miss_rules, prim_box
from simlib.uncertainty.sensitivity import (
    Output,
    bound_indices,
    morris_analysis,
    morris_design,
    screening_analysis,
    sensitivity_analysis,
    sobol_analysis,
)
from simlib.uncertainty.space import build_space

matplotlib.use("Agg")

A_ISH, B_ISH = 7.0, 0.1


def ishigami(U):
    X = -np.pi + 2 * np.pi * U
    return np.sin(X[:, 0]) + A_ISH * np.sin(X[:, 1]) ** 2 + B_ISH * X[:, 2] ** 4 * np.sin(X[:, 0])


def ishigami_indices():
    """Closed forms (Ishigami & Homma 1990; Sobol' & Levitan 1999)."""
    a, b, pi = A_ISH, B_ISH, np.pi
    V1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    V2 = a**2 / 8
    V13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    V = V1 + V2 + V13
    return {"S1": (V1 / V, V2 / V, 0.0), "ST": ((V1 + V13) / V, V2 / V, V13 / V), "S13": (V1 + V13) / V}


def shown_within_bounds(t: pd.DataFrame) -> None:
    """What a report may draw: in [0, 1], first-order ≤ total, only for reliable indices."""
    assert t.loc[~t["ST_reliable"], "ST_shown"].isna().all() and t.loc[~t["S1_reliable"], "S1_shown"].isna().all()
    assert (t["S1_reliable"] <= t["ST_reliable"]).all() and (t["reliable"] == t["S1_reliable"]).all()
    st, s1 = t.loc[t["ST_reliable"], "ST_shown"], t.loc[t["S1_reliable"], ["S1_shown", "ST_shown"]]
    assert ((st >= 0) & (st <= 1)).all()
    assert ((s1["S1_shown"] >= 0) & (s1["S1_shown"] <= s1["ST_shown"])).all()
    assert ((t["S1_low"] >= 0) & (t["ST_high"] <= 1) & (t["S1_low"] <= t["S1_high"])).all()


def test_sobol_indices_recover_ishigami_within_tolerance():
    exact = ishigami_indices()
    t = sobol_analysis(ishigami, 3, {"x1": [0], "x2": [1], "x3": [2]}, n=4096, seed=11).set_index("group")
    for i, g in enumerate(("x1", "x2", "x3")):
        assert t.loc[g, "S1"] == pytest.approx(exact["S1"][i], abs=0.04), g
        assert t.loc[g, "ST"] == pytest.approx(exact["ST"][i], abs=0.04), g
        assert 0 < t.loc[g, "ST_conf"] < 0.06, g  # SALib's bootstrap interval is there, and narrow
    assert t["reliable"].all()
    shown_within_bounds(t)
    # a group's first-order index includes its members' interaction: S_{13} = 1 - S_T2
    g = sobol_analysis(ishigami, 3, {"x1+x3": [0, 2], "x2": [1]}, n=4096, seed=11).set_index("group")
    assert g.loc["x1+x3", "S1"] == pytest.approx(exact["S13"], abs=0.04)
    assert g.loc["x2", "ST"] == pytest.approx(exact["ST"][1], abs=0.04)


def test_linear_model_indices_are_its_variance_shares():
    # f = sum c_i U_i with independent uniforms: Var = sum c_i^2 / 12, no interactions, so a
    # group's first-order and total indices both equal its share of sum c_i^2
    c = np.array([3.0, -1.0, 2.0, 0.0, 1.5])
    groups = {"a": [0, 1], "b": [2], "inert": [3], "d": [4]}
    t = sobol_analysis(lambda U: U @ c, 5, groups, n=2048, seed=4).set_index("group")
    share = {g: float(np.sum(c[cols] ** 2) / np.sum(c**2)) for g, cols in groups.items()}
    for g in groups:
        assert t.loc[g, "S1"] == pytest.approx(share[g], abs=0.03), g
        assert t.loc[g, "ST"] == pytest.approx(share[g], abs=0.03), g
    assert t.loc["inert", "ST"] == 0.0 and t.loc["inert", "ST_conf"] == 0.0  # f(A_B^g) = f(A) exactly
    assert list(t.index) == list(groups)
    shown_within_bounds(t)


def test_few_runs_never_show_an_impossible_index():
    t = sobol_analysis(ishigami, 3, {"x1": [0], "x2": [1], "x3": [2]}, n=8, seed=5, n_boot=100)
    assert not t["reliable"].all()  # 8 base rows cannot pin these down
    shown_within_bounds(t)


def test_bound_indices_by_hand():
    t = pd.DataFrame(
        {
            "S1": [0.52, 1.30, -0.02, 0.40, 0.30],
            "S1_conf": [0.05, 0.05, 0.03, 0.05, np.nan],
            "ST": [0.50, 0.90, -0.01, 0.60, 0.35],
            "ST_conf": [0.05, 0.05, 0.03, 0.25, np.nan],
        }
    )
    b = bound_indices(t, max_half_width=0.1)
    # S1 above ST within their intervals: shown as equal; S1 = 1.3 ± 0.05 is impossible: not shown
    # (its ST is); slightly negative within the interval: shown as 0; ST's interval too wide: neither
    # shown; no interval at all: nothing shown
    assert b["ST_reliable"].tolist() == [True, True, True, False, False]
    assert b["S1_reliable"].tolist() == [True, False, True, False, False] == b["reliable"].tolist()
    assert b.loc[0, "S1_shown"] == 0.50 and b.loc[0, "ST_shown"] == 0.50
    assert b.loc[1, "ST_shown"] == 0.90 and np.isnan(b.loc[1, "S1_shown"])
    assert b.loc[2, "S1_shown"] == 0.0 and b.loc[2, "ST_shown"] == 0.0
    assert b.loc[[3, 4], ["S1_shown", "ST_shown"]].isna().all().all()
    assert b.loc[1, "S1_high"] == 1.0 and b.loc[3, "ST_low"] == pytest.approx(0.35)


def test_morris_gives_exact_effects_of_a_linear_function_and_zero_for_inert_inputs():
    c = np.array([1.5, -2.0, 0.0, 4.0])
    t = morris_analysis(lambda U: U @ c, 4, {f"x{i}": [i] for i in range(4)}, r=8, seed=3).set_index("group")
    np.testing.assert_allclose(t["mu"], c, atol=1e-12)  # per unit of the uniform
    np.testing.assert_allclose(t["mu_star"], np.abs(c), atol=1e-12)
    np.testing.assert_allclose(t["sigma"], 0.0, atol=1e-12)
    # a non-linear function of x0 and x1 only: x2 and x3 are inert, the others are not
    f = lambda U: np.sin(2 * np.pi * U[:, 0]) * (1 + U[:, 1]) + U[:, 1] ** 2  # noqa: E731
    m = morris_analysis(f, 4, {f"x{i}": [i] for i in range(4)}, r=12, seed=7).set_index("group")
    assert m.loc[["x2", "x3"], "mu_star"].tolist() == [0.0, 0.0]
    assert m.loc[["x2", "x3"], "mu_star_conf"].tolist() == [0.0, 0.0]
    assert (m.loc[["x0", "x1"], "mu_star"] > 0.1).all()
    # groups move their members together: an inert group has no effect, an active one has
    g = morris_analysis(f, 4, {"active": [0, 1], "inert": [2, 3]}, r=12, seed=7).set_index("group")
    assert g.loc["inert", "mu_star"] == 0.0 and g.loc["active", "mu_star"] > 0.1


def test_morris_design_sits_at_bin_centres():
    X = morris_design(3, {"a": [0], "b": [1, 2]}, r=5, levels=4, seed=1)
    assert X.shape == (5 * 3, 3)
    np.testing.assert_allclose(np.unique(X), [0.125, 0.375, 0.625, 0.875])


def test_prim_finds_a_planted_box_and_says_it_in_both_languages():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.random((3000, 5)), columns=[f"p{i}" for i in range(5)])
    y = ((X["p0"] < 0.3) & (X["p3"] > 0.6)).to_numpy(float)
    assert set(candidate_columns(X, y, 2)) == {"p0", "p3"}
    box = prim_box(X, y)
    assert set(box.limits) == {"p0", "p3"}
    assert box.limits["p0"][1] == pytest.approx(0.3, abs=0.05) and not np.isfinite(box.limits["p0"][0])
    assert box.limits["p3"][0] == pytest.approx(0.6, abs=0.05) and not np.isfinite(box.limits["p3"][1])
    inside = box.contains(X)
    assert box.density == pytest.approx(y[inside].mean()) and box.density > 0.85
    assert box.coverage == pytest.approx(y[inside].sum() / y.sum()) and box.coverage > 0.85
    labels = {"p0": "hiệu quả P2", "p3": "chi phí"}
    units = {"p0": "share", "p3": "share"}
    vi = describe_box(box, labels, "vi", units=units)
    en = describe_box(box, {"p0": "P2 effect", "p3": "cost"}, "en", units=units)
    assert "hiệu quả P2 dưới 29," in vi and " %" in vi and "chi phí trên 6" in vi
    assert "P2 effect below 29." in en and "cost above 6" in en
    # nothing to explain
    assert prim_box(X, np.zeros(len(X))) is None and prim_box(X, np.ones(len(X))) is None
    # pure noise: no rule survives the check on the other half
    assert prim_box(X, (rng.random(len(X)) < 0.3).astype(float)).limits == {}


def test_prim_rules_stay_short():
    # misses driven by one parameter, with 15 % of outcomes flipped at random: PRIM's densest box
    # also trims noise parameters; the rule keeps the one that matters
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.random((400, 8)), columns=[f"p{i}" for i in range(8)])
    y = ((X["p0"] < 0.35) ^ (rng.random(400) < 0.15)).to_numpy(float)
    box = prim_box(X, y)
    assert set(box.limits) == {"p0"} and box.limits["p0"][1] == pytest.approx(0.35, abs=0.06)
    # at most max_dims conditions, the one whose removal costs least dropped first
    Xp = pd.DataFrame(rng.random((3000, 5)), columns=[f"p{i}" for i in range(5)])
    yp = ((Xp["p0"] < 0.3) & (Xp["p3"] > 0.6)).to_numpy(float)
    assert len(prim_box(Xp, yp, max_dims=1).limits) == 1


def test_thresholds_carry_units_in_the_local_format():
    cases = [
        (12_500_000, "VND per household", "12,5 triệu đồng/hộ", "12.5 million VND per household"),
        (2.5e9, "VND per commune", "2,5 tỷ đồng/xã", "2.5 billion VND per commune"),
        (450_000, "VND per trainee", "450.000 đồng/học viên", "450,000 VND per trainee"),
        (0.623, "share", "62,3 %", "62.3%"),
        (0.0456, "probability per year", "4,6 %/năm", "4.6% a year"),
        (3.2, "persons per household", "3,2 người/hộ", "3.2 persons per household"),
        (1.05, "relative risk", "1,05", "1.05 relative risk"),
    ]
    for x, unit, vi, en in cases:
        assert format_value(x, unit, "vi") == vi and format_value(x, unit, "en") == en


def _rule_inputs(n: int = 600, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    P = pd.DataFrame({"draw": np.arange(n), "cost": rng.uniform(2e6, 6e6, n), "eff": rng.random(n), "z": rng.random(n)})
    met_a = ~(P["cost"] > 4.5e6)  # target a: missed exactly when the unit cost is high
    met_b = rng.random(n) > 0.3  # target b: missed at random
    rows = [
        pd.DataFrame(
            {"draw": P["draw"], "year": 2025, "target_id": t, "geo_type": "province", "geo": "province", "met": m}
        )
        for t, m in (("a", met_a), ("b", met_b))
    ]
    return P, pd.concat(rows, ignore_index=True)


def test_miss_rules_lists_only_rules_found_with_units():
    P, outcomes = _rule_inputs()
    labels = {"cost": "định mức chi phí", "eff": "hiệu quả", "z": "z"}
    r = miss_rules(P, outcomes, labels, labels, units={"cost": "VND per household", "eff": "share"})
    assert r["target_id"].tolist() == ["a"]  # target b's misses follow no condition: no row
    assert "định mức chi phí trên 4,5" in r["rule_vi"].iloc[0] and "triệu đồng/hộ" in r["rule_vi"].iloc[0]
    assert "million VND per household" in r["rule_en"].iloc[0]
    assert r["probability_met"].iloc[0] == pytest.approx(outcomes.query("target_id == 'a'")["met"].mean())
    assert json.loads(r["limits"].iloc[0])["cost"][0] == pytest.approx(4.5e6, rel=0.03)
    # the report shows the rule and one sentence for the target without one
    targets = pd.DataFrame(
        {
            "target_id": ["a", "b"],
            "geo_type": "province",
            "geo": "province",
            "year": 2025,
            "probability_met": outcomes.groupby("target_id")["met"].mean().to_numpy(),
            "label_vi": ["Chỉ tiêu A", "Chỉ tiêu B"],
            "label_en": ["Target A", "Target B"],
        }
    )
    table = ru.rules_table({"rules": r, "targets": targets}, lang="vi")
    assert table.iloc[:, 0].tolist() == ["Chỉ tiêu A"]
    assert ru.rules_note({"rules": r, "targets": targets}, lang="vi").startswith("Với 1 chỉ tiêu khác")
    assert ru.rules_note({"rules": r.iloc[:0], "targets": targets}, lang="en").startswith("2 targets are missed")


def test_sensitivity_chart_draws_only_bounded_values():
    t = sobol_analysis(ishigami, 3, {"x1": [0], "x2": [1], "x3": [2]}, n=16, seed=5, n_boot=100)
    t = t.assign(group_label_vi=t["group"], group_label_en=t["group"])
    fig = ru.sensitivity_chart(t, lang="vi")
    ax = fig.axes[0]
    widths = [p.get_width() for p in ax.patches]
    assert len(widths) == int(t["ST_reliable"].sum() + t["S1_reliable"].sum()) and all(0 <= w <= 100 for w in widths)
    marked = [lab.get_text().endswith(" *") for lab in ax.get_yticklabels()]
    # «*»: a group whose own (first-order) index is not drawn, when others' are (readers59: a mark
    # on every bar says nothing, so with none drawn none is marked and the legend says so)
    s1 = t["S1_reliable"].to_numpy(bool)
    assert sum(marked) == (int((~s1).sum()) if s1.any() else 0)
    legend = " ".join(x.get_text() for x in ax.get_legend().get_texts()) if ax.get_legend() else ""
    if not s1.all():
        assert ("*" in legend) == bool(s1.any())
    if not s1.any():  # the case here (16 base points): said once in the legend
        assert "chưa đủ chính xác ở mọi nhóm" in legend
    assert ax.get_xlim() == (0.0, 100.0)


def test_regret_by_hand():
    v = pd.DataFrame(
        {"draw": [0, 0, 0, 1, 1, 1], "scenario": list("abcabc"), "value": [10.0, 12.0, 11.0, 9.0, 8.0, 8.5]}
    )
    r = regret(v).set_index(["draw", "scenario"])["regret"]
    assert r.to_dict() == {(0, "a"): 0.0, (0, "b"): 2.0, (0, "c"): 1.0, (1, "a"): 1.0, (1, "b"): 0.0, (1, "c"): 0.5}
    s = regret_summary(regret(v)).set_index("scenario")
    assert s.loc["a", "regret_mean"] == 0.5 and s.loc["b", "regret_max"] == 2.0 and s.loc["c", "share_best"] == 0.0
    up = regret(v, lower_is_better=False).set_index(["draw", "scenario"])["regret"]
    assert up[(0, "b")] == 0.0 and up[(1, "b")] == 1.0


def test_scenario_sensitivity_and_robustness_run_on_the_tiny_plan():
    scen = make_scenario()
    outputs = (Output("poor_rate", "province"), Output("officers_trained", "province"))
    res = sensitivity_analysis(scen, n=16, groupings=("kind",), n_boot=10, outputs=outputs)
    t = res.table
    assert set(t["group"]) >= {"effect", "transition", "disbursement"}
    assert res.info["runs"] == 16 * (2 + t["group"].nunique())
    # officers trained depends on P7.1's money and cost and on officer numbers, never on effects
    off = t[t["output"].str.startswith("officers_trained")].set_index("group")
    assert off.loc["effect", "ST"] == 0.0 and off.loc["transition", "ST"] == 0.0
    assert (t["group_label_vi"] != t["group"]).all()
    shown_within_bounds(t)
    # two groupings share their base rows (and a group with the same columns in both, such as
    # disbursement = funding): each distinct point is run once
    both = sensitivity_analysis(scen, n=16, groupings=("kind", "project"), n_boot=10, outputs=outputs[:1])
    space = build_space(scen.params)
    distinct = {tuple(c) for gp in ("kind", "project") for c in space.groups(gp).values()}
    assert both.info["runs"] == 16 * (2 + len(distinct)) < 16 * (2 + both.table["group"].size)
    # two allocations on the same draws: doubling every line's money never has positive regret
    raw2 = tiny_raw(name="tiny_double")
    for y in raw2["budget"]["years"].values():
        for line in y.get("lines", {}).values():
            for k in line:
                line[k] *= 2
    rob = compare_allocations([scen, make_scenario(raw2)], n=12, rules=False)
    r = rob.regrets.set_index(["draw", "scenario"])["regret"].unstack()
    assert np.all(r["tiny_double"] <= 1e-9) and np.all(r["tiny_plan"] >= 0)


def test_analyses_take_one_run_options_whose_seed_defaults_to_the_scenarios():
    scen = make_scenario()
    out = (Output("poor_rate", "province"),)
    default = screening_analysis(scen, r=2, outputs=out)
    same = screening_analysis(scen, r=2, outputs=out, options=RunOptions(seed=int(scen.seed)))
    other = screening_analysis(scen, r=2, outputs=out, options=RunOptions(seed=int(scen.seed) + 1))
    assert default.info["seed"] == same.info["seed"] == scen.seed and other.info["seed"] == scen.seed + 1
    assert default.info["engine"] == "expected"
    pd.testing.assert_frame_equal(default.table, same.table)
    # the options' seed draws the Morris trajectories: another seed, other points
    assert not default.table[["mu_star"]].equals(other.table[["mu_star"]])


def test_cli_run_with_uncertainty_writes_beside_the_usual_outputs(tmp_path):
    scen = tmp_path / "tiny.yaml"
    scen.write_text(yaml.safe_dump(tiny_raw()), encoding="utf-8")
    out = tmp_path / "out"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "simlib",
            "--lang",
            "en",
            "run",
            str(scen),
            "--out",
            str(out),
            "--uncertainty",
            "8",
            "--executor",
            "serial",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert "Probability of meeting targets" in r.stdout
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for f in ("uncertainty_quantiles.csv", "uncertainty_targets.csv", "uncertainty_draws.npy", "states.csv"):
        assert f in man["outputs"] and (out / f).is_file()
    assert man["uncertainty"]["draws"] == 8 and man["uncertainty"]["sampler"] == "lhs"
    q = pd.read_csv(out / "uncertainty_quantiles.csv")
    assert np.all(q["q05"] <= q["q25"] + 1e-9) and np.all(q["q75"] <= q["q95"] + 1e-9)
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "simlib",
            "--lang",
            "en",
            "run",
            str(scen),
            "--out",
            str(tmp_path / "x"),
            "--uncertainty",
            "4",
            "--sampler",
            "magic",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 2 and "magic" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "x").exists()


def test_cli_sensitivity_and_robustness_write_their_tables(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(yaml.safe_dump(tiny_raw()), encoding="utf-8")
    b.write_text(
        yaml.safe_dump(tiny_raw(name="tiny_b", budget={"unit": "VND", "years": {"2023": {}, "2024": {}, "2025": {}}})),
        encoding="utf-8",
    )

    def cli(*args):
        return subprocess.run(
            [sys.executable, "-m", "simlib", "--lang", "en", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )

    r = cli(
        "sensitivity", str(a), "--out", str(tmp_path / "s"), "--points", "4", "--morris", "2", "--executor", "serial"
    )
    assert r.returncode == 0, r.stderr
    sob = pd.read_csv(tmp_path / "s" / "sensitivity_sobol.csv")
    assert {"kind", "project"} == set(sob["grouping"]) and (tmp_path / "s" / "sensitivity_morris.csv").is_file()
    assert {"S1_conf", "ST_conf", "reliable", "S1_shown", "ST_shown"} <= set(sob.columns)
    r = cli("robustness", str(a), str(b), "--out", str(tmp_path / "r"), "--uncertainty", "6", "--executor", "serial")
    assert r.returncode == 0, r.stderr
    summary = pd.read_csv(tmp_path / "r" / "regret_summary.csv").set_index("scenario")
    # funding the programme never does worse than funding nothing, in any draw
    assert summary.loc["tiny_plan", "regret_max"] == 0.0 and summary.loc["tiny_b", "share_best"] == 0.0
    r = cli("robustness", str(a), "--out", str(tmp_path / "x"))
    assert r.returncode == 2 and "Traceback" not in r.stderr and not (tmp_path / "x").exists()


def test_an_outcome_on_communes_names_the_poor_communes():
    """The aggregate of poor units is named by the level of the run's units (issue 19)."""
    o = Output("poor_rate", "poor_districts", 2027)
    assert "xã nghèo" in o.label([2027], "vi", level="commune").lower()
    assert "poor communes" in o.label([2027], "en", level="commune").lower()
    assert "huyện nghèo" in o.label([2027], "vi").lower()
