"""The multidimensional engines' programme step on the cells (`multidim_expected._reach`): the
eligible households by (line, unit, tier) bin, the beneficiaries and the coverage of each (line,
group-state) from its bin's. The same operations in the same order as the numpy forms they
replace (`np.where`, fancy indexing and `np.bincount`, which adds its weights in index order;
`simlib.engines.reach.beneficiaries`), so the same bits; no fused multiply-adds
(`multidim_numba.plain`, not the engine's `fastmath` decorator). `programme_bins` makes the whole
step in one call into working arrays made once per run (issue 18: the Python between the
compiled years keeps both cores waiting); `reach_apart` is the same step call by call.
`held_into` is what earlier years hold in the pools (`reach.held_stock`'s einsum, compiled).
"""

from __future__ import annotations

from functools import partial

import numpy as np

from simlib.engines.multidim_numba import plain
from simlib.engines.reach import beneficiaries, coverage_shares, cycle_line, record
from simlib.memo import memoised


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
    index : `entry_index`'s arrays "m_gk", "m_lgk", "m_bin" (one entry per eligible
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


# --- the programme step in one call (`multidim_expected._reach`) --------------------------------


@plain
def _eligible_sums(n, sel, frow, bin_of, frac, E):
    """E (S, bins) from zero: for each eligible (line, group-state) in (line, group-state) order
    (`np.nonzero`'s, as `_bin_sums`' entries) n x the share a targeting line can select (frow[li]
    its row of frac (S, lines, GK), written here; -1: 1.0, as `_fill_frac` leaves it)."""
    S, L, GK = n.shape[0], bin_of.shape[0], bin_of.shape[1]
    E[:] = 0.0
    for s in range(S):
        for li in range(L):
            f = frow[li]
            if f >= 0:
                for gk in range(GK):
                    frac[s, f, gk] = sel[s, li, gk] / n[s, gk] if n[s, gk] > 0 else 0.0
            for gk in range(GK):
                b = bin_of[li, gk]
                if b >= 0:
                    E[s, b] += n[s, gk] * (frac[s, f, gk] if f >= 0 else 1.0)


@plain
def _pool(ceiling, stock, area, cyc):
    """`reach.pool_left` of one (line, unit): (pool, standing)."""
    standing = min(stock * (1.0 if area else 0.0), ceiling)
    held = ceiling * min(max(stock, 0.0), 1.0) if cyc else 0.0
    return ceiling - standing - held, standing


@plain
def _saturating(x, pool, rise):
    """`reach.saturating` of one (line, unit)."""
    z = 2.0 * rise * x / pool if pool > 0 else 0.0
    return min(max(2.0 * x / (1.0 + np.sqrt(1.0 + z)), 0.0), max(pool, 0.0))


@plain
def _unit_reach(Eb, sp, stock, cap, hh, area, cyc, ms, uc, rise, c):
    """`reach.beneficiaries` and `coverage_shares` of one (line, unit) with eligible households
    Eb (T,) by tier: (reached, eligible), and the share of each tier reached into c (T,)."""
    T = Eb.shape[0]
    eligible = cap
    if hh:
        eligible = 0.0
        for t in range(T):
            eligible += Eb[t]
    ceiling = eligible * ms
    pool, _ = _pool(ceiling, stock, area, cyc)
    reached = _saturating(sp / uc, pool, rise)
    left = pool / ceiling if not area and ceiling > 0 else 1.0
    room = ms * left
    before = 0.0
    for t in range(T):
        e = Eb[t] * room
        before = e if t == 0 else before + e  # `np.cumsum`: the first term copied
        if area:
            share = Eb[t] / eligible if eligible > 0 else 0.0
            covered = reached * share
        else:
            covered = min(max(reached - (before - e), 0.0), e)
        c[t] = covered / Eb[t] if Eb[t] > 0 else 0.0
    return reached, eligible


