"""Parameter draws compiled once (issue 17): `DrawCompiler` gives every draw the model the
from-scratch path compiles, field by field, and `DrawSet` gives the probabilities (and every
other table) of `run_uncertainty` for the same seed and draws, for any budget of the scenario.
The reference is the uncertainty module's own from-scratch path (`reuse_structure=False`:
each draw's scenario built and compiled anew), computed in the test, not copied numbers."""

from __future__ import annotations

import copy
from dataclasses import fields

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, make_scenario, tiny_raw

from simlib.catalogue import catalogue_of
from simlib.model import Parameters, Structure, compile_model
from simlib.parameters import set_dotted
from simlib.scenario import load_scenario
from simlib.uncertainty import run_uncertainty
from simlib.uncertainty.apply import (
    DrawCompiler,
    DrawWriter,
    catalogue_lines,
    key_paths,
    params_for_values,
    scenario_for_values,
)
from simlib.uncertainty.drawset import DrawSet
from simlib.uncertainty.sampling import sample
from simlib.uncertainty.space import scenario_space

PLAN = ROOT / "params" / "scenarios" / "plan_2024.yaml"
KW = dict(engine="expected", executor="serial", rules=False)


@pytest.fixture(scope="module")
def plan():
    return load_scenario(PLAN)


def same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    return a == b


def assert_same_model(a, b) -> None:
    for part in ("structure", "params", "levers"):
        pa, pb = getattr(a, part), getattr(b, part)
        for f in fields(pa):
            assert same(getattr(pa, f.name), getattr(pb, f.name)), f"{part}.{f.name}"


@pytest.mark.parametrize("which", ["tiny", "plan"])
def test_a_draws_model_is_the_one_compiled_from_scratch(which, plan):
    scen = make_scenario(tiny_raw()) if which == "tiny" else plan
    space = scenario_space(scen)
    draws = sample(space, scen.params, 6, "lhs", 11)
    structure_keys = [k for k in draws.keys if k.startswith("population.")]
    assert structure_keys  # the draws move the households' split and the officers: the structure changes
    compiler = DrawCompiler(scen, draws.keys)
    n0 = set()
    for v in draws.values:
        ref = compile_model(scenario_for_values(scen, draws.keys, v))
        assert_same_model(compiler.model(v), ref)
        n0.add(ref.n0.tobytes())
    assert len(n0) > 1  # not vacuous: the draws' baseline households differ


def test_resolved_paths_set_what_the_dotted_keys_set(plan):
    space = scenario_space(plan)
    v = sample(space, plan.params, 2, "random", 5).values[1]
    a = params_for_values(plan.params, space.keys, v)
    b = params_for_values(plan.params, space.keys, v, paths=DrawCompiler(plan, space.keys).paths)
    assert a.docs == b.docs and a.overrides == b.overrides
    assert plan.params.docs != a.docs  # the scenario's own documents are left alone (copy on write)


def set_one_by_one(params, keys, values) -> dict:
    """Independent reference: a deep copy of the documents, each key set by the core's
    `set_dotted` (a quantity's `value`), one after another."""
    docs = copy.deepcopy(dict(params.docs))
    for k, v in zip(keys, values):
        set_dotted(docs, k, float(v))
    return docs


def test_planned_writes_set_what_the_dotted_keys_set(plan):
    space = scenario_space(plan)
    before = copy.deepcopy(dict(plan.params.docs))
    compiler = DrawCompiler(plan, space.keys)
    assert compiler.writer is not None  # the bundled space's keys do not overlap: the planned path
    for v in sample(space, plan.params, 3, "random", 9).values:
        got = compiler.params(v)
        assert got.docs == set_one_by_one(plan.params, space.keys, v)
        assert got.overrides == params_for_values(plan.params, space.keys, v).overrides
        assert got.hash == ""  # not re-validated: no hash claimed
    assert dict(plan.params.docs) == before  # the scenario's own documents are left alone


