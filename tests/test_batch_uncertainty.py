"""Reports with parameter draws: `simlib batch --uncertainty N` end to end on the tiny dataset
(fan charts and probabilities of meeting targets in each report, probabilities per scenario in
the comparison, the uncertainty report linked from the index), checked against the per-draw
outcomes the run wrote; and `target_probabilities` on a hand-worked example."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, tiny_raw
from hostile_helpers import cli

pytestmark = pytest.mark.slow

N = 16  # parameter draws: enough to vary, small enough to stay quick
NAMES = ("tiny_plan", "tiny_zero")
PROB = re.compile(r'<span class="sl-prob"([^>]*)>')  # attributes in any order (the HTML export sorts them)
ATTR = re.compile(r'data-(\w+)="([^"]*)"')
IMG = 'src="data:image/png;base64,'


def simlib(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "simlib", *args], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    base = tmp_path_factory.mktemp("ubatch")
    sc = base / "scenarios"
    sc.mkdir()
    (sc / "a_plan.yaml").write_text(yaml.safe_dump(tiny_raw(), allow_unicode=True), encoding="utf-8")
    zero = tiny_raw(name="tiny_zero", title_vi="Không có vốn", title_en="No money")
    zero["budget"] = {"unit": "billion VND", "years": {"2023": {}, "2024": {}, "2025": {}}}
    (sc / "b_zero.yaml").write_text(yaml.safe_dump(zero, allow_unicode=True), encoding="utf-8")
    out = base / "reports"
    r = simlib("batch", str(sc), "--out", str(out), "--jobs", "2", "--lang", "en", "--uncertainty", str(N))
    return r, out


def joint_probabilities(outcomes: pd.DataFrame) -> dict:
    """{(target, year): share of samples meeting the target in every area it covers}, by hand."""
    per_sample = outcomes.groupby(["target_id", "year", "draw", "replication"])["met"].all()
    return {k: float(v) for k, v in per_sample.groupby(["target_id", "year"]).mean().items()}


def spans(html: str, kind: str | None = None) -> list[tuple[float, str, str, str, int]]:
    out = []
    for attrs in PROB.findall(html):
        a = dict(ATTR.findall(attrs))
        out.append((float(a["probability"]), a["kind"], a["target"], a["geo"], int(a["year"])))
    return [s for s in out if kind is None or s[1] == kind]


def section(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    nxt = html.find("<h2 id=", start + 10)
    return html[start : nxt if nxt > 0 else len(html)]


def test_batch_runs_draws_and_writes_their_tables(batch):
    r, out = batch
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and "Unable to parse" not in r.stderr
    for name in NAMES:
        folder = out / name
        man = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert man["uncertainty"]["draws"] == N and man["report"]["parameters"]["uncertainty"] == N
        for f in (
            "uncertainty_targets.csv",
            "uncertainty_quantiles.csv",
            "uncertainty_outcomes.csv",
            "verdicts.csv",
            "uncertainty.html",
            "uncertainty.ipynb",
        ):
            assert (folder / f).is_file(), f
            if f.endswith(".csv"):
                assert f in man["outputs"]
        # the per-cell probabilities are the shares of the per-draw outcomes
        t = pd.read_csv(folder / "uncertainty_targets.csv")
        o = pd.read_csv(folder / "uncertainty_outcomes.csv")
        assert o["draw"].nunique() == N
        share = o.groupby(["target_id", "geo", "year"])["met"].mean()
        got = t.set_index(["target_id", "geo", "year"])["probability_met"]
        pd.testing.assert_series_equal(got.sort_index(), share.reindex(got.index).sort_index(), check_names=False)
        # the fan's first year is the observed baseline, the same in every draw
        q = pd.read_csv(folder / "uncertainty_quantiles.csv")
        ind = pd.read_csv(folder / "indicators.csv")
        y0 = q["year"].min()
        base = q[(q["indicator"] == "poor_rate") & (q["geo"] == "province") & (q["year"] == y0)].iloc[0]
        central = ind[(ind["indicator"] == "poor_rate") & (ind["geo"] == "province") & (ind["year"] == y0)][
            "value"
        ].iloc[0]
        assert base["q05"] == pytest.approx(central) and base["q95"] == pytest.approx(central)
        assert (q["q05"] <= q["q50"] + 1e-9).all() and (q["q50"] <= q["q95"] + 1e-9).all()
        # the verdicts every page and file shows carry the same probabilities
        v = pd.read_csv(folder / "verdicts.csv").set_index(["target_id", "geo", "year"])["probability"]
        pd.testing.assert_series_equal(v.sort_index(), got.sort_index(), check_names=False)


def test_report_shows_fan_charts_and_probabilities_consistent_with_the_draws(batch):
    _, out = batch
    for name in NAMES:
        folder = out / name
        html = (folder / "report.html").read_text(encoding="utf-8")
        sec = section(html, "uncertainty")
        assert sec.count(IMG) >= 2 and 'href="uncertainty.html"' in sec  # fan charts and probabilities
        # every probability the page shows is its target, area and year's share of the draws
        o = pd.read_csv(folder / "uncertainty_outcomes.csv")
        share = {
            (a, g, int(y)): float(p) for (a, g, y), p in o.groupby(["target_id", "geo", "year"])["met"].mean().items()
        }
        shown = spans(html)
        assert len(shown) >= len(o["target_id"].unique())
        for p, _, tid, geo, y in shown:
            assert p == pytest.approx(share[(tid, geo, y)], abs=1e-6)


def test_comparison_shows_each_scenarios_probabilities(batch):
    _, out = batch
    html = (out / "compare.html").read_text(encoding="utf-8")
    sec = section(html, "verdicts")
    csv = pd.read_csv(out / "compare_verdicts.csv")
    assert set(csv["scenario"]) == set(NAMES)
    for name in NAMES:
        mine = csv[csv["scenario"] == name]
        v = pd.read_csv(out / name / "verdicts.csv")
        assert sorted(zip(mine["target_id"], mine["geo"], mine["year"], mine["probability"])) == sorted(
            zip(v["target_id"], v["geo"], v["year"], v["probability"])
        )
    known = {round(p, 6) for p in csv["probability"]}
    assert spans(sec) and all(round(p, 6) in known for p, *_ in spans(sec))


def test_index_links_the_uncertainty_reports(batch):
    _, out = batch
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f"{N} parameter draws" in index
    for name in NAMES:
        assert f'href="{name}/uncertainty.html"' in index
        html = (out / name / "uncertainty.html").read_text(encoding="utf-8")
        # fan chart, probabilities, sensitivity by kind (two outputs) and by project, embedded once
        # each (robustness is on the comparison page); no code shown
        assert html.count(IMG) >= 5 and "<script" not in html
        assert "import " not in html and "NBVAL" not in html and "Traceback" not in html
        nb = nbformat.read(out / name / "uncertainty.ipynb", as_version=4)
        params = nb.metadata["papermill"]["parameters"]
        assert Path(params["results"]) == (out / name).resolve()
        assert not params.get("compare")  # the allocations are compared once for the batch (compare.html)
        assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


def test_every_chart_of_the_uncertainty_page_is_shown_once_in_its_figure(batch):
    # the sensitivity charts are made with pyplot: once embedded they must be released, or the
    # notebook's inline backend draws them again as bare pictures below their cell
    _, out = batch
    for name in NAMES:
        html = (out / name / "uncertainty.html").read_text(encoding="utf-8")
        images = re.findall(r'<img[^>]*src="data:image/png;base64,([^"]+)"', html)
        figures = re.findall(r'<figure class="sl-chart">.*?<img[^>]*src="data:image/png;base64,([^"]+)"', html)
        assert len(images) >= 5 and sorted(images) == sorted(figures)
        nb = nbformat.read(out / name / "uncertainty.ipynb", as_version=4)
        outputs = [o for c in nb.cells for o in c.get("outputs", [])]
        assert not any("image/png" in o.get("data", {}) for o in outputs)


@pytest.mark.parametrize(
    "args, word", [(("--uncertainty", "-1"), "--uncertainty"), (("--sampler", "halton"), "--sampler")]
)
def test_bad_uncertainty_options_are_input_errors(tmp_path, args, word):
    sc = tmp_path / "a.yaml"
    sc.write_text(yaml.safe_dump(tiny_raw(), allow_unicode=True), encoding="utf-8")
    code, text = cli("batch", str(sc), "--out", str(tmp_path / "out"), "--lang", "en", *args)  # in this process
    assert code == 2 and word in text and "Traceback" not in text
    assert not (tmp_path / "out").exists()


def test_target_probabilities_by_hand():
    """Two draws; target A covers one area, target B an area and one district. Draw 0 meets A
    and B's area but not its district; draw 1 meets everything. So P(A) = 1, P(B) = 1/2 while
    B's named area alone is met in both draws."""
    from simlib.uncertainty.summaries import all_targets_probability, target_probabilities

    cells = [("A", "province", "province"), ("B", "poor_districts", "poor_districts"), ("B", "district", "d1")]
    targets = pd.DataFrame(
        [
            {
                "target_id": t,
                "geo_type": gt,
                "geo": g,
                "year": 2024,
                "indicator": "x",
                "comparison": "<=",
                "threshold": 0.0,
                "probability_met": p,
                "value_q05": 0,
                "value_q25": 0,
                "value_q50": 0,
                "value_q75": 0,
                "value_q95": 0,
                "samples": 2,
                "label_vi": t,
                "label_en": t,
            }
            for (t, gt, g), p in zip(cells, (1.0, 1.0, 0.5))
        ]
    )
    met = {0: (True, True, False), 1: (True, True, True)}
    outcomes = pd.DataFrame(
        [
            {
                "draw": d,
                "replication": 0,
                "year": 2024,
                "target_id": t,
                "geo_type": gt,
                "geo": g,
                "value": 0.0,
                "met": m,
            }
            for d in met
            for (t, gt, g), m in zip(cells, met[d])
        ]
    )
    p = target_probabilities(targets, outcomes).set_index("target_id")
    assert list(p.index) == ["A", "B"]
    assert p.loc["A", "probability_met"] == 1.0 and p.loc["B", "probability_met"] == 0.5
    assert p.loc["B", "probability_area"] == 1.0 and p.loc["B", "areas"] == 2
    assert all_targets_probability(outcomes).loc[2024] == 0.5
    # the poor units together: B judged on its named area only, met in both draws
    assert all_targets_probability(outcomes, "aggregate").loc[2024] == 1.0
    # a draw missing the named area is a miss under both readings
    worse = outcomes.assign(met=outcomes["met"] & ~((outcomes["draw"] == 1) & (outcomes["target_id"] == "A")))
    assert all_targets_probability(worse, "aggregate").loc[2024] == 0.5
    assert all_targets_probability(worse).loc[2024] == 0.0
    with pytest.raises(ValueError):
        all_targets_probability(outcomes, "together")
    # the uncertainty notebook's table and chart count the same way
    from simlib.report.uncertainty import probability_table

    tab = probability_table({"targets": targets.assign(scenario="s"), "outcomes": outcomes}, lang="en")
    assert list(tab["Probability met"]) == ["100%", "50%"]
    # without per-draw outcomes a target of several areas has no joint probability
    q = target_probabilities(targets).set_index("target_id")
    assert q.loc["A", "probability_met"] == 1.0 and np.isnan(q.loc["B", "probability_met"])


