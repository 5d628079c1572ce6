"""The expected engine's projection as one compiled loop (numba), for speed.

The same arithmetic as `simlib.engines.expected.YearStep` with the shared programme step
(`simlib.engines.reach`, the numpy reference the stochastic cell-level paths also use), entry by
entry, so the two agree to rounding (tests compare them). One call projects S scenarios for all
years without touching Python between steps (`make bench` measures both). Factors are products
over lines here where the numpy step sums logs. Used by `run_expected` when numba is installed.

Inside the loop the static arguments travel in tuples: `rows` (the distinct affine parts of
the groups' transition matrices, for the moves each state can make), `index` (the expected
engine's classes, `simlib.engines.expected.class_index`, and each (line, unit, tier) bin's
eligible classes and factor entries as gather lists), `lines` (per-line arrays), `people`
(baseline, target group, growth, twins and the moves to them), `money` (where each year's acting
money comes from) — built once per model by `simlib.engines.expected_args` — `year0` (the first
year's eligible and new households, `year_zero`) and `out` (the `EngineOutput` arrays); the
compiled entry point takes them flat, which numba dispatches fastest. Every output is the same to
the bit as the entry-by-entry loop it replaced (sums and products keep their order).
"""

from __future__ import annotations

from functools import partial

import numpy as np

from simlib.engines.expected_args import prepare, rate_rows
from simlib.memo import memoised
from simlib.transitions import NEAR_POOR, POOR

try:  # numba is a dependency; the numpy engine remains the fallback and the reference
    import numba as _numba
except ImportError:  # pragma: no cover
    _numba = None


def _compiled(fn):
    """`fn` compiled by numba (cached on disk) when numba is installed."""
    return _numba.njit(cache=True, nogil=True)(fn) if _numba is not None else fn


@_compiled
def _gather_sums(ptr, at, values, out):
    """out[b] = the sum of values[at[i]] over i from ptr[b] to ptr[b + 1] - 1, in that order."""
    for b in range(out.shape[0]):
        t = 0.0
        for i in range(ptr[b], ptr[b + 1]):
            t += values[at[i]]
        out[b] = t


@_compiled
def _eligible_by_tier(n, index, E, ncl):
    """Households per class, then eligible households E (L, D, T) per line, unit and tier: sums
    over each class's group-states and each bin's classes in ascending order (`grouped`)."""
    _gather_sums(index[1], index[2], n.reshape(-1), ncl)
    _gather_sums(index[3], index[4], ncl, E.reshape(-1))


@_compiled
def _standing(built, y, lines, stock):
    """What earlier years hold in the lines' pools (L, D), `reach.held_stock`: households area
    lines' works of earlier years still serve (straight-line); the share of the eligible
    households a cycle line supported within its cycle."""
    area, life, cycle = lines[7], lines[8], lines[10]
    L, D = stock.shape
    stock[:] = 0.0
    for li in range(L):
        if cycle[li] > 1:
            for v in range(max(0, y - cycle[li] + 1), y):
                for d in range(D):
                    stock[li, d] += built[v, li, d]
            continue
        if not area[li] or life[li] <= 0.0:
            continue
        for v in range(y):
            surv = min(max(1.0 - (y - v) / life[li], 0.0), 1.0)
            for d in range(D):
                stock[li, d] += built[v, li, d] * surv


@_compiled
def _saturating(x, pool, rise):
    """`simlib.engines.reach.saturating` for one number."""
    z = 2.0 * rise * x / pool if pool > 0.0 else 0.0
    r = 2.0 * x / (1.0 + np.sqrt(1.0 + z))
    return min(max(r, 0.0), max(pool, 0.0))


