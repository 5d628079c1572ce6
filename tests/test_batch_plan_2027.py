"""Regression: `simlib batch` of plan_2027 (56 communes, dated periods) with a few parameter draws
renders every page — its commune codes once came back from CSV as numbers and broke the verdict
merge of its uncertainty page — and the pages keep the issue-16 rules: judged in 2027 only, no
dash starting a line."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from simlib.paths import scenarios_dir

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("plan_2027") / "reports"
    args = ["batch", str(scenarios_dir() / "plan_2027.yaml"), "--out", str(out), "--uncertainty", "4", "--jobs", "1"]
    r = subprocess.run(
        [sys.executable, "-m", "simlib", "--lang", "vi", *args], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    return r, out


def _text(page: Path) -> str:
    """The visible text of a page: no style, script or tags, entities decoded."""
    s = re.sub(r"(?s)<(style|script)\b.*?</\1>", " ", page.read_text(encoding="utf-8"))
    return html.unescape(re.sub(r"<[^>]+>", "", s))


def test_every_page_renders(batch):
    r, out = batch
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    pages = {p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    assert {"index.html", "plan_2027/report.html"} <= pages, pages
    # the batch draws parameters for states-model scenarios only (a multidim draw re-runs the whole
    # model): plan_2027's page says so instead of showing probabilities it has not computed
    assert "plan_2027/uncertainty.html" not in pages
    assert "simlib run <tệp kịch bản> --uncertainty 200" in _text(out / "plan_2027" / "report.html")
    # and no link points at the page that does not exist
    linked = re.findall(r'href="([^"#]+)', (out / "plan_2027" / "report.html").read_text(encoding="utf-8"))
    assert linked and all((out / "plan_2027" / h).resolve().is_file() for h in linked if "://" not in h), linked


def test_the_plan_is_judged_in_2027_only(batch):
    _, out = batch
    import pandas as pd

    v = pd.read_csv(out / "plan_2027" / "verdicts.csv", dtype={"geo": str})
    assert set(v.loc[v["own_year"], "year"]) == {2027}
    page = _text(out / "plan_2027" / "report.html")
    assert "mọi chỉ tiêu năm 2024" not in page and "Năm 2027 (năm của kế hoạch)" in page


def test_no_line_starts_with_a_dash(batch):
    """A browser may wrap at breakable white space: none stands before a dash in any page."""
    _, out = batch
    for page in out.rglob("*.html"):
        bad = re.findall(r".{0,20}[ \t\r\n]+[–—].{0,20}", _text(page))
        assert not bad, (page.name, bad[:5])


def test_the_batch_writes_the_period_changes(batch):
    """The batch writes what `simlib run` writes: the re-mapping, reclassification and real
    movement between reviews (`period_changes.csv`), each row adding up to its current count."""
    _, out = batch
    import json

    import pandas as pd

    folder = out / "plan_2027"
    assert "period_changes.csv" in json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    pc = pd.read_csv(folder / "period_changes.csv", dtype={"geo": str})
    total = pc["previous"] + pc["remapping"] + pc["reclassification"] + pc["movement"]
    assert ((total - pc["current"]).abs() <= 1e-6 * pc["current"].abs().clip(lower=1)).all()
    province = pc[(pc["geo"] == "province") & (pc["measure"] == "poor") & (pc["year"] == 2027)]
    assert len(province) == 1 and province["reclassification"].iloc[0] > 0  # the 2027 standard's lines are higher
