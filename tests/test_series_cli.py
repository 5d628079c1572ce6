"""`simlib calibrate series` and the programme's intervals in `simlib run`, as a user meets them;
the intervals checked against the runner's own counterfactual at a single central draw."""

from __future__ import annotations

import copy
import html
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, TINY_SCENARIO
from series_helpers import write_series

from simlib.calibrate.intervals import posterior_of, programme_intervals
from simlib.calibrate.prior import check_transitions_doc
from simlib.calibrate.series_prior import JointDraws, JointPrior
from simlib.calibrate.series_tables import intervals_table
from simlib.errors import InputError
from simlib.i18n import fmt
from simlib.parameters import sha256_file
from simlib.paths import params_dir, scenarios_dir
from simlib.report import scenario_report as R
from simlib.runner import run
from simlib.scenario import SOURCES, load_scenario
from simlib.schema import load_yaml


def simlib(*args):
    return subprocess.run(
        [sys.executable, "-m", "simlib", *args], cwd=ROOT, capture_output=True, text=True, timeout=900
    )


def scenario_with(folder, transitions, **changes) -> str:
    raw = copy.deepcopy(TINY_SCENARIO) | {"transitions": str(transitions)} | changes
    path = folder / "with_posterior.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("series")
    spec = write_series(folder / "in")
    out = folder / "post"
    r = simlib("--lang", "en", "calibrate", "series", str(spec), "--out", str(out), "--draws", "300")
    assert r.returncode == 0, r.stderr
    return folder, out, r.stdout


def test_series_writes_a_transitions_file_with_its_posterior(fitted):
    _, out, stdout = fitted
    assert "Effective posterior draws" in stdout and "Held out 2022" in stdout and "transitions:" in stdout
    doc = load_yaml(out / "transitions.yaml")
    assert not check_transitions_doc(doc, "x")
    rec = doc["calibration"]
    assert rec["method"] == "series" and len(rec["data"]) == 4
    post = pd.read_csv(out / "posterior.csv")
    assert len(post) == rec["posterior"]["draws"] == 200
    assert rec["posterior"]["sha256"] == sha256_file(out / "posterior.csv")
    assert {"series.segments.s1.level", "program.lines.P2.effects.escape"} <= set(post.columns)
    summary = pd.read_csv(out / "summary.csv")
    w = summary["data_weight"].dropna()
    assert ((w >= 0) & (w <= 1)).all()
    hold = pd.read_csv(out / "holdout.csv")
    assert sorted(zip(hold["year"], hold["geo"])) == [(2020, "province"), (2022, "poor_districts"), (2022, "province")]
    # the written reference rates are the posterior draws' means
    ref = doc["reference"]["poor"]["escaped_1"]
    assert ref["value"] == pytest.approx(post["transitions.reference.poor.escaped_1"].mean(), rel=1e-4)
    assert ref["range"][0] <= ref["value"] <= ref["range"][1]


