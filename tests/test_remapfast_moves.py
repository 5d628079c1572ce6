"""The compiled move of a state's groups (`simlib.engines.remap_jit.GroupMove`, used by
`EngineState.remapped`) gives the bits of the numpy reference `simlib.geography.remap_groups`."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines.common import EngineState
from simlib.engines.remap_jit import GroupMove
from simlib.geography import CellMap, remap_groups, remap_units


def sparse_map(rng, G: int, H: int, per_row: int, conserve: bool) -> np.ndarray:
    """(G, H) weights: each old group into up to `per_row` new groups (rows sum to 1 when
    `conserve`), some new groups reached by several old groups, some by none."""
    groups = np.zeros((G, H))
    for g in range(G):
        cols = rng.choice(H, size=rng.integers(1, per_row + 1), replace=False)
        w = rng.random(len(cols)) + 0.05
        groups[g, cols] = w / w.sum() if conserve else w * 10.0 ** rng.integers(-3, 4)
    return groups


def wild(rng, shape) -> np.ndarray:
    """Values over many magnitudes and both signs, with signed zeros and a NaN."""
    x = rng.standard_normal(shape) * 10.0 ** rng.integers(-12, 12, shape)
    flat = x.reshape(-1)
    flat[rng.choice(flat.size, size=max(1, flat.size // 10), replace=False)] = -0.0
    flat[rng.integers(flat.size)] = np.nan
    return x


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and np.ascontiguousarray(a).tobytes() == b.tobytes()


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_the_reference_bit_for_bit_on_random_sparse_maps(seed, axis):
    rng = np.random.default_rng(seed)
    shape = [2, 3, 4, 5]
    G = int(rng.integers(3, 12))
    shape[axis] = G
    H = int(rng.integers(1, 3 * G))
    groups = sparse_map(rng, G, H, per_row=min(H, 5), conserve=bool(seed % 2))
    values = wild(rng, tuple(shape))
    moved = GroupMove.of(groups)(values, axis=axis)
    assert moved.flags.c_contiguous
    assert same_bits(moved, remap_groups(values, groups, axis))


def test_long_groups_and_strided_input():
    """Groups longer than the kernel's block, several batch rows, a non-contiguous input."""
    rng = np.random.default_rng(11)
    values = wild(rng, (3, 2500, 7))[:, ::-1].transpose(0, 2, 1)  # (3, 7, 2500), not contiguous
    groups = sparse_map(rng, 7, 13, per_row=4, conserve=True)
    assert same_bits(GroupMove.of(groups)(values, axis=1), remap_groups(values, groups, 1))


def test_products_rounded_before_they_are_added():
    """A fused multiply-add would leave 0.1 * 3 - 0.30000000000000004 unrounded (about -2.8e-17):
    the reference adds the rounded product, which gives exactly 0."""
    values = np.array([[-0.30000000000000004], [3.0]])
    groups = np.array([[1.0], [0.1]])
    moved = GroupMove.of(groups)(values, axis=0)
    assert moved[0, 0] == 0.0 and not np.signbit(moved[0, 0])
    assert same_bits(moved, remap_groups(values, groups, 0))


def test_a_new_group_no_old_group_reaches_is_zero():
    groups = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    moved = GroupMove.of(groups)(np.full((2, 4), -0.0), axis=0)
    assert same_bits(moved, remap_groups(np.full((2, 4), -0.0), groups, 0))
    assert not np.signbit(moved).any()  # 0 + (-0) = +0, as the reference's sums from zero


def test_the_wrong_number_of_groups_is_refused():
    with pytest.raises(ValueError, match="groups"):
        GroupMove.of(np.ones((3, 2)))(np.ones((2, 4)), axis=1)


def old_remapped(state: EngineState, mapping: CellMap) -> EngineState:
    """`EngineState.remapped` as it was, with `remap_groups`."""
    moved = remap_units(state.built, mapping.units, axis=3)
    cover = mapping.units.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(cover > 0, moved / cover, 0.0)
    built = np.where(state.built_counts[None, None, :, None], moved, mean)
    cells = {k: remap_groups(v, mapping.groups, axis=1) for k, v in state.cells.items()}
    return EngineState(state.t, remap_groups(state.n, mapping.groups, axis=1), built, state.built_counts, cells)


