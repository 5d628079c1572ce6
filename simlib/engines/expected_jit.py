"""The expected engine's projection as one compiled loop (numba), for speed.

The same arithmetic as `simlib.engines.expected.YearStep` with the shared programme step
(`simlib.engines.reach`, the numpy reference the stochastic cell-level paths also use), entry by
entry and in the same summation order, so the two agree to rounding (tests compare them). One
call projects S scenarios for all years without touching Python between steps — several times
faster than the numpy step for one scenario, and more for sweeps (`make bench` measures both).
Factors are products over lines here where the numpy step sums logs; the two agree to rounding.
Used by `run_expected` when numba is installed.

Inside the loop the static arguments travel in four tuples: `index` (the expected engine's
classes and their eligible (class, line) entries, `simlib.engines.expected.class_index`), `lines`
(per-line arrays), `people` (baseline, target group, growth) and `out` (the `EngineOutput`
arrays); the compiled entry point takes them flat, which numba dispatches fastest.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from simlib.memo import memoised
from simlib.transitions import EFFECT_CHANNELS, ENA, NEAR_POOR, POOR

try:  # numba is a dependency; the numpy engine remains the fallback and the reference
    import numba as _numba
except ImportError:  # pragma: no cover
    _numba = None


def _compiled(fn):
    """`fn` compiled by numba (cached on disk) when numba is installed."""
    return _numba.njit(cache=True, nogil=True)(fn) if _numba is not None else fn


@_compiled
def _eligible_by_tier(n, index, E, ncl):
    """Households per class, then eligible households E (L, D, T) per line, unit and tier."""
    cls, e_cls, e_line, e_unit, e_tier = index[0], index[1], index[2], index[3], index[5]
    G, K = n.shape
    ncl[:] = 0.0
    for g in range(G):
        for k in range(K):
            ncl[cls[g * K + k]] += n[g, k]
    E[:] = 0.0
    for e in range(e_cls.shape[0]):
        E[e_line[e], e_unit[e], e_tier[e]] += ncl[e_cls[e]]


@_compiled
def _beneficiaries(E, sp, lines, reached, elig, cov):
    """min(spend / unit cost, eligible x take-up), filled tier by tier; coverage per tier."""
    hh, cap, unit_cost, ms = lines[0], lines[1], lines[3], lines[4]
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
            r = min(sp[li, d] / unit_cost[li], tot * ms[li])
            reached[li, d] = r
            before = 0.0
            for t in range(T):
                room = E[li, d, t] * ms[li]
                got = min(max(r - before, 0.0), room)
                before += room
                cov[li, d, t] = got / E[li, d, t] if E[li, d, t] > 0 else 0.0


@_compiled
def _effect_pairs(reached, eff, lines, boost, kc, u):
    """The enabling boost per unit, then effect pairs u (L, D, K, 2) after it (channels per
    state from EFFECT_CHANNELS, given as index lists)."""
    inv_cap, ena, effch = lines[2], lines[5], lines[6]
    L, D, NCH = kc.shape
    K = u.shape[2]
    boost[:] = 0.0
    for li in range(L):
        for d in range(D):
            boost[d] += reached[li, d] * inv_cap[li, d] * ena[li]
    for li in range(L):
        for d in range(D):
            for ch in range(NCH):
                kc[li, d, ch] = 1.0 - min(eff[li, ch] * (1.0 + boost[d]), 0.99)
            for k in range(K):
                for j in range(2):
                    keep = 1.0
                    for q in range(effch.shape[2]):
                        ch = effch[k, j, q]
                        if ch >= 0:
                            keep *= kc[li, d, ch]
                    u[li, d, k, j] = 1.0 - keep


@_compiled
def _factors(cov, u, index, fac, miss):
    """Factors F1, F2 per class and the production-support misses: products over lines (the
    numpy reference sums logs; equal to rounding, and no transcendental calls here)."""
    e_cls, e_line, e_unit, e_k, e_tier, e_ps = index[1], index[2], index[3], index[4], index[5], index[6]
    fac[:] = 1.0
    miss[:] = 1.0
    for e in range(e_cls.shape[0]):
        li, d, k = e_line[e], e_unit[e], e_k[e]
        ce = cov[li, d, e_tier[e]]
        fac[e_cls[e], 0] *= 1.0 - ce * u[li, d, k, 0]
        fac[e_cls[e], 1] *= 1.0 - ce * u[li, d, k, 1]
        if e_ps[e]:
            miss[e_cls[e]] *= 1.0 - ce


@_compiled
def _transitions(n, cls, fac, miss, parts, ps, people, flows, entries):
    """Flows (G, K, K) and new households (G, K) of the year; returns the production-support
    target group's households supported and wanting (before the wanting share)."""
    ps_target, growth, entry = people[1], people[3], people[4]
    G, K = n.shape
    sup = 0.0
    wanting = 0.0
    for g in range(G):
        size = 0.0
        for k in range(K):
            size += n[g, k]
        for k in range(K):
            c = cls[g * K + k]
            if ps_target[g, k]:
                sup += n[g, k] * (1.0 - miss[c])
                wanting += n[g, k]
            for j in range(K):
                p = parts[0, ps, g, k, j] + parts[1, ps, g, k, j] * fac[c, 0] + parts[2, ps, g, k, j] * fac[c, 1]
                if (k == POOR and j == NEAR_POOR) or (k == NEAR_POOR and j == NEAR_POOR):
                    p = max(p, 0.0)
                flows[g, k, j] = n[g, k] * p
        for j in range(K):
            entries[g, j] = growth * size * entry[j]
    return sup, wanting


