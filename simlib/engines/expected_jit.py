"""The expected engine's projection as one compiled loop (numba), for speed.

Same arithmetic as `simlib.engines.expected.YearStep` with the shared programme step
(`simlib.engines.reach`: the numpy reference, which the stochastic cell-level paths also use), entry by entry and in the same summation order, so the two agree to
rounding (tests compare them). One call projects S scenarios for all years without touching
Python between steps — several times faster than the numpy step for one scenario, and more for
sweeps (`make bench` measures both). Factors are products over lines here where the numpy step
sums logs; the two agree to rounding. Used by `run_expected` when numba is installed.
"""

from __future__ import annotations

import numpy as np

from simlib.memo import memoised
from simlib.transitions import EFFECT_CHANNELS, ENA, NEAR_POOR, POOR

try:  # numba is a dependency; the numpy engine remains the fallback and the reference
    import numba as _numba
except ImportError:  # pragma: no cover
    _numba = None


def _project_python(
    n0,
    sp_all,
    cls,
    n_cls,
    e_cls,
    e_line,
    e_unit,
    e_k,
    e_tier,
    e_ps,
    hh,
    cap,
    inv_cap,
    unit_cost,
    ms,
    ena,
    eff,
    parts,
    ps_target,
    want_share,
    growth,
    entry,
    effch,
    D,
    T,
    states,
    flows,
    entries,
    reached,
    elig,
    ps_sup,
    ps_want,
):  # compiled below
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
    kc = np.empty((L, D, NCH))
    u = np.empty((L, D, K, 2))
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
            # effect pairs u[l, d, k, j] after the unit's enabling boost (channels per state from
            # EFFECT_CHANNELS, given as index lists), then factors F1, F2 per class and the
            # production-support misses: products over lines (the numpy reference sums logs;
            # equal to rounding, and no transcendental calls here)
            for li in range(L):
                for d in range(D):
                    for ch in range(NCH):
                        kc[li, d, ch] = 1.0 - min(eff[es, li, ch] * (1.0 + boost[d]), 0.99)
                    for k in range(K):
                        for j in range(2):
                            keep = 1.0
                            for q in range(effch.shape[2]):
                                ch = effch[k, j, q]
                                if ch >= 0:
                                    keep *= kc[li, d, ch]
                            u[li, d, k, j] = 1.0 - keep
            fac[:] = 1.0
            miss[:] = 1.0
            for e in range(M):
                li, d, k = e_line[e], e_unit[e], e_k[e]
                ce = cov[li, d, e_tier[e]]
                fac[e_cls[e], 0] *= 1.0 - ce * u[li, d, k, 0]
                fac[e_cls[e], 1] *= 1.0 - ce * u[li, d, k, 1]
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


def _static_arguments(model, ix: dict) -> dict:
    L, G, K = model.eligible.shape
    D, T = len(model.unit_ids), model.n_tiers
    e_bin = ix["e_bin"]
    c = np.ascontiguousarray
    return {
        "cls": c(ix["cls"], dtype=np.int64),
        "n_cls": int(ix["n_cls"]),
        "e_cls": c(ix["e_cls"], dtype=np.int64),
        "e_line": c(e_bin // (D * T), dtype=np.int64),
        "e_unit": c((e_bin // T) % D, dtype=np.int64),
        "e_k": c((ix["pair"][:, 0] // 2) % K, dtype=np.int64),
        "e_tier": c(e_bin % T, dtype=np.int64),
        "e_ps": c(ix["e_ps"], dtype=np.bool_),
        "hh": c(model.household_line, dtype=np.bool_),
        "cap": c(model.capacity_units, dtype=float),
        "inv_cap": c(model.structure.inv_capacity, dtype=float),
        "unit_cost": c(model.unit_cost, dtype=float),
        "ms": c(model.max_share, dtype=float),
        "ena": c(model.effects[:, ENA], dtype=float),
        "n0": c(model.n0, dtype=float),
        "ps_target": c(model.ps_population, dtype=np.bool_),
        "want": float(model.ps_want_share),
        "growth": float(model.growth),
        "entry": c(model.entry, dtype=float),
        "effch": c(_channel_lists()),
        "D": D,
        "T": T,
    }


def prepare(model, ix: dict) -> dict:
    """The compiled loop's static arguments, converted once per model (cached on it: they depend
    on its structure and parameters)."""
    return memoised(model, "expected_jit.arguments", lambda: _static_arguments(model, ix))


def project(model, ix: dict, sp_all: np.ndarray, eff: np.ndarray, parts: np.ndarray, out) -> None:
    """Fill the arrays of `out` (an `EngineOutput`; its flows may be a one-scenario scratch
    buffer) for spending acting in each year `sp_all` (S, Y, L, D)."""
    p = prepare(model, ix)
    _project(
        p["n0"],
        np.ascontiguousarray(sp_all, dtype=float),
        p["cls"],
        p["n_cls"],
        p["e_cls"],
        p["e_line"],
        p["e_unit"],
        p["e_k"],
        p["e_tier"],
        p["e_ps"],
        p["hh"],
        p["cap"],
        p["inv_cap"],
        p["unit_cost"],
        p["ms"],
        p["ena"],
        np.ascontiguousarray(eff, dtype=float),
        np.ascontiguousarray(parts, dtype=float),
        p["ps_target"],
        p["want"],
        p["growth"],
        p["entry"],
        p["effch"],
        p["D"],
        p["T"],
        *out.arrays(),
    )
