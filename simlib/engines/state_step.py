"""The fast kernel's household state step with its random numbers drawn inside the compiled loop.

`simlib.engines.kernel.step_households` moves each household with one 32-bit uniform against its
row's two cumulative thresholds. Filling an array of uniforms first
(`rng.bit_generator.random_raw(...).view(np.uint32)`, `kernel.uniforms`) and reading it back costs
about 1 ns per household; here numpy's PCG64 step is repeated in the loop itself
(`simlib.engines.pcg64_normals.next64`, the generator's state carried in registers and written back):
each 64-bit output gives the uniforms of two households, low half first, exactly as the array's
little-endian view does. A chunk of odd length draws one more output and leaves its high half
unused, as `kernel.uniforms` does per chunk. So the new states, the moves and the generator's
state afterwards are the array path's, bit for bit (`tests/test_state_step.py`).

The moves histogram is counted in a second pass over blocks of `BLOCK` households, in `COPIES`
interleaved copies summed at the end. Counting in the first pass, where a counter's address
becomes known only after the thresholds are loaded and compared, made the processor wait on the
increments (the counters of consecutive households are mostly the same: households are stored by
group); from a block of move indices the addresses are known at once. Measured side by side in
`benchmarks/state_step_pair.py`.
"""

from __future__ import annotations

import sys

import numba
import numpy as np

from simlib.engines import pcg64_normals
from simlib.engines.multidim_numba import refresh_caches
from simlib.engines.pcg64_normals import M32, S32, next64

#: households per block: the first pass writes each one's move index, the second counts them
BLOCK = 1024
#: interleaved copies of the moves histogram (consecutive households count in different copies)
COPIES = 4
#: a copy's counters are uint32: they are added into the int64 moves before any can overflow
FOLD_AT = 2**32 - 1 - BLOCK
U1, U2, U3, U6 = (np.uint64(v) for v in (1, 2, 3, 6))


@numba.njit(inline="always")
def _move(i, x, group, state, t1, t2, dcell, buf, b):
    """Household i with uniform x: its move index c*3 + j (c its cell, j its destination's rank)
    into buf[b], its new state into state[i]."""
    c = np.uint64(group[i]) * U6 + np.uint64(state[i])
    q = c * U3 + np.uint64(x >= t1[c]) + np.uint64(x >= t2[c])
    buf[b] = q
    state[i] = dcell[q]


@numba.njit(inline="always")
def _draw_block(group, state, a, n, hi, lo, inc_hi, inc_lo, t1, t2, dcell, buf):
    """Households a .. a+n-1, two per 64-bit output (low half first); for odd n the last one takes
    the low half of one more output. Returns the generator's new (high, low) state."""
    for p in range(n >> 1):
        v, hi, lo = next64(hi, lo, inc_hi, inc_lo)
        b = np.uint64(2 * p)
        _move(a + b, np.uint32(v & M32), group, state, t1, t2, dcell, buf, b)
        _move(a + b + U1, np.uint32(v >> S32), group, state, t1, t2, dcell, buf, b + U1)
    if n & 1:
        v, hi, lo = next64(hi, lo, inc_hi, inc_lo)
        b = np.uint64(n - 1)
        _move(a + b, np.uint32(v & M32), group, state, t1, t2, dcell, buf, b)
    return hi, lo


@numba.njit(inline="always")
def _count_block(buf, n, h, m):
    """Count the first n move indices of buf in h (4 copies of m counters): the b-th in copy b % 4,
    the last n % 4 in copy 0."""
    m2, m3 = m * U2, m * U3
    for p in range(n >> 2):
        b = 4 * p
        h[np.uint64(buf[b])] += 1
        h[m + np.uint64(buf[b + 1])] += 1
        h[m2 + np.uint64(buf[b + 2])] += 1
        h[m3 + np.uint64(buf[b + 3])] += 1
    for b in range(n & ~3, n):
        h[np.uint64(buf[b])] += 1


@numba.njit(inline="always")
def _fold(h, moves):
    """Add the copies of h into moves."""
    m = moves.size
    for q in range(m):
        moves[q] += np.int64(h[q]) + np.int64(h[m + q]) + np.int64(h[2 * m + q]) + np.int64(h[3 * m + q])


@numba.njit(cache=True, nogil=True)
def step_inline(group, state, rstate, t1, t2, dcell, moves, chunk, fold_at=FOLD_AT):
    """Move every household one year, drawing its uniform from the PCG64 state array `rstate`
    (`pcg64_normals.state_of`; advanced in place) as `kernel.uniforms` would per chunk of `chunk`
    households. t1, t2 (G*K): each cell's two thresholds (`kernel.thresholds`); dcell (G*K*3): the
    destination of each move index c*3 + j (`kernel.destinations`); moves (G*K*3, int64) counted.
    The histogram's copies are added into moves after every `fold_at` (at most `FOLD_AT`) households
    or more, and at the end."""
    hi, lo, inc_hi, inc_lo = rstate[0], rstate[1], rstate[4], rstate[5]
    m = np.uint64(moves.size)
    h = np.zeros(COPIES * moves.size, np.uint32)
    buf = np.empty(BLOCK, np.uint64)
    n, counted = group.size, 0
    for a in range(0, n, chunk):
        e = min(a + chunk, n)
        for s in range(a, e, BLOCK):
            k = min(BLOCK, e - s)
            hi, lo = _draw_block(group, state, np.uint64(s), k, hi, lo, inc_hi, inc_lo, t1, t2, dcell, buf)
            _count_block(buf, k, h, m)
            counted += k
            if counted >= fold_at:
                _fold(h, moves)
                h[:] = 0
                counted = 0
    _fold(h, moves)
    rstate[0], rstate[1] = hi, lo


#: the modules whose machine code this module's cached function carries (`pcg64_normals.next64` is
#: inlined across modules, which numba's own cache key, this file alone, does not see)
CACHED_WITH = (pcg64_normals, sys.modules[__name__])
refresh_caches(CACHED_WITH, "state_step")
