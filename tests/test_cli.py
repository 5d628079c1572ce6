"""The command line as a user meets it: exit codes, messages without tracebacks, atomic output.

What a run writes, and a batch, run as the program (`python -m simlib`); the user errors, which
stop before any run, through the same `main` in this process (`hostile_helpers.cli`: its exit
status and everything it printed), without a process start (about 2 s CPU) each."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
import yaml
from conftest import ROOT, tiny_raw
from hostile_helpers import cli


def simlib(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "simlib", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture
def tiny_file(tmp_path):
    p = tmp_path / "tiny.yaml"
    p.write_text(yaml.safe_dump(tiny_raw()), encoding="utf-8")
    return p


def test_run_writes_tables_and_manifest(tmp_path, tiny_file):
    out = tmp_path / "out"
    r = simlib("run", str(tiny_file), "--out", str(out))
    assert r.returncode == 0, r.stderr
    for f in ("states.csv", "flows.csv", "indicators.csv", "targets.csv", "programme.csv", "manifest.json"):
        assert (out / f).is_file()
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert man["scenario"] == "tiny_plan" and man["engine"] == "expected" and man["seed"] == 7
    assert len(man["parameter_hash"]) == 64 and man["simlib_version"]
    assert any(k.endswith("program.yaml") for k in man["input_files"])
    states = pd.read_csv(out / "states.csv")
    assert set(states["state"]) == {"poor", "near_poor", "escaped", "non_poor"}
    assert list(states.columns[:3]) == ["scenario", "engine", "draw"]


def test_same_seed_same_files_on_rerun(tmp_path, tiny_file):
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        assert (
            simlib(
                "run", str(tiny_file), "--out", str(out), "--engine", "microsim", "--draws", "2", "--seed", "5"
            ).returncode
            == 0
        )
    for f in ("states.csv", "flows.csv", "indicators.csv", "targets.csv"):
        assert (a / f).read_bytes() == (b / f).read_bytes()
    ma, mb = (json.loads((x / "manifest.json").read_text()) for x in (a, b))
    assert ma["run_id"] == mb["run_id"]


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--set", "program.lines.P2.effects.nothing=1"], "program.lines.P2.effects.nothing"),
        (["--set", "noequals"], "dotted.key=value"),
        (["--engine", "magic"], "magic"),
        (["--draws", "0"], "--draws"),
    ],
)
def test_user_errors_exit_2_without_traceback(tmp_path, tiny_file, args, fragment):
    out = tmp_path / "out"
    code, text = cli("--lang", "en", "run", str(tiny_file), "--out", str(out), *args)
    assert code == 2
    assert "Traceback" not in text and fragment in text
    assert not out.exists()
    assert not list(tmp_path.glob(".out.partial-*"))


def test_vietnamese_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("SIMLIB_LANG", raising=False)
    bad = tiny_raw()
    bad["budget"]["years"]["2024"]["lines"]["P2"] = {"central_recurrent": -1}
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(bad), encoding="utf-8")
    code, text = cli("run", str(p), "--out", str(tmp_path / "o"))
    assert code == 2 and "Lỗi" in text and "không được âm" in text


def test_failed_run_keeps_previous_output(tmp_path, tiny_file):
    out = tmp_path / "out"
    assert simlib("run", str(tiny_file), "--out", str(out)).returncode == 0
    before = (out / "indicators.csv").read_bytes()
    code, _ = cli("run", str(tiny_file), "--out", str(out), "--set", "horizon=-1")
    assert code == 2
    assert (out / "indicators.csv").read_bytes() == before


def test_validate_and_list():
    r = simlib("validate", "params/scenarios")
    assert r.returncode == 0, r.stdout + r.stderr
    r = simlib("--lang", "en", "list")
    assert r.returncode == 0 and "plan_2024" in r.stdout and "P3.1" in r.stdout


def test_batch_continues_after_a_broken_scenario(tmp_path, tiny_file):
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: broken\n", encoding="utf-8")
    out = tmp_path / "reports"
    r = simlib("--lang", "en", "batch", str(tiny_file), str(bad), "--out", str(out), "--jobs", "1", "--tables-only")
    assert r.returncode == 2
    assert (out / "tiny_plan" / "indicators.csv").is_file()
    assert "broken" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("command", ["run", "batch"])
def test_output_path_that_is_a_file_is_a_user_error(tmp_path, tiny_file, command):
    """--out naming an existing file: one message naming --out, exit 2, the file untouched."""
    out = tmp_path / "taken.txt"
    out.write_text("keep me", encoding="utf-8")
    code, text = cli("--lang", "en", command, str(tiny_file), "--out", str(out))
    assert code == 2
    assert "--out" in text and "not a folder" in text and "Traceback" not in text
    assert out.read_text(encoding="utf-8") == "keep me"
