"""The programme step's first pass (`household_reach`, module docstring, step 1): households per
subcell (cell (group, state) and pattern of the targeting lines' indicators), each household's
subcell kept for the walk, eligible households per household line and bin, and, for engines that
draw no standing works, the money's whole beneficiaries in the same compiled call
(`eligible_needs`, `household_money.needs`).
"""

from __future__ import annotations

import sys

import numba
import numpy as np

from simlib.engines import household_money
from simlib.engines.household_money import boost_into, needs
from simlib.engines.household_tables import Tables
from simlib.engines.multidim_numba import refresh_caches

#: one, as the subcells' type
ONE = np.uint64(1)


@numba.njit(inline="always")
def _subcell(group, state, mask, i, pm, Ku, Pu, pat):
    """Household i's subcell (g*K + k)*P + pattern of its mask."""
    return (np.uint64(group[i]) * Ku + np.uint64(state[i])) * Pu + np.uint64(pat[mask[i] & pm])


@numba.njit(cache=True, nogil=True)
def _count(group, state, mask, K, pat, P, n_sub, sc_of, odd):
    """Households per subcell s = (g*K + k)*P + pattern of the mask (n_sub (C*P,)), and each
    household's subcell into sc_of (n,) unless it is empty (`household_reach.walk_arrays`). The
    odd households are counted in odd (C*P,), zero, added into n_sub at the end: neighbours share
    a subcell (84 % at 10⁵, the households in group order), and with one table each count waited
    for its neighbour's (a store, then a load of the same entry)."""
    pm, Ku, Pu = np.uint64(pat.size - 1), np.uint64(K), np.uint64(P)
    n = group.size
    keep = sc_of.size > 0
    for j in range(n // 2):  # unsigned indices: no code for negative ones
        a = np.uint64(2 * j)
        sa = _subcell(group, state, mask, a, pm, Ku, Pu, pat)
        sb = _subcell(group, state, mask, a + ONE, pm, Ku, Pu, pat)
        n_sub[sa] += 1
        odd[sb] += 1
        if keep:
            sc_of[a], sc_of[a + ONE] = sa, sb
    if n % 2:
        sa = _subcell(group, state, mask, n - 1, pm, Ku, Pu, pat)
        n_sub[sa] += 1
        if keep:
            sc_of[n - 1] = sa
    for c in range(n_sub.size):
        n_sub[c] += odd[c]


@numba.njit(cache=True, nogil=True)
def _bins(ptr, line, bin_, ok, n_sub, E):
    """Eligible households per line and bin E (H, D*T) from the subcells' counts n_sub: each
    cell adds its households of the patterns line h takes (ok[h]: all, or for a targeting line
    those deprived in its indicators) to the bin of each line it is eligible for (the cell's
    list ptr / line / bin_)."""
    P = ok.shape[1]
    for c in range(ptr.size - 1):
        tot = 0
        for p in range(P):
            tot += n_sub[c * P + p]
        if tot == 0:  # no household in the cell (about half of them at 10^5): nothing to add
            continue
        for e in range(ptr[c], ptr[c + 1]):
            h = line[e]
            acc = 0
            for p in range(P):
                acc += n_sub[c * P + p] * ok[h, p]
            E[h, bin_[e]] += acc


@numba.njit(cache=True, nogil=True)
def _eligible(hh, K, pat, ok, cells, counts, sc_of):
    """`eligible_counts` in one compiled call: n_sub (`_count`, with the households' subcells
    into sc_of unless empty), then E (`_bins`); counts = (n_sub, E, odd) of `count_arrays`."""
    group, state, mask = hh
    ptr, line, bin_ = cells
    n_sub, E, odd = counts
    _count(group, state, mask, K, pat, ok.shape[1], n_sub, sc_of, odd)
    _bins(ptr, line, bin_, ok, n_sub, E)


@numba.njit(cache=True, nogil=True)
def eligible_needs(hh, counts, sc_of, money, boost):
    """`_eligible` (hh = (households, K, pat, ok, cells), counts of `count_arrays`), then the money's whole beneficiaries
    (`household_money.needs`, money = its arguments but E, `household_money.money_arrays`), then,
    unless boost[2] (D,) is shorter than 2, the enabling boost of the year's reached households
    into it (`household_money.boost_into`, boost = (inv_capacity, ena, out)), in one compiled
    call. Returns the households the partly covered bins draw."""
    households, K, pat, ok, cells = hh
    _eligible(households, K, pat, ok, cells, counts, sc_of)
    sp, hh_lines, stock, u, raw, lines, out, need = money
    total = needs(sp, counts[1], hh_lines, stock, u, raw, lines, out, need)
    inv_capacity, ena, into = boost
    if into.size >= 2:
        boost_into(out[0], inv_capacity, ena, into)
    return total


#: no subcells kept (`eligible_counts`, `household_reach.pick`)
NO_SUBCELLS = np.empty(0, np.uint16)


def count_arrays(tab: Tables, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Zeros for n_sub (C*P,) and E (H, D*T) of `eligible_counts`, and for the odd households'
    counts of n households (C*P,) that `_count` adds into n_sub (int32 below 2³² households;
    numpy's arrays: traced like the others)."""
    CP = (tab.ptr.size - 1) * tab.P
    return (
        np.zeros(CP, np.int64),
        np.zeros((tab.hh.size, tab.D * tab.T), np.int64),
        np.zeros(CP, np.int32 if n < 2**32 else np.int64),
    )


def eligible_counts(tab: Tables, group, state, mask, sc_of=None) -> tuple[np.ndarray, np.ndarray]:
    """Households per subcell n_sub (C*P,) and eligible households per household line and bin
    E (H, D*T) (`household_reach`'s module docstring, step 1); each household's subcell into
    `sc_of` if given (`household_reach.walk_arrays`: `pick` then reads it instead of working it
    out again)."""
    counts = count_arrays(tab, group.size)
    sc_of = NO_SUBCELLS if sc_of is None else sc_of
    _eligible((group, state, mask), tab.K, tab.pat, tab.ok, (tab.ptr, tab.line, tab.bin), counts, sc_of)
    return counts[0], counts[1]


#: `eligible_needs` carries `household_money.needs`'s machine code (numba keys its cache on this
#: file alone)
refresh_caches((household_money, sys.modules[__name__]), "household_count")