@plain
def _reach_bins(E, sp, stock, cap, kinds, params, reached, eligible, c, rec):
    """`_unit_reach` of every (scenario, line, unit): E and c (S, L, D, T), sp, stock, reached and
    eligible (S, L, D), cap (L, D), kinds (3, L) bool (household, area, cycle line), params (3, L)
    (take-up ceiling, unit cost, cost rise); rec (S, L, D) what the year leaves for later years'
    pools (`reach.record`: the households an area line reached, the share of the eligible a
    cycle line reached, else 0)."""
    S, L, D = sp.shape
    for s in range(S):
        for li in range(L):
            hh, area, cyc = kinds[0, li], kinds[1, li], kinds[2, li]
            ms, uc, rise = params[0, li], params[1, li], params[2, li]
            for d in range(D):
                r, e = _unit_reach(
                    E[s, li, d], sp[s, li, d], stock[s, li, d], cap[li, d], hh, area, cyc, ms, uc, rise, c[s, li, d]
                )
                reached[s, li, d], eligible[s, li, d] = r, e
                rec[s, li, d] = r if area else ((r / e if e > 0 else 0.0) if cyc else 0.0)


@plain
def held_into(hist, y, weight, stock):
    """`reach.held_stock` of projected year y into stock (S, L, D): the sum over the years v < y
    of hist (S, Y, L, D) x weight (y, L) (`reach.held_weight`), added in year order from 0.0 (the
    order of the einsum there: tests/test_mdserial2_programme.py)."""
    S, L, D = stock.shape
    for s in range(S):
        for li in range(L):
            for d in range(D):
                acc = 0.0
                for v in range(y):
                    acc += hist[s, v, li, d] * weight[v, li]
                stock[s, li, d] = acc


@plain
def _spread_all(c, frac, frow, bin_of, ps, cov, share):
    """cov (S, L, GK): c (S, bins) of each entry's bin, 0 where not eligible (every entry
    written); share (S, P, GK) cov x the share selectable of the lines ps (P,)."""
    S, L, GK = c.shape[0], bin_of.shape[0], bin_of.shape[1]
    for s in range(S):
        for li in range(L):
            for gk in range(GK):
                b = bin_of[li, gk]
                cov[s, li, gk] = c[s, b] if b >= 0 else 0.0
        for p in range(ps.shape[0]):
            li = ps[p]
            f = frow[li]
            for gk in range(GK):
                x = cov[s, li, gk]
                share[s, p, gk] = (x * frac[s, f, gk] if f >= 0 else x * 1.0) if bin_of[li, gk] >= 0 else 0.0


@plain
def programme_bins(n, sel, sp, stock, static, work):
    """The programme step's compiled part in one call (`multidim_expected._reach`): eligible
    households by bin (`eligible_bins`), beneficiaries (`reach.beneficiaries`, without the standing
    works' households), the share of each bin reached (`reach.coverage_shares`) and its spread to
    the entries (`entry_coverage`), for the production-support lines only as shares, and the
    year's `reach.record`. The same operations in the same order as those numpy forms.

    n (S, GK), sel (S, L, GK), sp and stock (S, L, D); static = (frow (L,), bin_of (L, GK) int32,
    -1 where not eligible, cap (L, D), kinds (3, L), params (3, L), ps (P,)); work = (frac, E
    (S, L, D, T), reached, eligible, c (S, L, D, T), cov (S, L, GK), share (S, P, GK), rec (S, L,
    D)), written."""
    frow, bin_of, cap, kinds, params, ps = static
    frac, E, reached, eligible, c, cov, share, rec = work
    S = n.shape[0]
    _eligible_sums(n, sel, frow, bin_of, frac, E.reshape(S, -1))
    _reach_bins(E, sp, stock, cap, kinds, params, reached, eligible, c, rec)
    _spread_all(c.reshape(S, -1), frac, frow, bin_of, ps, cov, share)


def _build_index(structure) -> dict:
    L, G, K = structure.eligible.shape
    D, T = len(structure.unit_ids), structure.n_tiers
    m_line, m_g, m_k = np.nonzero(structure.eligible)
    m_bin = (m_line * D + structure.g_unit[m_g]) * T + structure.tier[m_line, m_g, m_k]
    return {"m_bin": m_bin, "m_gk": m_g * K + m_k, "m_lgk": m_line * (G * K) + m_g * K + m_k}


def entry_index(structure) -> dict:
    """One entry per eligible (line, group-state): its group-state, (line, group-state) and
    (line, unit, tier) bin (cached on the structure). The multidimensional engine works per
    group-state, as deprivation masks differ within the classes the states engine merges."""
    return memoised(structure, "multidim_expected.index", partial(_build_index, structure))