@_compiled
def _beneficiaries(E, sp, lines, stock, reached, elig, cov, old):
    """New beneficiaries bought in the reachable pool (diminishing returns), filled tier by tier
    (area lines: every tier in proportion); coverage per tier, new and by standing works."""
    hh, cap, unit_cost, ms, area, rise, cycle = lines[0], lines[1], lines[3], lines[4], lines[7], lines[9], lines[10]
    L, D, T = E.shape
    for li in range(L):
        for d in range(D):
            if hh[li]:
                tot = 0.0
                for t in range(T):
                    tot += E[li, d, t]
            else:
                tot = cap[li, d]
            elig[li, d] = tot
            ceiling = tot * ms[li]
            standing = min(stock[li, d], ceiling) if area[li] else 0.0
            left = 1.0 - min(max(stock[li, d], 0.0), 1.0) if cycle[li] > 1 else 1.0
            r = _saturating(sp[li, d] / unit_cost[li], ceiling * left - standing, rise[li])
            reached[li, d] = r
            before = 0.0
            for t in range(T):
                if E[li, d, t] <= 0.0:
                    cov[li, d, t] = 0.0
                    old[li, d, t] = 0.0
                elif area[li]:
                    cov[li, d, t] = r / tot
                    old[li, d, t] = standing / tot
                else:
                    room = E[li, d, t] * ms[li] * left
                    got = min(max(r - before, 0.0), room)
                    before += room
                    cov[li, d, t] = got / E[li, d, t]
                    old[li, d, t] = 0.0


@_compiled
def _record(reached, elig, lines, out):
    """`reach.record` of a year: households area lines newly served, shares cycle lines supported."""
    area, cycle = lines[7], lines[10]
    L, D = reached.shape
    out[:] = 0.0
    for li in range(L):
        for d in range(D):
            if area[li]:
                out[li, d] = reached[li, d]
            elif cycle[li] > 1 and elig[li, d] > 0.0:
                out[li, d] = reached[li, d] / elig[li, d]


@_compiled
def _moves(n, cov, people, after, share):
    """Households after the once-per-household line moved those it reached to their twins
    (`after`), and the share of each twin group-state reached anew (`share`)."""
    src, dst, cov_bin, twins = people[7], people[8], people[9], people[10]
    nf, af, sf, cf = n.reshape(-1), after.reshape(-1), share.reshape(-1), cov.reshape(-1)
    af[:] = nf
    sf[:] = 0.0
    for i in range(src.shape[0]):
        moved = cf[cov_bin[i]] * nf[src[i]]
        af[src[i]] -= moved
        af[dst[i]] += moved
        sf[dst[i]] = moved
    for i in twins:
        if sf[i] != 0.0:  # 0 / after is 0 (after > 0) and 0 stays 0 otherwise
            sf[i] = sf[i] / af[i] if af[i] > 0.0 else 0.0


@_compiled
def _effect_pairs(reached, eff, lines, cov, old, t_line, boost, kc, u, up):
    """The enabling boost per unit, then effect pairs (L, D, K, 2) after it: every channel (u), the
    protective ones (up): 1 - the product of the channels' kept shares in channel order (channel
    lists in `lines`, padded with -1); 0 for a line without effects. Only pairs read later: cells
    with coverage, new or standing (`_factors`), and the once-per-household line's."""
    inv_cap, ena, effch, prot = lines[2], lines[5], lines[6], lines[11]
    L, D, NCH = kc.shape
    K, T, Q = u.shape[2], cov.shape[2], effch.shape[2]
    boost[:] = 0.0
    for li in range(L):
        for d in range(D):
            boost[d] += reached[li, d] * inv_cap[li, d] * ena[li]
    for li in range(L):
        none = True
        for ch in range(NCH):
            none = none and eff[li, ch] == 0.0
        if none:  # every kept share is 1.0 - min(0.0, 0.99) = 1.0
            u[li] = 0.0
            up[li] = 0.0
            continue
        for d in range(D):
            read, t = li == t_line, 0
            while not read and t < T:
                read = cov[li, d, t] != 0.0 or old[li, d, t] != 0.0
                t += 1
            if not read:
                continue
            kcd, ud, upd = kc[li, d], u[li, d], up[li, d]
            for ch in range(NCH):
                kcd[ch] = 1.0 - min(eff[li, ch] * (1.0 + boost[d]), 0.99)
            for k in range(K):
                for j in range(2):
                    keep, keep_p = 1.0, 1.0
                    for q in range(Q):
                        if effch[k, j, q] < 0:
                            break
                        keep *= kcd[effch[k, j, q]]
                    for q in range(Q):
                        if prot[k, j, q] < 0:
                            break
                        keep_p *= kcd[prot[k, j, q]]
                    ud[k, j] = 1.0 - keep
                    upd[k, j] = 1.0 - keep_p


