"""Compiled parts of the multidimensional engines' programme step (`multidim_expected._reach`):
the eligible households by (line, unit, tier) bin from the cells, and the coverage of each
(line, group-state) from its bin's. The same operations in the same order as the numpy forms they
replace (`np.where`, fancy indexing and `np.bincount`, which adds its weights in index order), so
the same bits; no fused multiply-adds (`multidim_numba.plain`, not the engine's `fastmath` decorator).
"""

from __future__ import annotations

import numpy as np

from simlib.engines.multidim_numba import plain


@plain
def _fill_frac(n, sel, lines, frac):
    for s in range(n.shape[0]):
        for i in range(lines.shape[0]):
            li = lines[i]
            for gk in range(n.shape[1]):
                frac[s, li, gk] = sel[s, li, gk] / n[s, gk] if n[s, gk] > 0 else 0.0


@plain
def _bin_sums(n, frac, m_gk, m_lgk, m_bin, E):
    for s in range(n.shape[0]):
        for i in range(m_gk.shape[0]):
            E[s, m_bin[i]] += n[s, m_gk[i]] * frac[s, m_lgk[i]]


def eligible_bins(
    n: np.ndarray, sel: np.ndarray, lines: np.ndarray, index: dict, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Households eligible by bin and the share of each (line, group-state) a line can select.

    Parameters
    ----------
    n : (S, G, K) households by group-state.
    sel : (S, L, G, K) households deprived in a targeting line's indicators (read for `lines`).
    lines : (l,) int64, the lines that target deprived households.
    index : `multidim_expected._index`'s arrays "m_gk", "m_lgk", "m_bin" (one entry per eligible
        (line, group-state)).
    size : number of (line, unit, tier) bins, L x D x T.

    Returns
    -------
    E : (S, size) eligible households by bin: the sum over entries of n[gk] x frac[lgk], in entry
        order (`np.bincount`'s).
    frac : (S, L, G, K) 1, or for a targeting line the share deprived in its indicators (0 where
        a group-state is empty).
    """
    S, L = sel.shape[:2]
    nf = np.ascontiguousarray(n).reshape(S, -1)
    frac = np.ones((S, L, nf.shape[1]))
    if lines.size:
        _fill_frac(nf, np.ascontiguousarray(sel).reshape(S, L, -1), lines, frac)
    E = np.zeros((S, size))
    _bin_sums(nf, frac.reshape(S, -1), index["m_gk"], index["m_lgk"], index["m_bin"], E)
    return E, frac.reshape(sel.shape)


@plain
def _spread(c, frac, m_lgk, m_bin, cov, share):
    for s in range(c.shape[0]):
        for i in range(m_lgk.shape[0]):
            x = c[s, m_bin[i]]
            cov[s, m_lgk[i]] = x
            share[s, m_lgk[i]] = x * frac[s, m_lgk[i]]


def entry_coverage(c: np.ndarray, frac: np.ndarray, index: dict) -> tuple[np.ndarray, np.ndarray]:
    """Coverage of each (line, group-state) from its bin's and the share of its households reached.

    Parameters
    ----------
    c : (S, L x D x T) share of each bin's eligible households reached.
    frac : (S, L, G, K) from `eligible_bins`.
    index : as `eligible_bins`'.

    Returns
    -------
    cov : (S, L, G, K) c of the entry's bin (0 for a (line, group-state) not eligible).
    share : (S, L, G, K) cov x frac (0 where cov is).
    """
    S = c.shape[0]
    cov = np.zeros(frac.shape)
    share = np.zeros(frac.shape)
    _spread(
        np.ascontiguousarray(c),
        frac.reshape(S, -1),
        index["m_lgk"],
        index["m_bin"],
        cov.reshape(S, -1),
        share.reshape(S, -1),
    )
    return cov, share
