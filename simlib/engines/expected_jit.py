"""The expected engine's projection as one compiled loop (numba), for speed.

Same arithmetic as `simlib.engines.expected.YearStep` (the numpy reference, which the stochastic
cell-level paths also use), entry by entry and in the same summation order, so the two agree to
rounding (tests compare them). One call projects S scenarios for all years without touching
Python between steps — several times faster than the numpy step for one scenario, and more for
sweeps (`make bench` measures both). Factors are products over lines here where the numpy step
sums logs; the two agree to rounding. Used by `run_expected` when numba is installed.
"""
from __future__ import annotations

import numpy as np

from simlib.transitions import EFFECT_CHANNELS, ENA, NEAR_POOR, POOR

try:  # numba is a dependency; the numpy engine remains the fallback and the reference
    import numba as _numba
except ImportError:  # pragma: no cover
    _numba = None


def _project_python(n0, sp_all, cls, n_cls, e_cls, e_line, e_unit, e_k, e_tier, e_ps, hh, cap, inv_cap,
                    unit_cost, ms, ena, eff, parts, ps_target, want_share, growth, entry, effch, D, T,
                    states, flows, entries, reached, elig, ps_sup, ps_want):  # compiled below
    S, Y, L, _ = sp_all.shape
    G, K = n0.shape
    C = n_cls
    M = e_cls.shape[0]
    NCH = eff.shape[2]
    n = np.empty((G, K))
    ncl = np.empty(C)
    E = np.empty((L, D, T))
    cov = np.empty((L, D, T))
    boost = np.empty(D)
    fac = np.empty((C, 2))
    miss = np.empty(C)
    for s in range(S):
        fs = s if flows.shape[0] > 1 else 0  # flows may be a one-scenario scratch buffer
        es = s if eff.shape[0] > 1 else 0
        ps_ = s if parts.shape[1] > 1 else 0
        for g in range(G):
            for k in range(K):
                n[g, k] = n0[g, k]
                states[s, 0, g, k] = n0[g, k]
        for y in range(Y):
            # households per class, then eligible households per (line, unit, tier)
            fy = y if flows.shape[1] > 1 else 0
            ncl[:] = 0.0
            for g in range(G):
                for k in range(K):
                    ncl[cls[g * K + k]] += n[g, k]
            E[:] = 0.0
            for e in range(M):
                E[e_line[e], e_unit[e], e_tier[e]] += ncl[e_cls[e]]
            # beneficiaries: min(spend / unit cost, eligible x take-up), filled tier by tier
            for li in range(L):
                for d in range(D):
                    if hh[li]:
                        tot = 0.0
                        for t in range(T):
                            tot += E[li, d, t]
                    else:
                        tot = cap[li, d]
                    elig[s, y, li, d] = tot
                    r = min(sp_all[s, y, li, d] / unit_cost[li], tot * ms[li])
                    reached[s, y, li, d] = r
                    before = 0.0
                    for t in range(T):
                        room = E[li, d, t] * ms[li]
                        got = min(max(r - before, 0.0), room)
                        before += room
                        cov[li, d, t] = got / E[li, d, t] if E[li, d, t] > 0 else 0.0
            # enabling boost per unit
            boost[:] = 0.0
            for li in range(L):
                for d in range(D):
                    boost[d] += reached[s, y, li, d] * inv_cap[li, d] * ena[li]
            # factors F1, F2 per class and production-support misses: products over lines
            # (the numpy reference sums logs; equal to rounding, and no transcendental calls here)
            fac[:] = 1.0
            miss[:] = 1.0
            for e in range(M):
                li, d, k = e_line[e], e_unit[e], e_k[e]
                ce = cov[li, d, e_tier[e]]
                for j in range(2):
                    keep = 1.0
                    for ch in range(NCH):
                        if effch[k, j, ch]:
                            keep *= 1.0 - min(eff[es, li, ch] * (1.0 + boost[d]), 0.99)
                    fac[e_cls[e], j] *= 1.0 - ce * (1.0 - keep)
                if e_ps[e]:
                    miss[e_cls[e]] *= 1.0 - ce
            # transitions, flows, new households, production support
            sup = 0.0
            wanting = 0.0
            for g in range(G):
                size = 0.0
                for k in range(K):
                    size += n[g, k]
                for k in range(K):
                    c = cls[g * K + k]
                    f1 = fac[c, 0]
                    f2 = fac[c, 1]
                    if ps_target[g, k]:
                        sup += n[g, k] * (1.0 - miss[c])
                        wanting += n[g, k]
                    for j in range(K):
                        p = parts[0, ps_, g, k, j] + parts[1, ps_, g, k, j] * f1 + parts[2, ps_, g, k, j] * f2
                        if (k == POOR and j == NEAR_POOR) or (k == NEAR_POOR and j == NEAR_POOR):
                            p = max(p, 0.0)
                        flows[fs, fy, g, k, j] = n[g, k] * p
                for j in range(K):
                    entries[s, y, g, j] = growth * size * entry[j]
            for g in range(G):
                for j in range(K):
                    acc = 0.0
                    for k in range(K):
                        acc += flows[fs, fy, g, k, j]
                    n[g, j] = acc + entries[s, y, g, j]
                    states[s, y + 1, g, j] = n[g, j]
            ps_sup[s, y] = sup
            ps_want[s, y] = want_share * wanting


