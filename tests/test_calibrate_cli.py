"""`simlib calibrate` as a user meets it, the bundled synthetic lists, and the notebook."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

from simlib.calibrate.prior import check_transitions_doc
from simlib.schema import load_yaml

SYN = ROOT / "data" / "synthetic_review"


def simlib(*args):
    return subprocess.run(
        [sys.executable, "-m", "simlib", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_calibrate_households_writes_a_usable_file(tmp_path):
    out = tmp_path / "cal"
    r = simlib(
        "--lang",
        "en",
        "calibrate",
        "households",
        str(SYN / "households_2021_2023.csv"),
        "--out",
        str(out),
        "--draws",
        "30",
    )
    assert r.returncode == 0, r.stderr
    assert "Escape from poverty" in r.stdout and "transitions:" in r.stdout
    assert "counts that effect twice" in r.stdout  # no budget given: the gross-rates warning
    doc = load_yaml(out / "transitions.yaml")
    assert not check_transitions_doc(doc, "x")
    assert (out / "draws.csv").is_file() and (out / "fitted.csv").is_file()


def test_bad_data_exits_2_without_output(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "household_id,year,unit_id,ethnic_group,area,status\n"
        "a,2022,bao_lac,ethnic_minority,rural,poor\n"
        "a,2022,bao_lac,ethnic_minority,rural,near_poor\n"
        "a,2023,bao_lac,ethnic_minority,rural,poor\n",
        encoding="utf-8",
    )
    out = tmp_path / "cal"
    r = simlib("calibrate", "households", str(bad), "--out", str(out))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "mã hộ lặp lại" in r.stderr and "dòng 2, 3" in r.stderr
    assert not out.exists()


def test_bad_options_exit_2(tmp_path):
    lists = str(SYN / "households_2021_2023.csv")
    for args, fragment in (
        (["--draws", "0"], "--draws"),
        (["--prior-scale", "0"], "prior scale"),
        (["--budget-year", "2023"], "YEAR=scenario_file"),
        (["--template", "atlantis"], "atlantis not found"),
    ):
        r = simlib("--lang", "en", "calibrate", "households", lists, "--out", str(tmp_path / "o"), *args)
        assert r.returncode == 2 and fragment in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)
    assert not (tmp_path / "o").exists()


def test_backtest_command(tmp_path):
    out = tmp_path / "bt"
    r = simlib(
        "--lang",
        "en",
        "calibrate",
        "backtest",
        "params/backtest/synthetic_2023.yaml",
        "--out",
        str(out),
        "--draws",
        "30",
    )
    assert r.returncode == 0, r.stderr
    assert "Poor-household rate" in r.stdout and (out / "errors.csv").is_file()


def test_bundled_synthetic_data_is_reproducible_and_small():
    r = subprocess.run(
        [sys.executable, str(SYN / "generate.py"), "--check"], capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert sum(f.stat().st_size for f in SYN.iterdir() if f.is_file()) < 2 * 1024 * 1024
    assert "SYNTHETIC" in (SYN / "README.md").read_text(encoding="utf-8")
