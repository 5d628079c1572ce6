"""`simlib batch` end to end with papermill on the tiny dataset: two good scenarios and one broken
one; reports, comparison, index, exports, manifests, the Dask path, and atomic replacement."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from conftest import ROOT, tiny_raw

from simlib.options import RunOptions

pytestmark = pytest.mark.slow


def simlib(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "simlib", *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def _scenarios(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    plan = folder / "a_plan.yaml"
    plan.write_text(yaml.safe_dump(tiny_raw(), allow_unicode=True), encoding="utf-8")
    zero = tiny_raw(name="tiny_zero", title_vi="Không có vốn", title_en="No money")
    zero["budget"] = {"unit": "billion VND", "years": {"2023": {}, "2024": {}, "2025": {}}}
    (folder / "b_zero.yaml").write_text(yaml.safe_dump(zero, allow_unicode=True), encoding="utf-8")
    broken = tiny_raw(name="tiny_broken", title_vi="Hỏng", title_en="Broken")
    broken["budget"]["years"]["2024"]["lines"]["P9"] = {"central_recurrent": 5}
    (folder / "c_broken.yaml").write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    # a tired planner's copy of the plan to try a variant, its name left as the plan's
    (folder / "d_copy.yaml").write_text(plan.read_text(encoding="utf-8"), encoding="utf-8")
    return [plan, folder / "b_zero.yaml", folder / "c_broken.yaml", folder / "d_copy.yaml"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    base = tmp_path_factory.mktemp("batch")
    files = _scenarios(base / "scenarios")
    out = base / "reports"
    r = simlib("batch", *map(str, files), "--out", str(out), "--jobs", "2", "--lang", "en")
    return r, out


def test_exit_status_and_messages(batch):
    r, out = batch
    assert r.returncode == 2, r.stdout + r.stderr  # an invalid scenario: non-zero at the end
    assert "Traceback" not in r.stderr
    assert "c_broken.yaml" in r.stderr and "P9" in r.stderr  # reported before the runs, with file and field
    assert "d_copy.yaml" in r.stderr and "already used by" in r.stderr and "a_plan.yaml" in r.stderr
    assert "Finished 2/4 scenarios; 2 failed." in r.stdout
    assert "internal" not in (r.stdout + r.stderr).lower()


def test_good_scenarios_render_with_scorecard_and_embedded_charts(batch):
    from simlib.report import scenario_report as R
    from simlib.runner import run
    from simlib.scenario import load_scenario

    r, out = batch
    for name, file in (("tiny_plan", "a_plan.yaml"), ("tiny_zero", "b_zero.yaml")):
        folder = out / name
        html = (folder / "report.html").read_text(encoding="utf-8")
        # every chart the report has, embedded as a PNG data URI; nothing fetched from elsewhere
        ctx = R.context(run(load_scenario(out.parent / "scenarios" / file)), "en")
        n_charts = sum(isinstance(b, R.html.Chart) for b in R.build(ctx))
        assert html.count('<img alt="') == html.count('src="data:image/png;base64,') == n_charts
        assert not re.search(r'(src|href)="(?!data:)[^"#]*\.(png|svg|js|css)"', html) and "<script" not in html
        # the scorecard: every target of the plan with its status as in targets.csv
        targets = pd.read_csv(folder / "targets.csv")
        text = html.replace("\u00a0", " ")  # a no-break space keeps "80 %" and "a–b" on one line
        for label in targets["label_en"].unique():
            assert label in text
        assert html.count("✓ Met") == int(targets.groupby(["target_id", "geo", "year"])["met"].all().sum())
        # no code in the report; the manifest in the footer and in the notebook metadata
        assert "report.show(" not in html and "import " not in html
        man = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert man["run_id"] in html and man["report"]["lang"] == "en"
        nb = nbformat.read(folder / "report.ipynb", as_version=4)
        assert nb.metadata["simlib"]["manifest"]["run_id"] == man["run_id"]
        assert all(c.get("outputs") is not None for c in nb.cells if c.cell_type == "code")


def test_tables_xlsx_matches_csv(batch):
    from simlib.report import table as T

    _, out = batch
    folder = out / "tiny_plan"
    book = pd.read_excel(folder / "tables.xlsx", sheet_name=None)
    names = list(book)
    assert names[0] == "Information" and len(names) == len(list(folder.glob("table_*.csv"))) + 1
    csvs = {tuple(T.read_csv(f, "en").columns): T.read_csv(f, "en") for f in folder.glob("table_*.csv")}
    for sheet in names[1:]:
        df = book[sheet]
        pd.testing.assert_frame_equal(df, csvs[tuple(df.columns)], check_dtype=False)
    # the run's own tables are the same as `simlib run` writes
    from simlib.runner import OUTPUT_FILES

    assert all((folder / f).is_file() for f in OUTPUT_FILES)


def test_index_lists_every_scenario_with_status(batch):
    _, out = batch
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="tiny_plan/report.html"' in index and 'href="tiny_zero/report.html"' in index
    assert 'href="compare.html"' in index
    # no parameter draws: no uncertainty report, but the index says how to get one
    assert "uncertainty.html" not in index and "--uncertainty" in index
    assert not list(out.glob("*/uncertainty*")) and "sl-prob" not in (out / "tiny_plan" / "report.html").read_text(
        encoding="utf-8"
    )
    broken = index[index.index("tiny_broken") :]
    assert "Invalid scenario" in broken[:2000] and "P9" in broken[:2000]
    assert not (out / "tiny_broken").exists()
    # the copy that repeats the plan's name: listed as invalid, naming the file it repeats, with no
    # link to "a previous report" (that folder is the plan's, just written)
    copy = index[max(0, index.index("d_copy.yaml") - 2000) :]
    assert "Invalid scenario" in copy[:4000] and "a_plan.yaml" in copy[:4000]
    assert "report from an earlier run" not in index
    for h in ("Test scenario", "No money"):
        assert h in index
    # headline numbers in the index are the report's own
    ind = pd.read_csv(out / "tiny_plan" / "indicators.csv")
    end = ind[(ind["indicator"] == "poor_rate") & (ind["geo"] == "province")].sort_values("year")["value"].iloc[-1]
    assert f"{end:.1f}%" in index


def test_comparison_over_the_batch(batch):
    _, out = batch
    html = (out / "compare.html").read_text(encoding="utf-8")
    assert "Test scenario" in html and "No money" in html and "Broken" not in html
    # the subtitle says what is compared: the two valid scenarios (the broken one is not), one group
    assert '<p class="sl-sub">2 scenarios; groups of the same model and projection years: 1.</p>' in html
    ranking = pd.read_csv(out / "compare_table_ranking.csv", encoding="utf-8-sig")
    assert list(ranking["Scenario"]) == ["Test scenario", "No money"]  # lower poor rate first, the counterfactual last
    assert (out / "compare.ipynb").is_file() and (out / "compare.xlsx").is_file()
    assert not list(out.glob(".*partial*"))


def test_dask_local_cluster_same_tables(batch, tmp_path):
    from simlib.batch import run_batch

    _, out = batch
    plan = out.parent / "scenarios" / "a_plan.yaml"
    res = run_batch([plan], tmp_path / "dask", executor="dask", jobs=1, progress=False, lang="en")
    assert res.ok and res.items[0].ok, res.items[0].error
    for f in ("indicators.csv", "targets.csv", "programme.csv"):
        pd.testing.assert_frame_equal(
            pd.read_csv(tmp_path / "dask" / "tiny_plan" / f), pd.read_csv(out / "tiny_plan" / f)
        )
    assert (tmp_path / "dask" / "index.html").is_file()


def test_a_failing_report_keeps_the_previous_one(batch, tmp_path):
    import shutil

    from simlib.batch import report_one

    _, out = batch
    reports = tmp_path / "reports"
    shutil.copytree(out / "tiny_plan", reports / "tiny_plan")
    before = (reports / "tiny_plan" / "report.html").read_bytes()
    # the scenario file vanished after validation: the notebook fails in its first cell
    r = report_one(str(tmp_path / "gone.yaml"), "tiny_plan", "Test", str(reports), RunOptions(), "en", [])
    assert not r["ok"] and "gone.yaml" in r["error"]
    assert (reports / "tiny_plan" / "report.html").read_bytes() == before
    failed = nbformat.read(reports / "tiny_plan.failed.ipynb", as_version=4)
    assert any(o.get("output_type") == "error" for c in failed.cells for o in c.get("outputs", []))
    assert sorted(p.name for p in reports.iterdir()) == ["tiny_plan", "tiny_plan.failed.ipynb"]
