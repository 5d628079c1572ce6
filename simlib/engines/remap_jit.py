"""An engine state's group axis moved to other groups, compiled (`EngineState.remapped`: a run
that switches units, e.g. from the districts to the communes).

`simlib.geography.remap_groups` is the reference: each new group h gets, element by element,
0 + w(g0, h) * x(g0) + w(g1, h) * x(g1) + ... over the old groups g reaching it in ascending
order (the order of `np.nonzero`), each product rounded before it is added. The kernel here makes
the same products and sums in the same order, with IEEE arithmetic (no fused multiply-add, no
fast maths), so the same bits; it writes each new group once, from its few old groups, on
contiguous arrays (no zero-filled copy first, no temporary per pair of groups), the new groups in
parallel threads (each one's sums within one thread: the threads do not change the numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simlib.engines.multidim_numba import prange
from simlib.geography import CellMap, remap_groups
from simlib.memo import memoised

try:  # numba is a dependency; without it the numpy reference moves the arrays
    import numba
except ImportError:  # pragma: no cover
    numba = None

#: elements of a new group summed at a time: that part of the new group stays in the first-level
#: cache while its old groups' products are added to it
BLOCK = 1024
#: moved arrays of at most this many elements are moved on one thread (`move_small`)
SMALL = 1 << 16


def move_groups(old, starts, sources, weights, out, order):
    """Fill `out` (A, G', B) from `old` (A, G, B): new group h sums `weights[j] * old[:, sources[j]]`
    for j in `starts[h]:starts[h + 1]` (old groups ascending) onto 0, element by element; the new
    groups taken in `order` (`GroupMove.order`: each old group read for its new groups in a row)."""
    n_new = out.shape[1]
    for task in prange(out.shape[0] * n_new):
        move_group(old, starts, sources, weights, out, task // n_new, order[task % n_new])


def move_small(old, starts, sources, weights, out):
    """`move_groups` on one thread: for arrays of a few thousand elements (households by group
    and state), whose move takes less than waking the other threads (a parallel call after
    other work cost 5.6 CPU ms and 21 ms of wall at load 8, this 0.08 and 0.07)."""
    n_new = out.shape[1]
    for task in range(out.shape[0] * n_new):
        move_group(old, starts, sources, weights, out, task // n_new, task % n_new)


def move_group(old, starts, sources, weights, out, a, h):
    """New group h of `out[a]`: `move_groups`' task (the same operations, in blocks of `BLOCK`)."""
    width = out.shape[2]
    for i0 in range(0, width, BLOCK):
        # views of the block, indexed from 0: the compiler then knows no index is negative and
        # drops the wrap-around test numba adds to each access (the loops vectorise: 340 -> 180
        # CPU ms on the communes' state, one thread)
        dest = out[a, h, i0 : min(i0 + BLOCK, width)]
        for i in range(dest.size):
            dest[i] = 0.0
        for j in range(starts[h], starts[h + 1]):
            w, src = weights[j], old[a, sources[j], i0 : i0 + dest.size]
            for i in range(dest.size):
                dest[i] += w * src[i]


def move_states(old, starts, sources, weights, out, skip, order):
    """`move_groups` of `old` (A, G, K, B) into `out` (A, G', K, B) state by state, leaving out
    (not written) the states k of new group h with bit k of `skip[a, h]` set: states known all zero
    both in `out` already and in every old group reaching h (the same values: each of their
    elements a sum of products of zeros); the new groups taken in `order`."""
    n_new, n_k = out.shape[1], out.shape[2]
    for task in prange(out.shape[0] * n_new * n_k):
        a, h, k = task // (n_new * n_k), order[(task // n_k) % n_new], task % n_k
        if (skip[a, h] >> k) & 1:
            continue
        move_state(old, starts, sources, weights, out, a, h, k)


def move_state(old, starts, sources, weights, out, a, h, k):
    """State k of new group h in scenario a of `out` (A, G', K, B) from `old` (A, G, K, B):
    0 + w0 * x0 + w1 * x1 + ... element by element, in blocks of `BLOCK` elements (`move_states`;
    `remap_review` moves and records with it)."""
    width = out.shape[3]
    for i0 in range(0, width, BLOCK):
        dest = out[a, h, k, i0 : min(i0 + BLOCK, width)]
        for i in range(dest.size):
            dest[i] = 0.0
        for j in range(starts[h], starts[h + 1]):
            w, src = weights[j], old[a, sources[j], k, i0 : i0 + dest.size]
            for i in range(dest.size):
                dest[i] += w * src[i]


if numba is not None:  # IEEE arithmetic: no `fastmath` (a fused multiply-add changes bits)
    move_group = numba.njit(cache=True, nogil=True)(move_group)
    move_groups = numba.njit(cache=True, parallel=True)(move_groups)
    move_small = numba.njit(cache=True)(move_small)
    move_state = numba.njit(cache=True, nogil=True)(move_state)
    move_states = numba.njit(cache=True, parallel=True)(move_states)


@dataclass(frozen=True)
class GroupMove:
    """The nonzero weights of a (G, G') group map by new group: for new group h, old groups
    `sources[starts[h]:starts[h + 1]]` (ascending) with `weights` there; `order` (G',) the new
    groups by their first old group (stable): a pass over the new groups in that order reads each
    old group's cells for all the new groups it reaches in a row, while they are in the cache
    (`simlib.engines.remap_review`: each district's 472 kB group reaches 6.4 communes' groups on
    average, which the groups' own order visits a commune's worth of groups apart)."""

    groups: np.ndarray
    starts: np.ndarray
    sources: np.ndarray
    weights: np.ndarray
    order: np.ndarray

    @classmethod
    def of(cls, groups: np.ndarray) -> GroupMove:
        """The move by the weights `groups` (G, G')."""
        groups = np.asarray(groups)
        new, old = np.nonzero(groups.T)  # by new group, then old groups ascending
        starts = np.zeros(groups.shape[1] + 1, np.int64)
        np.cumsum(np.bincount(new, minlength=groups.shape[1]), out=starts[1:])
        weights = np.asarray(groups.T[new, old], float)
        first = np.full(groups.shape[1], -1, np.int64)  # a new group no old group reaches: first
        reached = starts[1:] > starts[:-1]
        first[reached] = old[starts[:-1][reached]]
        order = np.argsort(first, kind="stable").astype(np.int64)
        return cls(groups, starts, old.astype(np.int64), np.ascontiguousarray(weights), order)

    @classmethod
    def of_map(cls, mapping) -> GroupMove:
        """`of(mapping.groups)`, made once per `CellMap` (frozen: the explorer moves the state with
        the same map at every change of money before the switch) and kept on it."""
        if not isinstance(mapping, CellMap):
            return cls.of(mapping.groups)
        return memoised(mapping, "remap_jit.group_move", lambda: cls.of(mapping.groups))

    def vacant(self, bits: np.ndarray) -> np.ndarray:
        """The states known all zero (bits (A, G') uint8, bit k: state k) of values moved from
        values with the states known zero `bits` (A, G): those known zero in every old group
        reaching the new group (a new group no old group reaches: none known)."""
        bits = np.asarray(bits, np.uint8)
        reached = self.starts[1:] > self.starts[:-1]
        got = np.zeros((bits.shape[0], reached.size), np.uint8)
        if self.sources.size:
            firsts = self.starts[:-1][reached]
            got[:, reached] = np.bitwise_and.reduceat(bits[:, self.sources], firsts, axis=1)
        return got

    def __call__(
        self, values: np.ndarray, axis: int = 1, out: np.ndarray | None = None, skip: np.ndarray | None = None
    ) -> np.ndarray:
        """`values` with its group axis `axis` moved to the new groups: the numbers of
        `simlib.geography.remap_groups(values, groups, axis)`, as a C-contiguous array: `out`
        when given (C-contiguous float64 of that shape, its values overwritten, none read: e.g.
        arrays already mapped, `simlib.workbench.pool`), else a new one. `skip` (A, G') uint8,
        for `values` (A, G, K, ...) moved along axis 1 into `out`: bit k of `skip[a, h]` set where
        state k of new group h is known all zero both in `out` and in the moved values (`vacant`),
        left as it is (`move_states`)."""
        values = np.ascontiguousarray(values, float)
        axis = axis % values.ndim
        shape = values.shape
        moved = shape[:axis] + (self.groups.shape[1],) + shape[axis + 1 :]
        if out is not None and (out.shape != moved or out.dtype != np.float64 or not out.flags.c_contiguous):
            raise ValueError(f"out is {out.dtype} {out.shape}, the moved values float64 {moved} (C order)")
        if numba is None:  # pragma: no cover
            got = np.ascontiguousarray(remap_groups(values, self.groups, axis))
            return got if out is None else np.copyto(out, got) or out
        if shape[axis] != self.groups.shape[0]:
            raise ValueError(f"axis {axis} has {shape[axis]} groups, the map {self.groups.shape[0]}")
        before, after = int(np.prod(shape[:axis])), int(np.prod(shape[axis + 1 :]))
        if skip is not None and out is not None and axis == 1 and values.ndim >= 3:
            four = (shape[0], self.groups.shape[1], shape[2], int(np.prod(shape[3:])))
            old = values.reshape(shape[0], shape[1], *four[2:])
            move = (self.starts, self.sources, self.weights)
            move_states(old, *move, out.reshape(four), np.asarray(skip, np.uint8), self.order)
            return out
        out = np.empty(moved) if out is None else out
        flat = out.reshape(before, self.groups.shape[1], after)
        move = (values.reshape(before, shape[axis], after), self.starts, self.sources, self.weights, flat)
        if out.size <= SMALL:
            move_small(*move)
        else:
            move_groups(*move, self.order)
        return out