def test_run_prints_and_writes_the_intervals(fitted):
    folder, out, _ = fitted
    scen = scenario_with(folder, out / "transitions.yaml")
    r = simlib("run", scen, "--out", str(folder / "run"))
    assert r.returncode == 0, r.stderr
    assert "Chương trình đóng góp" in r.stdout and "triệu đồng/hộ giảm nghèo" in r.stdout
    t = pd.read_csv(folder / "run" / "programme_intervals.csv")
    assert (t["q05"] <= t["q50"] + 1e-12).all() and (t["q50"] <= t["q95"] + 1e-12).all()
    manifest = json.loads((folder / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert "programme_intervals.csv" in manifest["outputs"] and manifest["programme_intervals"]["draws"] == 200
    # means are linear: the programme's points are the means' difference
    m = t[(t["geo"] == "province")].pivot_table(index="year", columns="indicator", values="mean")
    np.testing.assert_allclose(
        m["programme_points"], m["poor_rate_without_programme"] - m["poor_rate"], rtol=1e-9, atol=1e-9
    )
    # with the programme's effects changed (within the register's range), the posterior no longer
    # matches the scenario: said so
    r = simlib(
        "--lang",
        "en",
        "run",
        scen,
        "--out",
        str(folder / "run2"),
        "--set",
        "program.lines.P2.effects.escape.value=0.15",
    )
    assert r.returncode == 0, r.stderr
    assert "run 'simlib calibrate series' again" in r.stdout


def test_a_changed_posterior_file_is_refused(fitted, tmp_path):
    folder, out, _ = fitted
    copy_dir = tmp_path / "post"
    copy_dir.mkdir()
    for f in ("transitions.yaml", "posterior.csv"):
        (copy_dir / f).write_bytes((out / f).read_bytes())
    post = pd.read_csv(copy_dir / "posterior.csv")
    post.loc[0, "program.lines.P2.effects.escape"] = 0.9  # edited after the fit
    post.to_csv(copy_dir / "posterior.csv", index=False)
    scen = load_scenario(scenario_with(tmp_path, copy_dir / "transitions.yaml"))
    with pytest.raises(InputError) as exc:
        programme_intervals(scen)
    assert exc.value.code == "series_posterior_changed"


def _central_posterior(folder, scen_raw) -> str:
    """A transitions file whose 'posterior' is three copies of the central parameter values."""
    doc = load_yaml(params_dir() / "transitions.yaml")
    scen = load_scenario(scenario_with(folder, params_dir() / "transitions.yaml"))
    prior = JointPrior(scen, doc, 1.0)
    funding = scen.params["funding"]["sources"]
    draws = JointDraws(
        ref=np.tile(prior.prior.ref, (3, 1)),
        log_mods=np.tile(prior.prior.mod_log0, (3, 1, 1)),
        effects=np.tile(prior.central_effects(), (3, 1, 1)),
        unit_cost=np.tile([prior.cost_quantity(c)["value"] for c in prior.lines], (3, 1)),
        disbursement=np.tile([funding[s]["disbursement"]["value"] for s in SOURCES], (3, 1)),
        scale=np.ones((3, 0)),
        sigma=np.ones(3),
    )
    prior.frame(draws).to_csv(folder / "posterior.csv", index=False)
    doc["calibration"] = {
        "method": "series",
        "posterior": {
            "file": "posterior.csv",
            "sha256": sha256_file(folder / "posterior.csv"),
            "programme_signature": prior.programme_signature(),
        },
    }
    (folder / "central.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return scenario_with(folder, folder / "central.yaml")


def test_intervals_at_a_central_draw_are_the_runners_counterfactual(tmp_path):
    """Every draw at the files' central values: the intervals collapse onto the runner's own
    households kept out of poverty and cost per household lifted out."""
    scen = load_scenario(_central_posterior(tmp_path, TINY_SCENARIO))
    iv = programme_intervals(scen)
    assert not iv.stale and iv.draws == 3
    ind = run(scen).indicators
    for name in ("poor_rate", "poor_fewer_than_without_programme", "cost_per_household_lifted"):
        for year in scen.years:
            want = ind[(ind["indicator"] == name) & (ind["geo"] == "province") & (ind["year"] == year)]["value"]
            row = iv.row(name, year)
            assert row["q05"] == pytest.approx(float(want.iloc[0]), rel=1e-9)
            assert row["q95"] == pytest.approx(float(want.iloc[0]), rel=1e-9)
    share = iv.row("programme_share_of_decline")
    points, decline = iv.row("programme_points")["q50"], iv.row("poor_rate_decline")["q50"]
    assert share["q50"] == pytest.approx(100 * points / decline)
    assert "Chương trình đóng góp" in iv.sentence("vi")


def test_no_posterior_no_intervals(tiny_scenario):
    assert programme_intervals(tiny_scenario) is None


def test_the_report_headline_states_the_intervals(tmp_path, tiny_scenario):
    scen = load_scenario(_central_posterior(tmp_path, TINY_SCENARIO))
    res = run(scen)
    ctx = R.context(res, "en")
    text = html.unescape(R.to_html(R.headline(ctx))).replace("\u00a0", " ")  # no-break spaces kept
    assert ctx.intervals.sentence("en") in text and "per household lifted out" in text
    cost = ctx.intervals.row("cost_per_household_lifted")  # the cost card names the fit's interval by its basis
    lo, hi = (fmt.number(cost[q], "en", 0) for q in ("q05", "q95"))
    assert f"90% interval from the fit to the published series: {lo} – {hi}" in text
    written = R.export(ctx, tmp_path / "report")
    assert "programme_intervals.csv" in written
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "report" / "programme_intervals.csv"), ctx.intervals.table)
    manifest = json.loads((tmp_path / "report" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["programme_intervals"]["draws"] == 3
    plain = R.context(run(tiny_scenario), "en")
    assert plain.intervals is None and "posterior draws" not in html.unescape(R.to_html(R.headline(plain)))


def test_intervals_table_shows_every_indicator_and_year(tmp_path):
    iv = programme_intervals(load_scenario(_central_posterior(tmp_path, TINY_SCENARIO)))
    t = intervals_table(iv, "en")
    prov = iv.table[iv.table["geo"] == "province"]
    assert len(t) == len(prov) and list(t.columns) == ["Indicator", "Year", "Median", "90% interval"]
    first = prov.iloc[0]
    assert t.iloc[0]["Median"] == f"{first['q50']:,.1f}"
    cost = prov[prov["indicator"] == "cost_per_household_lifted"].iloc[0]
    row = t[t["Indicator"].str.startswith("Cost per household")].iloc[0]
    assert row["90% interval"] == f"{cost['q05']:,.0f}–{cost['q95']:,.0f}"


def test_the_estimated_plan_is_the_plan_with_the_bundled_series_fit():
    plan = load_yaml(scenarios_dir() / "plan_2024.yaml")
    est = load_yaml(scenarios_dir() / "plan_2024_estimated.yaml")
    assert est["budget"] == plan["budget"]  # the two files must keep the same amounts
    assert {
        k: v for k, v in est.items() if k not in ("name", "transitions") and not k.startswith(("title", "desc"))
    } == {k: v for k, v in plan.items() if k != "name" and not k.startswith(("title", "desc"))}
    post = posterior_of(load_scenario(scenarios_dir() / "plan_2024_estimated.yaml"))
    assert post is not None and len(post.draws) == post.record["draws"]


def test_the_plan_states_its_share_and_cost_as_intervals_from_its_fit(tmp_path):
    """plan_2024 projects with the hand-set rates, but the bundled series fit was made for it from
    those rates: its page, CLI and CSV state the programme's share and cost per household lifted
    out as intervals from that posterior, saying so — the same draws and money as
    plan_2024_estimated, so the same intervals."""
    from simlib.calibrate.intervals import fit_for

    plan = load_scenario(scenarios_dir() / "plan_2024.yaml")
    assert fit_for(plan) == params_dir() / "calibrated" / "caobang_series" / "transitions.yaml"
    assert fit_for(load_scenario(scenarios_dir() / "equal_split.yaml")) is None  # made for the plan only
    est = programme_intervals(load_scenario(scenarios_dir() / "plan_2024_estimated.yaml"))
    ctx = R.context(run(plan), "vi")
    iv = ctx.intervals
    assert iv is not None and iv.fitted and not est.fitted
    pd.testing.assert_frame_equal(
        iv.table.drop(columns="scenario"), est.table.drop(columns="scenario"), check_exact=False, rtol=1e-9
    )
    share, cost = iv.row("programme_share_of_decline"), iv.row("cost_per_household_lifted")
    assert 0 < share["q05"] < share["q50"] < share["q95"] and 0 < cost["q05"] < cost["q95"]
    text = html.unescape(R.to_html(R.headline(ctx))).replace("\u00a0", " ")  # no-break spaces kept
    assert iv.sentence("vi") in text and "làm cho chính kịch bản này" in text
    assert iv.info["fit_for_scenario"].endswith("caobang_series/transitions.yaml")  # named in the manifest
    assert "programme_intervals.csv" in R.export(ctx, tmp_path / "report")
    # and its flows in the review's own categories, summed from the run's review_flows table
    from simlib.report import money

    flows = html.unescape(R.to_html(R.flows(ctx)))
    review = money.review_flows_table(ctx)
    assert review is not None and review.title in flows
    rf = ctx.result.review_flows
    rf = rf[rf["geo"] == "province"] if "geo" in rf.columns else rf
    for year in plan.years:
        exact = rf.loc[rf["year"] == year, "households"].sum()  # whole households: each within one
        assert review.frame[str(year)].sum() == pytest.approx(exact, abs=len(review.frame))
