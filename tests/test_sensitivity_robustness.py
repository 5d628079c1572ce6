"""Sensitivity and robustness against known answers: Ishigami's Sobol indices, exact Morris
effects of a linear function, a planted PRIM box, hand-worked regret; and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, make_scenario, tiny_raw

from simlib.uncertainty.robustness import compare_allocations, describe_box, prim_box, regret, regret_summary
from simlib.uncertainty.sensitivity import Output, morris_analysis, sensitivity_analysis, sobol_analysis

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


def test_sobol_indices_recover_ishigami_within_tolerance():
    exact = ishigami_indices()
    t = sobol_analysis(ishigami, 3, {"x1": [0], "x2": [1], "x3": [2], "x1+x3": [0, 2]}, n=4096, seed=11, n_boot=0)
    t = t.set_index("group")
    for i, g in enumerate(("x1", "x2", "x3")):
        assert t.loc[g, "S1"] == pytest.approx(exact["S1"][i], abs=0.04), g
        assert t.loc[g, "ST"] == pytest.approx(exact["ST"][i], abs=0.04), g
    # a group's first-order index includes its members' interaction: S_{13} = 1 - S_T2
    assert t.loc["x1+x3", "S1"] == pytest.approx(exact["S13"], abs=0.04)


def test_bootstrap_interval_brackets_the_estimate():
    t = sobol_analysis(ishigami, 3, {"x1": [0], "x2": [1], "x3": [2]}, n=512, seed=2, n_boot=100)
    assert np.all(t["ST_low"] <= t["ST"]) and np.all(t["ST"] <= t["ST_high"])


def test_morris_gives_exact_effects_of_a_linear_function():
    c = np.array([1.5, -2.0, 0.0, 4.0])
    t = morris_analysis(lambda U: U @ c, 4, {f"x{i}": [i] for i in range(4)}, r=8, seed=3).set_index("group")
    np.testing.assert_allclose(t["mu"], c, atol=1e-12)
    np.testing.assert_allclose(t["mu_star"], np.abs(c), atol=1e-12)
    np.testing.assert_allclose(t["sigma"], 0.0, atol=1e-12)
    # a group moves its members together: its effect is their sum
    g = morris_analysis(lambda U: U @ c, 4, {"a": [0, 1], "b": [2, 3]}, r=8, seed=3).set_index("group")
    np.testing.assert_allclose(g["mu"], [c[0] + c[1], c[2] + c[3]], atol=1e-12)


def test_prim_finds_a_planted_box_and_says_it_in_both_languages():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.random((3000, 5)), columns=[f"p{i}" for i in range(5)])
    y = ((X["p0"] < 0.3) & (X["p3"] > 0.6)).to_numpy(float)
    box = prim_box(X, y)
    assert set(box.limits) == {"p0", "p3"}
    assert box.limits["p0"][1] == pytest.approx(0.3, abs=0.05) and not np.isfinite(box.limits["p0"][0])
    assert box.limits["p3"][0] == pytest.approx(0.6, abs=0.05) and not np.isfinite(box.limits["p3"][1])
    inside = box.contains(X)
    assert box.density == pytest.approx(y[inside].mean()) and box.density > 0.85
    assert box.coverage == pytest.approx(y[inside].sum() / y.sum()) and box.coverage > 0.85
    labels = {"p0": "hiệu quả P2", "p3": "chi phí"}
    vi, en = describe_box(box, labels, "vi"), describe_box(box, {"p0": "P2 effect", "p3": "cost"}, "en")
    assert "hiệu quả P2 dưới 0," in vi and "chi phí trên 0," in vi
    assert "P2 effect below 0." in en and "cost above 0." in en
    # nothing to explain
    assert prim_box(X, np.zeros(len(X))) is None and prim_box(X, np.ones(len(X))) is None
    # pure noise: no rule is claimed
    noise = prim_box(X, (rng.random(len(X)) < 0.3).astype(float))
    assert noise.limits == {} or noise.density - noise.base_rate < 0.15


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
    res = sensitivity_analysis(
        scen,
        n=16,
        groupings=("kind",),
        n_boot=10,
        outputs=(Output("poor_rate", "province"), Output("officers_trained", "province")),
    )
    t = res.table
    assert set(t["group"]) >= {"effect", "transition", "disbursement"}
    assert res.info["runs"] == 16 * (2 + t["group"].nunique())
    # officers trained depends on P7.1's money and cost and on officer numbers, never on effects
    off = t[t["output"].str.startswith("officers_trained")].set_index("group")
    assert off.loc["effect", "ST"] == pytest.approx(0.0, abs=1e-12)
    assert off.loc["transition", "ST"] == pytest.approx(0.0, abs=1e-12)
    assert (t["group_label_vi"] != t["group"]).all()
    # two allocations on the same draws: doubling every line's money never has positive regret
    raw2 = tiny_raw(name="tiny_double")
    for y in raw2["budget"]["years"].values():
        for line in y.get("lines", {}).values():
            for k in line:
                line[k] *= 2
    rob = compare_allocations([scen, make_scenario(raw2)], n=12, rules=False)
    r = rob.regrets.set_index(["draw", "scenario"])["regret"].unstack()
    assert np.all(r["tiny_double"] <= 1e-9) and np.all(r["tiny_plan"] >= 0)


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
    r = cli("robustness", str(a), str(b), "--out", str(tmp_path / "r"), "--uncertainty", "6", "--executor", "serial")
    assert r.returncode == 0, r.stderr
    summary = pd.read_csv(tmp_path / "r" / "regret_summary.csv").set_index("scenario")
    # funding the programme never does worse than funding nothing, in any draw
    assert summary.loc["tiny_plan", "regret_max"] == 0.0 and summary.loc["tiny_b", "share_best"] == 0.0
    r = cli("robustness", str(a), "--out", str(tmp_path / "x"))
    assert r.returncode == 2 and "Traceback" not in r.stderr and not (tmp_path / "x").exists()
