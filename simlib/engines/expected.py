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
from scipy import sparse

from simlib.engines.common import EngineOutput, effective_effects, fill_tiers, reach
from simlib.model import Model, active_spend, enabling_boost
from simlib.states import N_STATES
from simlib.transitions import transition_matrix


def _aggregator(model: Model) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Sparse map from group-states (G*K) to (line, unit, tier) bins, and each eligible
    group-state's bin index per line (L, G*K; ineligible -> a zero-coverage dummy bin)."""
    L, G, K = model.eligible.shape
    D, T = len(model.unit_ids), model.n_tiers
    unit = np.broadcast_to(model.g_unit[:, None], (G, K))
    bins = (np.arange(L)[:, None, None] * D + unit[None]) * T + model.tier  # (L, G, K)
    bins = np.where(model.eligible, bins, L * D * T).reshape(L, G * K)
    rows, cols = [], []
    for li in range(L):
        ok = bins[li] < L * D * T
        rows.append(np.flatnonzero(ok))
        cols.append(bins[li][ok])
    r, c = np.concatenate(rows), np.concatenate(cols)
    A = sparse.csr_matrix((np.ones(len(r)), (r, c)), shape=(G * K, L * D * T))
    return A, bins


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
    A, bins = _aggregator(model)
    hh = model.household_line
    cap = model.capacity_units

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
        E = (A.T @ n.reshape(S, G * K).T).T.reshape(S, L, D, T)
        E_tot = np.where(hh[:, None], E.sum(-1), cap)  # (S, L, D)
        R = reach(sp, model.unit_cost, E_tot * model.max_share[:, None])
        cov = fill_tiers(R, E * model.max_share[:, None, None])
        c = np.divide(cov, E, out=np.zeros_like(cov), where=E > 0).reshape(S, L * D * T)
        c = np.concatenate([c, np.zeros((S, 1))], axis=1)
        cg = c[:, bins].reshape(S, L, G, K)  # coverage of each line for each group-state
        boost = enabling_boost(model, np.where(hh[:, None], 0.0, R))  # (S, D)
        comb = effective_effects(eff, boost, model.g_unit)  # (S, L, G, K, 2)
        F = np.prod(1.0 - cg[..., None] * comb, axis=1)  # (S, G, K, 2)
        P = transition_matrix(rts, F[..., 0], F[..., 1])  # (S, G, K, K)
        fl = n[..., None] * P
        new = model.growth * n.sum(-1, keepdims=True) * model.entry
        n = fl.sum(axis=-2) + new
        flows[:, y], entries[:, y], states[:, y + 1] = fl, new, n
        reached_out[:, y], elig_out[:, y] = R, E_tot
        # production support: union of the counted lines' coverage over the target group
        miss = np.prod(1.0 - cg[:, model.ps_lines], axis=1)  # (S, G, K)
        target = states[:, y] * model.ps_population
        ps_sup[:, y] = (target * (1.0 - miss)).sum(axis=(1, 2))
        ps_want[:, y] = model.ps_want_share * target.sum(axis=(1, 2))
    return EngineOutput("expected", states, flows, entries, reached_out, elig_out, ps_sup, ps_want)
