"""Shared fixtures: a tiny made-up dataset and scenario builders, so tests are fast and do not
depend on the bundled (estimated) Cao Bằng figures unless they say so."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

try:  # the engine's kernels' reference forms are compiled like them (`reference_kernel`)
    import numba
except ImportError:  # pragma: no cover
    numba = None

from simlib.engines import multidim_numba
from simlib.scenario import scenario_from_dict

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TINY = FIXTURES / "tiny"

TINY_SCENARIO = {
    "name": "tiny_plan",
    "title_vi": "Kịch bản thử",
    "title_en": "Test scenario",
    "dataset": str(TINY),
    "start_year": 2024,
    "horizon": 2,
    "seed": 7,
    "budget": {
        "unit": "billion VND",
        "years": {
            "2024": {
                "lines": {
                    "P1.1": {"central_investment": 30},
                    "P2": {"central_recurrent": 10},
                    "P3.1": {"central_recurrent": 15},
                    "P5": {"central_recurrent": 10},
                    "P6.2": {"central_recurrent": 0.3},
                    "P7.1": {"central_recurrent": 1},
                }
            },
            "2025": {"same_as": 2024},
        },
    },
}


def tiny_raw(**changes) -> dict:
    raw = copy.deepcopy(TINY_SCENARIO)
    raw.update(changes)
    return raw


def make_scenario(raw: dict | None = None, set_overrides=()):
    return scenario_from_dict(raw or tiny_raw(), file=None, set_overrides=list(set_overrides))


@pytest.fixture
def tiny_scenario():
    return make_scenario()


@pytest.fixture
def zero_scenario():
    raw = tiny_raw()
    raw["budget"] = {"unit": "billion VND", "years": {"2023": {}, "2024": {}, "2025": {}}}
    return make_scenario(raw)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture
def vietnamese_by_default(monkeypatch):
    """Vietnamese unless a test asks otherwise, whatever the shell running the tests says (the
    hostile rounds' modules use it for every test: `pytest.mark.usefixtures`)."""
    monkeypatch.delenv("SIMLIB_LANG", raising=False)


@pytest.fixture
def here(tmp_path, monkeypatch):
    """A private current folder (messages show paths relative to it) holding the tiny scenario
    as `good.yaml`."""
    (tmp_path / "good.yaml").write_text(yaml.safe_dump(tiny_raw(name="good")), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def reference_kernel(fn):
    """A test's reference form of an engine kernel (the code a change replaced, kept to compare
    bit for bit), compiled like the engine's kernels (`multidim_numba.FAST` maths, not cached);
    the plain function where numba is missing (the tests using it are then skipped)."""
    if numba is None or not multidim_numba.available():  # pragma: no cover
        return fn
    return numba.njit(fastmath=multidim_numba.FAST)(fn)


def fresh_python(code: str) -> dict:
    """What `code` (ending in a dict expression `result`) says, run by a fresh interpreter in the
    project (what it imports is then what `code` made it import)."""
    r = subprocess.run(
        [sys.executable, "-c", f"import json, sys\n{code}\nprint(json.dumps(result))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.splitlines()[-1])
