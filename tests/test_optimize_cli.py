"""`simlib optimize` as a user meets it: outputs that `simlib run` and `simlib batch` accept,
exit codes, messages without tracebacks, and the report notebook."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pandas as pd
import yaml
from conftest import ROOT, tiny_raw

from simlib.i18n import fmt

NO_COUNTERPART = "allocation.money.counterpart.min_local_share_of_central.value=0"


def simlib(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "simlib", *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def write(path, obj):
    path.write_text(yaml.safe_dump(obj, allow_unicode=True), encoding="utf-8")
    return path


def test_optimize_writes_a_scenario_that_run_and_batch_accept(tmp_path):
    scen = write(tmp_path / "tiny.yaml", tiny_raw())
    out = tmp_path / "opt"
    r = simlib(
        "optimize", str(scen), "--objective", "poor", "--out", str(out), "--frontier", "0,1", "--set", NO_COUNTERPART
    )
    assert r.returncode == 0, r.stderr
    assert "hộ nghèo" in r.stdout  # Vietnamese by default
    assert "IPKernelApp" not in r.stdout + r.stderr  # the report's kernel says nothing to the planner
    for f in (
        "optimal_scenario.yaml",
        "allocation.csv",
        "lines.csv",
        "comparison.csv",
        "binding.csv",
        "frontier.csv",
        "indicators.csv",
        "targets.csv",
        "summary.json",
        "optimize_allocation.ipynb",
        "report.html",
    ):
        assert (out / f).is_file(), f
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "optimal" and summary["manifest"]["parameter_hash"]
    # the parameter override travels with the scenario, so `simlib run` reproduces the optimum
    raw = yaml.safe_load((out / "optimal_scenario.yaml").read_text(encoding="utf-8"))
    assert raw["overrides"]["allocation.money.counterpart.min_local_share_of_central.value"] == 0
    run_dir = tmp_path / "run"
    r = simlib("run", str(out / "optimal_scenario.yaml"), "--out", str(run_dir))
    assert r.returncode == 0, r.stderr
    ind = pd.read_csv(run_dir / "indicators.csv")
    poor = ind.query("indicator == 'poor' and geo == 'province'").sort_values("year")["value"].iloc[-1]
    comp = pd.read_csv(out / "comparison.csv").set_index("allocation")
    assert abs(poor - comp.loc["optimal", "poor"]) < 1e-3
    assert comp.loc["optimal", "poor"] <= comp.loc["plan", "poor"]
    r = simlib("batch", str(out), "--out", str(tmp_path / "batch"), "--jobs", "1", "--executor", "serial")
    assert r.returncode == 0, r.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Phân bổ vốn tối ưu" in html and "import simlib" not in html  # no code in the HTML
    # tables for people: Vietnamese numbers, «–» not NaN, headers in words; the notebook's own
    # note and its check (tagged hide) not in the page
    total = fmt.number(comp.loc["optimal", "total_bn"], "vi", 1)
    text = re.sub(r"data:image/[^\"']+", "", html)  # the charts' bytes aside
    assert f">{total}<" in text and "NaN" not in text and "label_vi" not in text
    assert "True True" not in html and "thin: the numbers" not in html
    # the report's own table style (text left, numbers right), as in JupyterLab
    assert "sl-table" in html and ".sl-table" in html
    # the legal frame's sentences under the verdict, as the CLI prints them (here: no frame)
    assert summary["legal"]["notes_vi"] and all(note in text for note in summary["legal"]["notes_vi"])


def test_bad_bounds_exit_2_without_traceback_or_output(tmp_path):
    scen = write(tmp_path / "tiny.yaml", tiny_raw())
    spec = write(tmp_path / "spec.yaml", {"lines": {"P2": {"floor": 8, "ceiling": 3}}, "counterpart_min_share": 0})
    out = tmp_path / "opt"
    r = simlib("--lang", "en", "optimize", str(scen), "--out", str(out), "--spec", str(spec), "--no-report")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "spec.yaml" in r.stderr and "ceiling" in r.stderr
    assert not out.exists()
    spec = write(tmp_path / "spec2.yaml", {"lines": {"P2": {"flor": 8}}})
    r = simlib("--lang", "en", "optimize", str(scen), "--out", str(out), "--spec", str(spec), "--no-report")
    assert r.returncode == 2 and "flor" in r.stderr and "allowed" in r.stderr and not out.exists()


def test_infeasible_targets_exit_3_with_the_best_achievable_allocation(tmp_path):
    scen = write(tmp_path / "tiny.yaml", tiny_raw())
    out = tmp_path / "opt"
    r = simlib(
        "--lang",
        "en",
        "optimize",
        str(scen),
        "--objective",
        "min_cost",
        "--out",
        str(out),
        "--no-report",
        "--frontier",
        "",
        "--set",
        NO_COUNTERPART,
        "--set",
        "targets.targets.2.threshold.value=-30",
    )
    assert r.returncode == 3, r.stderr
    assert "cannot all be met" in r.stderr and "Ethnic-minority" in r.stderr and "Traceback" not in r.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "targets_infeasible"
    rows = summary["infeasibility"]
    assert [row["target_id"] for row in rows if row["binds"]] == ["poor_rate_ethnic_minority"]
    # other targets missed at the best compromise (production support since P2 is also open to
    # non-poor residents of poor districts) can each be met on their own
    assert all(row["best"] >= row["threshold"] for row in rows if not row["binds"])
