"""Helpers shared by the calibration tests: known models, hand-made review lists."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from simlib.paths import params_dir
from simlib.schema import load_yaml


def prior_doc() -> dict:
    return load_yaml(params_dir() / "transitions.yaml")


def truth_doc(**changes) -> dict:
    """params/transitions.yaml with some values changed: a known model that differs from the prior."""
    doc = copy.deepcopy(prior_doc())
    defaults = {"reference.poor.escaped_1": 0.09, "reference.near_poor.non_poor": 0.14, "modifiers.0.upward": 1.8}
    defaults.update(changes)
    for path, value in defaults.items():
        node = doc
        keys = path.split(".")
        for k in keys[:-1]:
            node = node[int(k)] if isinstance(node, list) else node[k]
        node[keys[-1]]["value"] = value
    return doc


def kappa(value: float, lo: float, hi: float) -> float:
    """Pseudo-count of a rate from its range, written out independently of simlib."""
    sd = (hi - lo) / 4
    return value * (1 - value) / sd**2 - 1


def write_rows(tmp_path, rows, name="list.csv", columns=None) -> str:
    df = pd.DataFrame(rows, columns=columns)
    p = tmp_path / name
    df.to_csv(p, index=False)
    return str(p)


def household(
    hid, statuses: dict, unit="bao_lac", eth="ethnic_minority", area="rural", new_year=None, escape_year=None
):
    """Long rows of one household: statuses {year: status}."""
    return [
        {
            "household_id": hid,
            "year": y,
            "unit_id": unit,
            "ethnic_group": eth,
            "area": area,
            "status": s,
            "new": "true" if new_year == y else "",
            "escape_year": escape_year if (s == "escaped" and escape_year) else "",
        }
        for y, s in statuses.items()
    ]


def rng(seed=0):
    return np.random.default_rng(seed)