def test_a_state_moved_as_before_and_households_conserved():
    rng = np.random.default_rng(3)
    S, G, K, D, D2 = 2, 12, 6, 4, 9
    units = sparse_map(rng, D, D2, per_row=3, conserve=True)
    g_unit = np.repeat(np.arange(D), G // D)
    groups = np.zeros((G, 3 * D2))
    for g, d in enumerate(g_unit):  # each group's households into its kind in its unit's new units
        groups[g, np.flatnonzero(units[d]) * 3 + g % 3] = units[d][units[d] > 0]
    n = rng.random((S, G, K)) * 1000
    cells = {"M": rng.random((S, G, K, 64)) * 50, "H": rng.random((S, G, K, 3, 5))}
    state = EngineState(2, n, rng.random((S, 3, 2, D)), np.array([True, False]), cells)
    mapping = CellMap(units, groups, np.arange(D), np.arange(D2))
    new, ref = state.remapped(mapping), old_remapped(state, mapping)
    assert same_bits(new.n, ref.n) and same_bits(new.built, ref.built)
    assert new.cells.keys() == ref.cells.keys()
    assert all(same_bits(new.cells[k], ref.cells[k]) for k in cells)
    np.testing.assert_allclose(new.n.sum(axis=1), n.sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(new.cells["M"].sum(axis=1), cells["M"].sum(axis=1), rtol=1e-12)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_a_move_into_given_arrays_overwrites_them_with_the_reference_bits(axis):
    """`out` (arrays reused from a state nothing reads: `simlib.workbench.switched`) full of
    other values, NaN included: every element is written, the reference's bits, no new array."""
    rng = np.random.default_rng(5)
    shape = [3, 4, 1100]
    shape[axis] = 9
    groups = sparse_map(rng, 9, 14, per_row=4, conserve=True)
    groups[:, 13] = 0.0  # a new group no old group reaches: written zero too
    values = wild(rng, tuple(shape))
    moved_shape = list(shape)
    moved_shape[axis] = 14
    out = np.full(moved_shape, np.nan)
    got = GroupMove.of(groups)(values, axis=axis, out=out)
    assert got is out and same_bits(out, remap_groups(values, groups, axis))


def test_a_move_into_arrays_of_another_shape_or_type_is_refused():
    move = GroupMove.of(np.ones((3, 2)) / 2)
    for out in (np.empty((2, 3)), np.empty((2, 2), np.float32), np.empty((2, 4))[:, ::2]):
        with pytest.raises(ValueError, match="out"):
            move(np.ones((2, 3)), axis=1, out=out)


def test_a_state_moved_into_given_cells_as_into_new_ones():
    rng = np.random.default_rng(8)
    groups = sparse_map(rng, 6, 10, per_row=3, conserve=True)
    units = sparse_map(rng, 2, 3, per_row=2, conserve=True)
    cells = {"M": rng.random((1, 6, 4, 32)), "H": rng.random((1, 6, 4, 2, 3))}
    state = EngineState(2, rng.random((1, 6, 4)), rng.random((1, 3, 2, 2)), np.array([True, False]), cells)
    mapping = CellMap(units, groups, np.arange(2), np.arange(3))
    into = {"M": np.full((1, 10, 4, 32), np.nan), "H": np.full((1, 10, 4, 2, 3), -7.0)}
    got, ref = state.remapped(mapping, into=dict(into)), old_remapped(state, mapping)
    assert all(got.cells[k] is into[k] and same_bits(got.cells[k], ref.cells[k]) for k in cells)
    assert same_bits(got.n, ref.n) and same_bits(got.built, ref.built)


def test_the_states_known_zero_after_a_move_are_those_zero_in_every_old_group_reaching_it():
    """By hand: new group 0 from old group 0 only, new group 1 from old groups 0 and 1, new group 2
    from none (nothing known of it), old group 2 moved nowhere."""
    groups = np.array([[0.5, 0.5, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    bits = np.array([[0b101, 0b110, 0b011], [0b111, 0b001, 0b000]], np.uint8)
    got = GroupMove.of(groups).vacant(bits)
    assert got.dtype == np.uint8
    assert got.tolist() == [[0b101, 0b100, 0], [0b111, 0b001, 0]]


def test_a_move_leaves_out_the_states_known_zero_in_both():
    """States known zero in every old group reaching a new group and in the given arrays are not
    written (given arrays holding -0.0 there keep it, where the reference sums to +0.0); every
    other element has the reference's bits."""
    rng = np.random.default_rng(13)
    S, G, H, K = 2, 8, 11, 5
    groups = sparse_map(rng, G, H, per_row=3, conserve=True)
    bits = rng.integers(0, 1 << K, (S, G)).astype(np.uint8)
    values = wild(rng, (S, G, K, 1300))
    for s, g, k in np.argwhere([[[(b >> k) & 1 for k in range(K)] for b in row] for row in bits]):
        values[s, g, k] = 0.0
    move = GroupMove.of(groups)
    vacant = move.vacant(bits)
    zero = rng.integers(0, 1 << K, (S, H)).astype(np.uint8)  # the states known zero in `out`
    skip = vacant & zero
    out = np.full((S, H, K, 1300), np.nan)
    for s, h, k in np.ndindex(S, H, K):
        if (zero[s, h] >> k) & 1:
            out[s, h, k] = -0.0
    ref = remap_groups(values, groups, 1)
    got = move(values, axis=1, out=out, skip=skip)
    assert got is out and skip.any()
    for s, h, k in np.ndindex(S, H, K):
        if (skip[s, h] >> k) & 1:
            assert np.all(ref[s, h, k] == 0.0) and np.signbit(out[s, h, k]).all()
        else:
            assert same_bits(out[s, h, k], ref[s, h, k])