@_compiled
def _factors(cov, old, u, up, index, fac, miss):
    """Factors F1, F2 per class and the production-support misses: products over lines (the numpy
    reference sums logs), the once-per-household line's entries left out (its households moved).
    Bin by bin over the (line, unit, tier) bins some money reaches (the others' factors are 1),
    then the bin's entries (`index`: class, flat (line, unit, state) pair, production-support
    flag); a class has one entry per line, so its products take their factors in line order."""
    fb_ptr, fb_cls, fb_pair, fb_ps = index[5], index[6], index[7], index[8]
    cv, ol, uf, upf = cov.reshape(-1), old.reshape(-1), u.reshape(-1), up.reshape(-1)
    fac[:] = 1.0
    miss[:] = 1.0
    for b in range(cv.shape[0]):
        ce, co = cv[b], ol[b]
        if ce == 0.0 and co == 0.0:  # a factor of 1.0 - 0.0 - 0.0 = 1.0 (pairs are finite)
            continue
        for i in range(fb_ptr[b], fb_ptr[b + 1]):
            c, p = fb_cls[i], fb_pair[i]
            fac[c, 0] *= 1.0 - ce * uf[p] - co * upf[p]
            fac[c, 1] *= 1.0 - ce * uf[p + 1] - co * upf[p + 1]
            if fb_ps[i]:
                miss[c] *= 1.0 - ce


@_compiled
def _new_households(n, people, entries, size):
    """New households (G, K) of the year from the households `n` at its start: growth x the
    group's households (never housed: a twin's households count for its base group)."""
    growth, entry, twin, g_housed = people[3], people[4], people[6], people[13]
    G, K = n.shape
    for g in range(G):
        size[g] = 0.0
        for k in range(K):
            size[g] += n[g, k]
    for g in range(G):
        base = 0.0 if g_housed[g] else size[g]
        if twin[g] >= 0:
            base += size[twin[g]]
        for j in range(K):
            entries[g, j] = growth * base * entry[j]


@_compiled
def _production_support(n, cls, miss, cells):
    """The production-support target group's households (`cells`, flat (group, state) in
    ascending order) supported and wanting support (before the wanting share)."""
    nf = n.reshape(-1)
    sup = 0.0
    wanting = 0.0
    for gk in cells:
        sup += nf[gk] * (1.0 - miss[cls[gk]])
        wanting += nf[gk]
    return sup, wanting


@_compiled
def _cell_factors(share, cls, fac, u, up, people, F1, F2):
    """Factors F1, F2 (K, G) of each group-state: its class's, and for a housed twin's also the
    once-per-household line's (the share reached anew this year at full effect, the others at
    the protective effects of earlier years)."""
    g_unit, housed, t_line = people[5], people[11], people[12]
    K, G = F1.shape
    for k in range(K):
        for g in range(G):
            c = cls[g * K + k]
            F1[k, g] = fac[c, 0]
            F2[k, g] = fac[c, 1]
    if t_line < 0:
        return
    for g in housed:
        d = g_unit[g]
        for k in range(K):
            s = share[g, k]
            F1[k, g] *= 1.0 - s * u[t_line, d, k, 0] - (1.0 - s) * up[t_line, d, k, 0]
            F2[k, g] *= 1.0 - s * u[t_line, d, k, 1] - (1.0 - s) * up[t_line, d, k, 1]