def programme_static(model, lines: np.ndarray) -> tuple:
    """`programme_bins`' static arrays of a model: each line's row of the shares selectable (-1:
    not one of the targeting `lines`), each (line, group-state)'s bin (-1: not eligible,
    `entry_index`), the units' capacities, the lines' kinds and parameters, the
    production-support lines."""
    s, p = model.structure, model.params
    L, G, K = s.eligible.shape
    frow = np.full(L, -1, np.int64)
    frow[lines] = np.arange(lines.size)
    index = entry_index(s)
    bin_of = np.full(L * G * K, -1, np.int32)
    bin_of[index["m_lgk"]] = index["m_bin"]
    kinds = np.stack([s.household_line, s.area_line, cycle_line(model)]).astype(np.bool_)
    params = np.stack([p.max_share, p.unit_cost, p.cost_rise]).astype(float)
    cap = np.ascontiguousarray(s.capacity_units, dtype=float)
    return frow, bin_of.reshape(L, G * K), cap, kinds, params, np.flatnonzero(model.ps_lines).astype(np.int64)


def programme_work(model, static: tuple, S: int) -> tuple:
    """`programme_bins`' working arrays for S scenarios (each call writes every entry: made once
    per run) for the model's `programme_static` arrays."""
    L, G, K = model.structure.eligible.shape
    D, T = len(model.unit_ids), model.n_tiers
    frow, ps = static[0], static[5]
    e = np.empty
    nt = int((frow >= 0).sum())
    return (
        e((S, nt, G * K)),
        e((S, L, D, T)),
        e((S, L, D)),
        e((S, L, D)),
        e((S, L, D, T)),
        e((S, L, G * K)),
        e((S, ps.size, G * K)),
        e((S, L, D)),
    )


def reach_cells(model, lines_static: tuple, n, sel, sp, stock, work=None) -> tuple:
    """The programme step on the cells n (S, G, K) with the households `sel` (S, L, G, K) each
    targeting line can select, money sp and what earlier years hold stock (S, L, D), in one call
    (`programme_bins`, into `work`: `programme_work`'s, new if None); lines_static = (the
    targeting lines, `programme_static`). Returns (new beneficiaries (S, L, D), eligible (S, L,
    D), coverage of the selectable households (S, L, G, K), share of all households reached by
    the production-support lines (S, P, G, K), the year's `reach.record` (S, L, D));
    `reach_apart`'s bits."""
    lines, static = lines_static
    S, L = sel.shape[:2]
    if model.n_tiers >= 8:
        return reach_apart(model, lines, n, sel, sp, stock)
    work = programme_work(model, static, S) if work is None else work
    c = np.ascontiguousarray
    nf, sf = c(n, dtype=float).reshape(S, -1), c(sel, dtype=float).reshape(S, L, -1)
    programme_bins(nf, sf, c(sp, dtype=float), c(stock, dtype=float), static, work)
    return work[2], work[3], work[5].reshape(sel.shape), work[6].reshape((S, -1) + n.shape[1:]), work[7]


def reach_apart(model, lines: np.ndarray, n, sel, sp, stock) -> tuple:
    """`reach_cells` call by call (`eligible_bins`, `reach.beneficiaries`, `coverage_shares`,
    `entry_coverage`): for plans with eight tiers or more, whose sums over the tiers numpy adds
    pairwise (`programme_bins` adds them in order, as numpy does below eight)."""
    L, D, T = model.eligible.shape[0], len(model.unit_ids), model.n_tiers
    S = n.shape[0]
    ix = entry_index(model.structure)
    E, frac = eligible_bins(n, sel, lines, ix, L * D * T)  # frac: 1, or the share deprived
    r = beneficiaries(model, sp, E.reshape(S, L, D, T), stock=stock)  # standing works only narrow the pool here
    c = coverage_shares(r.covered, E.reshape(S, L, D, T)).reshape(S, L * D * T)
    cov_lgk, share = entry_coverage(c, frac, ix)
    return (
        r.reached,
        r.eligible,
        cov_lgk,
        share[:, np.flatnonzero(model.ps_lines)],
        record(model, r.reached, r.eligible),
    )
