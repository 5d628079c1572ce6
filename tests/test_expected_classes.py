"""The expected engine's class index is shared by structures of the same content (parameter draws
recompile the structure each time; the index is built once)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simlib.engines.expected import _build_classes, class_index, class_key
from simlib.model import compile_model
from simlib.paths import project_root
from simlib.scenario import load_scenario


def _structure():
    return compile_model(load_scenario(project_root() / "params/scenarios/plan_2024.yaml")).structure


def test_same_content_shares_one_read_only_index():
    a, b = _structure(), _structure()
    assert a is not b
    ia, ib = class_index(a), class_index(b)
    assert ia is ib
    assert not ia["cls"].flags.writeable
    fresh = _build_classes(b)  # what an unshared build gives
    assert fresh.keys() == ia.keys()
    for k, v in fresh.items():
        assert np.array_equal(v, ia[k]) if isinstance(v, np.ndarray) else v == ia[k]


def test_household_counts_do_not_change_the_key_eligibility_does():
    s = _structure()
    assert class_key(replace(s, n0=s.n0 * 2.0)) == class_key(s)
    eligible = s.eligible.copy()
    eligible.flat[np.flatnonzero(eligible)[0]] = False
    other = replace(s, eligible=eligible)
    assert class_key(other) != class_key(s)
    assert class_index(other)["n_cls"] == _build_classes(other)["n_cls"]