@_compiled
def _transitions(n, after, rows, ps, F1, F2, moving, flows, entries, states, scratch):
    """Flows (G, K, K) of the households `after` the year's moves and the households at the review
    (flows in plus new households `entries`) into `states` and `n`. `rows` (`rate_rows`): each
    group's row of the distinct affine parts for the moves each state can make (the others' flows
    are after x 0.0 and add nothing). One move (k, j) at a time over all groups, origins k in
    ascending order: each review sum adds its flows in state order; the flows (`moving`) are then
    written row by row, unless `scratch` (a sweep that keeps no flows)."""
    row_of, compact, dest = rows
    G, K = n.shape
    Q = dest.shape[1]
    tab = compact[:, ps]
    states[:] = 0.0
    for k in range(K):
        for q in range(Q):
            j = dest[k, q]
            if j < 0:
                break
            clamp = j == NEAR_POOR and (k == POOR or k == NEAR_POOR)  # never a negative share
            f1, f2, out = F1[k], F2[k], moving[k, q]
            for g in range(G):
                r = row_of[g]
                p = tab[0, r, k, q] + tab[1, r, k, q] * f1[g] + tab[2, r, k, q] * f2[g]
                if clamp:
                    p = max(p, 0.0)
                flow = after[g, k] * p
                states[g, j] += flow
                out[g] = flow
    if not scratch:
        for g in range(G):
            for k in range(K):
                z = after[g, k] * 0.0
                for j in range(K):
                    flows[g, k, j] = z
                for q in range(Q):
                    j = dest[k, q]
                    if j < 0:
                        break
                    flows[g, k, j] = moving[k, q, g]
    for g in range(G):
        for j in range(K):
            n[g, j] = states[g, j] + entries[g, j]
            states[g, j] = n[g, j]


@_compiled
def _acting_money(spend, y, money, sp):
    """`reach.acting_money` of one scenario's spending (Y+1, L, D) for projected year `y`:
    each line's money (plus the other programmes') from `lag` years earlier, 0 before the start."""
    year, ok, others = money
    L, D = sp.shape
    for li in range(L):
        v, keep = year[y, li], ok[y, li]
        for d in range(D):
            x = spend[v, li, d] + others[v, li, d] if others.shape[0] else spend[v, li, d]
            sp[li, d] = x * keep


@_compiled
def _loop(spend, eff, rows, index, lines, people, money, year0, out, scratch):
    """All scenarios and years (see the module docstring for the argument tuples)."""
    states, flows, entries, reached, elig, ps_sup, ps_want = out
    n0, ps_cells, want_share, t_line = people[0], people[1], people[2], people[12]
    S, Y, L, D = spend.shape[0], money[0].shape[0], spend.shape[2], spend.shape[3]
    G, K = n0.shape
    T = index[10]
    n, after, share, size, ncl = np.empty((G, K)), np.empty((G, K)), np.empty((G, K)), np.empty(G), np.empty(index[9])
    E, cov, old = np.empty((L, D, T)), np.empty((L, D, T)), np.empty((L, D, T))
    sp, built, stock = np.empty((L, D)), np.empty((Y, L, D)), np.empty((L, D))
    boost, kc = np.empty(D), np.empty((L, D, eff.shape[2]))
    u, up = np.empty((L, D, K, 2)), np.empty((L, D, K, 2))
    fac, miss = np.empty((index[9], 2)), np.empty(index[9])
    F1, F2, moving = np.empty((K, G)), np.empty((K, G)), np.empty((K, rows[2].shape[1], G))
    for s in range(S):
        fs = s if flows.shape[0] > 1 else 0  # flows may be a one-scenario scratch buffer
        es = s if eff.shape[0] > 1 else 0
        ps = s if rows[1].shape[1] > 1 else 0
        n[:] = n0
        states[s, 0] = n0
        built[:] = 0.0
        for y in range(Y):
            fy = y if flows.shape[1] > 1 else 0
            if y == 0:  # the year from the baseline: the same for every scenario (`year_zero`)
                E[:] = year0[0]
            else:
                _eligible_by_tier(n, index, E, ncl)
            _acting_money(spend[s], y, money, sp)
            _standing(built, y, lines, stock)
            _beneficiaries(E, sp, lines, stock, reached[s, y], elig[s, y], cov, old)
            _record(reached[s, y], elig[s, y], lines, built[y])
            _moves(n, cov, people, after, share)
            _effect_pairs(reached[s, y], eff[es], lines, cov, old, t_line, boost, kc, u, up)
            _factors(cov, old, u, up, index, fac, miss)
            if y == 0:
                entries[s, y] = year0[1]
            else:
                _new_households(n, people, entries[s, y], size)
            sup, wanting = _production_support(n, index[0], miss, ps_cells)
            ps_sup[s, y] = sup
            ps_want[s, y] = want_share * wanting
            _cell_factors(share, index[0], fac, u, up, people, F1, F2)
            _transitions(n, after, rows, ps, F1, F2, moving, flows[fs, fy], entries[s, y], states[s, y + 1], scratch)