def test_a_failing_uncertainty_report_is_reported_not_fatal(batch, tmp_path):
    import shutil

    from simlib.batch import BatchItem, BatchResult, uncertainty_report
    from simlib.i18n import LocalText
    from simlib.report.index import index_html

    _, out = batch
    folder = tmp_path / "tiny_plan"
    shutil.copytree(out / "tiny_plan", folder)
    (folder / "uncertainty.html").unlink()
    # the scenario file vanished: the notebook fails in its first cell
    err = uncertainty_report(str(tmp_path / "gone.yaml"), folder, folder, "Test", "en", [], [], None, N, "lhs", {})
    assert "gone.yaml" in err
    assert not (folder / "uncertainty.html").exists() and not (folder / "uncertainty.ipynb").exists()
    failed = nbformat.read(folder / "uncertainty.failed.ipynb", as_version=4)
    assert any(o.get("output_type") == "error" for c in failed.cells for o in c.get("outputs", []))
    # the index shows the scenario report with the uncertainty error; the batch is not ok
    item = BatchItem(
        path=tmp_path / "a.yaml",
        name="tiny_plan",
        ok=True,
        out_dir=folder,
        titles=LocalText(en="Test"),
        headline={"year_start": 2023, "year_end": 2025},
        uncertainty_error=err,
    )
    res = BatchResult([item], tmp_path, compare_ok=True, uncertainty=N)
    assert not res.ok and not res.failed
    page = index_html(res, tmp_path, "en")
    assert (
        "Uncertainty report failed" in page
        and "gone.yaml" in page
        and 'href="tiny_plan/uncertainty.failed.ipynb"' in page
    )