def test_planned_writes_with_a_key_given_twice_keep_the_last_value():
    scen = make_scenario(tiny_raw())
    key = scenario_space(scen).keys[0]
    keys, v = [key, key], np.array([0.125, 0.375])
    writer = DrawWriter.of(scen.params, key_paths(scen.params, keys))
    assert writer.params(scen.params, keys, v).docs == set_one_by_one(scen.params, keys, v)
    inner = key + ".value"  # a value inside another key's value: no plan, one path after another
    assert DrawWriter.of(scen.params, key_paths(scen.params, [key, inner])) is None


@pytest.mark.parametrize("which", ["tiny", "plan"])
def test_a_draws_catalogue_is_the_one_built_whole(which, plan):
    scen = make_scenario(tiny_raw()) if which == "tiny" else plan
    space = scenario_space(scen)
    compiler = DrawCompiler(scen, space.keys)
    assert compiler.catalogue is not None and compiler.lines  # the lines-only rebuild is the one tested
    for v in sample(space, scen.params, 3, "random", 2).values:
        got = compiler.scenario(v).catalogue
        ref = catalogue_of(params_for_values(scen.params, space.keys, v))
        assert got == ref and list(got.lines) == list(ref.lines)
    assert got != scen.catalogue  # not vacuous: the draw moved the catalogue's numbers


def test_catalogue_lines_rebuild_whole_when_more_than_line_values_move():
    assert catalogue_lines([("program", ["lines", "P1.1", "beneficiary", "unit_cost"])]) == ("P1.1",)
    assert catalogue_lines([("program", ["reach", "cost_rise"])]) == ()
    assert catalogue_lines([("legal_contents", ["contents", "x", "norm"])]) is None
    assert catalogue_lines([("program", ["projects", "P1", "share"])]) is None
    assert catalogue_lines([("program", ["lines", "P1.1", "content"])]) is None


def test_reusing_the_structure_changes_no_number(plan):
    a = run_uncertainty(plan, 12, seed=4, reuse_structure=False, **KW)
    b = run_uncertainty(plan, 12, seed=4, **KW)
    for name in ("targets", "outcomes", "quantiles", "parameters"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))


def moved_budget(scen):
    amounts = scen.budget.amounts.copy()
    amounts[1:, 0] *= 0.5  # half the first item's money, every source and projected year
    amounts[1:, -1] *= 1.7
    return scen.replace_budget(amounts)


@pytest.mark.parametrize("counterfactual", [False, True])
def test_a_draw_set_gives_the_uncertainty_runs_probabilities_for_any_budget(plan, counterfactual):
    n, seed = 16, 9
    draws = DrawSet(plan, n, engine="expected", seed=seed)
    for scen in (plan, moved_budget(plan)):
        ref = run_uncertainty(scen, n, seed=seed, counterfactual=counterfactual, reuse_structure=False, **KW)
        got = draws.run(scen, counterfactual=counterfactual, rules=False)
        for name in ("targets", "outcomes", "quantiles"):
            pd.testing.assert_frame_equal(getattr(got, name), getattr(ref, name), check_exact=False, rtol=1e-12)
    v0 = draws.run(plan, rules=False).targets["value_q50"].to_numpy()
    v1 = draws.run(moved_budget(plan), rules=False).targets["value_q50"].to_numpy()
    assert not np.allclose(v0, v1)  # not vacuous: the money moves the targets' values


def test_a_draw_set_refuses_a_scenario_with_other_parameters(plan):
    draws = DrawSet(make_scenario(tiny_raw()), 3, engine="expected", seed=1)
    other = make_scenario(tiny_raw())  # equal content, other parameter objects: not provably the same draws
    assert draws.accepts(draws.scen.replace_budget(draws.scen.budget.amounts * 2))
    assert not draws.accepts(other)
    with pytest.raises(ValueError, match="more than its budget"):
        draws.run(other)
    assert isinstance(draws.models[0].structure, Structure) and isinstance(draws.models[0].params, Parameters)
