"""Moving an engine's household state to new units (issue 19): households are conserved exactly,
a hand-worked two-district case, and the identity map changes nothing."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines.common import EngineState
from simlib.geography import CellMap, cell_map, load_geography, remap_groups, unit_map
from simlib.model import compile_model
from simlib.paths import params_dir
from simlib.scenario import load_scenario, switched_scenario
from simlib.unit_switch import group_kinds, state_map

CROSSING = params_dir() / "scenarios" / "crossing_2024_2027.yaml"


def hand_case() -> tuple[EngineState, CellMap]:
    """District 0 lies 60 % in commune 0 and 40 % in commune 1; district 1 half in commune 1,
    half in commune 2. Groups are (kind, housed); district 1 and commune 1 have no housed twin."""
    units = np.array([[0.6, 0.4, 0.0], [0.0, 0.5, 0.5]])
    old_unit, old_kind = np.array([0, 0, 1]), np.array([[0, 0], [0, 1], [0, 0]])
    new_unit = np.array([0, 0, 1, 2, 2])
    new_kind = np.array([[0, 0], [0, 1], [0, 0], [0, 0], [0, 1]])
    groups = cell_map(units, old_unit, old_kind, new_unit, new_kind)
    n = np.array([[[10.0, 20.0], [5.0, 0.0], [8.0, 4.0]]])  # (S=1, G=3, K=2)
    built = np.zeros((1, 2, 2, 2))
    built[0, 0, 0] = [100.0, 40.0]  # an area line: households served (counts)
    built[0, 0, 1] = [0.2, 0.6]  # a cycle line: share of the eligible households supported
    state = EngineState(2, n, built, np.array([True, False]), {"M": n[..., None] * np.array([1.0, 3.0])})
    return state, CellMap(units, groups, ("d0", "d1"), ("c0", "c1", "c2"))


def test_hand_worked_two_districts_to_three_communes():
    state, mapping = hand_case()
    new = state.remapped(mapping)
    # c0 = 0.6 d0; c0's twin = 0.6 d0's twin; c1 (no twin) = 0.4 (d0 + its twin) + 0.5 d1; c2 = 0.5 d1
    expected = np.array([[[6.0, 12.0], [3.0, 0.0], [10.0, 10.0], [4.0, 2.0], [0.0, 0.0]]])
    np.testing.assert_allclose(new.n, expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(new.cells["M"], expected[..., None] * np.array([1.0, 3.0]), atol=1e-12)
    np.testing.assert_allclose(
        new.built[0, 0, 0], [60.0, 60.0, 20.0], atol=1e-12
    )  # 100 x .6, 100 x .4 + 40 x .5, 40 x .5
    np.testing.assert_allclose(new.built[0, 0, 1], [0.2, (0.08 + 0.3) / 0.9, 0.6], atol=1e-12)  # shares averaged
    assert new.t == 2 and new.built.shape == (1, 2, 2, 3)


def test_hand_case_conserves_households():
    state, mapping = hand_case()
    new = state.remapped(mapping)
    assert new.n.sum(axis=1) == pytest.approx(state.n.sum(axis=1), abs=1e-12)
    assert new.built[..., 0, :].sum() == pytest.approx(state.built[..., 0, :].sum())


def test_a_kind_missing_in_a_new_unit_without_fallback_is_an_error():
    units = np.array([[1.0]])
    with pytest.raises(ValueError, match="no group of kind"):
        cell_map(units, np.array([0]), np.array([[1, 0]]), np.array([0]), np.array([[0, 0]]))


@pytest.fixture(scope="module")
def crossing_models():
    scen = load_scenario(CROSSING)
    return compile_model(scen), compile_model(switched_scenario(scen))


def test_districts_to_communes_conserve_households_per_state_and_kind(crossing_models):
    old, new = crossing_models
    mapping = state_map(old, new, load_geography())
    assert mapping.groups.shape == (len(old.g_unit), len(new.g_unit))
    np.testing.assert_allclose(mapping.groups.sum(axis=1), 1.0, atol=1e-12)
    rng = np.random.default_rng(7)
    n = rng.random((2,) + old.n0.shape) * 100  # two scenarios, any state
    moved = remap_groups(n, mapping.groups, axis=1)
    np.testing.assert_allclose(moved.sum(axis=1), n.sum(axis=1), rtol=1e-12)
    # per kind (ethnic group, area, attribute class, labour) and state, twins counted with their base
    ko, kn = group_kinds(old.structure)[:, :4], group_kinds(new.structure)[:, :4]
    for kind in np.unique(ko, axis=0):
        a = n[:, (ko == kind).all(axis=1)].sum(axis=1)
        b = moved[:, (kn == kind).all(axis=1)].sum(axis=1)
        np.testing.assert_allclose(b, a, rtol=1e-12)
    # each district's households land in the communes its population lies in, by its weights
    w = unit_map(load_geography(), old.unit_ids, new.unit_ids)
    by_unit_old = np.zeros((len(old.unit_ids),) + old.n0.shape[1:])
    np.add.at(by_unit_old, old.g_unit, old.n0)
    by_unit_new = np.zeros((len(new.unit_ids),) + old.n0.shape[1:])
    np.add.at(by_unit_new, new.g_unit, remap_groups(old.n0[None], mapping.groups, axis=1)[0])
    np.testing.assert_allclose(by_unit_new, w.T @ by_unit_old, rtol=1e-12, atol=1e-9)


def test_identity_map_is_a_no_op(crossing_models):
    old, _ = crossing_models
    D = len(old.unit_ids)
    kinds = group_kinds(old.structure)
    groups = cell_map(np.eye(D), old.g_unit, kinds, old.g_unit, kinds)
    np.testing.assert_array_equal(groups, np.eye(len(old.g_unit)))
    n = np.random.default_rng(3).random((1,) + old.n0.shape)
    built = np.random.default_rng(4).random((1, 4, len(old.line_codes), D))
    state = EngineState(2, n, built, old.area_line, {"M": n[..., None] * 2.0})
    new = state.remapped(CellMap(np.eye(D), groups, old.unit_ids, old.unit_ids))
    np.testing.assert_array_equal(new.n, n)
    np.testing.assert_array_equal(new.built, built)
    np.testing.assert_array_equal(new.cells["M"], state.cells["M"])


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_remap_groups_is_the_weighted_sum_in_group_order_bit_for_bit(axis):
    """Each new group = the sum over old groups, in their order, of weight × values: written out
    element by element here (several old groups into one new group, one old group into several)."""
    rng = np.random.default_rng(7)
    values = rng.random((3, 4, 5)) * 10.0 ** rng.integers(-8, 8, (3, 4, 5))
    G = values.shape[axis]
    groups = np.zeros((G, 4))
    groups[0, [0, 2]] = [0.3, 0.7]
    groups[1:, 1] = 1 / 3  # every other old group into new group 1
    groups[G - 1, 3] = 1.0
    moved = remap_groups(values, groups, axis=axis)
    old = np.moveaxis(values, axis, 0)
    expected = np.zeros((4,) + old.shape[1:])
    for idx in np.ndindex(*old.shape[1:]):
        for h in range(4):
            acc = 0.0
            for g in range(G):
                if groups[g, h] != 0:
                    acc = acc + groups[g, h] * old[(g,) + idx]
            expected[(h,) + idx] = acc
    assert moved.shape == tuple(4 if a == axis else n for a, n in enumerate(values.shape))
    assert np.moveaxis(moved, axis, 0).tobytes() == expected.tobytes()
