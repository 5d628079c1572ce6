"""Exact expected household counts: a cohort Markov projection with budget-dependent matrices.

For each projected year: beneficiaries per line and unit are min(spend / unit cost, eligible),
filled in the plan's priority order across tiers; within a tier every household is equally likely
to be reached, independently across lines. Because the programme enters transition probabilities
only through products of per-line factors (see `simlib.transitions`), the expected transition
matrix is the same formula with coverage shares in place of reached indicators — the expectation
of the microsimulation, not an approximation of it (given the same eligible counts).

Vectorised over a leading scenario axis S: pass `spend` of shape (S, Y+1, L, D) to evaluate many
allocations at once (optimiser, sweeps), and optionally `effects` (S, L, C) and `rates`
(S, G, R) for parameter draws.
"""
from __future__ import annotations

import numpy as np

from simlib.engines.common import EngineOutput, effective_effects, fill_tiers, reach
from simlib.model import Model, active_spend, enabling_boost
from simlib.states import N_STATES
from simlib.transitions import transition_matrix


def _index(model: Model) -> dict:
    """Sparse structure of eligibility, built once per model (cached on it): one entry m per
    eligible (line, group-state) with its line, unit, state, group-state and (line, unit, tier)
    bin; `ps` marks entries of the lines counted as production support."""
    if "expected" in model.cache:
        return model.cache["expected"]
    L, G, K = model.eligible.shape
    D, T = len(model.unit_ids), model.n_tiers
    m_line, m_g, m_k = np.nonzero(model.eligible)
    m_unit = model.g_unit[m_g]
    m_bin = (m_line * D + m_unit) * T + model.tier[m_line, m_g, m_k]
    ps = model.ps_lines[m_line]
    idx = {"m_line": m_line, "m_unit": m_unit, "m_k": m_k, "m_bin": m_bin, "m_gk": m_g * K + m_k,
           "ps": ps, "ps_gk": (m_g * K + m_k)[ps]}
    model.cache["expected"] = idx
    return idx


def _scatter(values: np.ndarray, index: np.ndarray, size: int) -> np.ndarray:
    """Sum values (S, M) into (S, size) bins given by index (M,): a batched bincount."""
    S = values.shape[0]
    if S == 1:
        return np.bincount(index, weights=values[0], minlength=size)[None]
    flat = (np.arange(S)[:, None] * size + index[None, :]).ravel()
    return np.bincount(flat, weights=values.ravel(), minlength=S * size).reshape(S, size)


def _log_factor(terms: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log1p(-terms)


def run_expected(model: Model, spend: np.ndarray | None = None, effects: np.ndarray | None = None,
                 rates: np.ndarray | None = None) -> EngineOutput:
    """Expected counts for one scenario (default) or a batch (leading axis S on `spend`)."""
    spend = model.spend[None] if spend is None else np.asarray(spend, float)
    if spend.ndim == 3:
        spend = spend[None]
    S = spend.shape[0]
    eff = model.effects[None] if effects is None else np.asarray(effects, float).reshape(-1, *model.effects.shape)
    rts = model.rates[None] if rates is None else np.asarray(rates, float).reshape(-1, *model.rates.shape)
    L, G, K = model.eligible.shape
    D, T, Y = len(model.unit_ids), model.n_tiers, len(model.years)
    ix = _index(model)
    m_line, m_unit, m_k, m_bin, m_gk = ix["m_line"], ix["m_unit"], ix["m_k"], ix["m_bin"], ix["m_gk"]
    hh = model.household_line
    cap = model.capacity_units
    ms = model.max_share

    n = np.broadcast_to(model.n0, (S, G, K)).astype(float)
    states = np.empty((S, Y + 1, G, K))
    flows = np.empty((S, Y, G, K, K))
    entries = np.empty((S, Y, G, K))
    reached_out = np.empty((S, Y, L, D))
    elig_out = np.empty((S, Y, L, D))
    ps_sup = np.empty((S, Y))
    ps_want = np.empty((S, Y))
    states[:, 0] = n
    for y in range(Y):
        sp = active_spend(model, spend, y)  # (S, L, D)
        E = _scatter(n.reshape(S, G * K)[:, m_gk], m_bin, L * D * T).reshape(S, L, D, T)  # eligible per tier
        E_tot = np.where(hh[:, None], E.sum(-1), cap)  # (S, L, D)
        R = reach(sp, model.unit_cost, E_tot * ms[:, None])
        cov = fill_tiers(R, E * ms[:, None, None])
        c = np.divide(cov, E, out=np.zeros_like(cov), where=E > 0).reshape(S, L * D * T)
        cm = c[:, m_bin]  # (S, M) coverage of each eligible (line, group-state)
        boost = enabling_boost(model, np.where(hh[:, None], 0.0, R))  # (S, D)
        comb = effective_effects(eff, boost)  # (S, L, D, K, 2)
        um = comb[:, m_line, m_unit, m_k, :]  # (S, M, 2)
        f1 = np.exp(_scatter(_log_factor(cm * um[..., 0]), m_gk, G * K)).reshape(S, G, K)
        f2 = np.exp(_scatter(_log_factor(cm * um[..., 1]), m_gk, G * K)).reshape(S, G, K)
        P = transition_matrix(rts, f1, f2)  # (S, G, K, K)
        fl = n[..., None] * P
        new = model.growth * n.sum(-1, keepdims=True) * model.entry
        flows[:, y], entries[:, y] = fl, new
        reached_out[:, y], elig_out[:, y] = R, E_tot
        # production support: union of the counted lines' coverage over the target group
        miss = np.exp(_scatter(_log_factor(cm[:, ix["ps"]]), ix["ps_gk"], G * K)).reshape(S, G, K)
        target = n * model.ps_population
        ps_sup[:, y] = (target * (1.0 - miss)).sum(axis=(1, 2))
        ps_want[:, y] = model.ps_want_share * target.sum(axis=(1, 2))
        n = fl.sum(axis=-2) + new
        states[:, y + 1] = n
    return EngineOutput("expected", states, flows, entries, reached_out, elig_out, ps_sup, ps_want)
