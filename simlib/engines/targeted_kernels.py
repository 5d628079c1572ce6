"""Compiled household loop of the microsimulation with priority targeting (`microsim`): after the
programme step (`household_reach`), one pass per year over the households computes each one's
transition factors from the lines reaching it, its transition row and its next state.

For household i of group g and state k, reached anew by lines `chosen` (bits) and served by
standing works or a house built earlier (`old` bits, or the once-per-household line for a
housed group), F1 and F2 are the products over those lines of one minus the line's effect pair
(`reach.effect_pairs`: every channel when reached anew, the protective ones otherwise). The row is P = A + B F1 + C F2 of the group after the
year's move (`transitions.affine_parts`, the two `rest` entries floored at 0), and one uniform
(53 bits of a SplitMix64 stream seeded from the run's generator) against the row's cumulative
sums picks the next state. A household no line acts on (F1 = F2 = 1: most households in most
years) reads its group's cumulative row from a table computed once per run with the same
arithmetic (`unreached_rows`), so the same bits without the row's twelve products.
"""

from __future__ import annotations

import sys

import numba
import numpy as np

from simlib.engines import household_reach
from simlib.engines.household_reach import GAMMA, ONE, S11, TWO_M53, lowest_bit, mix
from simlib.engines.multidim_numba import refresh_caches
from simlib.states import NEAR_POOR, POOR


@numba.njit(inline="always")
def _factors(c, o, housed, u, k, eff_bits, once, once_bits, act, prot):
    """F1, F2 of one household (see the module docstring): the lines with effects acting on it
    taken one by one in increasing order (the set bits only: most reached households have one
    or two), 1, 1 at once for a household no such line reaches (most households in most years)."""
    f1 = 1.0
    f2 = 1.0
    b = np.uint64((c | o | (once_bits if housed else np.uint32(0))) & eff_bits)
    while b:
        li = lowest_bit(b)
        b &= b - ONE
        new = (np.uint64(c) >> np.uint64(li)) & ONE
        standing = (np.uint64(o) >> np.uint64(li)) & ONE
        if once[li] and housed and not new:
            standing = ONE
        if new:
            f1 *= 1.0 - act[li, u, k, 0]
            f2 *= 1.0 - act[li, u, k, 1]
        if standing:
            f1 *= 1.0 - prot[li, u, k, 0]
            f2 *= 1.0 - prot[li, u, k, 1]
    return f1, f2


@numba.njit(inline="always")
def _cumulative_row(parts, g, k, f1, f2, out):
    """Cumulative sums of the row P = A + B F1 + C F2 of state k in group g into out (K,)."""
    cum = 0.0
    for j in range(out.size):
        p = parts[0, g, k, j] + parts[1, g, k, j] * f1 + parts[2, g, k, j] * f2
        if (k == POOR or k == NEAR_POOR) and j == NEAR_POOR:
            p = max(p, 0.0)
        cum += p
        out[j] = cum


@numba.njit(cache=True, nogil=True)
def unreached_rows(parts):
    """Cumulative rows (G, K, K) at F1 = F2 = 1 (no line acting on the household), computed once
    per run with the same arithmetic as a reached household's row, so the same bits."""
    _, G, K, _ = parts.shape
    out = np.empty((G, K, K))
    for g in range(G):
        for k in range(K):
            _cumulative_row(parts, g, k, 1.0, 1.0, out[g, k])
    return out


@numba.njit(cache=True, nogil=True)
def year_pass(group, state, chosen, old, seed, lines, groups, parts, g_out, s_out, flows, ps):
    """One projected year: next group and state of every household into g_out, s_out; moves
    counted into flows (G*K*K,) from the group after the year's move; production-support
    households reached and in the target group into ps (2,). `lines` = (eff_lines, once (L,),
    act (L, D, K, 2), prot (L, D, K, 2), once_bits, ps_bits, eff_bits); `groups` = (unit, housed, twin,
    ps_population (G, K)); parts = ((3, G, K, K) affine parts of the rows, their `unreached_rows`).
    Returns the stream."""
    eff_lines, once, act, prot, once_bits, ps_bits, eff_bits = lines
    unit, housed, twin, ps_pop = groups
    parts, unreached = parts
    K = ps_pop.shape[1]
    row = np.empty(K)
    s = np.uint64(seed)
    ps_in = 0.0  # production-support counts kept in registers, added to `ps` once
    ps_all = 0.0
    for i in range(group.size):
        g, k, c = np.int64(group[i]), np.int64(state[i]), chosen[i]
        target = ps_pop[g, k]
        ps_all += target
        ps_in += target and (c & ps_bits) != 0
        f1, f2 = _factors(c, old[i], housed[g], unit[g], k, eff_bits, once, once_bits, act, prot)
        g2 = twin[g] if (c & once_bits) != 0 else g
        s += GAMMA
        x = np.float64(mix(s) >> S11) * TWO_M53
        nxt = 0
        if f1 == 1.0 and f2 == 1.0:  # no line acts on the household: its group's row
            for j in range(K):
                if x > unreached[g2, k, j]:
                    nxt = j + 1
        else:
            _cumulative_row(parts, g2, k, f1, f2, row)
            for j in range(K):
                if x > row[j]:
                    nxt = j + 1
        nxt = min(nxt, K - 1)
        flows[(g2 * K + k) * K + nxt] += 1
        g_out[i], s_out[i] = g2, nxt
    ps[0] += ps_in
    ps[1] += ps_all
    return s


#: the modules whose machine code this module's cached functions carry (`household_reach.mix` is
#: inlined across modules, which numba's own cache key, this file alone, does not see)
CACHED_WITH = (household_reach, sys.modules[__name__])
refresh_caches(CACHED_WITH, "targeted_kernels")
