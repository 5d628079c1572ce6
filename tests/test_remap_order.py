"""The move of a state to other groups as the explorer makes it at every change before the switch
(`simlib.engines.remap_jit.GroupMove`, issue 18, benchmarks/HISTORY.md `## crossfirst`): the new
groups walked by their first old group (`order`), the move made once per state map (`of_map`),
small arrays moved on one thread (`move_small`) — each against a hand-worked case."""

from __future__ import annotations

import numpy as np

from simlib.engines import remap_jit
from simlib.engines.remap_jit import GroupMove
from simlib.geography import CellMap

#: 3 old groups to 5 new ones, rows summing to 1 (binary fractions: every product and sum exact):
#: old 0 -> new 1 and 4 by halves, old 1 -> new 2 whole, old 2 -> new 0 (3/4) and new 2 (1/4);
#: new 3 is reached by no old group
GROUPS = np.array(
    [
        [0.0, 0.5, 0.0, 0.0, 0.5],
        [0.0, 0.0, 1.0, 0.0, 0.0],
        [0.75, 0.0, 0.25, 0.0, 0.0],
    ]
)


def by_hand(x: np.ndarray) -> np.ndarray:
    """The move of `x` (A, 3, B) by `GROUPS`, written out: each new group 0 + w * x over its old
    groups in ascending order."""
    out = np.zeros((x.shape[0], 5, x.shape[2]))
    out[:, 0] = 0.0 + 0.75 * x[:, 2]
    out[:, 1] = 0.0 + 0.5 * x[:, 0]
    out[:, 2] = (0.0 + 1.0 * x[:, 1]) + 0.25 * x[:, 2]
    out[:, 4] = 0.0 + 0.5 * x[:, 0]
    return out


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def test_the_new_groups_are_walked_by_their_first_old_group():
    move = GroupMove.of(GROUPS)
    # first old groups: new 0 -> 2, new 1 -> 0, new 2 -> 1, new 3 -> none (first), new 4 -> 0
    assert move.order.tolist() == [3, 1, 4, 2, 0]
    assert move.order.dtype == np.int64
    assert sorted(move.order.tolist()) == list(range(5))  # every new group once


def test_small_arrays_are_moved_on_one_thread_with_the_same_bits(monkeypatch):
    def parallel(*args):
        raise AssertionError("a small array went to the parallel kernel")

    monkeypatch.setattr(remap_jit, "move_groups", parallel)
    x = np.random.default_rng(3).integers(0, 1000, (2, 3, 6)).astype(float)  # households by group-state
    got = GroupMove.of(GROUPS)(x, axis=1)
    assert same_bits(got, by_hand(x))
    # households conserved: each old group's shares sum to 1 (exact in binary fractions)
    assert np.array_equal(got.sum(axis=1), x.sum(axis=1))


def test_large_arrays_still_move_in_parallel_with_the_same_bits(monkeypatch):
    def serial(*args):
        raise AssertionError("a large array went to the one-thread kernel")

    monkeypatch.setattr(remap_jit, "move_small", serial)
    x = np.random.default_rng(4).random((1, 3, remap_jit.SMALL))
    assert same_bits(GroupMove.of(GROUPS)(x, axis=1), by_hand(x))


def test_the_move_is_made_once_per_state_map():
    units = np.eye(2)
    mapping = CellMap(units, GROUPS, ("a", "b"), ("a", "b"))
    first = GroupMove.of_map(mapping)
    assert GroupMove.of_map(mapping) is first  # kept on the (frozen) map
    fresh = GroupMove.of(GROUPS)
    for name in ("starts", "sources", "weights", "order"):
        assert np.array_equal(getattr(first, name), getattr(fresh, name))
    other = CellMap(units, GROUPS.copy(), ("a", "b"), ("a", "b"))
    assert GroupMove.of_map(other) is not first  # another map: its own


def test_a_move_state_by_state_in_its_order_gives_the_same_cells():
    """`remap_review.move_record` walks `order`: each new group written from its own old groups
    only, so that order gives the cells of the hand-worked sum (here through `move_state`)."""
    x = np.random.default_rng(5).random((1, 3, 2, 7))
    move = GroupMove.of(GROUPS)
    out = np.full((1, 5, 2, 7), np.nan)
    for h in move.order:
        for k in range(2):
            remap_jit.move_state(x, move.starts, move.sources, move.weights, out, 0, h, k)
    assert same_bits(out, by_hand(x.reshape(1, 3, 14)).reshape(1, 5, 2, 7))
