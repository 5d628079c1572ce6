"""A command reads its scenario once (issue 18): the scenario the check of the arguments read and
validated (`simlib.cli.common.scenario_check`) is the one the command runs, not a second reading
of the same files (scenario, dataset, parameters, legal frame)."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import tiny_raw
from hostile_helpers import cli

import simlib.scenario


@pytest.fixture
def built(monkeypatch):
    """The scenario files built while the test runs (`scenario_from_dict`, called by every
    `load_scenario`), by the path of the file each came from."""
    real = simlib.scenario.scenario_from_dict
    seen: list[str] = []

    def counted(raw, file=None, **kw):
        seen.append(str(file))
        return real(raw, file=file, **kw)

    monkeypatch.setattr(simlib.scenario, "scenario_from_dict", counted)
    return seen


def test_run_builds_its_scenario_once(tmp_path, built):
    scen = tmp_path / "tiny.yaml"
    scen.write_text(yaml.safe_dump(tiny_raw()), encoding="utf-8")
    code, text = cli("run", str(scen), "--out", str(tmp_path / "out"))
    assert code == 0, text
    assert built == [str(scen.resolve())]  # checked and run: one reading
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario"] == tiny_raw()["name"]  # the run is of that scenario


def test_a_run_with_set_runs_what_was_checked(tmp_path, built):
    scen = tmp_path / "tiny.yaml"
    scen.write_text(yaml.safe_dump(tiny_raw()), encoding="utf-8")
    code, text = cli("run", str(scen), "--out", str(tmp_path / "out"), "--set", "seed=11")
    assert code == 0, text
    assert len(built) == 1
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 11  # the override is in the scenario that ran
