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

from simlib.engines.common import EngineOutput, fill_tiers, reach
from simlib.model import Model
from simlib.transitions import ENA, affine_parts, apply_affine, combined_effects_fast


def _log_factor(terms: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log1p(-terms)


def _index(model: Model) -> dict:
    """Sparse structure of eligibility, built once per model (cached on it).

    Group-states with the same unit, state and priority tier (or ineligibility) for every line
    are alike for the programme: the same coverage reaches them and their factors F1, F2 are the
    same. They form a *class* (Cao Bằng: 140 classes for 720 group-states), and the year step
    works on one entry e per eligible (class, line) instead of one per (group-state, line)
    (965 instead of 4,600). Also the flat indices the step gathers and scatters with, so each
    is a single `take` / `bincount`.
    """
    if "expected" in model.cache:
        return model.cache["expected"]
    L, G, K = model.eligible.shape
    D, T, Y = len(model.unit_ids), model.n_tiers, len(model.years)
    sig = np.where(model.eligible, model.tier, -1).reshape(L, G * K).T  # (GK, L)
    g_of, k_of = np.divmod(np.arange(G * K), K)
    key = np.column_stack([model.g_unit[g_of], k_of, sig])
    _, first, cls = np.unique(key, axis=0, return_index=True, return_inverse=True)
    cls = cls.ravel()
    C = len(first)
    e_cls, e_line = np.nonzero(sig[first] >= 0)  # entries: eligible (class, line)
    e_unit, e_k = model.g_unit[g_of[first]][e_cls], k_of[first][e_cls]
    e_bin = (e_line * D + e_unit) * T + sig[first][e_cls, e_line]
    e_ps = model.ps_lines[e_line]
    # effect pair (e, j) in the flat (L, D, K, 2) array of `combined_effects`
    pair = ((e_line * D + e_unit) * K + e_k)[:, None] * 2 + np.arange(2)
    # factor bins: F1 and F2 of each class interleaved, then production-support misses
    f_bin = np.concatenate([(e_cls[:, None] * 2 + np.arange(2)).ravel(), 2 * C + e_cls[e_ps]])
    lag_idx = np.arange(Y)[:, None] + 1 - model.lag[None, :]  # (Y, L) spend year acting in year y
    cap = model.capacity_units
    inv_cap = np.divide(1.0, cap, out=np.zeros_like(cap), where=(cap > 0) & ~model.household_line[:, None])
    idx = {
        "cls": cls,
        "n_cls": C,
        "e_cls": e_cls,
        "e_bin": e_bin,
        "e_ps": e_ps,
        "pair": pair,
        "f_bin": f_bin,
        "lag_idx": np.clip(lag_idx, 0, None),
        "lag_ok": lag_idx >= 0,
        "inv_cap": inv_cap,
    }
    model.cache["expected"] = idx
    return idx


def _flat_bins(index: np.ndarray, size: int, S: int) -> np.ndarray:
    """Bins of a batched bincount: scenario s's entries go to s * size + index."""
    return index if S == 1 else (np.arange(S)[:, None] * size + index[None, :]).ravel()


def _scatter(values: np.ndarray, flat_index: np.ndarray, size: int) -> np.ndarray:
    """Sum values (S, M) into (S, size) bins given by `_flat_bins(index, size, S)`."""
    S = values.shape[0]
    return np.bincount(flat_index, weights=values.ravel(), minlength=S * size).reshape(S, size)


def run_expected(
    model: Model,
    spend: np.ndarray | None = None,
    effects: np.ndarray | None = None,
    rates: np.ndarray | None = None,
    backend: str = "auto",
    keep_flows: bool = True,
) -> EngineOutput:
    """Expected counts for one scenario (default) or a batch (leading axis S on `spend`).

    `backend`: "jit" runs the compiled loop (`simlib.engines.expected_jit`), "numpy" the
    `YearStep` reference; "auto" (default) the compiled loop when numba is installed.
    `keep_flows=False` (compiled loop only) skips storing the (S, Y, G, K, K) flows — the
    largest output — for sweeps over many allocations that need only stocks; `flows` is then
    an empty (S, Y, 0, K, K) array.
    """
    from simlib.engines import expected_jit

    if backend not in ("auto", "jit", "numpy"):
        raise ValueError(f"backend must be auto, jit or numpy, not {backend!r}")
    if backend == "jit" or (backend == "auto" and expected_jit.available()):
        return _run_jit(model, spend, effects, rates, keep_flows)
    spend = model.spend[None] if spend is None else np.asarray(spend, float)
    if spend.ndim == 3:
        spend = spend[None]
    S = spend.shape[0]
    eff = model.effects[None] if effects is None else np.asarray(effects, float).reshape(-1, *model.effects.shape)
    rts = model.rates[None] if rates is None else np.asarray(rates, float).reshape(-1, *model.rates.shape)
    L, G, K = model.eligible.shape
    D, Y = len(model.unit_ids), len(model.years)
    n = np.broadcast_to(model.n0, (S, G, K)).astype(float)
    steps = YearStep(model, S, eff, rts)
    states = np.empty((S, Y + 1, G, K))
    flows = np.empty((S, Y, G, K, K))
    entries = np.empty((S, Y, G, K))
    reached_out = np.empty((S, Y, L, D))
    elig_out = np.empty((S, Y, L, D))
    ps_sup = np.empty((S, Y))
    ps_want = np.empty((S, Y))
    states[:, 0] = n
    sp_all = steps.active_spend(spend)  # (S, Y, L, D)
    for y in range(Y):
        P, reached_out[:, y], elig_out[:, y], ps_sup[:, y], ps_want[:, y] = steps(n, sp_all[:, y])
        fl = np.multiply(n[..., None], P, out=flows[:, y])
        new = np.multiply(model.growth * n.sum(-1, keepdims=True), model.entry, out=entries[:, y])
        n = fl.sum(axis=-2) + new
        states[:, y + 1] = n
    return EngineOutput("expected", states, flows, entries, reached_out, elig_out, ps_sup, ps_want)


def _run_jit(model: Model, spend, effects, rates, keep_flows: bool = True) -> EngineOutput:
    from simlib.engines import expected_jit

    spend = model.spend[None] if spend is None else np.asarray(spend, float)
    if spend.ndim == 3:
        spend = spend[None]
    S = spend.shape[0]
    eff = model.effects[None] if effects is None else np.asarray(effects, float).reshape(-1, *model.effects.shape)
    if rates is None:
        if "affine" not in model.cache:
            model.cache["affine"] = affine_parts(model.rates[None])
        parts = model.cache["affine"]
    else:
        parts = affine_parts(np.asarray(rates, float).reshape(-1, *model.rates.shape))
    L, G, K = model.eligible.shape
    D, Y = len(model.unit_ids), len(model.years)
    ix = _index(model)
    sp_all = spend[:, ix["lag_idx"], np.arange(L), :] * ix["lag_ok"][None, :, :, None]  # (S, Y, L, D)
    flows = np.empty((S, Y, G, K, K)) if keep_flows else np.empty((1, 1, G, K, K))
    out = {
        "states": np.empty((S, Y + 1, G, K)),
        "flows": flows,
        "entries": np.empty((S, Y, G, K)),
        "reached": np.empty((S, Y, L, D)),
        "eligible": np.empty((S, Y, L, D)),
        "ps_sup": np.empty((S, Y)),
        "ps_want": np.empty((S, Y)),
    }
    expected_jit.project(model, ix, sp_all, eff, parts, out)
    if not keep_flows:
        out["flows"] = np.empty((S, Y, 0, K, K))
    return EngineOutput(
        "expected",
        out["states"],
        out["flows"],
        out["entries"],
        out["reached"],
        out["eligible"],
        out["ps_sup"],
        out["ps_want"],
    )


class YearStep:
    """One projected year at cell level, for S scenarios at once: from households by
    group-state `n` (S, G, K) and active spending (S, L, D) to the expected transition
    matrices (S, G, K, K), beneficiaries reached and eligible (S, L, D) and the production-
    support figures (S,). Shared by the expected engine and the stochastic cell-level paths
    (`simlib.engines.kernel`, `simlib.engines.aggregate`), which feed it realised counts.
    """

    def __init__(self, model: Model, S: int, effects: np.ndarray, rates: np.ndarray | None = None):
        L, G, K = model.eligible.shape
        D, T = len(model.unit_ids), model.n_tiers
        self.model, self.S, self.shape = model, S, (L, G, K, D, T)
        self.ix = ix = _index(model)
        C = ix["n_cls"]
        self.eff = effects  # (S or 1, L, C)
        if rates is None:  # the model's own rates: build the affine parts once per model
            if "affine" not in model.cache:
                model.cache["affine"] = affine_parts(model.rates[None])
            self.parts = model.cache["affine"]
        else:
            self.parts = affine_parts(rates)  # (3, S or 1, G, K, K)
        # the enabling boost uses the model's enabling effects, also when `effects` are drawn
        # per scenario (as before this class existed; see the issue-8 report)
        self.ena = np.broadcast_to(model.effects[None, :, ENA], (S, L))
        self.c_bins = _flat_bins(ix["cls"], C, S)
        self.e_bins = _flat_bins(ix["e_bin"], L * D * T, S)
        self.f_bins = _flat_bins(ix["f_bin"], 3 * C, S)
        self.ps_target = model.ps_population

    def active_spend(self, spend: np.ndarray) -> np.ndarray:
        """(S, Y, L, D) spending acting in each projected year (see `simlib.model.active_spend`)."""
        ix, L = self.ix, self.shape[0]
        return spend[:, ix["lag_idx"], np.arange(L), :] * ix["lag_ok"][None, :, :, None]

    def __call__(self, n: np.ndarray, sp: np.ndarray):
        model, ix, S = self.model, self.ix, self.S
        L, G, K, D, T = self.shape
        C = ix["n_cls"]
        hh, ms = model.household_line, model.max_share
        n_cls = _scatter(n.reshape(S, G * K), self.c_bins, C)  # households per class
        E = _scatter(n_cls[:, ix["e_cls"]], self.e_bins, L * D * T).reshape(S, L, D, T)  # eligible per tier
        E_tot = np.where(hh[:, None], E.sum(-1), model.capacity_units)  # (S, L, D)
        R = reach(sp, model.unit_cost, E_tot * ms[:, None])
        cov = fill_tiers(R, E * ms[:, None, None])
        c = np.divide(cov, E, out=np.zeros_like(cov), where=E > 0).reshape(S, L * D * T)
        ce = c[:, ix["e_bin"]]  # (S, entries) coverage of each eligible (class, line)
        # enabling lines: boost (S, D) = sum over lines of effect x share of officers/communes reached
        boost = np.einsum("sld,sl->sd", R * ix["inv_cap"], self.ena)
        e = np.minimum(self.eff[..., :, None, :] * (1.0 + boost[..., None, :, None]), 0.99)  # as effective_effects
        comb = combined_effects_fast(e)  # (S, L, D, K, 2)
        ue = comb.reshape(S, -1)[:, ix["pair"]]  # (S, entries, 2)
        terms = np.concatenate([(ce[:, :, None] * ue).reshape(S, -1), ce[:, ix["e_ps"]]], axis=1)
        fac = np.exp(_scatter(_log_factor(terms), self.f_bins, 3 * C))  # (S, 3 C) per class
        F = fac[:, : 2 * C].reshape(S, C, 2)[:, ix["cls"]].reshape(S, G, K, 2)  # per group-state
        P = apply_affine(self.parts, F[..., 0], F[..., 1])  # (S, G, K, K)
        # production support: union of the counted lines' coverage over the target group
        miss = fac[:, 2 * C :][:, ix["cls"]].reshape(S, G, K)
        target = n * self.ps_target
        ps_sup = (target * (1.0 - miss)).sum(axis=(1, 2))
        ps_want = model.ps_want_share * target.sum(axis=(1, 2))
        return P, R, E_tot, ps_sup, ps_want
