"""environment.yml (conda) and pyproject.toml (pip) must list the same dependencies."""

from __future__ import annotations

import re
import tomllib

import yaml
from conftest import ROOT

# conda names that differ from the pip names; dask[distributed] is `dask` + `distributed` on conda
PIP_TO_CONDA = {"pyyaml": "pyyaml", "tzdata": "python-tzdata"}


def _split(spec: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$", spec)
    assert m, spec
    return m.group(1).lower(), m.group(3).replace(" ", "")


def pip_requirements() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    specs = list(data["project"]["dependencies"]) + list(data["project"]["optional-dependencies"]["dev"])
    out = {}
    for s in specs:
        name, ver = _split(s)
        out[PIP_TO_CONDA.get(name, name)] = ver
        if "[distributed]" in s:
            out["distributed"] = ver
    return out


def conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out = {}
    for dep in env["dependencies"]:
        if not isinstance(dep, str):
            continue
        name, ver = _split(dep)
        if name in ("python", "pip"):
            continue
        out[name] = ver
    return out


def test_environment_yml_matches_pyproject():
    assert conda_requirements() == pip_requirements()


def test_python_version_agrees():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert data["project"]["requires-python"] == ">=3.11"
    assert "python>=3.11" in env["dependencies"]