@_compiled
def _advance(n, flows, entries, states):
    """Households at the review: flows in plus new households."""
    G, K = n.shape
    for g in range(G):
        for j in range(K):
            acc = 0.0
            for k in range(K):
                acc += flows[g, k, j]
            n[g, j] = acc + entries[g, j]
            states[g, j] = n[g, j]


@_compiled
def _loop(sp_all, eff, parts, index, lines, people, out):
    """All scenarios and years (see the module docstring for the argument tuples)."""
    states, flows, entries, reached, elig, ps_sup, ps_want = out
    n0, want_share = people[0], people[2]
    S, Y, L, D = sp_all.shape
    G, K = n0.shape
    n, ncl = np.empty((G, K)), np.empty(index[7])
    E, cov = np.empty((L, D, index[8])), np.empty((L, D, index[8]))
    boost, kc, u = np.empty(D), np.empty((L, D, eff.shape[2])), np.empty((L, D, K, 2))
    fac, miss = np.empty((index[7], 2)), np.empty(index[7])
    for s in range(S):
        fs = s if flows.shape[0] > 1 else 0  # flows may be a one-scenario scratch buffer
        es = s if eff.shape[0] > 1 else 0
        ps = s if parts.shape[1] > 1 else 0
        for g in range(G):
            for k in range(K):
                n[g, k] = n0[g, k]
                states[s, 0, g, k] = n0[g, k]
        for y in range(Y):
            fy = y if flows.shape[1] > 1 else 0
            _eligible_by_tier(n, index, E, ncl)
            _beneficiaries(E, sp_all[s, y], lines, reached[s, y], elig[s, y], cov)
            _effect_pairs(reached[s, y], eff[es], lines, boost, kc, u)
            _factors(cov, u, index, fac, miss)
            sup, wanting = _transitions(n, index[0], fac, miss, parts, ps, people, flows[fs, fy], entries[s, y])
            _advance(n, flows[fs, fy], entries[s, y], states[s, y + 1])
            ps_sup[s, y] = sup
            ps_want[s, y] = want_share * wanting


def _project_python(
    sp_all,
    eff,
    parts,
    cls,
    e_cls,
    e_line,
    e_unit,
    e_k,
    e_tier,
    e_ps,
    n_cls,
    T,
    hh,
    cap,
    inv_cap,
    unit_cost,
    ms,
    ena,
    effch,
    n0,
    ps_target,
    want_share,
    growth,
    entry,
    states,
    flows,
    entries,
    reached,
    elig,
    ps_sup,
    ps_want,
):  # compiled below; flat arguments keep numba's dispatch on its fast path (arrays and numbers)
    index = (cls, e_cls, e_line, e_unit, e_k, e_tier, e_ps, n_cls, T)
    lines = (hh, cap, inv_cap, unit_cost, ms, ena, effch)
    people = (n0, ps_target, want_share, growth, entry)
    _loop(sp_all, eff, parts, index, lines, people, (states, flows, entries, reached, elig, ps_sup, ps_want))


_project = _numba.njit(cache=True, nogil=True)(_project_python) if _numba is not None else None


def _channel_lists() -> np.ndarray:
    """EFFECT_CHANNELS as index lists (K, 2, max channels), padded with -1."""
    width = int(EFFECT_CHANNELS.sum(axis=-1).max())
    out = np.full(EFFECT_CHANNELS.shape[:2] + (width,), -1, dtype=np.int64)
    for k in range(EFFECT_CHANNELS.shape[0]):
        for j in range(2):
            chans = np.flatnonzero(EFFECT_CHANNELS[k, j])
            out[k, j, : len(chans)] = chans
    return out


def available() -> bool:
    return _project is not None


def _static_arguments(model, ix: dict) -> tuple:
    """The loop's arguments after the spending, effects and rates: index, lines, people (flat)."""
    L, G, K = model.eligible.shape
    D, T = len(model.unit_ids), model.n_tiers
    e_bin = ix["e_bin"]
    c = np.ascontiguousarray
    index = (
        c(ix["cls"], dtype=np.int64),
        c(ix["e_cls"], dtype=np.int64),
        c(e_bin // (D * T), dtype=np.int64),
        c((e_bin // T) % D, dtype=np.int64),
        c((ix["pair"][:, 0] // 2) % K, dtype=np.int64),
        c(e_bin % T, dtype=np.int64),
        c(ix["e_ps"], dtype=np.bool_),
        int(ix["n_cls"]),
        int(T),
    )
    lines = (
        c(model.household_line, dtype=np.bool_),
        c(model.capacity_units, dtype=float),
        c(model.structure.inv_capacity, dtype=float),
        c(model.unit_cost, dtype=float),
        c(model.max_share, dtype=float),
        c(model.effects[:, ENA], dtype=float),
        c(_channel_lists()),
    )
    people = (
        c(model.n0, dtype=float),
        c(model.ps_population, dtype=np.bool_),
        float(model.ps_want_share),
        float(model.growth),
        c(model.entry, dtype=float),
    )
    return index + lines + people


def prepare(model, ix: dict) -> dict:
    """The compiled loop's static arguments, converted once per model (cached on it: they depend
    on its structure and parameters)."""
    return memoised(model, "expected_jit.arguments", partial(_static_arguments, model, ix))


def project(model, ix: dict, sp_all: np.ndarray, eff: np.ndarray, parts: np.ndarray, out) -> None:
    """Fill the arrays of `out` (an `EngineOutput`; its flows may be a one-scenario scratch
    buffer) for spending acting in each year `sp_all` (S, Y, L, D)."""
    c = np.ascontiguousarray
    _project(c(sp_all, dtype=float), c(eff, dtype=float), c(parts, dtype=float), *prepare(model, ix), *out.arrays())
