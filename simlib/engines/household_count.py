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
from simlib.engines.household_money import needs
from simlib.engines.household_tables import Tables
from simlib.engines.multidim_numba import refresh_caches


@numba.njit(cache=True, nogil=True)
def _count(group, state, mask, K, pat, P, n_sub, sc_of):
    """Households per subcell s = (g*K + k)*P + pattern of the mask (n_sub (C*P,)), and each
    household's subcell into sc_of (n,) unless it is empty (`household_reach.walk_arrays`)."""
    pm, Ku, Pu = np.uint64(pat.size - 1), np.uint64(K), np.uint64(P)
    if sc_of.size == 0:
        for i in range(group.size):  # unsigned indices: no code for negative ones
            n_sub[(np.uint64(group[i]) * Ku + np.uint64(state[i])) * Pu + np.uint64(pat[mask[i] & pm])] += 1
        return
    for i in range(group.size):
        sc = (np.uint64(group[i]) * Ku + np.uint64(state[i])) * Pu + np.uint64(pat[mask[i] & pm])
        n_sub[sc] += 1
        sc_of[i] = sc


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
def _eligible(hh, K, pat, ok, cells, n_sub, E, sc_of):
    """`eligible_counts` in one compiled call: n_sub (`_count`, with the households' subcells
    into sc_of unless empty), then E (`_bins`), both zero on entry."""
    group, state, mask = hh
    ptr, line, bin_ = cells
    _count(group, state, mask, K, pat, ok.shape[1], n_sub, sc_of)
    _bins(ptr, line, bin_, ok, n_sub, E)


@numba.njit(cache=True, nogil=True)
def eligible_needs(hh, n_sub, E, sc_of, money):
    """`_eligible` (hh = (households, K, pat, ok, cells)), then the money's whole beneficiaries
    (`household_money.needs`, money = its arguments but E, `household_money.money_arrays`) in one compiled call.
    Returns the households the partly covered bins draw."""
    households, K, pat, ok, cells = hh
    _eligible(households, K, pat, ok, cells, n_sub, E, sc_of)
    sp, hh_lines, stock, u, lines, out, need = money
    return needs(sp, E, hh_lines, stock, u, lines, out, need)


#: no subcells kept (`eligible_counts`, `household_reach.pick`)
NO_SUBCELLS = np.empty(0, np.uint16)


def count_arrays(tab: Tables) -> tuple[np.ndarray, np.ndarray]:
    """Zeros for n_sub (C*P,) and E (H, D*T) of `eligible_counts` (numpy's: traced like the
    others)."""
    return np.zeros((tab.ptr.size - 1) * tab.P, np.int64), np.zeros((tab.hh.size, tab.D * tab.T), np.int64)


def eligible_counts(tab: Tables, group, state, mask, sc_of=None) -> tuple[np.ndarray, np.ndarray]:
    """Households per subcell n_sub (C*P,) and eligible households per household line and bin
    E (H, D*T) (`household_reach`'s module docstring, step 1); each household's subcell into
    `sc_of` if given (`household_reach.walk_arrays`: `pick` then reads it instead of working it
    out again)."""
    n_sub, E = count_arrays(tab)
    sc_of = NO_SUBCELLS if sc_of is None else sc_of
    _eligible((group, state, mask), tab.K, tab.pat, tab.ok, (tab.ptr, tab.line, tab.bin), n_sub, E, sc_of)
    return n_sub, E


#: `eligible_needs` carries `household_money.needs`'s machine code (numba keys its cache on this
#: file alone)
refresh_caches((household_money, sys.modules[__name__]), "household_count")