#: the lengths of the argument tuples built by `simlib.engines.expected_args.prepare`, in order
INDEX, LINES, PEOPLE = 11, 12, 14


def _project_python(*a):  # compiled below; flat arguments keep numba's dispatch on its fast path
    # spending, effects, then the tuples (literal bounds: numba slices a tuple only so): rows (3),
    # index (INDEX), lines (LINES), people (PEOPLE), money (3), year0 (2), out (7), then scratch
    _loop(a[0], a[1], a[2:5], a[5:16], a[16:28], a[28:42], a[42:45], a[45:47], a[47:54], a[54])


_project = _numba.njit(cache=True, nogil=True)(_project_python) if _numba is not None else None


def available() -> bool:
    return _project is not None


def year_zero(model, ix: dict) -> tuple[np.ndarray, np.ndarray]:
    """The first projected year's eligible households (L, D, T) and new households (G, K): they
    depend on the baseline only, so they are computed once per model (cached on it)."""

    def build():
        args = prepare(model, ix)
        index, people = args[:INDEX], args[INDEX + LINES : INDEX + LINES + PEOPLE]
        n0 = people[0]
        E = np.empty((len(model.line_codes), len(model.unit_ids), model.n_tiers))
        entries = np.empty(n0.shape)
        _eligible_by_tier(n0, index, E, np.empty(index[9]))
        _new_households(n0, people, entries, np.empty(n0.shape[0]))
        return E, entries

    return memoised(model, "expected_jit.year_zero", build)


def _own_rates_arguments(model, ix: dict) -> tuple:
    """Every argument after the spending and effects for the model's own rates: their table
    (`rate_rows` of the distinct groups), the static arguments and the first year's counts."""
    return rate_rows(model.params.affine, True) + prepare(model, ix) + year_zero(model, ix)


def project(model, ix: dict, spend: np.ndarray, eff: np.ndarray, parts: np.ndarray, out, keep_flows=True) -> None:
    """Fill the arrays of `out` (an `EngineOutput`; without `keep_flows` its flows are a
    one-scenario scratch buffer, left unwritten) for this programme's spending `spend`
    (S, Y+1, L, D) (what acts in each year: `reach.acting_money`, computed in the loop) with the
    affine parts `parts` (the model's own, `model.params.affine`, or those of drawn rates; their
    tables: `simlib.engines.expected_args`)."""
    c = np.ascontiguousarray
    if parts is model.params.affine:  # the model's own rates: everything is built once
        static = memoised(model, "expected_jit.own_rates", partial(_own_rates_arguments, model, ix))
    else:
        static = rate_rows(np.asarray(parts, dtype=float), False) + prepare(model, ix) + year_zero(model, ix)
    _project(c(spend, dtype=float), c(eff, dtype=float), *static, *out.arrays(), not keep_flows)