_project = _numba.njit(cache=True, nogil=True)(_project_python) if _numba is not None else None


def available() -> bool:
    return _project is not None


def prepare(model, ix: dict) -> dict:
    """Entry arrays of the compiled loop, from the engine's cached index (cached on the model)."""
    if "expected_jit" in model.cache:
        return model.cache["expected_jit"]
    L, G, K = model.eligible.shape
    D, T = len(model.unit_ids), model.n_tiers
    e_bin = ix["e_bin"]
    prep = {
        "e_line": (e_bin // (D * T)).astype(np.int64),
        "e_unit": ((e_bin // T) % D).astype(np.int64),
        "e_tier": (e_bin % T).astype(np.int64),
        "e_k": ((ix["pair"][:, 0] // 2) % K).astype(np.int64),
        "effch": np.ascontiguousarray(EFFECT_CHANNELS),
        "ena": np.ascontiguousarray(model.effects[:, ENA]),
    }
    model.cache["expected_jit"] = prep
    return prep


def project(model, ix: dict, sp_all: np.ndarray, eff: np.ndarray, parts: np.ndarray, out: dict) -> None:
    """Fill the output arrays in `out` (states, flows, entries, reached, eligible, ps_sup,
    ps_want) for spending acting in each year `sp_all` (S, Y, L, D)."""
    prep = prepare(model, ix)
    D, T = len(model.unit_ids), model.n_tiers
    _project(np.ascontiguousarray(model.n0, dtype=float), np.ascontiguousarray(sp_all), ix["cls"].astype(np.int64),
             int(ix["n_cls"]), ix["e_cls"].astype(np.int64), prep["e_line"], prep["e_unit"], prep["e_k"], prep["e_tier"],
             ix["e_ps"].astype(np.bool_), model.household_line.astype(np.bool_), np.ascontiguousarray(model.capacity_units, dtype=float),
             np.ascontiguousarray(ix["inv_cap"]), np.ascontiguousarray(model.unit_cost, dtype=float),
             np.ascontiguousarray(model.max_share, dtype=float), prep["ena"], np.ascontiguousarray(eff, dtype=float),
             np.ascontiguousarray(parts), model.ps_population.astype(np.bool_), float(model.ps_want_share), float(model.growth),
             np.ascontiguousarray(model.entry, dtype=float), prep["effch"], D, T,
             out["states"], out["flows"], out["entries"], out["reached"], out["eligible"], out["ps_sup"], out["ps_want"])
